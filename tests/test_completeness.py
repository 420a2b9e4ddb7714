"""Reporting completeness: states, missing items, deadline and scope per facility × month."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url
from sqlmodel import Session

from rehabdata.auth import Principal, ScopeError
from rehabdata.completeness import (
    DEADLINE_ENV,
    STATES,
    completeness_grid,
    missing_messages,
    overdue_count,
    reporting_deadline_day,
)
from rehabdata.db import make_engine, session_scope, upgrade_schema
from rehabdata.kpis import Filters, scope_filters
from rehabdata.models import ProgrammeType, Role
from tests import factories as f
from tests.conftest import require_pg_url, sqlite_engine

TODAY = date(2025, 11, 5)
SEP_TO_NOW = Filters(start=date(2025, 9, 1), end=TODAY)


@contextmanager
def backend_engine(backend: str, directory) -> Iterator[Engine]:
    """A migrated, empty database on ``backend`` (PostgreSQL: created and dropped around the block).

    For module-scoped fixtures, so a dataset is built once per backend rather than once per test.
    """
    if backend == "sqlite":
        engine = sqlite_engine(directory)
        yield engine
        engine.dispose()
        return
    server = make_url(require_pg_url())
    name = f"rehab_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine = make_engine(server.set(database=name).render_as_string(hide_password=False))
    try:
        upgrade_schema(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@dataclass(frozen=True)
class Reporting:
    """Ids of the completeness fixture (see ``build_reporting``)."""

    engine: Engine
    complete: int
    late: int
    incomplete: int
    late_screening: int
    joined_october: int
    inactive: int


def build_reporting(engine: Engine) -> Reporting:
    """Six facilities reporting September–November 2025, judged on 5 November 2025 (deadline 10th).

    complete: Sep population entered 10 Oct 23:59 WIB; a social enrolment all along, a Sep session
      with attendance, a screening with risk entered in September. No October population.
    late: Sep population entered 11 Oct 00:00 WIB; nothing else to report.
    incomplete: Sep population on time; social enrolment all month but the one session has no
      attendance; one of two screenings lacks a risk; a medical enrolment from 27 Sep (4 days).
    late_screening: Sep population on time, a Sep screening typed in on 15 Oct.
    joined_october: first agreement signed 4 Oct; population for Sep and Oct.
    inactive: not active; has a Sep population.
    """
    with session_scope(engine) as s:
        region = f.make_region(s)
        partner = f.make_partner(s, region)
        names = ("complete", "late", "incomplete", "late_screening", "joined_october", "inactive")
        sites = {name: f.make_facility(s, region, name=name) for name in names}
        sites["inactive"].active = False
        on_time = utc(2025, 10, 10, 16, 59)  # 23:59 WIB on the deadline day
        for name in ("complete", "incomplete", "late_screening", "joined_october", "inactive"):
            f.make_population(s, sites[name], date(2025, 9, 1), 200, entered_at=on_time)
        f.make_population(s, sites["late"], date(2025, 9, 1), 200, entered_at=utc(2025, 10, 10, 17, 0))
        f.make_population(s, sites["joined_october"], date(2025, 10, 1), 200, entered_at=on_time)
        f.make_agreement(s, partner, date(2025, 10, 4), (sites["joined_october"],))

        complete = sites["complete"]
        member = f.make_participant(s, complete)
        f.make_enrollment(s, member, date(2025, 8, 20), ProgrammeType.SOCIAL)
        f.make_session(s, complete, date(2025, 9, 15), ProgrammeType.SOCIAL, attended=(member,))
        f.make_screening(s, member, date(2025, 9, 5), "low", created_at=utc(2025, 9, 6, 3))

        incomplete = sites["incomplete"]
        first, second, late_joiner = (f.make_participant(s, incomplete) for _ in range(3))
        f.make_enrollment(s, first, date(2025, 8, 25), ProgrammeType.SOCIAL)
        f.make_enrollment(s, late_joiner, date(2025, 9, 27), ProgrammeType.MEDICAL)
        f.make_session(s, incomplete, date(2025, 9, 10), ProgrammeType.SOCIAL)
        f.make_screening(s, first, date(2025, 9, 3), "moderate", created_at=utc(2025, 9, 3, 3))
        f.make_screening(s, second, date(2025, 9, 4), "low", overall_risk=None, created_at=utc(2025, 9, 4, 3))

        slow = sites["late_screening"]
        f.make_screening(
            s, f.make_participant(s, slow), date(2025, 9, 29), "low", created_at=utc(2025, 10, 15, 2)
        )
        ids = [sites[name].id for name in names]
    return Reporting(engine, *ids)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def reporting(request, tmp_path_factory) -> Iterator[Reporting]:
    """``build_reporting`` once per backend for the whole module (read-only tests)."""
    with backend_engine(request.param, tmp_path_factory.mktemp("completeness")) as engine:
        yield build_reporting(engine)


def grid(reporting: Reporting, filters: Filters = SEP_TO_NOW, **options):
    with Session(reporting.engine) as session:
        return completeness_grid(session, filters, today=TODAY, **options)


def states(frame, reporting: Reporting) -> dict[tuple[str, str], str]:
    names = {getattr(reporting, name): name for name in Reporting.__dataclass_fields__ if name != "engine"}
    return {(names[row.facility_id], row.month): row.state for row in frame.itertuples()}


def test_states_per_facility_month(reporting):
    """Complete, late (population or screening after the 10th) and incomplete in September; later months not due."""
    assert states(grid(reporting), reporting) == {
        ("complete", "2025-09"): "complete",
        ("complete", "2025-10"): "not_due_yet",
        ("complete", "2025-11"): "not_due_yet",
        ("late", "2025-09"): "late",
        ("late", "2025-10"): "not_due_yet",
        ("late", "2025-11"): "not_due_yet",
        ("incomplete", "2025-09"): "incomplete",
        ("incomplete", "2025-10"): "not_due_yet",
        ("incomplete", "2025-11"): "not_due_yet",
        ("late_screening", "2025-09"): "late",
        ("late_screening", "2025-10"): "not_due_yet",
        ("late_screening", "2025-11"): "not_due_yet",
        ("joined_october", "2025-10"): "complete",
        ("joined_october", "2025-11"): "not_due_yet",
    }


def test_missing_items(reporting):
    """The incomplete month lacks a social session with attendance and one screening's risk, not medical."""
    frame = grid(reporting).set_index(["facility_id", "month"])
    row = frame.loc[(reporting.incomplete, "2025-09")]
    assert row["missing"] == ("session:social", "screening_risk")
    assert row["programmes_active"] == ("social",)  # the medical enrolment covers only 4 days
    assert missing_messages(row) == [
        ("completeness.missing.session", {"programme": "social"}),
        ("completeness.missing.screening_risk", {"count": 1}),
    ]
    assert frame.loc[(reporting.complete, "2025-10"), "missing"] == ("population", "session:social")
    assert frame.loc[(reporting.complete, "2025-09"), "missing"] == ()


def test_overdue_count_and_later_judgement(reporting):
    """One facility-month is overdue on 5 Nov; on 11 Nov October's missing figures are overdue too."""
    assert overdue_count(grid(reporting)) == 1
    with Session(reporting.engine) as session:
        later = completeness_grid(session, SEP_TO_NOW, today=date(2025, 11, 11))
    overdue = later[later["state"] == "incomplete"]
    assert set(zip(overdue["facility_id"], overdue["month"], strict=True)) == {
        (reporting.incomplete, "2025-09"),
        (reporting.complete, "2025-10"),
        (reporting.late, "2025-10"),
        (reporting.incomplete, "2025-10"),
        (reporting.late_screening, "2025-10"),
    }
    assert set(later["state"]) <= set(STATES)


def test_deadline_setting(reporting, monkeypatch):
    """REHAB_REPORTING_DEADLINE_DAY moves the deadline: with the 20th nothing in September is late."""
    monkeypatch.setenv(DEADLINE_ENV, "20")
    assert reporting_deadline_day() == 20
    september = grid(reporting).query("month == '2025-09'")
    assert set(september["state"]) == {"complete", "incomplete"}
    assert str(september["deadline"].iloc[0]) == "2025-10-20"
    monkeypatch.setenv(DEADLINE_ENV, "31")
    with pytest.raises(ValueError, match="1 to 28"):
        reporting_deadline_day()


def test_programme_filter_and_whole_months(reporting):
    """With the medical programme selected the social session is not asked for; a mid-month start counts the whole month."""
    medical = replace(SEP_TO_NOW, start=date(2025, 9, 20), programme=ProgrammeType.MEDICAL)
    frame = grid(reporting, medical).set_index(["facility_id", "month"])
    assert frame.loc[(reporting.incomplete, "2025-09"), "missing"] == ("screening_risk",)
    assert frame.loc[(reporting.incomplete, "2025-09"), "screenings"] == 2


def test_scope(reporting):
    """Staff see only their facility's rows; asking for another facility is refused."""
    staff = Principal(1, "petugas", "", Role.PETUGAS, frozenset({reporting.late}))
    frame = grid(reporting, scope_filters(staff, SEP_TO_NOW))
    assert set(frame["facility_id"]) == {reporting.late}
    assert len(frame) == 3
    with pytest.raises(ScopeError):
        scope_filters(staff, replace(SEP_TO_NOW, facility_ids=(reporting.complete,)))


def test_no_facility_gives_empty_grid(reporting):
    """A region without facilities gives an empty grid with the documented columns."""
    frame = grid(reporting, replace(SEP_TO_NOW, region_ids=(-1,)))
    assert frame.empty
    assert "state" in frame.columns
    assert overdue_count(frame) == 0


def test_months_without_any_record(reporting):
    """Before anything was entered every due facility-month lacks its population; not-yet-joined ones are absent."""
    frame = grid(reporting, Filters(start=date(2025, 1, 1), end=date(2025, 2, 28)))
    assert set(frame["facility_id"]) == {
        reporting.complete,
        reporting.late,
        reporting.incomplete,
        reporting.late_screening,
    }
    assert set(frame["missing"]) == {("population",)}
    assert set(frame["state"]) == {"incomplete"}
