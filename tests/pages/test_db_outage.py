"""The database going away (at start, mid-session) under AppTest: a readable message, then recovery.

PostgreSQL is reached through a TCP proxy on 127.0.0.1 that the test switches off (it stops
listening and cuts every open connection, as when the server or the network goes down) and on.
"""

from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from rehabdata.auth import create_user, hash_password
from rehabdata.db import get_engine, session_scope
from rehabdata.demo import DEMO_PASSWORD
from rehabdata.i18n import t
from rehabdata.models import Role
from tests.conftest import build_known_data
from tests.faults_support import TcpProxy
from tests.pages.apptest import ADMIN, DASHBOARD, log_in, metric, run_app

DB_DOWN = t("app.db_unavailable", "id")
SEP_OCT = {"filters_preset": "custom", "filters_from": date(2025, 9, 1), "filters_to": date(2025, 10, 31)}


@pytest.fixture
def proxy(pg_engine: Engine, monkeypatch) -> Iterator[TcpProxy]:
    """The app (under AppTest) pointed at the known dataset on PostgreSQL through a switchable proxy (up)."""
    build_known_data(pg_engine)
    with session_scope(pg_engine) as session:
        create_user(
            session=session,
            username=ADMIN,
            role=Role.ADMIN,
            password="",
            password_hash=hash_password(DEMO_PASSWORD),
        )
    proxy = TcpProxy((pg_engine.url.host or "127.0.0.1", pg_engine.url.port or 5432))
    url = pg_engine.url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    monkeypatch.setenv("REHAB_DATABASE_URL", url)
    monkeypatch.setenv("REHAB_DEMO_ON_EMPTY", "0")
    proxy.up()
    try:
        yield proxy
    finally:
        proxy.down()
        get_engine(url).dispose()  # the app's pool: no connection outlives the test database


def errors(at: AppTest) -> list[str]:
    return [error.value for error in at.error]


def shows_login_form(at: AppTest) -> bool:
    return {"login_username", "login_password"} <= {widget.key for widget in at.text_input}


def shows_overview(at: AppTest) -> None:
    """The Ringkasan cards with the known dataset's figures, and no error."""
    assert not at.exception, at.exception
    assert errors(at) == []
    assert metric(at, "Skrining").value == "7"
    assert metric(at, "Tingkat kehadiran").value == "75,0%"


def says_database_unreachable(at: AppTest) -> None:
    """Only the readable Indonesian message: no traceback, no other error, no stale figures."""
    assert not at.exception, at.exception
    assert errors(at) == [DB_DOWN]
    assert "Basis data tidak dapat dihubungi" in DB_DOWN
    assert len(at.metric) == 0


def test_unreachable_at_start_then_recovers(proxy: TcpProxy):
    """Started while the database is unreachable, the app says so in Bahasa Indonesia; once it is
    back, the next rerun shows the login form and the login leads to the overview."""
    proxy.down()
    at = AppTest.from_file(str(DASHBOARD), default_timeout=60)
    for key, value in SEP_OCT.items():
        at.session_state[key] = value
    at.run()
    says_database_unreachable(at)
    assert not shows_login_form(at)

    at.run()  # still down: the failure is not cached, the message stays
    says_database_unreachable(at)

    proxy.up()
    at.run()
    assert not at.exception, at.exception
    assert errors(at) == []
    assert shows_login_form(at)
    log_in(at, ADMIN, DEMO_PASSWORD)
    assert "principal" in at.session_state
    shows_overview(at)


def test_lost_mid_session_then_recovers(proxy: TcpProxy):
    """Logged in on the overview, the database goes away: the next rerun gives the readable message
    (the login is kept); when it is back, the rerun after that shows the overview again."""
    at = run_app(SEP_OCT)
    shows_overview(at)

    proxy.down()  # every pooled connection of the app is cut
    at.run()
    says_database_unreachable(at)
    assert "principal" in at.session_state

    proxy.up()
    at.run()
    shows_overview(at)

    proxy.down()  # a second outage in the same session behaves the same
    at.run()
    says_database_unreachable(at)
    proxy.up()
    at.run()
    shows_overview(at)


def test_outage_while_idle_goes_unnoticed(proxy: TcpProxy):
    """Connections cut while the user reads (the database back before the next click): the next rerun
    shows the overview at once; no dead pooled connection is handed out (``pool_pre_ping``)."""
    at = run_app(SEP_OCT)
    shows_overview(at)
    proxy.down()
    proxy.up()
    at.run()
    shows_overview(at)


def test_login_submitted_while_unreachable(proxy: TcpProxy):
    """The login form submitted while the database is unreachable gives the readable message."""
    at = AppTest.from_file(str(DASHBOARD), default_timeout=60).run()
    assert shows_login_form(at)
    proxy.down()
    log_in(at, ADMIN, DEMO_PASSWORD)
    assert not at.exception, at.exception[0].value
    assert DB_DOWN in errors(at)
