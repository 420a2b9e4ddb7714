"""The concurrent-writers load test at CI scale: real writer processes, then ``verify``.

The full-scale run (20 writers × 60 s on PostgreSQL, 10 on SQLite) is ``scripts/load_writers.py``.
"""

import dataclasses
import sqlite3
from pathlib import Path

import pytest

from rehabdata import demo, loadtest
from rehabdata.db import make_engine, upgrade_schema


def _copy(url: str, directory: Path) -> str:
    """A copy of a SQLite database (online backup, WAL included) to tamper with or write to again."""
    target = directory / "copy.db"
    with sqlite3.connect(url.removeprefix("sqlite:///")) as source, sqlite3.connect(target) as copy:
        source.backup(copy)
    return f"sqlite:///{target}"


def _assert_clean(report: loadtest.WriterReport, problems: list[str]) -> None:
    assert report.writer_errors == []
    assert report.acknowledged > 0 and report.screenings > 0 and report.sessions > 0
    assert report.failed == 0, report.failures
    assert report.refused == {}  # writers pick free days: the same-day rule never has to refuse
    assert problems == []


@pytest.fixture(scope="module")
def sqlite_run(tmp_path_factory) -> tuple[str, loadtest.WriterReport]:
    """4 writers for 6 s on a SQLite file with the demo data (shared by the tests below)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('load') / 'rehab.db'}"
    engine = make_engine(url)
    upgrade_schema(engine)
    demo.load_demo(engine)
    engine.dispose()
    return url, loadtest.run_writers(url, writers=4, seconds=6, seed=1)


def test_sqlite_writers_leave_every_acknowledged_write_once(sqlite_run):
    url, report = sqlite_run
    _assert_clean(report, loadtest.verify(url, report))
    assert report.elapsed < 6 + 35  # the deadline ends the run (one write may wait out a lock)
    assert report.p50_ms <= report.p95_ms <= report.max_ms


@pytest.mark.postgres
def test_postgresql_writers_leave_every_acknowledged_write_once(pg_engine):
    demo.load_demo(pg_engine)
    url = pg_engine.url.render_as_string(hide_password=False)
    report = loadtest.run_writers(url, writers=6, seconds=6, seed=2)
    _assert_clean(report, loadtest.verify(url, report))


def test_max_writes_ends_the_run_before_the_deadline(sqlite_run, tmp_path):
    url = _copy(sqlite_run[0], tmp_path)
    report = loadtest.run_writers(url, writers=2, seconds=120, max_writes=3)
    assert report.acknowledged == 6 and report.elapsed < 60
    assert loadtest.verify(url, report) == []


def _first(report: loadtest.WriterReport, kind: str) -> loadtest.Write:
    return next(w for w in report.writes if w.kind == kind and (kind == "screening" or w.attended))


@pytest.mark.parametrize(
    "tamper",
    [
        "delete screening",
        "delete attendance",
        "unacknowledged session",
        "aggregate drift",
        "lock error reached a writer",
    ],
)
def test_verify_reports_what_is_wrong(sqlite_run, tmp_path, tamper):
    url, report = sqlite_run
    url = _copy(url, tmp_path)
    screening, held = _first(report, "screening"), _first(report, "session")
    with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
        if tamper == "delete screening":
            connection.execute("DELETE FROM screening WHERE id = ?", (screening.row_id,))
            expected = screening.marker
        elif tamper == "delete attendance":
            connection.execute(
                "DELETE FROM attendance WHERE session_id = ? AND participant_id = ?",
                (held.row_id, held.attended[0]),
            )
            expected = held.marker
        elif tamper == "unacknowledged session":
            expected = f"lt-{report.run_id}-w99-000000"
            connection.execute(
                "INSERT INTO programme_session (facility_id, programme, held_on, session_type, topic,"
                " facilitator, duration_minutes) SELECT facility_id, programme, held_on, session_type, ?,"
                " facilitator, duration_minutes FROM programme_session WHERE id = ?",
                (expected, held.row_id),
            )
        elif tamper == "aggregate drift":
            expected = "agg_session_day"
            connection.execute(
                "UPDATE agg_session_day SET attended = attended + 1"
                " WHERE rowid = (SELECT min(rowid) FROM agg_session_day)"
            )
        else:
            expected = "database is locked"
            report = dataclasses.replace(
                report,
                failed=1,
                failures={"OperationalError: (sqlite3.OperationalError) database is locked": 1},
            )
    problems = loadtest.verify(url, report)
    assert problems and any(expected in problem for problem in problems), problems
