"""Helpers to run the app under AppTest: log in through the form, preset state, open a page."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

from rehabdata.demo import DEMO_PASSWORD

DASHBOARD = Path(__file__).resolve().parents[2] / "dashboard.py"
ADMIN = "admin.demo"


def log_in(at: AppTest, username: str, password: str) -> AppTest:
    """Fill and submit the login form (keys login_username, login_password, login_submit)."""
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(password)
    return at.button(key="login_submit").click().run()


def run_app(
    state: dict, page: str | None = None, *, username: str = ADMIN, password: str = DEMO_PASSWORD
) -> AppTest:
    """Run dashboard.py logged in as ``username``, with ``state`` preset, optionally on another page."""
    at = AppTest.from_file(str(DASHBOARD), default_timeout=60)
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    log_in(at, username, password)
    assert "principal" in at.session_state, f"login as {username!r} failed"
    if page:
        at.switch_page(page).run()
    return at


def metric(at: AppTest, label: str):
    """The metric with this label (fails listing the labels present)."""
    matches = [m for m in at.metric if m.label == label]
    assert matches, f"no metric {label!r} among {[m.label for m in at.metric]}"
    return matches[0]
