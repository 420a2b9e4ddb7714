"""Rehabilitasi and Kerja Sama in a real browser, against figures computed directly from the database."""

import re
from urllib.parse import parse_qs, urlparse

from sqlmodel import Session

from rehabdata import clock, kpis
from rehabdata.db import make_engine
from rehabdata.i18n import format_number, format_rate, t
from rehabdata.kpis import Filters
from rehabdata.periods import preset_range
from tests.browser.session import log_in
from tests.conftest import EVERYONE


def _compute(database_url: str, compute):
    """``compute(session)`` on the app's database, with an engine of its own."""
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            return compute(session)
    finally:
        engine.dispose()


def _default_filters() -> Filters:
    """The filter bar's default: the last 3 months up to today, every facility and programme."""
    start, end = preset_range("last_3_months", clock.today())
    return Filters(start, end)


def _open_page(page, title: str, url_path: str) -> None:
    """Click the sidebar link titled exactly ``title`` ("Rehabilitasi", not "Asesmen & Rehabilitasi").

    Waits until the page has run far enough to write its filter into the URL, and checks that the
    default period survived the page switch.
    """
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True).click()
    page.wait_for_url(re.compile(rf"/{re.escape(url_path)}\?(.*&)?period="))
    page.get_by_role("heading", name=title, exact=True).first.wait_for(state="visible")
    assert parse_qs(urlparse(page.url).query).get("period") == ["last_3_months"], page.url


def _metric(page, label: str):
    return page.get_by_test_id("stMetric").filter(
        has=page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True)
    )


def test_rehabilitation_attendance_card(page, demo_app):
    """Rehabilitasi's attendance card shows attendance_rate for the default filter (last 3 months)."""
    from playwright.sync_api import expect  # imported here: the fixtures skip when it is missing

    log_in(page, demo_app.url)
    _open_page(page, t("page.rehabilitation", "id"), "rehabilitasi")
    card = _metric(page, t("kpi.attendance_rate", "id"))
    expect(card).to_have_count(1)

    frame = _compute(
        demo_app.database_url,
        lambda session: kpis.run_kpi(session, EVERYONE, "attendance_rate", _default_filters()),
    )
    assert int(frame["sessions"].iloc[0]) > 0, "the demo data should hold sessions in the last 3 months"
    row = frame.iloc[0]
    expect(card.get_by_test_id("stMetricValue")).to_have_text(format_rate(float(row["rate"]), "id"))
    of = f"{format_number(int(row['numerator']), 'id')} dari {format_number(int(row['denominator']), 'id')}"
    expect(page.get_by_test_id("stCaptionContainer").get_by_text(of, exact=True)).to_have_count(1)


def test_agreements_progress_texts(page, demo_app):
    """Kerja Sama shows one bar per scope item reading 'X dari target Y' as agreement_delivery computes."""
    from playwright.sync_api import expect

    log_in(page, demo_app.url)
    _open_page(page, t("page.agreements", "id"), "kerja-sama")
    bars = page.get_by_test_id("stProgress")
    bars.first.wait_for(state="visible")

    frame = _compute(
        demo_app.database_url,
        lambda session: kpis.run_kpi(session, EVERYONE, "agreement_delivery", _default_filters()),
    )
    assert len(frame) > 0, "the demo agreements should have scope items"
    expected = [
        f"{row.description} — {format_number(row.delivered, 'id')} dari target {format_number(row.target, 'id')}"
        for row in frame.itertuples()
    ]
    expect(bars).to_have_count(len(expected))
    assert [text.strip() for text in bars.all_inner_texts()] == expected
