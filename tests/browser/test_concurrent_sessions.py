"""Several browser sessions open the overview at once (CI scale of ``scripts/load_browsers.py``).

Exercises the benchmark's own code on the demo data, so the script keeps working. Timings are
printed, not asserted: they depend on the machine and belong to the benchmark.
"""

import os
from pathlib import Path

import pytest

from rehabdata.i18n import t
from rehabdata.serving import app_server, is_healthy
from tests.browser.server import tree_rss_bytes

SESSIONS = 3
TIMEOUT_S = 180  # generous: a busy CI machine is slow, and timings are not what this test checks


def test_simultaneous_sessions_all_reach_a_kpi(demo_app):
    """Three sessions logging in at the same time each get a KPI figure; the server survives them."""
    from scripts.load_browsers import format_report, run_load  # needs playwright: the fixture skips first

    report = run_load(demo_app.url, [demo_app.pid], SESSIONS, waves=1, timeout_s=TIMEOUT_S)
    print(f"\n{SESSIONS} sessions at once on the demo data:\n{format_report(report)}")

    assert not report.failures, report.failures
    (wave,) = report.waves
    # The page's own record of the frame showing the KPI lies between the click and the complete overview.
    assert all(0 < visit.after_login_s < visit.first_kpi_s <= visit.complete_s for visit in wave.visits)
    assert is_healthy(demo_app.url) and tree_rss_bytes(demo_app.pid) > 0, "the server should still run"
    assert wave.rss_peak >= wave.rss_after > 0


def test_protocol_sessions_logging_in_at_once_all_get_their_kpi(demo_app):
    """``scripts/load_sessions.py``: sessions speaking the websocket protocol find the login form,
    submit it together and each receive the overview's first KPI, then its complete run."""
    from scripts.load_sessions import format_report, run_sessions

    report = run_sessions(demo_app.url, [demo_app.pid], SESSIONS, waves=1, timeout_s=TIMEOUT_S)
    print(f"\n{SESSIONS} protocol sessions at once on the demo data:\n{format_report(report)}")

    assert not report.failures, report.failures
    (wave,) = report.waves
    assert all(0 < s.form_s and 0 < s.first_kpi_s <= s.complete_s for s in wave.sessions)
    assert wave.rss_peak > 0 and wave.cpu_s > 0


def test_a_protocol_session_reports_a_wrong_login_as_its_error(demo_app, monkeypatch):
    """A login the app refuses gives no KPI: the session fails with the app's message."""
    import scripts.load_sessions as load_sessions

    monkeypatch.setattr(load_sessions, "DEMO_PASSWORD", "not-the-password")
    report = load_sessions.run_sessions(demo_app.url, (), 1, waves=1, timeout_s=TIMEOUT_S)

    assert len(report.failures) == 1
    assert f"the app shows: {t('login.failed', 'id')}" in report.failures[0]
    assert report.waves[0].sessions[0].first_kpi_s is None


def test_a_server_started_elsewhere_is_driven_by_url_alone(demo_app):
    """``--url`` mode: sessions reach a KPI; the server's RSS and CPU are reported as not measured."""
    from scripts.load_browsers import format_report, run_load

    report = run_load(demo_app.url, (), sessions=1, waves=1, timeout_s=TIMEOUT_S, pause_s=0)

    assert not report.failures, report.failures
    (wave,) = report.waves
    assert wave.visits[0].first_kpi_s is not None
    assert (report.rss_idle, wave.rss_peak, report.rss_closed) == (None, None, None)
    assert "n/a" in format_report(report) and "server: not measured" in format_report(report)


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="needs two CPUs to split")
def test_a_pinned_server_runs_on_its_cpus_only(demo_app, tmp_path: Path):
    """``--server-cpus``: the server and every thread it starts stay on the CPUs given."""
    cpu = min(os.sched_getaffinity(0))
    env = {**os.environ, "REHAB_DATABASE_URL": demo_app.database_url, "REHAB_DEMO_ON_EMPTY": "0"}
    with app_server(env, tmp_path / "pinned.log", cpus={cpu}) as server:
        threads = list(Path(f"/proc/{server.process.pid}/task").iterdir())
        allowed = {os.sched_getaffinity(int(thread.name)) == {cpu} for thread in threads}
    assert len(threads) > 1 and allowed == {True}
