"""The Fasilitas & Wilayah page under AppTest shows exactly what the comparison KPIs return."""

from dataclasses import replace
from datetime import date

import pandas as pd
import pytest

from rehabdata.kpis import Filters
from tests.pages.apptest import run_app

PAGE = "pages/comparison.py"
H1_2026 = {"filters_preset": "custom", "filters_from": date(2026, 1, 1), "filters_to": date(2026, 6, 30)}
H1 = Filters(start=date(2026, 1, 1), end=date(2026, 6, 30))


def tables(at) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The regions table and the facility league table, as the page hands them to st.dataframe."""
    frames = [frame.value for frame in at.dataframe]
    regions = [f for f in frames if "facility" not in f.columns]
    league = [f for f in frames if "facility" in f.columns]
    assert len(regions) == len(league) == 1, f"two tables expected: {[list(f.columns) for f in frames]}"
    return regions[0], league[0]


def expected_league(demo_kpi, filters: Filters) -> pd.DataFrame:
    """``facility_comparison`` ranked by screenings per 100 WBP, highest first."""
    frame = demo_kpi("facility_comparison", filters, ("facility",))
    return frame.sort_values("screenings_per_100", ascending=False, na_position="last")


def assert_league_matches(league: pd.DataFrame, expected: pd.DataFrame) -> None:
    assert league["facility"].tolist() == expected["facility"].tolist()
    assert league["screenings"].tolist() == expected["screenings"].tolist()
    assert league["screenings_per_100"].tolist() == pytest.approx(expected["screenings_per_100"].tolist())
    shown = league["screenings_per_100"].tolist()
    assert shown == sorted(shown, reverse=True), "the league table is ranked per 100 WBP, highest first"


def test_league_table_equals_facility_comparison(demo_env, demo_kpi):
    """The league table lists facility_comparison's screenings and screenings per 100, ranked."""
    at = run_app(H1_2026, page=PAGE)
    assert not at.exception
    _, league = tables(at)
    expected = expected_league(demo_kpi, H1)
    assert len(league) == 4
    assert_league_matches(league, expected)


def test_regions_table_equals_region_comparison(demo_env, demo_kpi):
    """The regions table has the two regions with region_comparison's screenings and per-100 rates."""
    at = run_app(H1_2026, page=PAGE)
    assert not at.exception
    regions, _ = tables(at)
    expected = demo_kpi("region_comparison", H1, ("region",))
    assert len(regions) == 2
    assert regions["region"].tolist() == expected["region"].tolist()
    assert regions["screenings"].tolist() == expected["screenings"].tolist()
    assert regions["screenings_per_100"].tolist() == pytest.approx(expected["screenings_per_100"].tolist())


def test_region_filter_narrows_tables(demo_env, demo_kpi, demo_codes):
    """Choosing Pekalongan leaves one region row and only that region's facilities in the league."""
    at = run_app({**H1_2026, "filters_region": ["pekalongan"]}, page=PAGE)
    assert not at.exception
    regions, league = tables(at)
    pekalongan = replace(H1, region_ids=(demo_codes("region", "pekalongan"),))
    expected_regions = demo_kpi("region_comparison", pekalongan, ("region",))
    assert regions["region"].tolist() == expected_regions["region"].tolist()
    assert len(regions) == 1
    expected = expected_league(demo_kpi, pekalongan)
    assert len(league) == 3
    assert_league_matches(league, expected)


def test_default_preset(demo_env, demo_kpi, default_filters):
    """With the default filters (last 3 months, everywhere) the league table equals facility_comparison."""
    at = run_app({"filters_preset": "last_3_months"}, page=PAGE)
    assert not at.exception
    expected = expected_league(demo_kpi, default_filters)
    if not expected[["screenings", "enrollments_started", "participant_sessions"]].to_numpy().any():
        assert any("Belum ada data" in info.value for info in at.info)
        return
    assert_league_matches(tables(at)[1], expected)


def test_empty_period_says_no_data(demo_env):
    """A period without records shows the 'no data' sentence instead of empty tables."""
    at = run_app({**H1_2026, "filters_from": date(2024, 1, 1), "filters_to": date(2024, 12, 31)}, page=PAGE)
    assert not at.exception
    assert any("Belum ada data" in info.value for info in at.info)
    assert len(at.dataframe) == 0
