"""The audit trail: one row per service write with the right diff, none for a failed write, no secrets."""

import json
import shutil
from datetime import UTC, date, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlmodel import Session, select

from rehabdata import audit, auth, services
from rehabdata.auth import ScopeError, UserError
from rehabdata.backup import backup, restore
from rehabdata.db import session_scope
from rehabdata.models import AuditLog, MonthSignoff, Participant, Role, Screening, User, UserScope
from tests.test_services import World, build_world, new_participant

NEW_PASSWORD = "sandi-baru-123"


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch):
    """Argon2id with minimal cost parameters: the same code path, milliseconds instead of seconds."""
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def world(engine) -> World:
    """Demo facilities and users with a little activity, on SQLite."""
    return build_world(engine)


@pytest.fixture
def world_any(any_engine) -> World:
    """Demo facilities and users with a little activity, on SQLite and on PostgreSQL."""
    return build_world(any_engine)


def entries(world: World) -> list[AuditLog]:
    """Every audit row, oldest first."""
    with Session(world.engine) as session:
        return list(session.exec(select(AuditLog).order_by(AuditLog.id)).all())


def no_secrets(rows: list[AuditLog]) -> None:
    text = json.dumps([row.changes for row in rows])
    assert "$argon2" not in text and NEW_PASSWORD not in text


# --- record writes -----------------------------------------------------------------------------


def test_create_records_every_field_from_none(world_any):
    """A create leaves one row whose changes are [None, value] for every field that has a value."""
    w = world_any
    with session_scope(w.engine) as session:
        row = services.create(
            session=session, principal=w.principal["petugas.pemalang"], model=Participant,
            data=new_participant(w.pem, code="PML-2025-0099"),
        )  # fmt: skip
        created = audit.snapshot(row)
    (entry,) = entries(w)
    assert (entry.username, entry.user_id, entry.action, entry.entity) == (
        "petugas.pemalang", w.principal["petugas.pemalang"].user_id, "create", "participant",
    )  # fmt: skip
    assert (entry.entity_id, entry.facility_id) == (row.id, w.pem)
    assert entry.changes == {key: [None, value] for key, value in created.items() if value is not None}
    assert {"id", "facility_id", "code", "sex", "birth_year", "legal_status", "admitted_on"} <= set(
        entry.changes
    )
    assert entry.changes["code"] == [None, "PML-2025-0099"]
    assert entry.changes["birth_year"] == [None, 1991]
    assert entry.changes["admitted_on"] == [None, "2025-09-01"]
    assert entry.changes["facility_id"] == [None, w.pem]
    assert "exited_on" not in entry.changes  # None before and after: not a change
    assert isinstance(entry.at, datetime)


def test_update_records_only_changed_fields(world):
    """An update leaves one row with [before, after] for the changed fields only."""
    w = world
    with Session(w.engine) as session:
        code = session.get(Participant, w.pem_participant).code
    with session_scope(w.engine) as session:
        services.update(
            session=session, principal=w.principal["petugas.pemalang"], model=Participant,
            row_id=w.pem_participant,
            changes={"birth_year": 1985, "code": code, "exited_on": date(2025, 10, 1), "exit_reason": "released"},
        )  # fmt: skip
    (entry,) = entries(w)
    assert (entry.action, entry.entity, entry.entity_id, entry.facility_id) == (
        "update", "participant", w.pem_participant, w.pem,
    )  # fmt: skip
    assert entry.changes == {
        "birth_year": [1990, 1985],
        "exited_on": [None, "2025-10-01"],
        "exit_reason": [None, "released"],
    }


def test_delete_records_every_field_to_none(world):
    """A delete leaves one row holding each former value as [value, None]."""
    with Session(world.engine) as session:
        before = audit.snapshot(session.get(Screening, world.kab_screening))
    with session_scope(world.engine) as session:
        services.delete(
            session=session,
            principal=world.principal["admin.demo"],
            model=Screening,
            row_id=world.kab_screening,
        )
    (entry,) = entries(world)
    assert (entry.action, entry.entity, entry.entity_id, entry.facility_id, entry.username) == (
        "delete", "screening", world.kab_screening, world.kab, "admin.demo",
    )  # fmt: skip
    assert entry.changes == {key: [value, None] for key, value in before.items() if value is not None}
    assert entry.changes["overall_risk"] == ["low", None]
    assert entry.changes["screened_on"] == ["2025-09-03", None]


def test_constraint_violation_leaves_no_audit_row(world_any):
    """A duplicate participant code fails inside session_scope: neither the earlier write nor any audit row stays."""
    w, petugas = world_any, world_any.principal["petugas.pemalang"]
    with Session(w.engine) as session:
        taken = session.get(Participant, w.pem_participant).code
        participants = len(session.exec(select(Participant)).all())
    with pytest.raises(IntegrityError), session_scope(w.engine) as session:
        services.update(
            session=session, principal=petugas, model=Participant, row_id=w.pem_participant,
            changes={"birth_year": 1960},
        )  # fmt: skip
        services.create(
            session=session, principal=petugas, model=Participant, data=new_participant(w.pem, code=taken)
        )
    assert entries(w) == []
    with Session(w.engine) as session:
        assert len(session.exec(select(Participant)).all()) == participants
        assert session.get(Participant, w.pem_participant).birth_year == 1990


def test_error_after_writes_rolls_back_their_audit_rows(world):
    """Any exception before the transaction ends discards the writes and their audit rows together."""
    with pytest.raises(RuntimeError), session_scope(world.engine) as session:
        services.create(
            session=session, principal=world.principal["admin.demo"], model=Participant,
            data=new_participant(world.kab, code="KBJ-2025-0500"),
        )  # fmt: skip
        assert len(session.exec(select(AuditLog)).all()) == 1  # written, not yet committed
        raise RuntimeError("the page failed after the write")
    assert entries(world) == []
    with Session(world.engine) as session:
        assert session.exec(select(Participant).where(Participant.code == "KBJ-2025-0500")).first() is None


def test_scope_error_leaves_no_audit_row(world):
    """Refused writes (out of scope, wrong role) leave no audit row."""
    w = world
    with pytest.raises(ScopeError), session_scope(w.engine) as session:
        services.update(
            session=session, principal=w.principal["petugas.kabanjahe"], model=Participant,
            row_id=w.pem_participant, changes={"birth_year": 1960},
        )  # fmt: skip
    with pytest.raises(ScopeError), session_scope(w.engine) as session:
        services.create(
            session=session,
            principal=w.principal["kanwil.jateng"],
            model=Participant,
            data=new_participant(w.pem),
        )
    assert entries(w) == []


# --- users -------------------------------------------------------------------------------------


def test_create_user_is_audited_without_the_hash(world_any):
    """services.create_user writes one row: role and scope as values, the password hash only as '***'."""
    w = world_any
    with session_scope(w.engine) as session:
        user = services.create_user(
            session=session, principal=w.principal["admin.demo"], username="Petugas.Baru",
            role=Role.PETUGAS, password=NEW_PASSWORD, full_name="Petugas Baru",
            facility_codes=("rutan-pemalang",),
        )  # fmt: skip
        stored_hash = user.password_hash
    (entry,) = entries(w)
    assert (entry.action, entry.entity, entry.entity_id, entry.username) == (
        "create",
        "app_user",
        user.id,
        "admin.demo",
    )
    assert entry.changes["password_hash"] == [None, "***"]
    assert entry.changes["username"] == [None, "petugas.baru"]
    assert entry.changes["role"] == [None, "petugas"]
    assert entry.changes["facility_ids"] == [None, [w.pem]]
    assert entry.changes["region_ids"] == [None, []]
    assert all(before is None for before, _ in entry.changes.values())
    assert stored_hash.startswith("$argon2") and stored_hash not in json.dumps(entry.changes)
    no_secrets(entries(w))


def test_password_reset_shows_only_a_password_change(world):
    """A reset is audited as {"password": ["***", "***"]}; the new password works, the old one not."""
    w = world
    target = w.principal["petugas.kabanjahe"].user_id
    with session_scope(w.engine) as session:
        services.update_user(
            session=session, principal=w.principal["admin.demo"], user_id=target, password=NEW_PASSWORD
        )
    (entry,) = entries(w)
    assert (entry.action, entry.entity, entry.entity_id) == ("update", "app_user", target)
    assert entry.changes == {"password": ["***", "***"]}
    no_secrets(entries(w))
    with session_scope(w.engine) as session:
        assert auth.authenticate(session, "petugas.kabanjahe", NEW_PASSWORD) is not None
        assert auth.authenticate(session, "petugas.kabanjahe", "demo-rehabdata") is None


def test_user_update_records_role_scope_and_unlock(world):
    """Changing role and scope and resetting a locked account records exactly those fields."""
    w = world
    target = w.principal["petugas.kabanjahe"].user_id
    locked_until = datetime(2026, 11, 23, 9, 0, tzinfo=UTC) + timedelta(minutes=15)
    with session_scope(w.engine) as session:
        user = session.get(User, target)
        user.failed_logins, user.locked_until = 0, locked_until
    with session_scope(w.engine) as session:
        services.update_user(
            session=session, principal=w.principal["admin.demo"], user_id=target, role=Role.MITRA,
            is_active=True, password=NEW_PASSWORD, facility_ids=(w.kab, w.pem),
        )  # fmt: skip
    (entry,) = entries(w)
    assert set(entry.changes) == {"role", "facility_ids", "locked_until", "password"}
    assert entry.changes["role"] == ["petugas", "mitra"]
    assert entry.changes["facility_ids"] == [[w.kab], sorted([w.kab, w.pem])]
    assert entry.changes["locked_until"][1] is None and entry.changes["locked_until"][0] is not None
    assert entry.changes["password"] == ["***", "***"]
    no_secrets(entries(w))


def test_refused_user_changes_leave_no_trace(world):
    """A short password or a non-admin caller writes neither the user change nor an audit row."""
    w = world
    target = w.principal["petugas.kabanjahe"].user_id
    with pytest.raises(UserError) as raised, session_scope(w.engine) as session:
        services.update_user(
            session=session,
            principal=w.principal["admin.demo"],
            user_id=target,
            role=Role.ADMIN,
            password="pendek",
        )
    assert raised.value.key == "user.password_short"
    with pytest.raises(UserError), session_scope(w.engine) as session:
        services.create_user(
            session=session,
            principal=w.principal["admin.demo"],
            username="baru",
            role=Role.PETUGAS,
            password="pendek",
        )
    for username in ("petugas.pemalang", "kanwil.jateng", "bnnk.karo"):
        with pytest.raises(ScopeError), session_scope(w.engine) as session:
            services.create_user(
                session=session,
                principal=w.principal[username],
                username="baru",
                role=Role.ADMIN,
                password=NEW_PASSWORD,
            )
        with pytest.raises(ScopeError), session_scope(w.engine) as session:
            services.update_user(
                session=session, principal=w.principal[username], user_id=target, role=Role.ADMIN
            )
    assert entries(w) == []
    with Session(w.engine) as session:
        assert session.get(User, target).role == Role.PETUGAS
        assert session.exec(select(User).where(User.username == "baru")).first() is None
        assert len(session.exec(select(UserScope).where(UserScope.user_id == target)).all()) == 1


# --- reading the trail -------------------------------------------------------------------------


def test_list_entries_refuses_non_admins(world):
    """Leaders, staff and partners get ScopeError from audit.list_entries."""
    with Session(world.engine) as session:
        for username in ("kanwil.jateng", "karutan.pemalang", "petugas.pemalang", "bnnk.batang"):
            with pytest.raises(ScopeError):
                audit.list_entries(session, world.principal[username], audit.AuditQuery())


def test_list_entries_for_admin_newest_first_and_filtered(world):
    """The admin gets the rows newest first, and the username/entity/action filters narrow them."""
    w = world
    with session_scope(w.engine) as session:
        services.update(
            session=session, principal=w.principal["petugas.pemalang"], model=Participant,
            row_id=w.pem_participant, changes={"birth_year": 1980},
        )  # fmt: skip
    with session_scope(w.engine) as session:
        services.delete(
            session=session, principal=w.principal["admin.demo"], model=Screening, row_id=w.kab_screening
        )
    admin = w.principal["admin.demo"]
    with Session(w.engine) as session:
        listed = audit.list_entries(session, admin, audit.AuditQuery())
        assert [(e.action, e.entity) for e in listed] == [("delete", "screening"), ("update", "participant")]
        by_user = audit.list_entries(session, admin, audit.AuditQuery(username="petugas.pemalang"))
        assert [e.entity for e in by_user] == ["participant"]
        assert [
            e.action for e in audit.list_entries(session, admin, audit.AuditQuery(entity="screening"))
        ] == ["delete"]
        assert audit.list_entries(session, admin, audit.AuditQuery(action="create")) == []
        assert len(audit.list_entries(session, admin, audit.AuditQuery(limit=1))) == 1


# --- the trail cannot be rewritten --------------------------------------------------------------


def write_one(world: World) -> None:
    """One audited write (a new participant, by the admin)."""
    with session_scope(world.engine) as session:
        services.create(
            session=session,
            principal=world.principal["admin.demo"],
            model=Participant,
            data=new_participant(world.kab),
        )


def test_no_service_changes_forges_or_removes_audit_or_signoff_rows(world_any):
    """An admin too is refused (a permission error) by every generic service on the audit trail and
    on sign-off rows; the rows stay as they were."""
    admin = world_any.principal["admin.demo"]
    with session_scope(world_any.engine) as session:
        services.create(
            session=session, principal=admin, model=Participant, data=new_participant(world_any.kab)
        )
    before = [(row.id, row.changes) for row in entries(world_any)]
    target = before[0][0]
    attempts = [
        lambda s: services.update(
            session=s, principal=admin, model=AuditLog, row_id=target, changes={"changes": {}}
        ),
        lambda s: services.delete(session=s, principal=admin, model=AuditLog, row_id=target),
        lambda s: services.create(
            session=s,
            principal=admin,
            model=AuditLog,
            data={"username": "x", "action": "create", "entity": "y"},
        ),
        lambda s: services.delete(session=s, principal=admin, model=MonthSignoff, row_id=1),
        lambda s: services.update(session=s, principal=admin, model=MonthSignoff, row_id=1, changes={}),
    ]
    for attempt in attempts:
        with pytest.raises(ScopeError), session_scope(world_any.engine) as session:
            attempt(session)
    assert [(row.id, row.changes) for row in entries(world_any)] == before


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_log SET username = 'someone else'", "DELETE FROM audit_log"]
)
def test_the_database_refuses_to_change_the_trail(world_any, statement):
    write_one(world_any)
    before = [(row.id, row.username) for row in entries(world_any)]
    with pytest.raises(DBAPIError, match="append-only"), world_any.engine.begin() as connection:
        connection.exec_driver_sql(statement)
    assert [(row.id, row.username) for row in entries(world_any)] == before


def test_a_restored_backup_keeps_the_trail_append_only(world_any, tmp_path):
    if world_any.engine.dialect.name == "postgresql" and not shutil.which("pg_dump"):
        pytest.skip("pg_dump is not installed")
    write_one(world_any)
    url = world_any.engine.url.render_as_string(hide_password=False)
    saved = backup(url, tmp_path / "saved.backup")
    world_any.engine.dispose()
    restore(url, saved)
    with pytest.raises(DBAPIError, match="append-only"), world_any.engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM audit_log")
