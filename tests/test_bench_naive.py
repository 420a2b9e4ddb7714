"""The naive pandas baseline gives the SQL KPIs' answers; ``same_result`` compares frames fairly."""

from dataclasses import dataclass, replace
from datetime import date
from itertools import combinations

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session

from rehabdata import kpis
from rehabdata.bench.compare import same_result
from rehabdata.bench.naive import NAIVE_FUNCTIONS, NaiveData, compute
from rehabdata.bench.sets import page_sets
from rehabdata.demo import load_demo
from rehabdata.kpis import DIMENSIONS, Filters
from rehabdata.models import Facility, ProgrammeType, Region
from tests.conftest import EVERYONE, sqlite_engine

DEMO_TODAY = date(2026, 6, 30)  # data runs past the selections' end, as in a live database
LAST_3_MONTHS = Filters(start=date(2026, 1, 1), end=date(2026, 3, 31))
SEP_OCT = Filters(start=date(2025, 9, 1), end=date(2025, 10, 31))  # all of ``known_data``
GROUPINGS = [by for size in range(len(DIMENSIONS) + 1) for by in combinations(DIMENSIONS, size)]


@dataclass(frozen=True)
class Demo:
    """The demo database, its tables loaded for the baseline, and one region and facility to select."""

    engine: Engine
    data: NaiveData
    region_id: int
    facility_id: int


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Demo:
    """The demo dataset in SQLite, loaded once for the module."""
    engine = sqlite_engine(tmp_path_factory.mktemp("demo"))
    load_demo(engine, today=DEMO_TODAY)
    with Session(engine) as session:
        region_id = session.execute(select(Region.id).where(Region.code == "pekalongan")).scalar_one()
        facility_id = session.execute(
            select(Facility.id).where(Facility.code == "rutan-kabanjahe")
        ).scalar_one()
    yield Demo(engine, NaiveData.load(engine), region_id, facility_id)
    engine.dispose()


def demo_selection(name: str, demo: Demo) -> Filters:
    """The filter bar's choices the benchmark replays on the demo data."""
    return {
        "last 3 months": LAST_3_MONTHS,
        "year 2025": Filters(start=date(2025, 1, 1), end=date(2025, 12, 31)),
        "one region": replace(LAST_3_MONTHS, region_ids=(demo.region_id,)),
        "one facility": replace(LAST_3_MONTHS, facility_ids=(demo.facility_id,)),
        "medical": replace(LAST_3_MONTHS, programme=ProgrammeType.MEDICAL),
        "quarterly": Filters(start=date(2025, 8, 1), end=DEMO_TODAY, granularity="quarter"),
        "social by quarter, mid-month": Filters(
            start=date(2025, 10, 15),
            end=date(2026, 5, 20),
            programme=ProgrammeType.SOCIAL,
            granularity="quarter",
        ),
    }[name]


def page_mismatches(engine: Engine, data: NaiveData, selection: Filters) -> list[str]:
    """Every KPI call of every page whose naive frame differs from the SQL one, described."""
    problems = []
    with Session(engine) as session:
        agreements_from = kpis.agreement_start(session, selection) or selection.start
        for page, calls in page_sets(selection, agreements_from).items():
            for call in calls:
                expected = kpis.run_kpi(session, EVERYONE, call.name, call.filters, call.by)
                difference = same_result(expected, compute(data, call.name, call.filters, call.by))
                if difference:
                    problems.append(f"{page}: {call.name} by {call.by}: {difference}")
    return problems


@pytest.mark.parametrize(
    "name",
    ["last 3 months", "year 2025", "one region", "one facility", "medical", "quarterly"],
)
def test_demo_pages_match_sql(demo, name):
    """Every page's KPI calls on the demo data give the SQL answers."""
    assert page_mismatches(demo.engine, demo.data, demo_selection(name, demo)) == []


def test_demo_every_grouping_matches_sql(demo):
    """Every KPI with every grouping the SQL accepts gives the SQL answer; refused groupings are refused."""
    selection = demo_selection("social by quarter, mid-month", demo)
    problems = []
    with Session(demo.engine) as session:
        for kpi in NAIVE_FUNCTIONS:
            for by in GROUPINGS:
                try:
                    expected = kpis.run_kpi(session, EVERYONE, kpi, selection, by)
                except ValueError:
                    with pytest.raises(ValueError):
                        compute(demo.data, kpi, selection, by)
                    continue
                difference = same_result(expected, compute(demo.data, kpi, selection, by))
                if difference:
                    problems.append(f"{kpi} by {by}: {difference}")
    assert problems == []


def known_selection(name: str, known_data) -> Filters:
    """Selections over the hand-computable dataset (Sep–Oct 2025), one with no data at all."""
    return {
        "sep-oct": SEP_OCT,
        "mid-month": Filters(start=date(2025, 9, 10), end=date(2025, 10, 9)),
        "medical by quarter": replace(SEP_OCT, programme=ProgrammeType.MEDICAL, granularity="quarter"),
        "region a": replace(SEP_OCT, region_ids=(known_data.region_a,)),
        "facility f2": replace(SEP_OCT, facility_ids=(known_data.f2,)),
        "empty": Filters(start=date(2025, 1, 1), end=date(2025, 1, 31)),
    }[name]


@pytest.mark.parametrize(
    "name", ["sep-oct", "mid-month", "medical by quarter", "region a", "facility f2", "empty"]
)
def test_known_data_pages_match_sql(known_data, name):
    """Every page's KPI calls on the hand-computable dataset give the SQL answers, empty periods included."""
    data = NaiveData.load(known_data.engine)
    assert page_mismatches(known_data.engine, data, known_selection(name, known_data)) == []


def test_known_data_coverage_by_hand(known_data):
    """The baseline's own numbers are the hand-computed ones: 6 distinct screened over 110 + 50."""
    frame = compute(NaiveData.load(known_data.engine), "screening_coverage", SEP_OCT)
    assert frame[["numerator", "denominator"]].iloc[0].tolist() == [6, 160]


def test_compute_refuses_what_it_does_not_do(demo):
    """Signed-off data and KPIs outside the benchmark are refused, not answered wrongly."""
    with pytest.raises(NotImplementedError):
        compute(demo.data, "risk_distribution", replace(LAST_3_MONTHS, signed_off_only=True))
    with pytest.raises(NotImplementedError):
        compute(demo.data, "peer_capacity", LAST_3_MONTHS)


# --- same_result ----------------------------------------------------------------------------------

FRAME = pd.DataFrame(
    {
        "facility_id": [1, 1, 2],
        "period": ["2025-09", "2025-10", "2025-09"],
        "numerator": [3, 2, 0],
        "denominator": [100.0, 120.0, 0.0],
        "rate": [0.03, 2 / 120, np.nan],
    }
)


def test_same_result_accepts_an_identical_frame():
    """A frame equals its copy."""
    assert same_result(FRAME, FRAME.copy()) is None


def test_same_result_accepts_other_dtypes_and_orders():
    """Reordered rows and columns, Int64/float for int64 and None/pd.NA for NaN are the same result."""
    other = FRAME.iloc[[2, 0, 1]][["rate", "period", "denominator", "numerator", "facility_id"]].copy()
    other["facility_id"] = other["facility_id"].astype("Int64")
    other["numerator"] = other["numerator"].astype("float64")
    other["denominator"] = other["denominator"].astype("int64")
    other["rate"] = pd.Series([None, 0.03, 2 / 120 + 1e-12], index=other.index, dtype=object)
    assert same_result(FRAME, other) is None
    with_na = FRAME.assign(rate=pd.array([0.03, 2 / 120, pd.NA], dtype="Float64"))
    assert same_result(FRAME, with_na) is None
    text_missing = FRAME.assign(period=["2025-09", None, "2025-09"])
    assert (
        same_result(text_missing, text_missing.assign(period=pd.array(["2025-09", pd.NA, "2025-09"]))) is None
    )


def test_same_result_detects_a_changed_value():
    """A value off by more than the tolerance is named with its column and row keys."""
    changed = FRAME.assign(numerator=[3, 1, 0])
    difference = same_result(FRAME, changed)
    assert difference is not None and "'numerator'" in difference and "'2025-10'" in difference
    assert same_result(FRAME, FRAME.assign(rate=[0.03 + 1e-6, 2 / 120, np.nan])) is not None
    assert same_result(FRAME, FRAME.assign(rate=[0.03, 2 / 120, 0.0])) is not None
    assert same_result(FRAME, FRAME.assign(period=["2025-09", "2025-11", "2025-09"])) is not None


def test_same_result_detects_a_missing_row():
    """One row fewer is a difference."""
    assert "rows" in same_result(FRAME, FRAME.iloc[:2])


def test_same_result_detects_a_missing_column():
    """A missing or extra column is a difference, named."""
    assert "'rate'" in same_result(FRAME, FRAME.drop(columns="rate"))
    assert "'extra'" in same_result(FRAME, FRAME.assign(extra=1))
