"""KPIs against the hand-computed ``known_data`` fixture, on SQLite and PostgreSQL."""

import math
from datetime import date

import pytest
from sqlmodel import Session

from rehabdata import kpis
from rehabdata.kpis import Filters

SEP_OCT = Filters(start=date(2025, 9, 1), end=date(2025, 10, 31))


def rows(frame, *keys):
    """Frame rows as {key tuple: row dict} for readable assertions."""
    return {tuple(row[k] for k in keys): row for row in frame.to_dict("records")}


def test_screening_coverage_total(known_data):
    """Distinct screened (6) over summed mean populations (110 + 50)."""
    with Session(known_data.engine) as s:
        frame = kpis.screening_coverage(s, SEP_OCT)
    assert frame[["numerator", "denominator"]].iloc[0].tolist() == [6, 160]
    assert frame["rate"].iloc[0] == pytest.approx(6 / 160)


def test_screening_coverage_by_facility_and_month(known_data):
    """Per facility-month: F1 Sep 3/100, F1 Oct 2/120 (P1 counted once per month), F2 Oct 1/0 → no data."""
    with Session(known_data.engine) as s:
        frame = kpis.screening_coverage(s, SEP_OCT, ("facility", "period"))
    by_key = rows(frame, "facility_id", "period")
    assert (by_key[(known_data.f1, "2025-09")]["numerator"], by_key[(known_data.f1, "2025-09")]["denominator"]) == (3, 100)
    assert (by_key[(known_data.f1, "2025-10")]["numerator"], by_key[(known_data.f1, "2025-10")]["denominator"]) == (2, 120)
    october_f2 = by_key[(known_data.f2, "2025-10")]
    assert october_f2["numerator"] == 1 and october_f2["denominator"] == 0
    assert math.isnan(october_f2["rate"])


def test_screening_coverage_by_region_and_quarter(known_data):
    """Quarter grouping folds Sep into Q3 and Oct into Q4; regions follow their facilities."""
    quarterly = Filters(start=SEP_OCT.start, end=SEP_OCT.end, granularity="quarter")
    with Session(known_data.engine) as s:
        frame = kpis.screening_coverage(s, quarterly, ("region", "period"))
    by_key = rows(frame, "region_id", "period")
    assert by_key[(known_data.region_a, "2025-Q3")]["numerator"] == 3
    assert by_key[(known_data.region_a, "2025-Q4")]["denominator"] == 120
    assert by_key[(known_data.region_b, "2025-Q3")]["denominator"] == 50


def test_risk_distribution(known_data):
    """F1: 2 low, 2 moderate, 1 high → 3/5 moderate+high; F2: 1/2."""
    with Session(known_data.engine) as s:
        frame = kpis.risk_distribution(s, SEP_OCT, ("facility",))
    f1, f2 = rows(frame, "facility_id")[(known_data.f1,)], rows(frame, "facility_id")[(known_data.f2,)]
    assert (f1["low"], f1["moderate"], f1["high"], f1["numerator"], f1["denominator"]) == (2, 2, 1, 3, 5)
    assert f1["rate"] == pytest.approx(0.6)
    assert (f2["numerator"], f2["denominator"]) == (1, 2)


def test_attendance_rate(known_data):
    """3 attended of 4 expected in 3 sessions; an ended enrolment is not expected after its end."""
    with Session(known_data.engine) as s:
        total = kpis.attendance_rate(s, SEP_OCT)
        social = kpis.attendance_rate(s, Filters(start=SEP_OCT.start, end=SEP_OCT.end, programme="social"))
    assert total[["sessions", "numerator", "denominator"]].iloc[0].tolist() == [3, 3, 4]
    assert social[["sessions", "numerator", "denominator"]].iloc[0].tolist() == [2, 2, 3]


def test_attendance_rate_without_sessions_is_no_data(known_data):
    """A facility with no sessions has denominator 0 and rate NaN, not 0 %."""
    with Session(known_data.engine) as s:
        frame = kpis.attendance_rate(s, Filters(start=SEP_OCT.start, end=SEP_OCT.end, facility_ids=(known_data.f2,)))
    assert frame[["sessions", "numerator", "denominator"]].iloc[0].tolist() == [0, 0, 0]
    assert math.isnan(frame["rate"].iloc[0])


def test_active_enrollments_on_last_day(known_data):
    """On 31 Oct, P2 (social) and P4 (medical) are active; P3 ended on 10 Oct."""
    with Session(known_data.engine) as s:
        frame = kpis.active_enrollments(s, SEP_OCT)
        early = kpis.active_enrollments(s, Filters(start=date(2025, 9, 1), end=date(2025, 9, 30)))
    assert dict(zip(frame["programme"], frame["count"], strict=True)) == {"medical": 1, "social": 1}
    assert dict(zip(early["programme"], early["count"], strict=True)) == {"social": 2}


def test_region_filter_restricts_every_kpi(known_data):
    """Filtering on region B leaves only F2's figures."""
    only_b = Filters(start=SEP_OCT.start, end=SEP_OCT.end, region_ids=(known_data.region_b,))
    with Session(known_data.engine) as s:
        assert kpis.screening_coverage(s, only_b)[["numerator", "denominator"]].iloc[0].tolist() == [2, 50]
        assert kpis.risk_distribution(s, only_b)["denominator"].iloc[0] == 2
        assert kpis.active_enrollments(s, only_b).empty


def test_overview_by_facility(known_data):
    """One row per facility with the same numbers as the single KPIs."""
    with Session(known_data.engine) as s:
        table = kpis.overview_by_facility(s, SEP_OCT)
    f1 = table.set_index("facility_id").loc[known_data.f1]
    assert f1["coverage"] == pytest.approx(4 / 110)
    assert (f1["screenings"], f1["sessions"], f1["active_enrollments"]) == (5, 3, 2)
    assert f1["moderate_high_share"] == pytest.approx(0.6)
    assert f1["attendance_rate"] == pytest.approx(0.75)


def test_empty_period_gives_no_data(known_data):
    """A period without any record returns zero counts and NaN rates, not an error."""
    empty = Filters(start=date(2024, 1, 1), end=date(2024, 1, 31))
    with Session(known_data.engine) as s:
        coverage = kpis.screening_coverage(s, empty)
        risk = kpis.risk_distribution(s, empty)
    assert coverage["numerator"].iloc[0] == 0 and math.isnan(coverage["rate"].iloc[0])
    assert risk["denominator"].iloc[0] == 0 and math.isnan(risk["rate"].iloc[0])


def test_filters_reject_reversed_period():
    """A period ending before it starts is refused."""
    with pytest.raises(ValueError, match="before its start"):
        Filters(start=date(2025, 10, 1), end=date(2025, 9, 1))
