"""KPIs against the hand-computed ``known_data`` fixture, on SQLite and PostgreSQL."""

import math
from datetime import date
from types import SimpleNamespace

import pandas as pd
import pytest
from sqlalchemy import select
from sqlmodel import Session

from rehabdata import kpis
from rehabdata.assist import SUBSTANCES
from rehabdata.auth import ScopeError
from rehabdata.db import session_scope
from rehabdata.kpis import Filters
from rehabdata.models import Screening
from tests import factories as f
from tests.aggregate_checks import assert_aggregates_exact
from tests.conftest import EVERYONE

SEP_OCT = Filters(start=date(2025, 9, 1), end=date(2025, 10, 31))


def rows(frame, *keys):
    """Frame rows as {key tuple: row dict} for readable assertions."""
    return {tuple(row[k] for k in keys): row for row in frame.to_dict("records")}


def test_screening_coverage_total(known_data):
    """Distinct screened (6) over summed mean populations (110 + 50)."""
    with Session(known_data.engine) as s:
        frame = kpis.run_kpi(s, EVERYONE, "screening_coverage", SEP_OCT)
    assert frame[["numerator", "denominator"]].iloc[0].tolist() == [6, 160]
    assert frame["rate"].iloc[0] == pytest.approx(6 / 160)


def test_screening_coverage_by_facility_and_month(known_data):
    """Per facility-month: F1 Sep 3/100, F1 Oct 2/120 (P1 counted once per month), F2 Oct 1/0 → no data."""
    with Session(known_data.engine) as s:
        frame = kpis.run_kpi(s, EVERYONE, "screening_coverage", SEP_OCT, ("facility", "period"))
    by_key = rows(frame, "facility_id", "period")
    assert (
        by_key[(known_data.f1, "2025-09")]["numerator"],
        by_key[(known_data.f1, "2025-09")]["denominator"],
    ) == (3, 100)
    assert (
        by_key[(known_data.f1, "2025-10")]["numerator"],
        by_key[(known_data.f1, "2025-10")]["denominator"],
    ) == (2, 120)
    october_f2 = by_key[(known_data.f2, "2025-10")]
    assert october_f2["numerator"] == 1 and october_f2["denominator"] == 0
    assert math.isnan(october_f2["rate"])


def test_screening_coverage_by_region_and_quarter(known_data):
    """Quarter grouping folds Sep into Q3 and Oct into Q4; regions follow their facilities."""
    quarterly = Filters(start=SEP_OCT.start, end=SEP_OCT.end, granularity="quarter")
    with Session(known_data.engine) as s:
        frame = kpis.run_kpi(s, EVERYONE, "screening_coverage", quarterly, ("region", "period"))
    by_key = rows(frame, "region_id", "period")
    assert by_key[(known_data.region_a, "2025-Q3")]["numerator"] == 3
    assert by_key[(known_data.region_a, "2025-Q4")]["denominator"] == 120
    assert by_key[(known_data.region_b, "2025-Q3")]["denominator"] == 50


PERIOD_LABELS = {
    "month": lambda day: f"{day:%Y-%m}",
    "quarter": lambda day: f"{day.year}-Q{(day.month - 1) // 3 + 1}",
}


def _screened_by_hand(screenings, start: date, end: date, granularity: str, by: tuple[str, ...]) -> dict:
    """Distinct (facility, participant) pairs screened in each group of ``start``–``end``, counted per
    group (key: facility and/or period as ``by`` says)."""
    counts: dict = {}
    for facility_id, participant_id, day in screenings:
        if start <= day <= end:
            key = (facility_id,) * ("facility" in by) + (PERIOD_LABELS[granularity](day),) * ("period" in by)
            counts.setdefault(key, set()).add((facility_id, participant_id))
    return {key: len(pairs) for key, pairs in counts.items()}


def _coverage_numerators(session, selection: Filters, by: tuple[str, ...]) -> dict:
    frame = kpis.run_kpi(session, EVERYONE, "screening_coverage", selection, by)
    columns = [{"facility": "facility_id", "period": "period"}[dimension] for dimension in by]
    return {
        tuple(row[c] for c in columns): row["numerator"]
        for row in frame.to_dict("records")
        if row["numerator"]
    }


def test_screening_coverage_counts_each_participant_once_per_facility_and_range(any_engine):
    """Re-screenings, a transfer, ranges starting mid-month, an edit and a delete: the numerator (a sum
    over coverage cells) equals distinct participants per facility counted from the rows by hand."""
    with session_scope(any_engine) as s:
        region = f.make_region(s)
        a, b = f.make_facility(s, region), f.make_facility(s, region)
        moved, stays = f.make_participant(s, a), f.make_participant(s, a)
        for day in (date(2025, 9, 3), date(2025, 9, 20), date(2025, 10, 5), date(2025, 12, 1)):
            f.make_screening(s, moved, day, "low")
        f.make_screening(s, stays, date(2025, 9, 10), "low")
        f.make_screening(s, moved, date(2025, 10, 25), "high", facility_id=b.id)  # after a transfer to B

    def check() -> None:
        with Session(any_engine) as s:
            screenings = s.execute(
                select(Screening.facility_id, Screening.participant_id, Screening.screened_on)
            ).all()
            for start, end in [
                (date(2025, 9, 1), date(2025, 12, 31)),
                (date(2025, 9, 15), date(2025, 10, 31)),
                (date(2025, 9, 21), date(2025, 12, 1)),
                (date(2025, 10, 6), date(2025, 10, 30)),
                (date(2025, 9, 20), date(2025, 10, 31)),  # starts on the day of a previous screening
                (date(2025, 10, 5), date(2025, 12, 31)),
            ]:
                for granularity in PERIOD_LABELS:
                    selection = Filters(start=start, end=end, granularity=granularity)
                    for by in ((), ("facility",), ("period",), ("facility", "period")):
                        expected = _screened_by_hand(screenings, start, end, granularity, by)
                        found = _coverage_numerators(s, selection, by)
                        assert found == {k: v for k, v in expected.items() if v}, (
                            start,
                            end,
                            granularity,
                            by,
                        )

    check()
    with session_scope(any_engine) as s:  # the participant's second screening at A goes, the first moves
        s.delete(s.execute(select(Screening).where(Screening.screened_on == date(2025, 9, 20))).scalar_one())
        first = s.execute(select(Screening).where(Screening.screened_on == date(2025, 9, 3))).scalar_one()
        first.screened_on = date(2025, 9, 25)
    check()
    assert_aggregates_exact(any_engine)


def test_risk_distribution(known_data):
    """F1: 2 low, 2 moderate, 1 high → 3/5 moderate+high; F2: 1/2."""
    with Session(known_data.engine) as s:
        frame = kpis.run_kpi(s, EVERYONE, "risk_distribution", SEP_OCT, ("facility",))
    f1, f2 = rows(frame, "facility_id")[(known_data.f1,)], rows(frame, "facility_id")[(known_data.f2,)]
    assert (f1["low"], f1["moderate"], f1["high"], f1["numerator"], f1["denominator"]) == (2, 2, 1, 3, 5)
    assert f1["rate"] == pytest.approx(0.6)
    assert (f2["numerator"], f2["denominator"]) == (1, 2)


def test_attendance_rate(known_data):
    """3 attended of 4 expected in 3 sessions; an ended enrolment is not expected after its end."""
    with Session(known_data.engine) as s:
        total = kpis.run_kpi(s, EVERYONE, "attendance_rate", SEP_OCT)
        social = kpis.run_kpi(
            s, EVERYONE, "attendance_rate", Filters(start=SEP_OCT.start, end=SEP_OCT.end, programme="social")
        )
    assert total[["sessions", "numerator", "denominator"]].iloc[0].tolist() == [3, 3, 4]
    assert social[["sessions", "numerator", "denominator"]].iloc[0].tolist() == [2, 2, 3]


def test_attendance_rate_without_sessions_is_no_data(known_data):
    """A facility with no sessions has denominator 0 and rate NaN, not 0 %."""
    with Session(known_data.engine) as s:
        frame = kpis.run_kpi(
            s,
            EVERYONE,
            "attendance_rate",
            Filters(start=SEP_OCT.start, end=SEP_OCT.end, facility_ids=(known_data.f2,)),
        )
    assert frame[["sessions", "numerator", "denominator"]].iloc[0].tolist() == [0, 0, 0]
    assert math.isnan(frame["rate"].iloc[0])


def test_active_enrollments_on_last_day(known_data):
    """On 31 Oct, P2 (social) and P4 (medical) are active; P3 ended on 10 Oct."""
    with Session(known_data.engine) as s:
        frame = kpis.run_kpi(s, EVERYONE, "active_enrollments", SEP_OCT)
        early = kpis.run_kpi(
            s, EVERYONE, "active_enrollments", Filters(start=date(2025, 9, 1), end=date(2025, 9, 30))
        )
    assert dict(zip(frame["programme"], frame["count"], strict=True)) == {"medical": 1, "social": 1}
    assert dict(zip(early["programme"], early["count"], strict=True)) == {"social": 2}


def test_region_filter_restricts_every_kpi(known_data):
    """Filtering on region B leaves only F2's figures."""
    only_b = Filters(start=SEP_OCT.start, end=SEP_OCT.end, region_ids=(known_data.region_b,))
    with Session(known_data.engine) as s:
        assert kpis.run_kpi(s, EVERYONE, "screening_coverage", only_b)[["numerator", "denominator"]].iloc[
            0
        ].tolist() == [2, 50]
        assert kpis.run_kpi(s, EVERYONE, "risk_distribution", only_b)["denominator"].iloc[0] == 2
        assert kpis.run_kpi(s, EVERYONE, "active_enrollments", only_b).empty


def test_overview_by_facility(known_data):
    """One row per facility with the same numbers as the single KPIs."""
    with Session(known_data.engine) as s:
        table = kpis.run_kpi(s, EVERYONE, "overview_by_facility", SEP_OCT)
    f1 = table.set_index("facility_id").loc[known_data.f1]
    assert f1["coverage"] == pytest.approx(4 / 110)
    assert (f1["screenings"], f1["sessions"], f1["active_enrollments"]) == (5, 3, 2)
    assert f1["moderate_high_share"] == pytest.approx(0.6)
    assert f1["attendance_rate"] == pytest.approx(0.75)


def test_empty_period_gives_no_data(known_data):
    """A period without any record returns zero counts and NaN rates, not an error."""
    empty = Filters(start=date(2024, 1, 1), end=date(2024, 1, 31))
    with Session(known_data.engine) as s:
        coverage = kpis.run_kpi(s, EVERYONE, "screening_coverage", empty)
        risk = kpis.run_kpi(s, EVERYONE, "risk_distribution", empty)
    assert coverage["numerator"].iloc[0] == 0 and math.isnan(coverage["rate"].iloc[0])
    assert risk["denominator"].iloc[0] == 0 and math.isnan(risk["rate"].iloc[0])


def test_filters_reject_reversed_period():
    """A period ending before it starts is refused."""
    with pytest.raises(ValueError, match="before its start"):
        Filters(start=date(2025, 10, 1), end=date(2025, 9, 1))


# --- topic fixtures: a few rows each, built with the factory helpers -----------------------------


def _base(s):
    """A region with one facility (the common start of every topic fixture)."""
    region = f.make_region(s)
    return region, f.make_facility(s, region)


@pytest.fixture
def referral_data(any_engine):
    """Moderate/high screenings on 1 Sep (A, B), 15 Sep (E) and 20 Sep (D); one low one (C).

    A: assessed day 4, social enrolment on day 30. B: assessed and enrolled on day 31.
    D: assessed and medical enrolment on day 0. E: enrolled the day before the screening.
    C (low): enrolled two days later — outside the funnel.
    """
    with session_scope(any_engine) as s:
        _, facility = _base(s)
        a, b, c, d, e = (f.make_participant(s, facility) for _ in range(5))
        f.make_screening(s, a, date(2025, 9, 1), "moderate")
        f.make_assessment(s, a, date(2025, 9, 5))
        f.make_enrollment(s, a, date(2025, 10, 1), "social")
        f.make_screening(s, b, date(2025, 9, 1), "high")
        f.make_assessment(s, b, date(2025, 10, 2))
        f.make_enrollment(s, b, date(2025, 10, 2), "social")
        f.make_screening(s, c, date(2025, 9, 10), "low")
        f.make_enrollment(s, c, date(2025, 9, 12), "social")
        f.make_screening(s, d, date(2025, 9, 20), "moderate")
        f.make_assessment(s, d, date(2025, 9, 20))
        f.make_enrollment(s, d, date(2025, 9, 20), "medical")
        f.make_screening(s, e, date(2025, 9, 15), "high")
        f.make_enrollment(s, e, date(2025, 9, 14), "social")
    return any_engine


def test_referral_within_30_days(referral_data):
    """Day 30 and day 0 count, day 31 and the day before do not: 2 of 4; assessed 2 of 4."""
    with Session(referral_data) as s:
        frame = kpis.run_kpi(s, EVERYONE, "referral_funnel", SEP_OCT)
    row = frame.iloc[0]
    assert (row["moderate_high"], row["assessed"], row["enrolled_30d"]) == (4, 2, 2)
    assert (row["numerator"], row["denominator"]) == (2, 4)
    assert row["rate"] == pytest.approx(0.5) and row["assessed_rate"] == pytest.approx(0.5)


def test_referral_respects_programme(referral_data):
    """With the medical programme selected only D's enrolment is a referral: 1 of 4."""
    medical = Filters(start=SEP_OCT.start, end=SEP_OCT.end, programme="medical")
    with Session(referral_data) as s:
        frame = kpis.run_kpi(s, EVERYONE, "referral_funnel", medical)
    assert frame[["enrolled_30d", "assessed", "denominator"]].iloc[0].tolist() == [1, 2, 4]


@pytest.fixture
def outcomes_data(any_engine):
    """Enrolments ending Sep–Oct: completed after 91 (Sep) and 61 days (Oct), two drop-outs after 10
    days (Sep), one released, one transferred; plus one still active and one that ended in August."""
    with session_scope(any_engine) as s:
        _, facility = _base(s)
        for started_on, ended_on, status in (
            (date(2025, 7, 1), date(2025, 9, 30), "completed"),
            (date(2025, 8, 1), date(2025, 10, 1), "completed"),
            (date(2025, 9, 1), date(2025, 9, 11), "dropped_out"),
            (date(2025, 9, 5), date(2025, 9, 15), "dropped_out"),
            (date(2025, 8, 1), date(2025, 9, 15), "released"),
            (date(2025, 8, 1), date(2025, 10, 20), "transferred"),
            (date(2025, 9, 1), None, "active"),
            (date(2025, 6, 1), date(2025, 8, 31), "completed"),
        ):
            participant = f.make_participant(s, facility)
            f.make_enrollment(s, participant, started_on, "social", status=status, ended_on=ended_on)
    return any_engine


def test_outcomes_releases_and_transfers_are_not_failures(outcomes_data):
    """2 completed of 4 (completed + dropped out); the release and the transfer stay out of the denominator."""
    with Session(outcomes_data) as s:
        row = kpis.run_kpi(s, EVERYONE, "programme_outcomes", SEP_OCT).iloc[0]
    assert (row["completed"], row["dropped_out"], row["released"], row["transferred"]) == (2, 2, 1, 1)
    assert (row["numerator"], row["denominator"], row["dropout_numerator"]) == (2, 4, 2)
    assert row["rate"] == pytest.approx(0.5) and row["dropout_rate"] == pytest.approx(0.5)


def test_outcomes_median_days(outcomes_data):
    """Median days: {10, 10, 61, 91} → 35.5 in total (even), Sep {10, 10, 91} → 10 (odd), Oct {61} → 61."""
    with Session(outcomes_data) as s:
        total = kpis.run_kpi(s, EVERYONE, "programme_outcomes", SEP_OCT)
        monthly = rows(kpis.run_kpi(s, EVERYONE, "programme_outcomes", SEP_OCT, ("period",)), "period")
    assert total["median_days"].iloc[0] == pytest.approx(35.5)
    assert monthly[("2025-09",)]["median_days"] == pytest.approx(10)
    assert monthly[("2025-10",)]["median_days"] == pytest.approx(61)
    assert (monthly[("2025-10",)]["released"], monthly[("2025-10",)]["transferred"]) == (0, 1)


def test_median_from_histogram():
    """Weighted median per group: odd count takes the middle value, even count averages the two middle ones."""
    histogram = pd.DataFrame({"g": [1, 1, 2, 2, 2], "days": [5, 3, 1, 2, 9], "n": [1, 2, 1, 1, 2]})
    medians = kpis.median_from_histogram(histogram, ["g"], "days", "n")
    assert dict(zip(medians["g"], medians["median"], strict=True)) == {1: 3, 2: 5.5}
    assert kpis.median_from_histogram(histogram, [], "days", "n")["median"].iloc[0] == 3  # 1 2 3 3 5 9 9


@pytest.fixture
def progress_data(any_engine):
    """Follow-ups compared with the latest screening on or before them.

    P1: screened high (30) in Aug; followed moderate (12, urine positive) 10 Sep, low (2, negative) 10 Oct.
    P2: screened high in Aug and low (2) 20 Sep; followed low (2) 1 Oct, urine not done.
    P3: never screened; followed moderate 15 Sep, urine negative.
    P4: followed moderate 5 Oct (urine positive), screened only later, 20 Oct.
    """
    with session_scope(any_engine) as s:
        _, facility = _base(s)
        p1, p2, p3, p4 = (f.make_participant(s, facility) for _ in range(4))
        f.make_screening(s, p1, date(2025, 8, 1), "high")
        f.make_follow_up(s, p1, date(2025, 9, 10), "moderate", urine_result="positive")
        f.make_follow_up(s, p1, date(2025, 10, 10), "low", urine_result="negative")
        f.make_screening(s, p2, date(2025, 8, 1), "high")
        f.make_screening(s, p2, date(2025, 9, 20), "low")
        f.make_follow_up(s, p2, date(2025, 10, 1), "low")
        f.make_follow_up(s, p3, date(2025, 9, 15), "moderate", urine_result="negative")
        f.make_follow_up(s, p4, date(2025, 10, 5), "moderate", urine_result="positive")
        f.make_screening(s, p4, date(2025, 10, 20), "high")
    return any_engine


def test_progress_risk_fell_and_urine(progress_data):
    """4 followed, 2 compared; P1's risk fell (high → low), P2's did not (low → low); urine 2 negative of 3."""
    with Session(progress_data) as s:
        row = kpis.run_kpi(s, EVERYONE, "progress", SEP_OCT).iloc[0]
    assert (row["followed"], row["compared"], row["numerator"], row["denominator"]) == (4, 2, 1, 2)
    assert row["rate"] == pytest.approx(0.5)
    assert row["mean_score_change"] == pytest.approx((2 - 30 + 2 - 2) / 2)
    assert (row["urine_negative"], row["urine_tested"]) == (2, 3)
    assert row["urine_negative_rate"] == pytest.approx(2 / 3)


def test_progress_by_month_uses_each_months_latest_follow_up(progress_data):
    """September: P1 (12 vs 30, positive) and P3 (negative); October: P1, P2 and P4."""
    with Session(progress_data) as s:
        monthly = rows(kpis.run_kpi(s, EVERYONE, "progress", SEP_OCT, ("period",)), "period")
    counts = ("followed", "compared", "numerator", "urine_negative", "urine_tested")
    september, october = monthly[("2025-09",)], monthly[("2025-10",)]
    assert [september[c] for c in counts] == [2, 1, 1, 1, 2]
    assert september["mean_score_change"] == pytest.approx(-18)
    assert [october[c] for c in counts] == [3, 2, 1, 1, 2]
    assert october["mean_score_change"] == pytest.approx(-14)


@pytest.fixture
def substances_data(any_engine):
    """Three September screenings: tobacco + amphetamines, tobacco + cannabis, amphetamines; opioids in August."""
    with session_scope(any_engine) as s:
        _, facility = _base(s)
        p1, p2, p3 = (f.make_participant(s, facility) for _ in range(3))
        f.make_screening(s, p1, date(2025, 9, 1), "moderate", score_tobacco=4)
        f.make_screening(
            s, p2, date(2025, 9, 2), "low", score_tobacco=3, score_cannabis=2, score_amphetamines=None
        )
        f.make_screening(s, p3, date(2025, 9, 3), "high")
        f.make_screening(s, p3, date(2025, 8, 3), "high", score_opioids=20)
    return any_engine


def test_substances_reported(substances_data):
    """One row per substance in ASSIST order; tobacco 2/3, amphetamines 2/3, cannabis 1/3, opioids (August) 0."""
    with Session(substances_data) as s:
        frame = kpis.run_kpi(s, EVERYONE, "substances_reported", SEP_OCT)
    assert frame["substance"].tolist() == list(SUBSTANCES)
    by_substance = frame.set_index("substance")
    assert by_substance["numerator"].to_dict() == {
        **dict.fromkeys(SUBSTANCES, 0),
        "tobacco": 2,
        "amphetamines": 2,
        "cannabis": 1,
    }
    assert set(by_substance["denominator"]) == {3}
    assert by_substance.loc["tobacco", "rate"] == pytest.approx(2 / 3)


@pytest.fixture
def outreach_data(any_engine):
    """Region A (facility FA) and B (facility FB); September events plus one in August.

    A: FA penyuluhan/wbp 40 and 10; no facility kampanye/public 200. B: FB penyuluhan/wbp 30.
    """
    with session_scope(any_engine) as s:
        region_a, facility_a = _base(s)
        region_b = f.make_region(s)
        facility_b = f.make_facility(s, region_b)
        f.make_outreach(s, region_a, date(2025, 9, 3), 40, facility_id=facility_a.id)
        f.make_outreach(s, region_a, date(2025, 9, 4), 10, facility_id=facility_a.id)
        f.make_outreach(s, region_a, date(2025, 9, 5), 200, event_type="kampanye", audience="public")
        f.make_outreach(s, region_b, date(2025, 9, 6), 30, facility_id=facility_b.id)
        f.make_outreach(s, region_a, date(2025, 8, 30), 500, facility_id=facility_a.id)
        ids = SimpleNamespace(
            engine=any_engine, region_a=region_a.id, facility_a=facility_a.id, facility_b=facility_b.id
        )
    return ids


def test_outreach_region_filter_keeps_events_without_facility(outreach_data):
    """Region A: 2 penyuluhan events (50 people) and the facility-less kampanye (200)."""
    only_a = Filters(start=SEP_OCT.start, end=SEP_OCT.end, region_ids=(outreach_data.region_a,))
    with Session(outreach_data.engine) as s:
        frame = kpis.run_kpi(s, EVERYONE, "outreach_reach", only_a)
    reach = {
        (r["event_type"], r["audience"]): (r["events"], r["people_reached"]) for r in frame.to_dict("records")
    }
    assert reach == {("penyuluhan", "wbp"): (2, 50), ("kampanye", "public"): (1, 200)}


def test_outreach_facility_filter_and_grouping(outreach_data):
    """Facility FA keeps only its own events; by facility the facility-less event forms its own group."""
    only_fa = Filters(start=SEP_OCT.start, end=SEP_OCT.end, facility_ids=(outreach_data.facility_a,))
    with Session(outreach_data.engine) as s:
        filtered = kpis.run_kpi(s, EVERYONE, "outreach_reach", only_fa)
        grouped = kpis.run_kpi(s, EVERYONE, "outreach_reach", SEP_OCT, ("facility",))
    assert filtered[["events", "people_reached"]].values.tolist() == [[2, 50]]
    people = dict(zip(grouped["facility_id"], grouped["people_reached"], strict=True))
    assert people == {outreach_data.facility_a: 50, outreach_data.facility_b: 30, pd.NA: 200}
    assert pd.isna(grouped["facility_id"].iloc[-1])


@pytest.fixture
def monev_data(any_engine):
    """Visit 10 Sep with four actions (done; open due 15 Oct; in progress due 15 Nov; open, no date),
    visit 5 Oct without actions, and an August visit with an overdue action (outside the period)."""
    with session_scope(any_engine) as s:
        _, facility = _base(s)
        f.make_monev_visit(
            s,
            facility,
            date(2025, 9, 10),
            actions=(
                ("done", date(2025, 9, 30)),
                ("open", date(2025, 10, 15)),
                ("in_progress", date(2025, 11, 15)),
                ("open", None),
            ),
        )
        f.make_monev_visit(s, facility, date(2025, 10, 5))
        f.make_monev_visit(s, facility, date(2025, 8, 20), actions=(("open", date(2025, 9, 1)),))
    return any_engine


def test_monev_overdue_actions(monev_data):
    """2 visits, 4 actions, 3 open, 1 overdue on 31 Oct; on 15 Oct nothing is overdue yet (due that day)."""
    mid_october = Filters(start=SEP_OCT.start, end=date(2025, 10, 15))
    with Session(monev_data) as s:
        frame = kpis.run_kpi(s, EVERYONE, "monev_summary", SEP_OCT)
        earlier = kpis.run_kpi(s, EVERYONE, "monev_summary", mid_october)
        monthly = rows(kpis.run_kpi(s, EVERYONE, "monev_summary", SEP_OCT, ("period",)), "period")
    columns = ["visits", "actions", "open_actions", "overdue_actions"]
    assert frame[columns].iloc[0].tolist() == [2, 4, 3, 1]
    assert earlier[columns].iloc[0].tolist() == [2, 4, 3, 0]
    assert [monthly[("2025-10",)][c] for c in columns] == [1, 0, 0, 0]


@pytest.fixture
def peer_data(any_engine):
    """Trainings ended 30 Jun (a completed+active, b completed), 20 Sep (c, d completed+active; e not
    completed), 10 Oct (f completed, inactive) and 5 Nov (g); staff trained 5, 3, 2 and 1."""
    with session_scope(any_engine) as s:
        _, facility = _base(s)
        a, b, c, d, e, f_, g = (f.make_participant(s, facility) for _ in range(7))
        f.make_training(s, facility, date(2025, 6, 30), ((a, True, True), (b, True, False)), staff_trained=5)
        f.make_training(
            s,
            facility,
            date(2025, 9, 20),
            ((c, True, True), (d, True, True), (e, False, True)),
            staff_trained=3,
        )
        f.make_training(s, facility, date(2025, 10, 10), ((f_, True, False),), staff_trained=2)
        f.make_training(s, facility, date(2025, 11, 5), ((g, True, True),), staff_trained=1)
    return any_engine


def test_peer_capacity(peer_data):
    """Sep–Oct: 2 trainings, 3 trained, 5 staff; active stock 3 (a, c, d) counts the June training too."""
    with Session(peer_data) as s:
        total = kpis.run_kpi(s, EVERYONE, "peer_capacity", SEP_OCT)
        monthly = rows(kpis.run_kpi(s, EVERYONE, "peer_capacity", SEP_OCT, ("period",)), "period")
    columns = ["trainings", "trained", "active", "staff_trained"]
    assert total[columns].iloc[0].tolist() == [2, 3, 3, 5]
    assert [monthly[("2025-09",)][c] for c in columns] == [1, 2, 3, 3]
    assert [monthly[("2025-10",)][c] for c in columns] == [1, 1, 3, 2]


@pytest.fixture
def agreement_data(any_engine):
    """PKS signed 15 Aug covering FA (targets: 4 screenings, 100 outreach people, 0 monev visits);
    a second agreement covers FB only. Records around it are either counted or not (see the tests)."""
    with session_scope(any_engine) as s:
        region, facility_a = _base(s)
        facility_b = f.make_facility(s, region)
        partner, other_partner = f.make_partner(s, region), f.make_partner(s, region)
        agreement = f.make_agreement(
            s,
            partner,
            date(2025, 8, 15),
            (facility_a,),
            items=(("screenings", 4), ("outreach_people", 100), ("monev_visits", 0)),
        )
        f.make_agreement(s, other_partner, date(2025, 9, 1), (facility_b,), items=(("screenings", 10),))
        for facility, day in (
            (facility_a, date(2025, 8, 10)),  # before signing
            (facility_a, date(2025, 8, 15)),  # the signing day counts
            (facility_a, date(2025, 9, 1)),
            (facility_a, date(2025, 11, 5)),  # after the period
            (facility_b, date(2025, 9, 1)),  # another facility
        ):
            f.make_screening(s, f.make_participant(s, facility), day, "low")
        f.make_outreach(s, region, date(2025, 9, 10), 30, facility_id=facility_a.id)
        f.make_outreach(s, region, date(2025, 9, 20), 50, partner_id=partner.id)
        f.make_outreach(s, region, date(2025, 10, 5), 20, facility_id=facility_a.id, partner_id=partner.id)
        f.make_outreach(
            s, region, date(2025, 9, 10), 999, facility_id=facility_b.id, partner_id=other_partner.id
        )
        f.make_outreach(s, region, date(2025, 8, 1), 999, partner_id=partner.id)
        f.make_monev_visit(s, facility_b, date(2025, 9, 5), agreement_id=agreement.id)
        ids = SimpleNamespace(engine=any_engine, agreement=agreement.id, facility_a=facility_a.id)
    return ids


def test_agreement_delivery(agreement_data):
    """Since signing (the period start is ignored): screenings 2 of 4, outreach people 100 of 100, day 77."""
    october = Filters(
        start=date(2025, 10, 1), end=date(2025, 10, 31), facility_ids=(agreement_data.facility_a,)
    )
    with Session(agreement_data.engine) as s:
        frame = kpis.run_kpi(s, EVERYONE, "agreement_delivery", october)
    assert set(frame["agreement_id"]) == {agreement_data.agreement}
    items = frame.set_index("metric")
    assert (items.loc["screenings", "delivered"], items.loc["screenings", "target"]) == (2, 4)
    assert items.loc["screenings", "rate"] == pytest.approx(0.5)
    assert (items.loc["outreach_people", "numerator"], items.loc["outreach_people", "denominator"]) == (
        100,
        100,
    )
    assert items.loc["outreach_people", "rate"] == pytest.approx(1.0)
    assert set(frame["days_since_signing"]) == {77}


def test_agreement_delivery_zero_target_and_tagged_visit(agreement_data):
    """A monev visit tagged with the agreement counts even at another facility; target 0 gives NaN, not an error."""
    with Session(agreement_data.engine) as s:
        frame = kpis.run_kpi(s, EVERYONE, "agreement_delivery", SEP_OCT)
        with pytest.raises(ValueError, match="no grouping"):
            kpis.run_kpi(s, EVERYONE, "agreement_delivery", SEP_OCT, ("facility",))
    monev = frame[frame["metric"] == "monev_visits"].iloc[0]
    assert (monev["delivered"], monev["target"]) == (1, 0) and math.isnan(monev["rate"])
    assert len(frame) == 4


def test_agreement_list(agreement_data):
    """Facility FA selects only the first agreement, with its partner and facility ids; empty when none."""
    only_fa = Filters(start=SEP_OCT.start, end=SEP_OCT.end, facility_ids=(agreement_data.facility_a,))
    before = Filters(start=date(2025, 1, 1), end=date(2025, 8, 14))
    with Session(agreement_data.engine) as s:
        listed = kpis.agreement_list(s, only_fa)
        everything = kpis.agreement_list(s, SEP_OCT)
        unsigned = kpis.agreement_list(s, before)
    assert listed["agreement_id"].tolist() == [agreement_data.agreement]
    assert listed["facility_ids"].iloc[0] == (agreement_data.facility_a,)
    assert listed["partner"].iloc[0].startswith("BNNK")
    assert len(everything) == 2 and unsigned.empty


# --- on the shared known data ---------------------------------------------------------------------


def test_enrollments_by_status(known_data):
    """Started Sep–Oct: social completed (P3) and active (P2), medical active (P4); programme filter narrows."""
    social = Filters(start=SEP_OCT.start, end=SEP_OCT.end, programme="social")
    with Session(known_data.engine) as s:
        frame = kpis.run_kpi(s, EVERYONE, "enrollments_by_status", SEP_OCT)
        only_social = kpis.run_kpi(s, EVERYONE, "enrollments_by_status", social)
    counts = {(r["programme"], r["status"]): r["count"] for r in frame.to_dict("records")}
    assert counts == {("medical", "active"): 1, ("social", "active"): 1, ("social", "completed"): 1}
    assert set(only_social["programme"]) == {"social"}


def test_facility_comparison_per_100(known_data):
    """F1 (population 110): 5 screenings, 3 enrolments, 3 participant-sessions; F2 (50): 2 screenings."""
    with Session(known_data.engine) as s:
        table = kpis.run_kpi(s, EVERYONE, "facility_comparison", SEP_OCT).set_index("facility_id")
        regions = kpis.run_kpi(s, EVERYONE, "region_comparison", SEP_OCT).set_index("region_id")
    f1, f2 = table.loc[known_data.f1], table.loc[known_data.f2]
    assert f1["population"] == pytest.approx(110)
    assert f1["screenings_per_100"] == pytest.approx(5 / 110 * 100)
    assert f1["enrollments_per_100"] == pytest.approx(3 / 110 * 100)
    assert f1["participant_sessions_per_100"] == pytest.approx(3 / 110 * 100)
    assert (f1["attendance_rate"], f1["moderate_high_share"]) == (pytest.approx(0.75), pytest.approx(0.6))
    assert (f2["screenings_per_100"], f2["enrollments_per_100"]) == (pytest.approx(4), 0)
    assert math.isnan(f2["attendance_rate"])
    assert regions.loc[known_data.region_a, "screenings_per_100"] == pytest.approx(5 / 110 * 100)
    assert regions.loc[known_data.region_b, "region"] == "Region B"


def test_facility_comparison_without_population_is_no_data(known_data):
    """F2 has no October population: its per-100 values are NaN, its counts still shown."""
    october = Filters(start=date(2025, 10, 1), end=date(2025, 10, 31))
    with Session(known_data.engine) as s:
        f2 = (
            kpis.run_kpi(s, EVERYONE, "facility_comparison", october)
            .set_index("facility_id")
            .loc[known_data.f2]
        )
    assert f2["screenings"] == 1
    assert math.isnan(f2["population"]) and math.isnan(f2["screenings_per_100"])


def test_rates_without_denominator_are_no_data(known_data):
    """In an empty period every rate is NaN and every count 0, never an error."""
    empty = Filters(start=date(2024, 1, 1), end=date(2024, 1, 31))
    with Session(known_data.engine) as s:
        substances = kpis.run_kpi(s, EVERYONE, "substances_reported", empty)
        referral = kpis.run_kpi(s, EVERYONE, "referral_funnel", empty).iloc[0]
        outcomes = kpis.run_kpi(s, EVERYONE, "programme_outcomes", empty).iloc[0]
        progress = kpis.run_kpi(s, EVERYONE, "progress", empty).iloc[0]
    assert substances["denominator"].eq(0).all() and substances["rate"].isna().all()
    assert (
        referral["denominator"] == 0
        and math.isnan(referral["rate"])
        and math.isnan(referral["assessed_rate"])
    )
    assert outcomes["denominator"] == 0
    assert all(math.isnan(outcomes[c]) for c in ("rate", "dropout_rate", "median_days"))
    assert progress["followed"] == 0
    assert all(math.isnan(progress[c]) for c in ("rate", "urine_negative_rate", "mean_score_change"))


def test_every_registered_kpi_runs(known_data):
    """Each function in ``KPI_FUNCTIONS`` returns a frame for the default grouping and, where allowed, by all three."""
    scoped = kpis.scope_filters(EVERYONE, SEP_OCT)
    with Session(known_data.engine) as s:
        for name, function in kpis.KPI_FUNCTIONS.items():
            assert isinstance(function(s, scoped), pd.DataFrame), name
            if name not in {"active_enrollments", "agreement_delivery"} and not name.endswith(
                ("_comparison", "by_facility")
            ):
                assert isinstance(function(s, scoped, kpis.DIMENSIONS), pd.DataFrame), name


def test_period_labels_match_sql():
    """Python period labels spell months and quarters as the SQL ``period`` column does."""
    quarterly = Filters(start=date(2025, 9, 1), end=date(2025, 10, 31), granularity="quarter")
    assert kpis.period_labels(SEP_OCT) == ["2025-09", "2025-10"]
    assert kpis.period_labels(quarterly) == ["2025-Q3", "2025-Q4"]


def test_agreement_summary_counts_items_on_target():
    """Per agreement: its scope items and those delivered at least to target; none gives 0 of 0."""
    agreements = pd.DataFrame(
        {
            "agreement_id": [7, 3, 9],
            "code": ["B", "A", "C"],
            "kind": ["pks", "mou", "pks"],
            "title": ["b", "a", "c"],
            "partner": ["P", "P", "Q"],
            "signed_on": [date(2025, 8, 4), date(2025, 8, 5), date(2025, 9, 1)],
        }
    )
    delivery = pd.DataFrame(
        {"agreement_id": [3, 3, 3, 7], "delivered": [10, 9, 0, 5], "target": [10, 10, 0, 4]}
    )
    summary = kpis.agreement_summary(agreements, delivery)
    assert summary["code"].tolist() == ["B", "A", "C"]
    assert summary["items"].tolist() == [1, 3, 0]
    assert summary["items_met"].tolist() == [1, 2, 0]


@pytest.mark.parametrize("name", sorted(kpis.KPI_FUNCTIONS))
def test_no_kpi_computes_without_a_scope(known_data, name):
    """Called with plain filters (not narrowed by ``scope_filters``), every KPI refuses: the scoped
    path (``run_kpi``) is the only way to a figure."""
    with Session(known_data.engine) as s, pytest.raises(ScopeError, match="scope_filters"):
        getattr(kpis, name)(s, SEP_OCT)
