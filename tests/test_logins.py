"""Server-side logins: token hashes only, a one-time claim, idle and hard limits, revocation, audit,
and the cookie the app's route sets."""

from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlmodel import Session, select

from rehabdata import auth, logins, services, web
from rehabdata.auth import MAX_FAILED_LOGINS
from rehabdata.db import session_scope
from rehabdata.models import AuditLog, LoginSession, Role, User, utcnow

PASSWORD = "sandi-yang-panjang"


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch):
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def users(any_engine):
    with session_scope(any_engine) as session:
        auth.create_user(session=session, username="admin", role=Role.ADMIN, password=PASSWORD)
        auth.create_user(session=session, username="petugas", role=Role.PETUGAS, password=PASSWORD)
    return any_engine


def log_in(engine, username="petugas", password=PASSWORD, remember=False):
    with session_scope(engine) as session:
        result = logins.log_in(session, username, password, remember=remember)
        return None if result is None else (result[0], result[1].id, result[2])


def claim(engine, claim_token, **kwargs):
    with session_scope(engine) as session:
        claimed = logins.claim(session, claim_token, **kwargs)
        return None if claimed is None else claimed[0]


def from_cookie(engine, token, **kwargs):
    with session_scope(engine) as session:
        return logins.resume_from_cookie(session, token, **kwargs)


def actions(engine) -> list[tuple[str, str]]:
    with Session(engine) as session:
        return [(r.action, r.username) for r in session.exec(select(AuditLog).order_by(AuditLog.id))]


def test_the_database_keeps_only_hashes_and_a_claim_works_once(users):
    principal, login_id, claim_token = log_in(users)
    assert principal.username == "petugas"
    assert from_cookie(users, claim_token) is None  # not a cookie until claimed
    token = claim(users, claim_token)
    assert token and token != claim_token
    assert claim(users, claim_token) is None  # once
    with Session(users) as session:
        stored = session.get(LoginSession, login_id)
    assert stored.token_hash == logins.token_hash(token) and token not in stored.token_hash
    resumed = from_cookie(users, token)
    assert resumed is not None and resumed[0].username == "petugas" and resumed[1] == login_id
    for altered in (token[:-1] + ("A" if token[-1] != "A" else "B"), "", "x" * 500, None):
        assert from_cookie(users, altered) is None


def test_a_claim_is_only_good_for_a_few_minutes(users):
    _, _, claim_token = log_in(users)
    assert claim(users, claim_token, now=utcnow() + logins.CLAIM_WITHIN + timedelta(seconds=1)) is None


def test_idle_and_hard_limits(users):
    _, _, claim_token = log_in(users)
    token = claim(users, claim_token)
    soon, idle = utcnow() + timedelta(minutes=29), utcnow() + timedelta(minutes=31)
    assert from_cookie(users, token, now=soon) is not None  # and this counts as activity
    assert from_cookie(users, token, now=soon + timedelta(minutes=29)) is not None
    assert from_cookie(users, token, now=soon + timedelta(minutes=61)) is None
    _, _, remembered_claim = log_in(users, remember=True)
    remembered = claim(users, remembered_claim)
    assert from_cookie(users, remembered, now=idle) is not None  # remembered: no idle timeout
    assert from_cookie(users, remembered, now=utcnow() + logins.MAX_LOGIN + timedelta(seconds=1)) is None


def test_revocation_ends_logins_everywhere(users):
    tokens = [claim(users, log_in(users)[2]) for _ in range(2)]
    with session_scope(users) as session:
        petugas = session.exec(select(User).where(User.username == "petugas")).one()
        admin = auth.principal_for(session, session.exec(select(User).where(User.username == "admin")).one())
        services.update_user(
            session=session, principal=admin, user_id=petugas.id, password="sandi-baru-sekali"
        )
    assert [from_cookie(users, token) for token in tokens] == [None, None]
    token = claim(users, log_in(users, password="sandi-baru-sekali")[2])
    with session_scope(users) as session:
        services.update_user(session=session, principal=admin, user_id=petugas.id, is_active=False)
    assert from_cookie(users, token) is None


def test_end_all_sessions_by_the_user_and_logout_are_audited(users):
    principal, login_id, claim_token = log_in(users)
    token = claim(users, claim_token)
    other = claim(users, log_in(users)[2])
    with session_scope(users) as session:
        logins.log_out(session, login_id)
    assert from_cookie(users, token) is None and from_cookie(users, other) is not None
    with session_scope(users) as session:
        assert services.end_sessions(session=session, principal=principal, user_id=principal.user_id) == 1
    assert from_cookie(users, other) is None
    with session_scope(users) as session, pytest.raises(auth.ScopeError):
        admin_id = session.exec(select(User.id).where(User.username == "admin")).one()
        services.end_sessions(session=session, principal=principal, user_id=admin_id)
    assert actions(users) == [
        ("login", "petugas"),
        ("login", "petugas"),
        ("logout", "petugas"),
        ("end_sessions", "petugas"),
    ]


def test_failures_and_lockouts_are_audited_without_the_password(users):
    assert log_in(users, "tidak.ada", "tebakan-salah-1") is None
    for attempt in range(MAX_FAILED_LOGINS):
        assert log_in(users, password=f"tebakan-salah-{attempt}") is None
    assert log_in(users) is None  # locked: the right password is refused too
    assert actions(users) == [
        ("login_failed", "tidak.ada"),
        *[("login_failed", "petugas")] * (MAX_FAILED_LOGINS - 1),
        ("lockout", "petugas"),
        ("login_locked", "petugas"),
    ]
    with Session(users) as session:
        assert "tebakan" not in str([r.changes for r in session.exec(select(AuditLog))])


def test_the_route_sets_an_httponly_cookie_once_and_clears_it(users, monkeypatch):
    monkeypatch.setenv("REHAB_DATABASE_URL", users.url.render_as_string(hide_password=False))
    _, _, claim_token = log_in(users)
    response = web._session_response(claim_token, logout=False, secure=False)
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{logins.COOKIE}=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Max-Age" not in cookie and "Secure" not in cookie  # ends with the browser (shared PCs)
    token = cookie.split(";")[0].split("=", 1)[1]
    assert from_cookie(users, token) is not None
    assert "set-cookie" not in web._session_response(claim_token, logout=False, secure=False).headers
    _, _, remembered = log_in(users, remember=True)
    lasting = web._session_response(remembered, logout=False, secure=True).headers["set-cookie"]
    max_age = int(lasting.split("Max-Age=")[1].split(";")[0])
    assert 11 * 3600 < max_age <= 12 * 3600 and "Secure" in lasting
    cleared = web._session_response(None, logout=True, secure=False).headers["set-cookie"]
    assert "Max-Age=0" in cleared
    assert web._session_response(None, logout=False, secure=False).body == web.PIXEL
