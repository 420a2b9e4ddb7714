"""Users, passwords, login with lockout, and the ``Principal`` every service and KPI call receives.

Passwords are argon2id hashes with a minimum length. Five failed logins lock an account for 15
minutes; unknown user, wrong password, disabled and locked accounts all get the same message, so
the login form reveals nothing about which usernames exist.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, select

from rehabdata.i18n import t
from rehabdata.models import Facility, Region, Role, User, UserScope, utcnow

MIN_PASSWORD_LENGTH = 10
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
IDLE_TIMEOUT = timedelta(minutes=30)
# argon2id with OWASP's recommended parameters (Password Storage Cheat Sheet: m=19 MiB, t=2, p=1):
# a check costs ~0.03 s of one core and 19 MiB. The library's default (m=64 MiB, t=3, p=4) took
# 0.23 s of CPU and 64 MiB per check here: ten people logging in as a coordination meeting starts
# cost the server 2.3 s of CPU and 640 MiB at once. Older hashes still verify and are re-hashed at
# their next successful login.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


class UserError(ValueError):
    """A user cannot be created or changed as asked: ``key`` names the message in ``i18n``."""

    def __init__(self, key: str, **params: object) -> None:
        self.key, self.params = key, params
        super().__init__(t(key, "en", **params))


class ScopeError(PermissionError):
    """The principal may not read or change this record or facility."""


@dataclass(frozen=True)
class Principal:
    """Who is acting: user, role and the facilities in scope (resolved once at login)."""

    user_id: int
    username: str
    full_name: str
    role: Role
    facility_ids: frozenset[int]
    all_facilities: bool = False

    def can_see(self, facility_id: int | None) -> bool:
        """Whether records of ``facility_id`` are in this principal's scope."""
        return self.all_facilities or facility_id in self.facility_ids

    def require_facility(self, facility_id: int | None) -> None:
        """Raise ``ScopeError`` unless ``facility_id`` is in scope."""
        if not self.can_see(facility_id):
            raise ScopeError(f"user {self.username!r} has no access to facility {facility_id}")

    @property
    def sees_participants(self) -> bool:
        """Participant-level rows are for staff, partners and admins; leadership sees aggregates."""
        return self.role != Role.PIMPINAN


def hash_password(password: str) -> str:
    """An argon2id hash of ``password`` after checking it is not blank and long enough."""
    if not password.strip():
        raise UserError("user.password_blank")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError("user.password_short", minimum=MIN_PASSWORD_LENGTH)
    return _hasher.hash(password)


def refuse_demo_password(session: Session, password: str) -> None:
    """The public demo password is for demo databases only: refused as a real account's password."""
    from rehabdata.bootstrap import DatabaseState, database_state  # lazily: bootstrap seeds data
    from rehabdata.demo import DEMO_PASSWORD

    if password == DEMO_PASSWORD and database_state(session) != DatabaseState.DEMO:
        raise UserError("user.password_demo")


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; a missing or malformed hash never matches."""
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def create_user(
    *,
    session: Session,
    username: str,
    role: Role,
    password: str,
    full_name: str = "",
    email: str | None = None,
    facility_codes: tuple[str, ...] = (),
    region_codes: tuple[str, ...] = (),
    password_hash: str | None = None,
) -> User:
    """Create a user with a hashed password and a facility/region scope (flushed, not committed).

    ``password_hash`` lets the demo loader hash its one public password once for all demo users.
    """
    username = username.strip().lower()
    if not username:
        raise UserError("user.username_required")
    if password_hash is None:
        refuse_demo_password(session, password)
    if session.exec(select(User).where(User.username == username)).first():
        raise UserError("user.exists", username=username)
    user = User(
        username=username,
        role=Role(role),
        full_name=full_name,
        email=email,
        password_hash=password_hash or hash_password(password),
    )
    session.add(user)
    session.flush()
    for code in facility_codes:
        facility = session.exec(select(Facility).where(Facility.code == code)).first()
        if facility is None:
            raise UserError("user.unknown_facility", code=code)
        session.add(UserScope(user_id=user.id, facility_id=facility.id))
    for code in region_codes:
        region = session.exec(select(Region).where(Region.code == code)).first()
        if region is None:
            raise UserError("user.unknown_region", code=code)
        session.add(UserScope(user_id=user.id, region_id=region.id))
    session.flush()
    return user


def principal_for(session: Session, user: User) -> Principal:
    """Resolve a user's scope rows (facilities, and every facility of a scoped region)."""
    if user.role == Role.ADMIN:
        return Principal(
            user.id, user.username, user.full_name, Role(user.role), frozenset(), all_facilities=True
        )
    scopes = session.exec(select(UserScope).where(UserScope.user_id == user.id)).all()
    facility_ids = {scope.facility_id for scope in scopes if scope.facility_id is not None}
    region_ids = [scope.region_id for scope in scopes if scope.region_id is not None]
    if region_ids:
        facility_ids |= set(session.exec(select(Facility.id).where(Facility.region_id.in_(region_ids))).all())
    return Principal(user.id, user.username, user.full_name, Role(user.role), frozenset(facility_ids))


@cache
def _dummy_hash() -> str:
    return _hasher.hash("timing-equaliser-for-unknown-users")


@dataclass(frozen=True)
class LoginOutcome:
    """What a login attempt came to, for the audit trail: ``event`` is ``login``, ``login_failed``,
    ``lockout`` (this failure locked the account) or ``login_locked`` (tried while locked)."""

    principal: Principal | None
    event: str
    user_id: int | None = None


def authenticate_outcome(
    session: Session, username: str, password: str, *, now: datetime | None = None
) -> LoginOutcome:
    """Check a login; counts failures and locks (caller commits).

    Every attempt verifies one argon2 hash (the user's, or a dummy one for an unknown user), also
    for a disabled or locked account, so the reply time says nothing about which accounts exist.
    ``MAX_FAILED_LOGINS`` failures in a row lock the account for ``LOCKOUT``; a success resets the
    count (and re-hashes a password hashed with other parameters).
    """
    now = now or utcnow()
    user = session.exec(select(User).where(User.username == username.strip().lower())).first()
    stored = user.password_hash if user is not None else None
    correct = verify_password(stored or _dummy_hash(), password) and stored is not None
    if user is None:
        return LoginOutcome(None, "login_failed")
    locked_until = user.locked_until
    if locked_until is not None and locked_until.tzinfo is None:
        locked_until = locked_until.replace(tzinfo=now.tzinfo)
    if locked_until is not None and locked_until > now:
        return LoginOutcome(None, "login_locked", user.id)
    if not user.is_active or not correct:
        user.failed_logins += 1
        event = "login_failed"
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.locked_until, user.failed_logins, event = now + LOCKOUT, 0, "lockout"
        session.add(user)
        return LoginOutcome(None, event, user.id)
    user.failed_logins, user.locked_until, user.last_login_at = 0, None, now
    if _hasher.check_needs_rehash(user.password_hash):  # made with other parameters: bring it up to date
        user.password_hash = _hasher.hash(password)
    session.add(user)
    return LoginOutcome(principal_for(session, user), "login", user.id)


def authenticate(
    session: Session, username: str, password: str, *, now: datetime | None = None
) -> Principal | None:
    """The principal for a correct login, else None (unknown user, wrong password, disabled and
    locked accounts alike): see ``authenticate_outcome``."""
    return authenticate_outcome(session, username, password, now=now).principal


def is_idle(last_activity: datetime, now: datetime | None = None, timeout: timedelta = IDLE_TIMEOUT) -> bool:
    """True when a session has been inactive for longer than ``timeout``."""
    return (now or utcnow()) - last_activity > timeout


def user_overview(session: Session) -> list[dict[str, object]]:
    """Every user with role, state and scope codes, for the admin's user list (no hashes)."""
    facilities = dict(session.exec(select(Facility.id, Facility.code)).all())
    regions = dict(session.exec(select(Region.id, Region.code)).all())
    scopes: dict[int, list[str]] = {}
    for scope in session.exec(select(UserScope).order_by(UserScope.id)).all():
        code = (
            facilities[scope.facility_id]
            if scope.facility_id is not None
            else f"wilayah:{regions[scope.region_id]}"
        )
        scopes.setdefault(scope.user_id, []).append(code)
    now = utcnow()
    return [
        {
            "user_id": user.id,
            "username": user.username,
            "full_name": user.full_name,
            "email": user.email or "",
            "role": user.role,
            "is_active": user.is_active,
            "locked": bool(user.locked_until and user.locked_until > now),
            "scope": ", ".join(scopes.get(user.id, [])),
            "last_login_at": user.last_login_at,
        }
        for user in session.exec(select(User).order_by(User.username)).all()
    ]
