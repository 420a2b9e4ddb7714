"""Login at the data layer: passwords, the generic failure, lockout and its expiry, idle timeout, scope."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine
from sqlmodel import Session, select

from rehabdata import auth
from rehabdata.auth import LOCKOUT, MAX_FAILED_LOGINS, UserError, authenticate, is_idle
from rehabdata.db import session_scope
from rehabdata.models import Role, User, UserScope
from tests import factories as f

PASSWORD = "correct-horse-battery"
T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch):
    """Argon2id with minimal cost parameters: the same code path, milliseconds instead of seconds."""
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@dataclass(frozen=True)
class Users:
    """A small world: region R (facilities F1, F2), region S (facility G1), and three users."""

    engine: Engine
    f1: int
    f2: int
    g1: int


def build_users(engine: Engine) -> Users:
    with session_scope(engine) as s:
        r, other = f.make_region(s, code="reg-r"), f.make_region(s, code="reg-s")
        f1 = f.make_facility(s, r, code="fac-f1")
        f2 = f.make_facility(s, r, code="fac-f2")
        g1 = f.make_facility(s, other, code="fac-g1")
        auth.create_user(
            session=s, username="Petugas.F1", role=Role.PETUGAS, password=PASSWORD, facility_codes=("fac-f1",)
        )
        auth.create_user(
            session=s, username="pimpinan.r", role=Role.PIMPINAN, password=PASSWORD, region_codes=("reg-r",)
        )
        auth.create_user(session=s, username="admin.x", role=Role.ADMIN, password=PASSWORD)
        ids = (f1.id, f2.id, g1.id)
    return Users(engine, *ids)


@pytest.fixture
def users(engine) -> Users:
    """The small world on SQLite."""
    return build_users(engine)


@pytest.fixture
def users_any(any_engine) -> Users:
    """The small world on SQLite and on PostgreSQL (stored timestamps and counters round-trip)."""
    return build_users(any_engine)


def login(engine: Engine, username: str, password: str, now: datetime) -> auth.Principal | None:
    """One login attempt in its own committed transaction, as the login form does it."""
    with session_scope(engine) as session:
        return authenticate(session, username, password, now=now)


def user_row(engine: Engine, username: str) -> User:
    with Session(engine) as session:
        return session.exec(select(User).where(User.username == username)).one()


def test_correct_password_gives_principal_with_facility_scope(users):
    """A correct login returns the user's principal, scoped to the assigned facility, and stamps the login."""
    principal = login(users.engine, "petugas.f1", PASSWORD, T0)
    assert principal is not None
    assert (principal.username, principal.role) == ("petugas.f1", Role.PETUGAS)
    assert principal.facility_ids == frozenset({users.f1})
    assert not principal.all_facilities
    assert principal.can_see(users.f1) and not principal.can_see(users.f2)
    assert user_row(users.engine, "petugas.f1").last_login_at == T0


def test_username_is_trimmed_and_case_insensitive(users):
    """' PETUGAS.F1 ' logs in as petugas.f1 (usernames are stored lower-case)."""
    principal = login(users.engine, "  PETUGAS.F1 ", PASSWORD, T0)
    assert principal is not None and principal.username == "petugas.f1"


def test_region_scope_covers_every_facility_of_the_region(users):
    """A region-scoped leader sees both facilities of region R and nothing of region S."""
    principal = login(users.engine, "pimpinan.r", PASSWORD, T0)
    assert principal is not None
    assert principal.facility_ids == frozenset({users.f1, users.f2})
    assert not principal.can_see(users.g1)
    assert not principal.sees_participants


def test_admin_sees_all_facilities(users):
    """An admin's principal is unrestricted."""
    principal = login(users.engine, "admin.x", PASSWORD, T0)
    assert principal is not None and principal.all_facilities
    assert principal.can_see(users.g1) and principal.can_see(None)


def test_wrong_password_and_unknown_user_are_both_refused(users):
    """A wrong password and an unknown username both return None; only the known user counts a failure."""
    assert login(users.engine, "petugas.f1", "wrong-password-1", T0) is None
    assert login(users.engine, "nobody.here", PASSWORD, T0) is None
    assert user_row(users.engine, "petugas.f1").failed_logins == 1
    with Session(users.engine) as session:
        assert session.exec(select(User).where(User.username == "nobody.here")).first() is None


def test_disabled_account_is_refused_with_the_right_password(users):
    """A deactivated user cannot log in even with the correct password."""
    with session_scope(users.engine) as session:
        user = session.exec(select(User).where(User.username == "petugas.f1")).one()
        user.is_active = False
    assert login(users.engine, "petugas.f1", PASSWORD, T0) is None


def test_success_resets_the_failure_count(users):
    """Four failures then a success leave the count at zero, so four more failures do not lock."""
    for _ in range(MAX_FAILED_LOGINS - 1):
        assert login(users.engine, "petugas.f1", "nope-nope-nope", T0) is None
    assert user_row(users.engine, "petugas.f1").failed_logins == MAX_FAILED_LOGINS - 1
    assert login(users.engine, "petugas.f1", PASSWORD, T0) is not None
    assert user_row(users.engine, "petugas.f1").failed_logins == 0
    for _ in range(MAX_FAILED_LOGINS - 1):
        login(users.engine, "petugas.f1", "nope-nope-nope", T0)
    assert login(users.engine, "petugas.f1", PASSWORD, T0) is not None


def test_five_failures_lock_for_fifteen_minutes(users_any):
    """After 5 failures the right password is refused until 15 minutes have passed, then accepted."""
    assert MAX_FAILED_LOGINS == 5 and LOCKOUT == timedelta(minutes=15)
    for attempt in range(MAX_FAILED_LOGINS):
        assert (
            login(
                users_any.engine, "petugas.f1", f"wrong-{attempt}-password", T0 + timedelta(seconds=attempt)
            )
            is None
        )
    locked_at = T0 + timedelta(seconds=MAX_FAILED_LOGINS - 1)
    assert user_row(users_any.engine, "petugas.f1").locked_until == locked_at + LOCKOUT

    assert login(users_any.engine, "petugas.f1", PASSWORD, locked_at + timedelta(seconds=1)) is None
    assert login(users_any.engine, "petugas.f1", PASSWORD, locked_at + LOCKOUT - timedelta(seconds=1)) is None
    # attempts during the lock neither extend it nor count as failures
    assert user_row(users_any.engine, "petugas.f1").locked_until == locked_at + LOCKOUT
    assert user_row(users_any.engine, "petugas.f1").failed_logins == 0

    unlocked_at = locked_at + LOCKOUT + timedelta(seconds=1)
    principal = login(users_any.engine, "petugas.f1", PASSWORD, unlocked_at)
    assert principal is not None and principal.facility_ids == frozenset({users_any.f1})
    row = user_row(users_any.engine, "petugas.f1")
    assert (row.locked_until, row.failed_logins, row.last_login_at) == (None, 0, unlocked_at)


def test_lockout_is_per_user(users):
    """Locking one account leaves another account's login working."""
    for _ in range(MAX_FAILED_LOGINS):
        login(users.engine, "petugas.f1", "wrong-wrong-wrong", T0)
    assert login(users.engine, "petugas.f1", PASSWORD, T0) is None
    assert login(users.engine, "pimpinan.r", PASSWORD, T0) is not None


def test_is_idle_after_thirty_minutes():
    """A session is idle only when more than 30 minutes have passed since the last activity."""
    assert auth.IDLE_TIMEOUT == timedelta(minutes=30)
    assert not is_idle(T0, now=T0 + timedelta(minutes=29))
    assert not is_idle(T0, now=T0 + timedelta(minutes=30))
    assert is_idle(T0, now=T0 + timedelta(minutes=30, seconds=1))
    assert is_idle(T0, now=T0 + timedelta(minutes=5), timeout=timedelta(minutes=4))
    assert is_idle(datetime.now(UTC) - timedelta(minutes=31))
    assert not is_idle(datetime.now(UTC) - timedelta(minutes=1))


def test_short_password_is_refused_and_nothing_is_written(engine):
    """A 9-character password raises UserError('user.password_short') and creates no user."""
    with pytest.raises(UserError) as raised, session_scope(engine) as session:
        auth.create_user(session=session, username="kurang", role=Role.PETUGAS, password="123456789")
    assert raised.value.key == "user.password_short"
    assert raised.value.params == {"minimum": 10}
    with Session(engine) as session:
        assert session.exec(select(User)).all() == []
        assert session.exec(select(UserScope)).all() == []


def test_password_is_stored_hashed(users):
    """The stored password is an argon2id hash, never the password itself."""
    stored = user_row(users.engine, "petugas.f1").password_hash
    assert stored is not None and stored.startswith("$argon2id$") and PASSWORD not in stored
    assert auth.verify_password(stored, PASSWORD)
    assert not auth.verify_password(stored, PASSWORD + "x")
    assert not auth.verify_password(None, PASSWORD)
    assert not auth.verify_password("not-a-hash", PASSWORD)


def test_duplicate_username_is_refused(users):
    """Creating a second user with an existing (case-folded) username raises UserError('user.exists')."""
    with pytest.raises(UserError) as raised, session_scope(users.engine) as session:
        auth.create_user(session=session, username="ADMIN.X", role=Role.ADMIN, password=PASSWORD)
    assert raised.value.key == "user.exists"


def test_create_user_stores_a_given_password_hash(engine):
    """A precomputed password_hash (the demo loader's hash-once path) is stored as given and verifies."""
    precomputed = auth.hash_password(PASSWORD)
    with session_scope(engine) as session:
        auth.create_user(
            session=session, username="demo.x", role=Role.ADMIN, password=PASSWORD, password_hash=precomputed
        )
    assert user_row(engine, "demo.x").password_hash == precomputed
    assert login(engine, "demo.x", PASSWORD, T0) is not None


def test_a_hash_made_with_other_parameters_is_replaced_at_the_next_login(engine):
    """A hash from before a parameter change still logs in, and is then stored with today's
    parameters; a wrong password changes nothing."""
    older = PasswordHasher(time_cost=1, memory_cost=16, parallelism=1).hash(PASSWORD)
    with session_scope(engine) as session:
        auth.create_user(
            session=session, username="lama", role=Role.ADMIN, password=PASSWORD, password_hash=older
        )
    assert login(engine, "lama", PASSWORD + "x", T0) is None
    assert user_row(engine, "lama").password_hash == older
    assert login(engine, "lama", PASSWORD, T0) is not None
    renewed = user_row(engine, "lama").password_hash
    assert renewed != older and not auth._hasher.check_needs_rehash(renewed)
    assert login(engine, "lama", PASSWORD, T0) is not None
    assert user_row(engine, "lama").password_hash == renewed  # up to date: not hashed again


class CountingHasher(PasswordHasher):
    """Counts the hash verifications a login does: the work whose time a caller could measure."""

    verifications = 0

    def verify(self, hash, password):
        CountingHasher.verifications += 1
        return super().verify(hash, password)


def test_every_login_outcome_does_the_same_work(users, monkeypatch):
    """Unknown user, wrong password, disabled account, locked account and success each verify
    exactly one argon2 hash, so the reply time tells nothing about which accounts exist."""
    monkeypatch.setattr(auth, "_hasher", CountingHasher(time_cost=1, memory_cost=8, parallelism=1))
    with session_scope(users.engine) as s:
        user = s.exec(select(User).where(User.username == "pimpinan.r")).one()
        user.is_active = False
        locked = s.exec(select(User).where(User.username == "admin.x")).one()
        locked.locked_until = T0 + LOCKOUT
    outcomes = {}
    for username, password in (
        ("tidak.ada", PASSWORD),
        ("petugas.f1", "wrong-password-1"),
        ("pimpinan.r", PASSWORD),
        ("admin.x", PASSWORD),
        ("petugas.f1", PASSWORD),
    ):
        CountingHasher.verifications = 0
        with session_scope(users.engine) as s:
            outcomes[username, password] = auth.authenticate_outcome(s, username, password, now=T0).event
        assert CountingHasher.verifications == 1, (username, password)
    assert list(outcomes.values()) == [
        "login_failed",
        "login_failed",
        "login_failed",
        "login_locked",
        "login",
    ]


@pytest.mark.parametrize("password", [" " * 10, "\t" * 12, ""])
def test_blank_passwords_are_refused(engine, password):
    with pytest.raises(UserError) as raised, session_scope(engine) as session:
        auth.create_user(session=session, username="kosong", role=Role.PETUGAS, password=password)
    assert raised.value.key == "user.password_blank"


def test_the_demo_password_is_refused_outside_a_demo_database(engine):
    from rehabdata.demo import DEMO_PASSWORD

    with pytest.raises(UserError) as raised, session_scope(engine) as session:
        auth.create_user(session=session, username="admin.baru", role=Role.ADMIN, password=DEMO_PASSWORD)
    assert raised.value.key == "user.password_demo"
    with Session(engine) as session:
        assert session.exec(select(User)).all() == []
