"""The Penjangkauan page under AppTest shows exactly what ``outreach_reach`` returns."""

from dataclasses import replace
from datetime import date

from rehabdata.i18n import format_number
from rehabdata.kpis import Filters
from tests.pages.apptest import metric, run_app

PAGE = "pages/outreach.py"
H1_2026 = {"filters_preset": "custom", "filters_from": date(2026, 1, 1), "filters_to": date(2026, 6, 30)}
H1 = Filters(start=date(2026, 1, 1), end=date(2026, 6, 30))


def expected_totals(demo_kpi, filters: Filters) -> tuple[str, str]:
    """Events and people reached: the sums of ``outreach_reach`` over event types and audiences."""
    frame = demo_kpi("outreach_reach", filters)
    events, people = (
        format_number(int(frame[column].sum()), "id") for column in ("events", "people_reached")
    )
    return events, people


def shown_totals(at) -> tuple[str, str]:
    return metric(at, "Kegiatan").value, metric(at, "Orang terjangkau").value


def test_totals_equal_outreach_reach(demo_env, demo_kpi):
    """The events and people-reached cards are the sums of outreach_reach, with both charts drawn."""
    at = run_app(H1_2026, page=PAGE)
    assert not at.exception
    assert shown_totals(at) == expected_totals(demo_kpi, H1)
    assert len(at.get("plotly_chart")) == 2


def test_facility_filter_narrows_totals(demo_env, demo_kpi, demo_codes):
    """Choosing Rutan Kabanjahe counts only that facility's events (fewer than all events)."""
    at = run_app({**H1_2026, "filters_facility": ["rutan-kabanjahe"]}, page=PAGE)
    assert not at.exception
    kabanjahe = replace(H1, facility_ids=(demo_codes("facility", "rutan-kabanjahe"),))
    narrowed, everywhere = expected_totals(demo_kpi, kabanjahe), expected_totals(demo_kpi, H1)
    events = demo_kpi("outreach_reach", kabanjahe)["events"].sum()
    assert 0 < events < demo_kpi("outreach_reach", H1)["events"].sum()
    assert narrowed != everywhere
    assert shown_totals(at) == narrowed


def test_default_preset(demo_env, demo_kpi, default_filters):
    """With the default filters (last 3 months, everywhere) the cards equal outreach_reach's sums."""
    at = run_app({"filters_preset": "last_3_months"}, page=PAGE)
    assert not at.exception
    if not demo_kpi("outreach_reach", default_filters)["events"].sum():
        assert any("Belum ada data" in info.value for info in at.info)
        return
    assert shown_totals(at) == expected_totals(demo_kpi, default_filters)


def test_empty_period_says_no_data(demo_env):
    """A period without outreach events shows the 'no data' sentence instead of cards."""
    at = run_app({**H1_2026, "filters_from": date(2024, 1, 1), "filters_to": date(2024, 12, 31)}, page=PAGE)
    assert not at.exception
    assert any("Belum ada data" in info.value for info in at.info)
    assert len(at.metric) == 0
