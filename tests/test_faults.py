"""Faults at national scale: an import killed mid-way leaves nothing; an upgrade of a populated
database from the first migration keeps every row.

Both run on SQLite and on PostgreSQL (``any_engine``; PostgreSQL needs ``REHAB_TEST_PG_URL``).
"""

import csv
import io
import signal
import sqlite3
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, MetaData, Table, create_engine, func, insert, select
from sqlalchemy import types as sqltypes
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlmodel import select as sm_select

from rehabdata import db, importer
from rehabdata.auth import create_user, principal_for
from rehabdata.models import Role, User
from tests import factories as f
from tests.conftest import require_pg_url
from tests.faults_support import start_import_child, table_counts, wait_for

# --- 1. an import killed mid-way -----------------------------------------------------------------

PARTICIPANTS = 500
SCREENINGS_EACH = 20  # 10,000 screenings in one file: planning and writing take seconds
FACILITY = "upt-faults"
ANSWERS = {
    "amfetamin_q2": 4,
    "amfetamin_q3": 4,
    "amfetamin_q4": 5,
    "amfetamin_q5": 6,
    "amfetamin_q6": 3,
    "amfetamin_q7": 0,
}


def _csv(rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


def screening_rows(participants: int, each: int) -> list[list[Any]]:
    """Header and ``participants`` × ``each`` weekly screenings (sabu, moderate risk), in import layout."""
    header = ["kode_upt", "kode_peserta", "tanggal_skrining", "petugas_skrining", "zat", *ANSWERS]
    first = date(2025, 2, 3)
    return [header] + [
        [
            FACILITY,
            f"FLT-{p:05d}",
            (first + timedelta(weeks=w)).isoformat(),
            "Perawat",
            "amfetamin",
            *ANSWERS.values(),
        ]
        for p in range(participants)
        for w in range(each)
    ]


@dataclass(frozen=True)
class ImportSetup:
    engine: Engine
    url: str
    csv_path: Path
    rows: list[list[Any]]


@pytest.fixture
def big_import(any_engine: Engine, tmp_path: Path) -> ImportSetup:
    """A facility, an admin, 500 participants (imported) and a 10,000-row screenings file for them."""
    with db.session_scope(any_engine) as s:
        f.make_facility(s, f.make_region(s, code="reg-faults"), code=FACILITY)
        create_user(session=s, username="admin.faults", role=Role.ADMIN, password="faults-password-1")
    participants = [[c.name for c in importer.SPECS[importer.Kind.PARTICIPANTS]]] + [
        [FACILITY, f"FLT-{p:05d}", "L", 1990, "tahanan", "ya", "2025-01-02", "", ""]
        for p in range(PARTICIPANTS)
    ]
    with db.session_scope(any_engine) as s:
        plan = importer.import_file(s, _admin(s), "participants", _csv(participants), "peserta.csv")
        assert plan.ok, plan.problems[:5]
    rows = screening_rows(PARTICIPANTS, SCREENINGS_EACH)
    path = tmp_path / "skrining.csv"
    path.write_bytes(_csv(rows))
    return ImportSetup(any_engine, any_engine.url.render_as_string(hide_password=False), path, rows)


def _admin(session):
    return principal_for(session, session.exec(sm_select(User).where(User.username == "admin.faults")).one())


def _sqlite_write_lock_free(engine: Engine, timeout: float) -> bool:
    """Whether another connection gets SQLite's write lock (and updates a row) within ``timeout`` s."""
    connection = sqlite3.connect(engine.url.database, timeout=timeout, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("UPDATE data_version SET version = version WHERE id = 1")
        connection.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError as error:
        if "locked" in str(error):
            return False
        raise
    finally:
        connection.close()


def _pg_backend(engine: Engine, pid: int) -> tuple[str, bool] | None:
    """(state, has written) of PostgreSQL server process ``pid``; None once it is gone."""
    with engine.connect() as connection:
        row = connection.exec_driver_sql(
            "SELECT state, backend_xid IS NOT NULL FROM pg_stat_activity WHERE pid = %(pid)s", {"pid": pid}
        ).first()
    return None if row is None else (row[0], row[1])


def _pg_row_lock_free(engine: Engine, lock_timeout_ms: int) -> bool:
    """Whether a transaction can update the data version row (locked by any unfinished import)."""
    with engine.connect() as connection:
        connection.exec_driver_sql(f"SET lock_timeout = {lock_timeout_ms}")
        try:
            connection.exec_driver_sql("UPDATE data_version SET version = version WHERE id = 1")
        except OperationalError as error:
            if "lock timeout" in str(error):
                return False
            raise
        finally:
            connection.rollback()
    return True


@pytest.mark.parametrize("moment", ["mid-insert", "pause-before-commit"])
def test_import_killed_midway_leaves_nothing(big_import: ImportSetup, tmp_path, moment):
    """SIGKILL of `python -m rehabdata import` while its transaction writes (as soon as its first
    rows are in) or just before it commits leaves every table as it was (aggregates, audit trail and
    data version included), and the database then takes a normal write at once."""
    engine, backend = big_import.engine, big_import.engine.dialect.name
    before = table_counts(engine)

    child = start_import_child(big_import.url, big_import.csv_path, tmp_path / "child.err")
    try:
        pid = child.expect("WRITING", timeout=60)  # the file is planned; the first INSERT is sent
        if moment == "pause-before-commit":
            tables = child.expect("PAUSED", timeout=60).split(",")
            assert {"screening", "audit_log", "data_version"} <= set(tables), tables
        # The child's transaction holds written rows now: prove it before pulling the plug.
        if backend == "sqlite":
            wait_for(
                lambda: not _sqlite_write_lock_free(engine, timeout=0),
                20,
                "the import to hold SQLite's write lock",
            )
        else:
            wait_for(
                lambda: (_pg_backend(engine, int(pid)) or ("", False))[1],
                20,
                f"server process {pid} to write in its transaction",
            )
            if moment == "pause-before-commit":
                assert not _pg_row_lock_free(engine, 100), "the child does not hold the data version row"
        assert child.process.poll() is None, f"the child ended before the kill:\n{child.stderr()}"
        assert child.kill() == -signal.SIGKILL
    finally:
        child.close()

    engine.dispose()  # drop pooled connections: open the database afresh, as a restarted app would
    fresh = db.make_engine(big_import.url)
    try:
        if backend == "sqlite":
            with fresh.connect() as connection:
                assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
            assert _sqlite_write_lock_free(fresh, timeout=5), "a write still waits for the killed import"
        else:  # the server ends the killed client's session and rolls its transaction back
            wait_for(
                lambda: _pg_backend(fresh, int(pid)) is None,
                20,
                f"server process {pid} of the killed import to end",
            )
            assert _pg_row_lock_free(fresh, 5000), "a write still waits for the killed import's locks"

        assert table_counts(fresh) == before

        # A normal write works: the first rows of the same file import as new (none half-present).
        with db.session_scope(fresh) as s:
            plan = importer.import_file(s, _admin(s), "screenings", _csv(big_import.rows[:6]), "lagi.csv")
            assert plan.ok, plan.problems[:5]
            assert plan.counts() == {"screening": (5, 0)}
        after = table_counts(fresh)
        grown = {
            name: after[name] - before[name] for name in ("screening", "audit_log", "data_version.version")
        }
        assert grown == {"screening": 5, "audit_log": 5, "data_version.version": 1}
        assert all(after[name] >= count for name, count in before.items())  # derived tables may grow too
    finally:
        fresh.dispose()


# --- 3. upgrade from the first migration keeps every row ------------------------------------------

NOW = datetime(2025, 9, 1, 8, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def blank_engine(request, tmp_path) -> Iterator[Engine]:
    """An empty database without any schema, on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        engine = db.make_engine(f"sqlite:///{tmp_path / 'first.db'}")
        yield engine
        engine.dispose()
        return
    server = make_url(require_pg_url())
    name = f"rehab_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine = db.make_engine(server.set(database=name).render_as_string(hide_password=False))
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def _filler(column) -> Any:
    """A value for a NOT NULL column the rows below leave out, by its reflected type."""
    kind = column.type
    if isinstance(kind, sqltypes.Boolean):
        return False
    if isinstance(kind, sqltypes.Integer):
        return 0
    if isinstance(kind, sqltypes.DateTime):
        return NOW
    if isinstance(kind, sqltypes.Date):
        return NOW.date()
    if isinstance(kind, sqltypes.JSON):
        return {}
    if isinstance(kind, sqltypes.String):
        return "x"
    raise AssertionError(f"no filler for {column.table.name}.{column.name} ({kind!r})")


class _Rows:
    """Plain inserts into the tables as reflected at the first revision; remembers each row's key."""

    def __init__(self, connection, tables: dict[str, Table]) -> None:
        self.connection, self.tables = connection, tables
        self.keys: dict[str, list[tuple]] = {name: [] for name in tables}

    def add(self, name: str, /, **values: Any) -> Any:
        table = self.tables[name]
        for column in table.columns:
            if column.name not in values and not column.nullable and not _generated(column):
                values[column.name] = _filler(column)
        key = tuple(self.connection.execute(insert(table).values(values)).inserted_primary_key)
        self.keys[name].append(key)
        return key[0] if len(key) == 1 else key


def _generated(column) -> bool:
    """An integer primary key the database numbers itself."""
    return (
        column.primary_key
        and isinstance(column.type, sqltypes.Integer)
        and len(column.table.primary_key) == 1
    )


def _populate(rows: _Rows) -> None:
    """A few realistic rows in every table of the first revision, with valid foreign keys."""
    add = rows.add
    add("app_setting", key="demo", value="0")
    add("app_setting", key="note", value="upgrade test")
    users = [
        add(
            "app_user",
            username=f"user{i}",
            full_name=f"User {i}",
            role=role,
            is_active=True,
            failed_logins=0,
            created_at=NOW,
            password_hash="argon2-not-a-real-hash",
        )
        for i, role in enumerate(("admin", "petugas", "mitra"))
    ]
    regions = [add("region", code=f"reg-{i}", name=f"Region {i}", province="Jawa Tengah") for i in range(2)]
    partners = [
        add("partner", code=f"bnnk-{i}", name=f"BNNK {i}", region_id=r) for i, r in enumerate(regions)
    ]
    facilities = [
        add(
            "facility",
            code=f"upt-{i}",
            name=f"Rutan {i}",
            facility_type="rutan",
            facility_class="IIB",
            region_id=regions[i % 2],
            partner_id=partners[i % 2],
            active=True,
        )
        for i in range(3)
    ]
    agreements = [
        add(
            "agreement",
            code=f"pks-{i}",
            kind="pks",
            title=f"PKS {i}",
            partner_id=partners[i],
            region_id=regions[i],
            signed_on=date(2025, 8, 4),
            place_signed="Batang",
        )
        for i in range(2)
    ]
    for agreement, facility in (
        (agreements[0], facilities[0]),
        (agreements[0], facilities[2]),
        (agreements[1], facilities[1]),
    ):
        add("agreement_facility", agreement_id=agreement, facility_id=facility)
    for i, metric in enumerate(("screenings", "assessments", "outreach_events")):
        add(
            "agreement_scope_item",
            agreement_id=agreements[i % 2],
            code=f"item-{i}",
            description=f"Item {i}",
            metric=metric,
            target=10 * (i + 1),
        )
    add("user_scope", user_id=users[1], facility_id=facilities[0])
    add("user_scope", user_id=users[2], region_id=regions[1])
    for i, facility in enumerate(facilities):
        add(
            "facility_population",
            facility_id=facility,
            month=date(2025, 9, 1),
            wbp_total=400 + i,
            wbp_narcotics=300,
            admissions=20,
            entered_at=NOW,
        )
    participants = [
        add(
            "participant",
            facility_id=facilities[i % 3],
            code=f"P-{i:03d}",
            sex="m",
            birth_year=1990 + i,
            legal_status="narapidana",
            narcotics_case=True,
            admitted_on=date(2025, 1, 6),
            created_at=NOW,
        )
        for i in range(6)
    ]
    answers = {"amphetamines": {"q2": 4, "q3": 4, "q4": 5, "q5": 6, "q6": 3, "q7": 0}}
    screenings = [
        add(
            "screening",
            participant_id=p,
            facility_id=facilities[i % 3],
            screened_on=date(2025, 9, 2 + i),
            screener="Perawat",
            answers=answers,
            score_amphetamines=22,
            injecting=0,
            max_score=22,
            overall_risk=("low", "moderate", "high")[i % 3],
            recommendation="brief_intervention",
            urine_result="positive",
            created_at=NOW,
        )
        for i, p in enumerate(participants)
    ]
    assessments = [
        add(
            "assessment",
            participant_id=participants[i],
            facility_id=facilities[i % 3],
            screening_id=screenings[i],
            assessed_on=date(2025, 9, 10 + i),
            assessor="Dokter BNNK",
            partner_id=partners[0],
            primary_substance="amphetamines",
            route_of_use="smoked",
            diagnosis="F15",
            treatment_history="",
            recommended_programme="social",
        )
        for i in range(3)
    ]
    enrollments = [
        add(
            "enrollment",
            participant_id=participants[i],
            facility_id=facilities[i % 3],
            assessment_id=assessments[i],
            programme="social",
            modality="community",
            started_on=date(2025, 9, 15),
            status=status,
            ended_on=ended,
            end_reason="",
        )
        for i, (status, ended) in enumerate(
            (("active", None), ("completed", date(2025, 10, 31)), ("active", None))
        )
    ]
    sessions = [
        add(
            "programme_session",
            facility_id=facilities[i % 3],
            programme="social",
            held_on=date(2025, 9, 20 + i),
            session_type="group",
            topic=f"Topik {i}",
            facilitator="Konselor",
            partner_id=partners[0],
            duration_minutes=90,
        )
        for i in range(3)
    ]
    for i, session in enumerate(sessions):
        add("attendance", session_id=session, participant_id=participants[i])
    add("attendance", session_id=sessions[0], participant_id=participants[3])
    for i, enrollment in enumerate(enrollments):
        add(
            "follow_up",
            participant_id=participants[i],
            facility_id=facilities[i % 3],
            enrollment_id=enrollment,
            followed_on=date(2025, 10, 15 + i),
            stage="during",
            answers=answers,
            score_amphetamines=12,
            injecting=0,
            max_score=12,
            overall_risk="moderate",
            urine_result="negative",
        )
    trainings = [
        add(
            "peer_counsellor_training",
            facility_id=facilities[i],
            partner_id=partners[0],
            title=f"Pelatihan {i}",
            started_on=date(2025, 9, 1),
            ended_on=date(2025, 9, 3),
            trainer="BNNK",
            staff_trained=4,
        )
        for i in range(2)
    ]
    add(
        "peer_counsellor",
        training_id=trainings[0],
        participant_id=participants[0],
        completed=True,
        active=True,
    )
    add(
        "peer_counsellor",
        training_id=trainings[1],
        participant_id=participants[1],
        completed=False,
        active=True,
    )
    visits = [
        add(
            "monev_visit",
            facility_id=facilities[i],
            agreement_id=agreements[i % 2],
            visited_on=date(2025, 10, 1 + i),
            team="Tim monev",
            findings="Temuan",
        )
        for i in range(2)
    ]
    add("monev_action", visit_id=visits[0], description="Tindakan", owner="Karutan", status="open")
    add(
        "monev_action",
        visit_id=visits[1],
        description="Tindakan",
        owner="Karutan",
        status="done",
        closed_on=date(2025, 10, 20),
    )
    for i in range(3):
        add(
            "outreach_event",
            region_id=regions[i % 2],
            facility_id=facilities[i] if i < 2 else None,
            partner_id=partners[i % 2],
            held_on=date(2025, 9, 10 + i),
            place="Aula",
            event_type="penyuluhan",
            audience="wbp",
            people_reached=100 + i,
            topic="Bahaya narkoba",
        )
    for i in range(3):
        add(
            "audit_log",
            at=NOW,
            user_id=users[0],
            username="user0",
            action="create",
            entity="participant",
            entity_id=participants[i],
            facility_id=facilities[i % 3],
            changes={"code": [None, f"P-{i:03d}"]},
        )


def _keys(connection, table: Table, key_columns: list[str]) -> list[tuple]:
    columns = [table.c[name] for name in key_columns]
    return sorted(tuple(row) for row in connection.execute(select(*columns)))


def test_upgrade_from_first_revision_keeps_every_row(blank_engine: Engine):
    """Rows in every table of the first migration's schema are all there (same count, same keys) at head.

    The rows are plain inserts into the tables reflected at the first revision, not today's models;
    tables that later migrations add are ignored (and may fill themselves from these rows)."""
    script = ScriptDirectory.from_config(db.alembic_config(blank_engine))
    first = script.get_base()
    db.upgrade_schema(blank_engine, first)
    assert db.current_revision(blank_engine) == first

    at_first = MetaData()
    at_first.reflect(bind=blank_engine)
    tables = {name: table for name, table in at_first.tables.items() if name != "alembic_version"}
    with blank_engine.begin() as connection:
        rows = _Rows(connection, tables)
        _populate(rows)
    empty = sorted(name for name, keys in rows.keys.items() if not keys)
    assert not empty, f"tables of the first revision the test leaves empty: {empty}"
    primary_keys = {name: [c.name for c in table.primary_key.columns] for name, table in tables.items()}
    with blank_engine.connect() as connection:
        before = {name: _keys(connection, table, primary_keys[name]) for name, table in tables.items()}
    assert all(before[name] == sorted(rows.keys[name]) for name in tables)

    db.upgrade_schema(blank_engine)
    assert db.current_revision(blank_engine) == script.get_current_head()

    at_head = MetaData()
    at_head.reflect(bind=blank_engine)
    missing = sorted(set(tables) - set(at_head.tables))
    assert not missing, f"tables of the first revision gone at head: {missing}"
    with blank_engine.connect() as connection:
        counts = {
            name: connection.execute(select(func.count()).select_from(at_head.tables[name])).scalar_one()
            for name in tables
        }
        after = {name: _keys(connection, at_head.tables[name], primary_keys[name]) for name in tables}
    assert counts == {name: len(keys) for name, keys in before.items()}
    assert after == before
