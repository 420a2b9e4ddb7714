"""Server-side logins: a random token in an HttpOnly cookie, only its hash in the database.

Logging in opens a ``LoginSession`` row for the browser tab. The page then requests the app's
``/rehab/session`` route (``rehabdata.web``) with a one-time claim; the route swaps the claim for the
lasting token and sets it as the cookie. A refreshed or new tab resumes from the cookie; every script
run resolves the principal from the row again, so a revocation (logout, password change, disabled
user, "end all sessions") ends the login in every app process at once.

- Default: the cookie ends with the browser; the login ends after ``auth.IDLE_TIMEOUT`` without
  activity and at the latest after ``MAX_LOGIN``.
- "Tetap masuk di perangkat ini" (``remember``): the cookie is kept for up to ``MAX_LOGIN`` and the
  login does not time out when idle before then.
A claim works once and only in the first minutes; a login never claimed lives only in its tab.
Logins, failures, lockouts and logouts go to the audit trail (``audit.record_event``).
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, select

from rehabdata import audit, auth
from rehabdata.auth import Principal
from rehabdata.models import LoginSession, User, utcnow

COOKIE = "rehab_sid"
MAX_LOGIN = timedelta(hours=12)
TOUCH_EVERY = timedelta(seconds=60)  # last-seen is written at most once a minute per login
CLAIM_WITHIN = timedelta(minutes=5)  # the page claims its cookie right after the login


def new_token() -> str:
    """A fresh cookie value: 256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What the database keeps of a token: its SHA-256 (a stolen table opens no session)."""
    return hashlib.sha256(token.encode()).hexdigest()


def _aware(moment: datetime) -> datetime:
    """SQLite returns naive datetimes: they are UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=utcnow().tzinfo)


def _ends(login: LoginSession) -> datetime:
    """When ``login`` expires if nothing else happens."""
    hard = _aware(login.created_at) + MAX_LOGIN
    return hard if login.remember else min(hard, _aware(login.last_seen_at) + auth.IDLE_TIMEOUT)


def log_in(
    session: Session, username: str, password: str, *, remember: bool = False
) -> tuple[Principal, LoginSession, str] | None:
    """Check the password (``auth.authenticate_outcome``) and open a login; audited either way.

    Returns the principal, the login and its one-time claim (for ``claim``), or None when refused
    (one generic answer whatever the reason).
    """
    outcome = auth.authenticate_outcome(session, username, password)
    if outcome.principal is None:
        audit.record_event(
            session, action=outcome.event, username=username.strip().lower()[:60], user_id=outcome.user_id
        )
        return None
    now, claim_token = utcnow(), new_token()
    login = LoginSession(
        token_hash=token_hash(claim_token),
        user_id=outcome.principal.user_id,
        created_at=now,
        last_seen_at=now,
        expires_at=now,
        remember=remember,
    )
    login.expires_at = _ends(login)
    session.add(login)
    session.flush()
    audit.record_event(
        session,
        action="login",
        username=outcome.principal.username,
        user_id=outcome.principal.user_id,
        entity_id=login.id,
        changes={"remember": remember},
    )
    return outcome.principal, login, claim_token


def _principal_if_valid(session: Session, login: LoginSession | None, now: datetime) -> Principal | None:
    if login is None or login.revoked_at is not None or _ends(login) <= now:
        return None
    user = session.get(User, login.user_id)
    if user is None or not user.is_active:
        return None
    if now - _aware(login.last_seen_at) >= TOUCH_EVERY:
        login.last_seen_at = now
        login.expires_at = _ends(login)
        session.add(login)
    return auth.principal_for(session, user)


def resume(session: Session, login_id: int, *, now: datetime | None = None) -> Principal | None:
    """The principal of a live login by id (a script run of the same browser tab), else None."""
    return _principal_if_valid(session, session.get(LoginSession, login_id), now or utcnow())


def resume_from_cookie(
    session: Session, token: object, *, now: datetime | None = None
) -> tuple[Principal, int] | None:
    """The principal and login id for a cookie's token (a refreshed or new tab), else None: an
    unknown, altered, expired or revoked token simply means "not logged in"."""
    if not isinstance(token, str) or not token or len(token) > 200:
        return None
    login = session.exec(
        select(LoginSession).where(LoginSession.token_hash == token_hash(token), LoginSession.claimed)
    ).first()
    principal = _principal_if_valid(session, login, now or utcnow())
    return (principal, login.id) if principal is not None and login is not None else None


def claim(
    session: Session, claim_token: str, *, now: datetime | None = None
) -> tuple[str, LoginSession] | None:
    """Swap a fresh login's one-time claim for its lasting cookie token, or None (unknown, already
    claimed, ended, or older than ``CLAIM_WITHIN``). Only the new token's hash is kept."""
    now = now or utcnow()
    login = session.exec(
        select(LoginSession).where(LoginSession.token_hash == token_hash(claim_token), ~LoginSession.claimed)
    ).first()
    if login is None or _principal_if_valid(session, login, now) is None:
        return None
    if now - _aware(login.created_at) > CLAIM_WITHIN:
        return None
    token = new_token()
    login.token_hash, login.claimed = token_hash(token), True
    session.add(login)
    return token, login


def cookie_max_age(login: LoginSession, now: datetime | None = None) -> int | None:
    """Seconds the browser keeps the cookie: until the login's end when remembered, else None
    (a cookie that ends with the browser)."""
    if not login.remember:
        return None
    return max(0, int((_ends(login) - (now or utcnow())).total_seconds()))


def log_out(session: Session, login_id: int) -> None:
    """End one login (the logout button); audited."""
    login = session.get(LoginSession, login_id)
    if login is None or login.revoked_at is not None:
        return
    login.revoked_at = utcnow()
    session.add(login)
    user = session.get(User, login.user_id)
    audit.record_event(
        session,
        action="logout",
        username=user.username if user else "",
        user_id=login.user_id,
        entity_id=login_id,
    )


def end_all(session: Session, user_id: int) -> int:
    """Revoke every live login of a user (password change, disabled account, "end all sessions");
    returns how many ended (the caller's write is audited)."""
    result = session.execute(
        update(LoginSession)
        .where(LoginSession.user_id == user_id, LoginSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return int(result.rowcount or 0)
