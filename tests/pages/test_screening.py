"""The Skrining page under AppTest shows exactly what the KPI functions return."""

from dataclasses import replace
from datetime import date

import pandas as pd

from rehabdata.i18n import format_number, format_rate
from rehabdata.kpis import Filters
from tests.pages.apptest import metric, run_app

PAGE = "pages/screening.py"
H1_2026 = {"filters_preset": "custom", "filters_from": date(2026, 1, 1), "filters_to": date(2026, 6, 30)}
H1 = Filters(start=date(2026, 1, 1), end=date(2026, 6, 30))
CARDS = {
    "Cakupan skrining": "screening_coverage",
    "Risiko sedang + tinggi": "risk_distribution",
    "Rujukan ≤ 30 hari": "referral_funnel",
}


def rate_card(frame: pd.DataFrame) -> tuple[str, str]:
    """The value and the "x dari y" line a rate card shows for an ungrouped KPI frame."""
    row = frame.iloc[0]
    part, whole = (format_number(float(row[column]), "id") for column in ("numerator", "denominator"))
    return format_rate(float(row["rate"]), "id"), f"{part} dari {whole}"


def expected_cards(demo_kpi, filters: Filters) -> dict[str, tuple[str, str]]:
    return {label: rate_card(demo_kpi(name, filters)) for label, name in CARDS.items()}


def shown_cards(at) -> dict[str, tuple[str, str]]:
    """Each card's value and "x dari y" line (its help text, also shown as the caption under it)."""
    captions = [caption.value for caption in at.main.caption]
    cards = {label: metric(at, label) for label in CARDS}
    assert [card.help for card in cards.values()] == captions, "every card has its 'x dari y' caption"
    return {label: (card.value, card.help) for label, card in cards.items()}


def test_cards_equal_kpi_functions(demo_env, demo_kpi):
    """Coverage, moderate+high share and referral cards show the KPI rates and their 'x dari y'."""
    at = run_app(H1_2026, page=PAGE)
    assert not at.exception
    assert shown_cards(at) == expected_cards(demo_kpi, H1)


def test_four_charts(demo_env):
    """The page draws its four charts: coverage trend, risk by facility, substances, referral funnel."""
    at = run_app(H1_2026, page=PAGE)
    assert not at.exception
    assert len(at.get("plotly_chart")) == 4


def test_region_filter_narrows_cards(demo_env, demo_kpi, demo_codes):
    """Choosing the Karo region turns every card into the Karo-only KPI value."""
    at = run_app({**H1_2026, "filters_region": ["karo"]}, page=PAGE)
    assert not at.exception
    karo = expected_cards(demo_kpi, replace(H1, region_ids=(demo_codes("region", "karo"),)))
    everywhere = expected_cards(demo_kpi, H1)
    assert karo != everywhere, "the Karo figures should differ from the all-region ones"
    assert shown_cards(at) == karo


def test_empty_period_says_no_data(demo_env):
    """A period without screenings shows the 'no data' sentence instead of cards and charts."""
    at = run_app({**H1_2026, "filters_from": date(2024, 1, 1), "filters_to": date(2024, 12, 31)}, page=PAGE)
    assert not at.exception
    assert any("Belum ada data" in info.value for info in at.info)
    assert len(at.metric) == 0
    assert len(at.get("plotly_chart")) == 0


def test_default_preset(demo_env, demo_kpi, default_filters):
    """With the default filters (last 3 months, everywhere) the cards show those KPIs, without error."""
    at = run_app({"filters_preset": "last_3_months"}, page=PAGE)
    assert not at.exception
    if not demo_kpi("risk_distribution", default_filters)["denominator"].sum():  # demo data too old
        assert any("Belum ada data" in info.value for info in at.info)
        return
    assert shown_cards(at) == expected_cards(demo_kpi, default_filters)


def test_default_period_kept_when_switching_page(demo_env, demo_kpi, default_filters):
    """Arriving from Ringkasan with nothing chosen, the page runs without error on the last 3 months."""
    at = run_app({}, page=PAGE)
    assert not at.exception
    assert at.sidebar.selectbox(key="filters_preset").value == "last_3_months"
    if not demo_kpi("risk_distribution", default_filters)["denominator"].sum():  # demo data too old
        assert any("Belum ada data" in info.value for info in at.info)
        return
    assert shown_cards(at) == expected_cards(demo_kpi, default_filters)
