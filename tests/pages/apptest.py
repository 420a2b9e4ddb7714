"""Helpers to run the app under AppTest with a prepared session state."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

DASHBOARD = Path(__file__).resolve().parents[2] / "dashboard.py"


def run_app(state: dict, page: str | None = None) -> AppTest:
    """Run dashboard.py with ``state`` preset in session state, optionally on another page."""
    at = AppTest.from_file(str(DASHBOARD), default_timeout=60)
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    if page:
        at.switch_page(page).run()
    return at


def metric(at: AppTest, label: str):
    """The metric with this label (fails listing the labels present)."""
    matches = [m for m in at.metric if m.label == label]
    assert matches, f"no metric {label!r} among {[m.label for m in at.metric]}"
    return matches[0]
