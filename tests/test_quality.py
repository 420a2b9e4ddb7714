"""Data-quality rules: each fires on the record built to break it and not on its well-formed twin."""

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from rehabdata import quality
from rehabdata.auth import Principal, ScopeError
from rehabdata.db import session_scope
from rehabdata.kpis import Filters
from rehabdata.models import Attendance, ExitReason, ProgrammeType, Role
from tests import factories as f
from tests.test_completeness import backend_engine

TODAY = date(2025, 12, 15)
PERIOD = Filters(start=date(2025, 9, 1), end=TODAY)
SOCIAL, MEDICAL = ProgrammeType.SOCIAL, ProgrammeType.MEDICAL


@dataclass(frozen=True)
class Checked:
    """The quality fixture, the (facility, record) pairs each rule must report, and what run_checks found."""

    engine: Engine
    q: int
    q2: int
    expected: dict[str, set[tuple[int | None, int]]]
    issues: list[quality.Issue]


def _attendance(s: Session, session_id: int, participant_id: int) -> int:
    statement = select(Attendance.id).where(
        Attendance.session_id == session_id, Attendance.participant_id == participant_id
    )
    return s.exec(statement).one()


def build_quality(engine: Engine) -> Checked:
    """Facility Q breaks every rule once next to a record that does not; Q2 only exceeds its admissions.

    Judged on 15 Dec 2025 over Sep–Dec 2025 (outreach history from August).
    """
    with Session(engine) as s:
        region = f.make_region(s)
        q, q2 = f.make_facility(s, region, name="Q"), f.make_facility(s, region, name="Q2")
        p = {n: f.make_participant(s, q) for n in (1, 2, 3, 5, 6, 7, 8, 9, 13)}
        p[4] = f.make_participant(s, q, exited_on=date(2025, 10, 1), exit_reason=ExitReason.RELEASED)
        p[10] = f.make_participant(s, q, exited_on=date(2025, 10, 20), exit_reason=ExitReason.RELEASED)
        p[11] = f.make_participant(s, q, exited_on=date(2025, 11, 1), exit_reason=ExitReason.RELEASED)
        p[12] = f.make_participant(s, q, exited_on=date(2025, 12, 10), exit_reason=ExitReason.TRANSFERRED)
        # attendance: P1's enrolment ended 30 Sep; only P2 is enrolled after that
        f.make_enrollment(s, p[1], date(2025, 9, 1), SOCIAL, status="completed", ended_on=date(2025, 9, 30))
        f.make_enrollment(s, p[2], date(2025, 9, 1), SOCIAL)
        f.make_session(s, q, date(2025, 9, 15), SOCIAL, attended=(p[1], p[2]))
        october = f.make_session(s, q, date(2025, 10, 10), SOCIAL, attended=(p[1],))
        crowded = f.make_session(s, q, date(2025, 11, 5), SOCIAL, attended=(p[1], p[2], p[3]))
        # P7 is enrolled at Q2 and attends at Q: enrolled in the programme that day, so not flagged
        f.make_enrollment(s, p[7], date(2025, 11, 15), SOCIAL, facility_id=q2.id)
        f.make_session(s, q, date(2025, 11, 20), SOCIAL, attended=(p[7],))
        # screenings and follow-ups
        f.make_screening(s, p[4], date(2025, 9, 20), "low")
        after_exit = f.make_screening(s, p[4], date(2025, 10, 5), "low")
        f.make_screening(s, p[12], date(2025, 12, 10), "low")  # on the day of leaving: allowed
        f.make_screening(s, p[5], date(2025, 10, 10), "low")
        early = f.make_follow_up(s, p[5], date(2025, 10, 1), "low")
        f.make_follow_up(s, p[5], date(2025, 11, 1), "low")
        orphan = f.make_follow_up(s, p[6], date(2025, 10, 20), "low")
        unassessed = f.make_screening(s, p[7], date(2025, 10, 1), "moderate")
        f.make_assessment(
            s, p[8], date(2025, 10, 10), screening_id=f.make_screening(s, p[8], date(2025, 10, 2), "high").id
        )
        f.make_screening(s, p[9], date(2025, 12, 1), "moderate")  # not yet 30 days old
        f.make_screening(s, p[10], date(2025, 10, 3), "moderate")  # left 17 days later
        f.make_enrollment(s, p[13], date(2025, 9, 1), MEDICAL)
        f.make_screening(s, p[13], date(2025, 10, 4), "moderate")  # re-screened while in a programme
        # enrolments left open after the participant left
        left_open = f.make_enrollment(s, p[11], date(2025, 9, 10), MEDICAL)
        f.make_enrollment(s, p[12], date(2025, 9, 10), MEDICAL)  # left 5 days ago
        # populations: Q screens 6 people in October against 3 WBP and 1 admission
        f.make_population(s, q, date(2025, 9, 1), 100, admissions=50)
        q_october = f.make_population(s, q, date(2025, 10, 1), 3, wbp_narcotics=1, admissions=1)
        r1, r2 = f.make_participant(s, q2), f.make_participant(s, q2)
        for day in (date(2025, 9, 8), date(2025, 10, 8)):
            f.make_screening(s, r1, day, "low")
            f.make_screening(s, r2, day, "low")
        f.make_population(s, q2, date(2025, 9, 1), 100)  # admissions unknown: not judged
        q2_october = f.make_population(s, q2, date(2025, 10, 1), 100, admissions=1)
        # outreach: Q's history around 40-50, a region-wide history around 200, Q2 too short to judge
        for day, people in zip(range(4, 9), (40, 42, 45, 50, 38), strict=True):
            f.make_outreach(s, region, date(2025, 8, day), people, facility_id=q.id)
        for day, people in zip(range(4, 9), (200, 210, 190, 205, 195), strict=True):
            f.make_outreach(s, region, date(2025, 8, day), people)
        f.make_outreach(s, region, date(2025, 10, 1), 41, facility_id=q.id)
        spike = f.make_outreach(s, region, date(2025, 10, 15), 400, facility_id=q.id)
        region_spike = f.make_outreach(s, region, date(2025, 11, 20), 5000)
        for day, people in ((2, 30), (3, 35), (20, 500)):
            f.make_outreach(s, region, date(2025, 10, day), people, facility_id=q2.id)
        expected = {
            "attendance_outside_enrollment": {
                (q.id, _attendance(s, october.id, p[1].id)),
                (q.id, _attendance(s, crowded.id, p[1].id)),
                (q.id, _attendance(s, crowded.id, p[3].id)),
            },
            "attendance_above_enrolled": {(q.id, crowded.id)},
            "screening_after_exit": {(q.id, after_exit.id)},
            "follow_up_before_screening": {(q.id, early.id), (q.id, orphan.id)},
            "risk_without_assessment": {(q.id, unassessed.id)},
            "enrollment_open_after_exit": {(q.id, left_open.id)},
            "screenings_above_population": {(q.id, q_october.id)},
            "screenings_above_admissions": {(q.id, q_october.id), (q2.id, q2_october.id)},
            "outreach_outlier": {(q.id, spike.id), (None, region_spike.id)},
        }
        s.commit()
        issues = quality.run_checks(s, PERIOD, today=TODAY)
        return Checked(engine, q.id, q2.id, expected, issues)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def checked(request, tmp_path_factory) -> Iterator[Checked]:
    """``build_quality`` and its checks once per backend for the whole module (read-only tests)."""
    with backend_engine(request.param, tmp_path_factory.mktemp("quality")) as engine:
        yield build_quality(engine)


def found(issues: list[quality.Issue], rule: str) -> set[tuple[int | None, int | None]]:
    return {(issue.facility_id, issue.record_id) for issue in issues if issue.rule == rule}


@pytest.mark.parametrize("rule", list(quality.RULES))
def test_rule_reports_exactly_its_records(checked, rule):
    """Each rule reports the records built to break it, none of their well-formed twins, at its severity."""
    assert found(checked.issues, rule) == checked.expected[rule]
    assert {i.severity for i in checked.issues if i.rule == rule} == {quality.RULES[rule].severity}


def test_every_rule_is_tested(checked):
    """The fixture covers every registered rule."""
    assert set(checked.expected) == set(quality.RULES)


def test_references_and_messages(checked):
    """Issues carry participant codes and dates, and read as whole sentences in both languages."""
    orphan = next(i for i in checked.issues if i.key == "quality.follow_up_without_screening")
    assert orphan.participant_code and orphan.day == date(2025, 10, 20)
    assert orphan.message("id") == "Tindak lanjut tanggal 20 Okt 2025 tanpa skrining awal."
    unassessed = next(i for i in checked.issues if i.rule == "risk_without_assessment")
    assert (
        unassessed.message("en")
        == "Moderate risk at the screening on 1 Oct 2025; not assessed after 75 days."
    )
    spike = next(i for i in checked.issues if i.rule == "outreach_outlier" and i.facility_id == checked.q)
    assert spike.params["median"] == 42.0 and spike.params["score"] > 3.5
    for issue in checked.issues:
        for lang in ("id", "en"):
            text = issue.message(lang)
            assert "{" not in text and not text.startswith("quality."), text
    assert [i.severity for i in checked.issues] == sorted(
        (i.severity for i in checked.issues), key=quality.SEVERITIES.index
    )


def test_period_limits_what_is_checked(checked):
    """Checking September only reports none of the October–December records."""
    with Session(checked.engine) as s:
        september = quality.run_checks(s, replace(PERIOD, end=date(2025, 9, 30)), today=TODAY)
    assert september == []


def test_scope_and_leadership(checked):
    """Staff get their facility's issues; leadership gets counts per rule and facility, never records."""
    staff = Principal(1, "petugas.q2", "", Role.PETUGAS, frozenset({checked.q2}))
    leader = Principal(2, "kanwil", "", Role.PIMPINAN, frozenset({checked.q, checked.q2}))
    with Session(checked.engine) as s:
        own = quality.checks_for(s, staff, PERIOD, today=TODAY)
        with pytest.raises(ScopeError):
            quality.checks_for(s, leader, PERIOD, today=TODAY)
        counts = quality.counts_for(s, leader, PERIOD, today=TODAY)
    assert {(i.rule, i.facility_id) for i in own} == {("screenings_above_admissions", checked.q2)}
    assert set(counts.columns) == {"rule", "severity", "facility_id", "issues"}
    by_rule = {(row.rule, row.facility_id): row.issues for row in counts.itertuples()}
    assert by_rule[("attendance_outside_enrollment", checked.q)] == 3
    assert by_rule[("screenings_above_admissions", checked.q2)] == 1
    assert sum(by_rule.values()) == len(checked.issues) - 1  # the region-wide outreach event is not theirs


def test_crowded_session_found_among_several_that_day(engine):
    """Two sessions a day, two enrolled: the one with three present is reported (enrolled 2), not the
    one with one present, nor a day whose two sessions had two each (their sum, 4, exceeds 2)."""
    with session_scope(engine) as s:
        facility = f.make_facility(s, f.make_region(s))
        enrolled = [f.make_participant(s, facility) for _ in range(2)]
        visitor = f.make_participant(s, facility)
        for person in enrolled:
            f.make_enrollment(s, person, date(2025, 9, 1), SOCIAL)
        crowded = f.make_session(s, facility, date(2025, 10, 6), SOCIAL, attended=(*enrolled, visitor))
        f.make_session(s, facility, date(2025, 10, 6), SOCIAL, attended=enrolled[:1])
        for _ in range(2):
            f.make_session(s, facility, date(2025, 10, 7), SOCIAL, attended=tuple(enrolled))
    with Session(engine) as s:
        issues = quality.run_checks(s, PERIOD, today=TODAY, rules=["attendance_above_enrolled"])
    assert [(i.record_id, i.params["attended"], i.params["enrolled"]) for i in issues] == [(crowded.id, 3, 2)]
