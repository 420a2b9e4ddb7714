"""Server-side logins in a real browser: the HttpOnly ``rehab_sid`` cookie and what it keeps or ends.

A password login has the page request ``/rehab/session?claim=…`` (an invisible image), whose answer
sets the cookie; a reload or a new browser context resumes from it, and every script run checks the
``login_session`` row again (idle timeout, 12-hour limit, revocation), in every app process.
"""

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from sqlmodel import Session, select

from rehabdata import logins
from rehabdata.db import make_engine
from rehabdata.demo import DEMO_PASSWORD
from rehabdata.i18n import t
from rehabdata.models import LoginSession, User, utcnow
from rehabdata.serving import ROUTE_COOKIE
from tests.browser.conftest import PAGE_TIMEOUT_MS
from tests.browser.session import log_in, open_page, wait_for_figure
from tests.browser.test_cluster import ROUTES, _app_address, _upstream

ADMIN = "admin.demo"
STAFF = "petugas.kabanjahe"  # whose logins these tests revoke (end_all), not the admin's
LOGIN_TIMEOUT_MS = 90_000  # a login's first run on two shared cores, with other processes busy
AGREEMENTS = t("page.agreements", "id")
THIS_YEAR = t("preset.this_year", "id")


# --- the database -----------------------------------------------------------------------------


@contextmanager
def _database(database_url: str) -> Iterator[Session]:
    """A committed unit of work on the app's database, with an engine of its own."""
    engine = make_engine(database_url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            yield session
            session.commit()
    finally:
        engine.dispose()


def _login_row(database_url: str, token: str) -> LoginSession | None:
    with _database(database_url) as session:
        return session.exec(
            select(LoginSession).where(LoginSession.token_hash == logins.token_hash(token))
        ).first()


def _rows_holding(database_url: str, value: str) -> list[LoginSession]:
    with _database(database_url) as session:
        return list(session.exec(select(LoginSession).where(LoginSession.token_hash == value)))


def _age_login(
    database_url: str, token: str, *, idle: timedelta = timedelta(), age: timedelta = timedelta()
) -> None:
    """Move the login of ``token`` into the past: last seen ``idle`` ago, opened ``age`` ago."""
    now = utcnow()
    with _database(database_url) as session:
        login = session.exec(
            select(LoginSession).where(LoginSession.token_hash == logins.token_hash(token))
        ).one()
        login.last_seen_at = now - idle
        login.created_at = now - max(age, idle)
        session.add(login)


def _end_all(database_url: str, username: str) -> int:
    with _database(database_url) as session:
        user = session.exec(select(User).where(User.username == username)).one()
        return logins.end_all(session, user.id)


# --- the browser ------------------------------------------------------------------------------


def _is_claim(response) -> bool:
    return "/rehab/session?claim=" in response.url


def _is_logout(response) -> bool:
    return "/rehab/session?logout=1" in response.url


def _session_cookie(context) -> dict | None:
    return next((cookie for cookie in context.cookies() if cookie["name"] == logins.COOKIE), None)


def _wait_for_cookie_answer(expectation) -> None:
    """Wait until the browser has received and stored the answer of ``/rehab/session``."""
    response = expectation.value
    assert response.status == 200, response.url
    response.finished()


def _log_in(page, base_url: str, username: str = ADMIN) -> dict:
    """The shared login helper (``session.log_in``), then the cookie it leads to."""
    with page.expect_response(_is_claim, timeout=LOGIN_TIMEOUT_MS) as claimed:
        log_in(page, base_url, username=username)
    _wait_for_cookie_answer(claimed)
    cookie = _session_cookie(page.context)
    assert cookie is not None, "the claim's answer should set the login cookie"
    return cookie


def _submit_form(page, username: str = ADMIN, *, remember: bool = False) -> dict:
    """Fill and submit the login form shown on the current page; returns the cookie it leads to."""
    page.get_by_label(t("login.username", "id")).fill(username)
    page.get_by_label(t("login.password", "id"), exact=True).fill(DEMO_PASSWORD)
    if remember:
        box = page.get_by_role("checkbox", name=t("login.remember", "id"))
        page.get_by_test_id("stCheckbox").filter(has_text=t("login.remember", "id")).locator("label").click()
        assert box.is_checked()
    with page.expect_response(_is_claim, timeout=LOGIN_TIMEOUT_MS) as claimed:
        page.get_by_role("button", name=t("login.submit", "id"), exact=True).click()
    _wait_for_cookie_answer(claimed)
    _expect_logged_in(page)
    cookie = _session_cookie(page.context)
    assert cookie is not None, "the claim's answer should set the login cookie"
    return cookie


def _expect_logged_in(page) -> None:
    page.get_by_test_id("stSidebarNav").wait_for(state="visible", timeout=LOGIN_TIMEOUT_MS)


def _expect_login_form(page) -> None:
    """The login form, and nothing of a logged-in page nor any error."""
    from playwright.sync_api import expect

    expect(page.get_by_label(t("login.username", "id"))).to_be_visible(timeout=LOGIN_TIMEOUT_MS)
    expect(page.get_by_role("button", name=t("login.submit", "id"), exact=True)).to_be_visible()
    expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(page.get_by_test_id("stAlertContentError")).to_have_count(0)


def _period_box(page):
    return (
        page.get_by_test_id("stSidebar")
        .get_by_test_id("stSelectbox")
        .filter(has=page.get_by_text(t("filter.period", "id"), exact=True))
    )


def _choose_period(page, label: str) -> None:
    """Open the period selectbox (a click landing while the sidebar re-renders can be lost: retry)
    and pick ``label``."""
    from playwright.sync_api import expect

    page.get_by_test_id("stStatusWidget").wait_for(state="hidden", timeout=LOGIN_TIMEOUT_MS)
    field = _period_box(page).get_by_role("combobox")
    for _ in range(5):
        field.click()
        try:
            expect(field).to_have_attribute("aria-expanded", "true", timeout=3_000)
            break
        except AssertionError:
            continue
    page.get_by_role("listbox").get_by_role("option", name=label, exact=True).click()


def _new_context(browser, cookies: list[dict] = ()):
    context = browser.new_context()
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    if cookies:
        context.add_cookies(list(cookies))
    return context


# --- 1. a reload ------------------------------------------------------------------------------


def test_reload_keeps_the_login_the_page_and_its_filters(page, demo_app):
    """Reloading Kerja Sama with "Tahun ini" chosen: still logged in, same page, same period; the
    cookie is HttpOnly, SameSite=Lax, ends with the browser, and the database keeps only its hash."""
    from playwright.sync_api import expect

    cookie = _log_in(page, demo_app.url)
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Lax"
    assert cookie["expires"] == -1, "without 'tetap masuk' the cookie should end with the browser"
    assert cookie["secure"] is False, "plain http here: a Secure cookie would never be sent back"
    assert cookie["path"] == "/"
    login = _login_row(demo_app.database_url, cookie["value"])
    assert login is not None and login.claimed and not login.remember and login.revoked_at is None
    assert login.token_hash == logins.token_hash(cookie["value"]) != cookie["value"]
    assert not _rows_holding(demo_app.database_url, cookie["value"]), "the raw token must not be stored"

    open_page(page, AGREEMENTS)
    page.wait_for_url(re.compile(r"/kerja-sama\?(.*&)?period=last_3_months"))
    _choose_period(page, THIS_YEAR)
    page.wait_for_url(re.compile(r"/kerja-sama\?(.*&)?period=this_year"))
    expect(_period_box(page).get_by_role("combobox")).to_have_value(THIS_YEAR)

    page.reload()

    _expect_logged_in(page)
    expect(page.get_by_role("heading", name=AGREEMENTS).first).to_be_visible()
    expect(_period_box(page).get_by_role("combobox")).to_have_value(THIS_YEAR)
    assert urlparse(page.url).path == "/kerja-sama", page.url
    assert parse_qs(urlparse(page.url).query).get("period") == ["this_year"], page.url
    assert _session_cookie(page.context)["value"] == cookie["value"], "a reload keeps the same login"


# --- 2. "tetap masuk di perangkat ini" --------------------------------------------------------


def test_stay_logged_in_keeps_the_cookie_up_to_12_hours(page, browser, demo_app):
    """The remembered cookie expires at most 12 h ahead; another browser given it is logged in, also
    after half an hour idle; 12 h after the login it shows the login form."""
    page.goto(demo_app.url)
    before = time.time()
    cookie = _submit_form(page, remember=True)

    limit = logins.MAX_LOGIN.total_seconds()
    assert cookie["expires"] != -1, "'tetap masuk' should make the cookie outlive the browser"
    assert before + limit - 300 <= cookie["expires"] <= time.time() + limit + 1, (cookie["expires"], before)
    assert cookie["httpOnly"] is True and cookie["sameSite"] == "Lax"
    assert _login_row(demo_app.database_url, cookie["value"]).remember

    other = _new_context(browser, [cookie])
    try:
        elsewhere = other.new_page()
        elsewhere.goto(demo_app.url)
        _expect_logged_in(elsewhere)
        wait_for_figure(elsewhere)

        _age_login(demo_app.database_url, cookie["value"], idle=timedelta(minutes=31))
        elsewhere.reload()
        _expect_logged_in(elsewhere)  # a remembered login does not time out when idle

        _age_login(demo_app.database_url, cookie["value"], age=timedelta(hours=12, minutes=1))
        elsewhere.reload()
        _expect_login_form(elsewhere)
    finally:
        other.close()


# --- 3. logout --------------------------------------------------------------------------------


def test_logout_clears_the_cookie_and_a_reload_asks_for_a_login(page, demo_app):
    cookie = _log_in(page, demo_app.url)

    with page.expect_response(_is_logout, timeout=LOGIN_TIMEOUT_MS) as cleared:
        page.locator(".st-key-logout").get_by_role("button", name=t("login.logout", "id")).click()
    _wait_for_cookie_answer(cleared)
    _expect_login_form(page)
    assert _session_cookie(page.context) is None, "the logout should clear the cookie"
    assert _login_row(demo_app.database_url, cookie["value"]).revoked_at is not None

    page.reload()
    _expect_login_form(page)

    # Even a browser that kept the cookie (copied before the logout) is not let in.
    page.context.add_cookies([cookie])
    page.reload()
    _expect_login_form(page)


# --- 4. a login that ended, or a cookie that was tampered with ---------------------------------


def _altered(value: str) -> str:
    return value[:-1] + ("A" if value[-1] != "A" else "B")


@pytest.mark.parametrize("ending", ["idle", "12_hours", "revoked", "altered"])
def test_an_ended_login_or_an_altered_cookie_shows_the_login_form(page, demo_app, ending):
    """Idle for 31 min, opened 13 h ago, revoked by "end all", or a changed cookie value: a reload
    shows the login form (never an error), and logging in again works."""
    cookie = _log_in(page, demo_app.url, username=STAFF)
    if ending == "idle":
        _age_login(demo_app.database_url, cookie["value"], idle=timedelta(minutes=31))
    elif ending == "12_hours":
        _age_login(demo_app.database_url, cookie["value"], age=timedelta(hours=13))
    elif ending == "revoked":
        assert _end_all(demo_app.database_url, STAFF) >= 1
    else:
        page.context.add_cookies([{**cookie, "value": _altered(cookie["value"])}])
        assert _session_cookie(page.context)["value"] == _altered(cookie["value"])

    page.reload()

    _expect_login_form(page)
    _submit_form(page, STAFF)
    wait_for_figure(page)


# --- 5. several app processes -----------------------------------------------------------------


def test_two_processes_honour_the_same_login_and_its_revocation(browser, demo_app, demo_cluster):
    """Logged in through process 1, the same cookie is a login on process 2; "end all" ends it on
    both: the next click on either shows the login form, and so does a reload."""
    routes = {_upstream(demo_cluster, route): route for route in ROUTES}
    pinned = [
        {"name": ROUTE_COOKIE, "value": routes[_app_address(demo_cluster, index)], "url": demo_cluster.url}
        for index in range(2)
    ]
    first = _new_context(browser, [pinned[0]])
    second = None
    try:
        one = first.new_page()
        cookie = _log_in(one, demo_cluster.url, username=STAFF)
        wait_for_figure(one)

        second = _new_context(browser, [pinned[1], cookie])
        two = second.new_page()
        answer = two.goto(demo_cluster.url)
        assert answer.headers["x-rehab-upstream"] == _app_address(demo_cluster, 1)
        _expect_logged_in(two)
        wait_for_figure(two)
        assert _session_cookie(second)["value"] == cookie["value"]

        assert _end_all(demo_app.database_url, STAFF) >= 1

        open_link = t("page.screening", "id")
        for tab in (one, two):
            tab.get_by_test_id("stSidebarNav").get_by_role("link", name=open_link, exact=True).click()
            _expect_login_form(tab)
        answer = two.reload()
        assert answer.headers["x-rehab-upstream"] == _app_address(demo_cluster, 1)
        _expect_login_form(two)
    finally:
        first.close()
        if second is not None:
            second.close()


# --- 6. a shared link -------------------------------------------------------------------------


def test_a_shared_link_asks_for_the_login_then_opens_its_page(page, demo_app):
    """``…/kerja-sama?period=this_year`` opened logged out shows the login form at that address;
    after logging in, Kerja Sama opens with that period."""
    from playwright.sync_api import expect

    page.goto(f"{demo_app.url}/kerja-sama?period=this_year")
    _expect_login_form(page)
    assert urlparse(page.url).path == "/kerja-sama", page.url

    _submit_form(page)

    expect(page.get_by_role("heading", name=AGREEMENTS).first).to_be_visible()
    expect(_period_box(page).get_by_role("combobox")).to_have_value(THIS_YEAR)
    assert urlparse(page.url).path == "/kerja-sama", page.url
    assert parse_qs(urlparse(page.url).query).get("period") == ["this_year"], page.url
