"""Logging in through the real login form in the browser.

A reload keeps the login (the app's ``rehab_sid`` cookie, see ``rehabdata.logins``) but starts a
new Streamlit session, so tests still move between pages by clicking the sidebar links.
"""

import re

from rehabdata.demo import DEMO_PASSWORD
from rehabdata.i18n import t


def log_in(page, base_url: str, username: str = "admin.demo", password: str = DEMO_PASSWORD) -> None:
    """Open the app and log in with the Indonesian form; waits for the navigation to appear."""
    page.goto(base_url)
    page.get_by_label(t("login.username", "id")).fill(username)
    page.get_by_label(t("login.password", "id"), exact=True).fill(password)
    page.get_by_role("button", name=t("login.submit", "id"), exact=True).click()
    page.get_by_test_id("stSidebarNav").wait_for(state="visible")


def wait_for_figure(page) -> None:
    """Wait until a KPI figure shows: a metric value with text (the login page's card is empty)."""
    page.get_by_test_id("stMetricValue").filter(has_text=re.compile(r"\S")).first.wait_for(state="visible")


def open_page(page, title: str) -> None:
    """Click the sidebar link of the page titled ``title`` (e.g. ``t("page.agreements", "id")``)."""
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True).click()
    page.get_by_role("heading", name=title).first.wait_for(state="visible")
