"""Engine settings, URL handling and Alembic migrations."""

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, inspect, select
from sqlmodel import SQLModel

from rehabdata import db
from rehabdata.models import Facility, Region
from tests import factories as f


def test_default_url_is_embedded_sqlite(monkeypatch):
    """Without configuration the app uses data/rehabdata.db."""
    monkeypatch.delenv("REHAB_DATABASE_URL", raising=False)
    assert db.database_url() == f"sqlite:///{db.DEFAULT_SQLITE_PATH}"
    assert db.DEFAULT_SQLITE_PATH.parts[-2:] == ("data", "rehabdata.db")


def test_postgres_url_uses_psycopg3(monkeypatch):
    """A plain postgresql:// URL is routed to the installed psycopg 3 driver."""
    monkeypatch.setenv("REHAB_DATABASE_URL", "postgresql://u@db:5432/rehab")
    assert db.database_url() == "postgresql+psycopg://u@db:5432/rehab"
    monkeypatch.setenv("REHAB_DATABASE_URL", "postgresql+psycopg://u@db/rehab")
    assert db.database_url() == "postgresql+psycopg://u@db/rehab"


def test_sqlite_pragmas(engine):
    """SQLite connections enforce foreign keys, use WAL and wait instead of failing when busy."""
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == db.SQLITE_BUSY_TIMEOUT_MS


def test_migrations_match_models(any_engine):
    """The migrated schema is exactly what models.py declares (no forgotten migration)."""
    with any_engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), SQLModel.metadata) == []
    assert (
        db.current_revision(any_engine)
        == ScriptDirectory.from_config(db.alembic_config(any_engine)).get_current_head()
    )


def _insert_rows_of_the_first_revision(engine) -> None:
    """A region, a facility and a participant, in the first revision's columns (the models have more)."""
    with engine.begin() as connection:
        connection.exec_driver_sql("INSERT INTO region (code, name, province) VALUES ('kept', 'Kept', 'P')")
        connection.exec_driver_sql(
            "INSERT INTO facility (code, name, facility_type, facility_class, region_id, active)"
            " VALUES ('upt-kept', 'UPT', 'rutan', 'IIB', 1, 1)"
        )
        connection.exec_driver_sql(
            "INSERT INTO participant (facility_id, code, sex, birth_year, legal_status, narcotics_case,"
            " admitted_on, created_at) VALUES (1, 'KPT-0001', 'm', 1990, 'tahanan', 1, '2025-08-04',"
            " '2025-08-04 08:00:00')"
        )


def test_each_migration_step_keeps_rows(tmp_path):
    """Upgrading a populated database one revision at a time to head keeps its rows."""
    engine = db.make_engine(f"sqlite:///{tmp_path / 'steps.db'}")
    revisions = list(reversed(list(ScriptDirectory.from_config(db.alembic_config(engine)).walk_revisions())))
    db.upgrade_schema(engine, revisions[0].revision)
    _insert_rows_of_the_first_revision(engine)
    for revision in revisions[1:]:
        db.upgrade_schema(engine, revision.revision)
    db.upgrade_schema(engine)
    with db.session_scope(engine) as s:
        assert s.execute(select(Region.code)).scalars().all() == ["kept"]
        assert s.execute(select(func.count()).select_from(Region)).scalar() == 1
        kept = s.execute(select(Facility)).scalars().one()
        assert (kept.code, kept.active, kept.regency, kept.capacity) == ("upt-kept", True, "", None)


def test_a_failed_upgrade_leaves_the_schema_at_the_revision_before(tmp_path, monkeypatch):
    """An upgrade step that fails half-way (after its CREATE TABLE) keeps none of its DDL: SQLite too."""
    engine = db.make_engine(f"sqlite:///{tmp_path / 'failed.db'}")
    db.upgrade_schema(engine, "0008")
    _insert_rows_of_the_first_revision(engine)

    def fail(*_args, **_kwargs):
        raise RuntimeError("the upgrade stops here")

    monkeypatch.setattr("rehabdata.aggregates.rebuild_months", fail)  # 0009 calls it after its DDL
    with pytest.raises(RuntimeError, match="stops here"):
        db.upgrade_schema(engine)
    assert db.current_revision(engine) == "0008"
    schema = inspect(engine)
    assert not schema.has_table("agg_coverage_day")
    assert "ix_screening_participant_id" in {index["name"] for index in schema.get_indexes("screening")}
    monkeypatch.undo()
    db.upgrade_schema(engine)  # and it can be run again
    with db.session_scope(engine) as s:
        assert s.execute(select(Region.code)).scalars().all() == ["kept"]


def test_upgrade_is_idempotent(any_engine):
    """Running the upgrade again on a populated database changes nothing."""
    with db.session_scope(any_engine) as s:
        f.make_region(s, code="again")
    db.upgrade_schema(any_engine)
    with db.session_scope(any_engine) as s:
        assert s.execute(select(Region.code)).scalars().all() == ["again"]


def test_has_data(engine):
    """An empty database has no data until a facility exists."""
    assert not db.has_data(engine)
    with db.session_scope(engine) as s:
        f.make_facility(s, f.make_region(s))
    assert db.has_data(engine)


def test_transient_conflicts_are_retried_once_per_attempt(engine, monkeypatch):
    """A 'database is locked' error is retried in a fresh transaction; the write lands exactly once."""
    from sqlalchemy.exc import OperationalError

    monkeypatch.setattr(db.time, "sleep", lambda _seconds: None)
    calls = []

    def write(session):
        calls.append(1)
        session.add(Region(code=f"try-{len(calls)}", name="R", province="P"))
        if len(calls) < 3:
            session.flush()
            raise OperationalError("INSERT …", {}, Exception("database is locked"))
        return "done"

    assert db.run_in_transaction(engine, write) == "done"
    assert len(calls) == 3
    with db.session_scope(engine) as s:
        assert s.execute(select(Region.code)).scalars().all() == ["try-3"]


def test_other_database_errors_are_not_retried(engine):
    """A non-transient error propagates at once, after a single attempt."""
    from sqlalchemy.exc import OperationalError

    calls = []

    def broken(_session):
        calls.append(1)
        raise OperationalError("SELECT …", {}, Exception("no such table: nowhere"))

    with pytest.raises(OperationalError):
        db.run_in_transaction(engine, broken)
    assert calls == [1]


def _start_app(url: str) -> str | None:
    """What an app process does first (in a process of its own: Alembic's context is per process)."""
    engine = db.make_engine(url)
    try:
        db.upgrade_schema(engine)
        return db.current_revision(engine)
    finally:
        engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_app_processes_starting_at_once_upgrade_the_schema_once(backend, request, tmp_path):
    """Several app processes starting together on a new database (behind a load balancer) each run
    the upgrade: they take turns, and the later ones find it done."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'new.db'}"
    else:
        url = request.getfixturevalue("blank_pg_engine").url.render_as_string(hide_password=False)
    with ProcessPoolExecutor(max_workers=3, mp_context=multiprocessing.get_context("fork")) as pool:
        revisions = list(pool.map(_start_app, [url] * 3))
    head = ScriptDirectory.from_config(db.alembic_config(db.make_engine(url))).get_current_head()
    assert revisions == [head] * 3
