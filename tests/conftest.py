"""Shared fixtures: a fresh, migrated database per test.

``engine`` is SQLite in a temp file. ``any_engine`` runs the test twice, on SQLite and on a
throw-away PostgreSQL database created under ``REHAB_TEST_PG_URL`` (skipped cleanly without it,
but a failure in CI, where PostgreSQL must be exercised).
"""

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url

from rehabdata import clock
from rehabdata.auth import Principal, create_user, hash_password
from rehabdata.db import make_engine, session_scope, upgrade_schema
from rehabdata.demo import DEMO_PASSWORD
from rehabdata.models import Role

# One date for the whole run, in the app and in the tests alike, also when it crosses midnight (and
# in the servers and processes tests start, which inherit the environment); see rehabdata.clock.
os.environ.setdefault("REHAB_TODAY", clock.today().isoformat())

PG_URL = os.environ.get("REHAB_TEST_PG_URL", "").strip()

# What the KPI tests compute as: every facility, as an admin sees them (``kpis.run_kpi``).
EVERYONE = Principal(0, "test.everyone", "", Role.ADMIN, frozenset(), all_facilities=True)
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require_pg_url() -> str:
    """The PostgreSQL server URL for tests; skip without one (fail in CI)."""
    if not PG_URL:
        if IN_CI:
            pytest.fail("REHAB_TEST_PG_URL is not set in CI: PostgreSQL tests must run there")
        pytest.skip("set REHAB_TEST_PG_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test to run")
    return PG_URL


def sqlite_engine(directory) -> Engine:
    """A migrated SQLite database in ``directory``."""
    engine = make_engine(f"sqlite:///{directory / 'rehab.db'}")
    upgrade_schema(engine)
    return engine


@pytest.fixture
def engine(tmp_path) -> Iterator[Engine]:
    """A migrated, empty SQLite database in a temp file."""
    engine = sqlite_engine(tmp_path)
    yield engine
    engine.dispose()


@pytest.fixture
def blank_pg_engine() -> Iterator[Engine]:
    """A new PostgreSQL database without any schema, dropped after the test."""
    server = make_url(require_pg_url())
    name = f"rehab_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine = make_engine(server.set(database=name).render_as_string(hide_password=False))
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture
def pg_engine(blank_pg_engine) -> Engine:
    """A migrated, empty PostgreSQL database, dropped after the test."""
    upgrade_schema(blank_pg_engine)
    return blank_pg_engine


@pytest.fixture(params=["sqlite", "postgresql"])
def any_engine(request, tmp_path) -> Iterator[Engine]:
    """The same test on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        engine = sqlite_engine(tmp_path)
        yield engine
        engine.dispose()
    else:
        yield request.getfixturevalue("pg_engine")


@dataclass(frozen=True)
class KnownData:
    """Ids of the hand-computable fixture dataset (see ``known_data``)."""

    engine: Engine
    region_a: int
    region_b: int
    f1: int
    f2: int


def build_known_data(engine: Engine) -> KnownData:
    """A tiny dataset whose KPI values are computed by hand in the tests (Sep–Oct 2025).

    F1 (region A): population Sep 100, Oct 120. Participants P1–P4.
      Screenings: P1 09-02 low, P2 09-05 moderate, P3 09-10 high, P4 10-01 moderate, P1 10-15 low.
      Enrolments: P3 social 09-15→10-10 completed, P2 social 09-20 active, P4 medical 10-05 active.
      Sessions: social 09-25 (P2, P3 present; 2 expected), social 10-20 (nobody present; 1 expected:
      P2), medical 10-06 (P4 present; 1 expected).
    F2 (region B): population Sep 50, no October figure. Q1 09-20 low, Q2 10-03 high. No sessions.
    """
    from tests import factories as f

    with session_scope(engine) as s:
        region_a, region_b = f.make_region(s, name="Region A"), f.make_region(s, name="Region B")
        f1, f2 = f.make_facility(s, region_a, name="F1"), f.make_facility(s, region_b, name="F2")
        f.make_population(s, f1, date(2025, 9, 1), 100)
        f.make_population(s, f1, date(2025, 10, 1), 120)
        f.make_population(s, f2, date(2025, 9, 1), 50)
        p1, p2, p3, p4 = (f.make_participant(s, f1) for _ in range(4))
        q1, q2 = (f.make_participant(s, f2) for _ in range(2))
        for participant, day, risk in (
            (p1, date(2025, 9, 2), "low"),
            (p2, date(2025, 9, 5), "moderate"),
            (p3, date(2025, 9, 10), "high"),
            (p4, date(2025, 10, 1), "moderate"),
            (p1, date(2025, 10, 15), "low"),
            (q1, date(2025, 9, 20), "low"),
            (q2, date(2025, 10, 3), "high"),
        ):
            f.make_screening(s, participant, day, risk)
        f.make_enrollment(s, p3, date(2025, 9, 15), "social", status="completed", ended_on=date(2025, 10, 10))
        f.make_enrollment(s, p2, date(2025, 9, 20), "social")
        f.make_enrollment(s, p4, date(2025, 10, 5), "medical")
        f.make_session(s, f1, date(2025, 9, 25), "social", attended=(p2, p3))
        f.make_session(s, f1, date(2025, 10, 20), "social")
        f.make_session(s, f1, date(2025, 10, 6), "medical", attended=(p4,))
        ids = (region_a.id, region_b.id, f1.id, f2.id)
    return KnownData(engine, *ids)


@pytest.fixture
def known_data(any_engine) -> KnownData:
    """``build_known_data`` on SQLite and on PostgreSQL."""
    return build_known_data(any_engine)


@pytest.fixture
def app_env(monkeypatch, engine) -> KnownData:
    """Point the app (run under AppTest) at a ``build_known_data`` SQLite database, without demo data."""
    known_data = build_known_data(engine)
    with session_scope(engine) as session:
        create_user(
            session=session,
            username="admin.demo",
            role=Role.ADMIN,
            password="",
            password_hash=hash_password(DEMO_PASSWORD),
        )
    monkeypatch.setenv("REHAB_DATABASE_URL", known_data.engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("REHAB_DEMO_ON_EMPTY", "0")
    return known_data
