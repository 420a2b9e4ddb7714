"""The overview page in a real browser, against figures computed directly from the database."""

import re

from sqlmodel import Session

from rehabdata import clock
from rehabdata.db import make_engine
from rehabdata.i18n import format_number, t
from rehabdata.kpis import Filters, run_kpi
from rehabdata.periods import preset_range
from tests.browser.session import log_in, wait_for_figure
from tests.conftest import EVERYONE


def _metric(page, label: str):
    """The ``st.metric`` whose label is exactly ``label`` ("Skrining", not "Cakupan skrining")."""
    return page.get_by_test_id("stMetric").filter(
        has=page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True)
    )


def _default_screenings(database_url: str) -> int:
    """The "Skrining" card under the default filters: screenings in the last 3 months, everywhere."""
    start, end = preset_range("last_3_months", clock.today())
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            frame = run_kpi(session, EVERYONE, "risk_distribution", Filters(start, end))
    finally:
        engine.dispose()
    return int(frame["denominator"].sum())


def test_overview_shows_screening_count(page, demo_app):
    """The overview served by `streamlit run` shows the screening count the database holds."""
    from playwright.sync_api import expect  # imported here: the fixtures skip when it is missing

    screenings = _default_screenings(demo_app.database_url)
    assert screenings > 0, "the demo data should hold screenings in the last 3 months"

    log_in(page, demo_app.url)
    wait_for_figure(page)

    card = _metric(page, t("kpi.screenings", "id"))
    expect(card).to_have_count(1)
    expect(card.get_by_test_id("stMetricValue")).to_have_text(format_number(screenings, "id"))
    # The badge's text also holds its icon's ligature name ("science DATA DEMO"), and Streamlit renders
    # a badge with help text twice (one copy hidden): match a substring, case-sensitively, among visible.
    badge = page.get_by_test_id("stSidebar").get_by_text(re.compile(re.escape(t("app.demo_badge", "id"))))
    expect(badge.filter(visible=True)).to_have_count(1)


def test_login_page_loads_the_kpi_cards_code_and_shows_no_figure(page, demo_app):
    """Before anyone logs in the browser fetches the KPI cards' code (Streamlit's lazily loaded
    ``Metric`` module), so the overview's first figures can show as soon as they arrive; the login
    page's own card is empty."""
    page.goto(demo_app.url)
    page.get_by_label(t("login.username", "id")).wait_for(state="visible")
    page.wait_for_function(
        "performance.getEntriesByType('resource').some(entry => /\\/Metric\\.[^/]*\\.js$/.test(entry.name))"
    )
    assert [text.strip() for text in page.get_by_test_id("stMetricValue").all_inner_texts()] == [""]


def test_language_switch_to_english(page, demo_app):
    """Choosing "English" in the sidebar relabels the cards in English."""
    from playwright.sync_api import expect

    log_in(page, demo_app.url)
    wait_for_figure(page)

    page.get_by_test_id("stSidebar").get_by_role("radio", name="English").click()

    expect(_metric(page, t("kpi.screenings", "en"))).to_have_count(1)
    expect(_metric(page, t("kpi.screenings", "id"))).to_have_count(0)


def test_facility_table_downloads_as_csv(page, demo_app, tmp_path):
    """The table's 'Unduh CSV' writes its CSV on the click: a header and one row per facility."""
    log_in(page, demo_app.url)
    wait_for_figure(page)
    button = page.locator(".st-key-download_by_facility").get_by_role("button")  # the table's own
    button.wait_for(state="visible")
    with page.expect_download() as download:
        button.click()
    assert download.value.suggested_filename == "ringkasan_upt.csv"
    path = tmp_path / "ringkasan_upt.csv"
    download.value.save_as(path)
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].split(",")[:2] == ["facility", "region"]
    assert len(lines) == 1 + 4  # the demo's four facilities
