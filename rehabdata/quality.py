"""Data-quality checks: named rules, each a SQL query that returns the records breaking it.

Run on demand (not on every write). Like dbt tests, checking returns a list of ``Issue`` values
instead of raising: rule name, severity, facility, the record concerned (table, id, participant
code, date) and a message key with its values, in Indonesian and English in ``i18n``.

Severities follow the two strengths of DESIGN §4c: ``error`` for what cannot be true (attendance
outside an enrolment, a screening after the participant left), ``warning`` for what is unusual but
possible (more people screened than admitted while a backlog is screened, an outreach figure far
from the facility's usual ones).

Scope: ``run_checks`` takes a filter the caller has scoped (``kpis.scope_filters``), like KPI
functions. ``checks_for`` does that for a principal and gives record references (participant codes)
only to staff, partners and admins; leadership (pimpinan) sees aggregates only, as everywhere in
rehabdata, so for them ``counts_for`` gives the number of issues per rule and facility.

Period: each rule looks at the records dated in the filter's range (sessions by date held,
screenings by date screened, …); what each rule reads is in its docstring.
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal

import pandas as pd
from sqlalchemy import ColumnElement, and_, case, func, or_, select, true
from sqlmodel import Session

from rehabdata import clock
from rehabdata.aggregates import active_on
from rehabdata.auth import Principal, ScopeError
from rehabdata.frames import query_frame
from rehabdata.i18n import Lang, format_day, format_number, format_period, t
from rehabdata.kpis import (
    Filters,
    facility_condition,
    median_from_histogram,
    programme_condition,
    scope_filters,
)
from rehabdata.models import (
    AggCoverageMonth,
    AggFollowUp,
    AggSessionDay,
    Assessment,
    Attendance,
    Enrollment,
    EnrollmentStatus,
    FacilityPopulation,
    FollowUp,
    OutreachEvent,
    Participant,
    ProgrammeSession,
    Screening,
)
from rehabdata.periods import add_months, month_start
from rehabdata.sqlfunctions import add_days, month_label

Severity = Literal["error", "warning"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning")

ASSESSMENT_DAYS = 30
"""A moderate/high screening should be followed by an assessment within this many days."""
EXIT_GRACE_DAYS = 7
"""An enrolment may stay open this many days after the participant left before it is flagged."""
OUTLIER_SCORE = 3.5
"""Iglewicz–Hoaglin cut-off for the modified z-score."""
OUTLIER_MIN_EVENTS = 5
"""A facility needs at least this many outreach events before its figures are judged."""

Finding = dict[str, Any]
"""What a check yields: facility_id, record_id, participant_code, day, params (and optionally key)."""


@dataclass(frozen=True)
class Issue:
    """One record (or facility-month) breaking a rule: where, which record, and the message to show."""

    rule: str
    severity: Severity
    facility_id: int | None
    record: str
    record_id: int | None
    key: str
    params: dict[str, Any] = field(default_factory=dict)
    participant_code: str | None = None
    day: date | None = None

    def message(self, lang: Lang) -> str:
        """The message in ``lang``: dates, months, numbers and programme/risk codes localised."""
        return t(
            self.key, lang, **{name: _localised(name, value, lang) for name, value in self.params.items()}
        )


def _localised(name: str, value: Any, lang: Lang) -> str:
    if value is None:
        return "–"
    if name in {"programme", "risk"}:
        return t(f"{name}.{value}", lang)
    if name == "month":
        return format_period(value, lang)
    if isinstance(value, date):
        return format_day(value, lang)
    if isinstance(value, float):
        return format_number(value, lang, decimals=1)
    if isinstance(value, int):
        return format_number(value, lang)
    return str(value)


Check = Callable[[Session, Filters, date], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    """A named data-quality rule: its severity, message key, the table it points at, and its check."""

    name: str
    severity: Severity
    key: str
    record: str
    check: Check


RULES: dict[str, Rule] = {}


def rule(name: str, severity: Severity, record: str) -> Callable[[Check], Check]:
    """Register a check as rule ``name``; its message key is ``quality.<name>``."""

    def register(check: Check) -> Check:
        RULES[name] = Rule(name, severity, f"quality.{name}", record, check)
        return check

    return register


def _found(
    session: Session, statement: Any, params: Callable[[dict[str, Any]], dict[str, Any]]
) -> Iterator[Finding]:
    """Each result row as a finding: the reference columns, plus the values ``params`` picks."""
    for row in query_frame(session, statement).to_dict("records"):
        yield {
            "facility_id": None if pd.isna(row["facility_id"]) else int(row["facility_id"]),
            "record_id": int(row["record_id"]),
            "participant_code": row.get("participant_code"),
            "day": row.get("day"),
            "params": params(row),
        }


def _period(column: Any, filters: Filters) -> ColumnElement[bool]:
    return column.between(filters.start, filters.end)


# --- rules -----------------------------------------------------------------------------------


@rule("attendance_outside_enrollment", "error", "attendance")
def attendance_outside_enrollment(session: Session, filters: Filters, today: date) -> Iterable[Finding]:
    """Attendance at a session held in the period on a day the participant had no active enrolment in its programme.

    Looked for only in the sessions' ``agg_session_day`` cells where fewer attendance rows than
    ``attended`` are of participants enrolled there (``attended_enrolled``): elsewhere every
    attendee had an enrolment in the session's facility and programme that day. At national scale
    checking each of a million attendance rows took seconds.
    """
    suspect = (
        select(AggSessionDay.facility_id, AggSessionDay.day, AggSessionDay.programme)
        .where(
            _period(AggSessionDay.day, filters),
            facility_condition(filters, AggSessionDay.facility_id),
            programme_condition(filters, AggSessionDay.programme),
            AggSessionDay.attended > AggSessionDay.attended_enrolled,
        )
        .subquery()
    )
    enrolled = (
        select(Enrollment.id)
        .where(
            Enrollment.participant_id == Attendance.participant_id,
            Enrollment.programme == ProgrammeSession.programme,
            active_on(Enrollment, ProgrammeSession.held_on),
        )
        .exists()
    )
    statement = (
        select(
            ProgrammeSession.facility_id.label("facility_id"),
            Attendance.id.label("record_id"),
            Participant.code.label("participant_code"),
            ProgrammeSession.held_on.label("day"),
            ProgrammeSession.programme.label("programme"),
        )
        .select_from(suspect)
        .join(
            ProgrammeSession,
            and_(
                ProgrammeSession.facility_id == suspect.c.facility_id,
                ProgrammeSession.held_on == suspect.c.day,
                ProgrammeSession.programme == suspect.c.programme,
            ),
        )
        .join(Attendance, Attendance.session_id == ProgrammeSession.id)
        .join(Participant, Participant.id == Attendance.participant_id)
        .where(~enrolled)
    )
    return _found(session, statement, lambda row: {"date": row["day"], "programme": row["programme"]})


@rule("attendance_above_enrolled", "error", "programme_session")
def attendance_above_enrolled(session: Session, filters: Filters, today: date) -> Iterable[Finding]:
    """Sessions held in the period with more participants present than enrolled in the programme that day.

    Read from the sessions' ``agg_session_day`` cells (exact in every write): each session of a
    facility, programme and day expects the same participants, so ``expected`` is that count times
    ``sessions``, and only a cell whose ``attended`` sum exceeds that count can hold such a session
    (at national scale counting enrolments and attendance per session took seconds).
    """
    cell = AggSessionDay
    attended = (  # per session, one probe of attendance's (session_id, participant_id) key
        select(func.count()).where(Attendance.session_id == ProgrammeSession.id).scalar_subquery()
    )
    statement = (
        select(
            ProgrammeSession.facility_id.label("facility_id"),
            ProgrammeSession.id.label("record_id"),
            ProgrammeSession.held_on.label("day"),
            ProgrammeSession.programme.label("programme"),
            attended.label("attended"),
            cell.expected.label("expected"),
            cell.sessions.label("sessions"),
        )
        .select_from(cell)
        .join(
            ProgrammeSession,
            and_(
                ProgrammeSession.facility_id == cell.facility_id,
                ProgrammeSession.held_on == cell.day,
                ProgrammeSession.programme == cell.programme,
            ),
        )
        .where(
            _period(cell.day, filters),
            facility_condition(filters, cell.facility_id),
            programme_condition(filters, cell.programme),
            cell.attended * cell.sessions > cell.expected,
            attended * cell.sessions > cell.expected,
        )
    )
    return _found(
        session,
        statement,
        lambda row: {
            "date": row["day"],
            "programme": row["programme"],
            "attended": int(row["attended"]),
            "enrolled": int(row["expected"]) // int(row["sessions"]),
        },
    )


@rule("screening_after_exit", "error", "screening")
def screening_after_exit(session: Session, filters: Filters, today: date) -> Iterable[Finding]:
    """Screenings in the period dated after the participant was released or transferred (``exited_on``)."""
    statement = (
        select(
            Screening.facility_id.label("facility_id"),
            Screening.id.label("record_id"),
            Participant.code.label("participant_code"),
            Screening.screened_on.label("day"),
            Participant.exited_on.label("exited"),
        )
        .join(Participant, Participant.id == Screening.participant_id)
        .where(
            _period(Screening.screened_on, filters),
            facility_condition(filters, Screening.facility_id),
            Participant.exited_on.is_not(None),
            Screening.screened_on > Participant.exited_on,
        )
    )
    return _found(session, statement, lambda row: {"date": row["day"], "exited": row["exited"]})


@rule("follow_up_before_screening", "error", "follow_up")
def follow_up_before_screening(session: Session, filters: Filters, today: date) -> Iterable[Finding]:
    """Follow-ups in the period dated before the participant's first screening, or with no screening at all.

    Those are the follow-ups without a baseline in ``agg_follow_up`` (no screening on or before
    them): only they are looked up, not every follow-up's first screening.
    """
    unscreened = (
        select(AggFollowUp.participant_id, AggFollowUp.day)
        .where(
            _period(AggFollowUp.day, filters),
            facility_condition(filters, AggFollowUp.facility_id),
            AggFollowUp.compared == 0,
        )
        .subquery()
    )
    first = (
        select(func.min(Screening.screened_on))
        .where(Screening.participant_id == FollowUp.participant_id)
        .scalar_subquery()
    )
    statement = (
        select(
            FollowUp.facility_id.label("facility_id"),
            FollowUp.id.label("record_id"),
            Participant.code.label("participant_code"),
            FollowUp.followed_on.label("day"),
            first.label("first"),
        )
        .join(
            unscreened,
            and_(
                unscreened.c.participant_id == FollowUp.participant_id,
                unscreened.c.day == FollowUp.followed_on,
            ),
        )
        .join(Participant, Participant.id == FollowUp.participant_id)
    )
    for finding in _found(session, statement, lambda row: {"date": row["day"], "first": row["first"]}):
        if finding["params"]["first"] is None:
            finding["key"] = "quality.follow_up_without_screening"
        yield finding


@rule("risk_without_assessment", "warning", "screening")
def risk_without_assessment(session: Session, filters: Filters, today: date) -> Iterable[Finding]:
    """Moderate/high screenings in the period, over 30 days old, not followed by an assessment.

    Not flagged: participants already in a programme on the screening date (a re-screening during
    rehabilitation), and participants who left within 30 days of the screening.
    """
    assessed = (
        select(Assessment.id)
        .where(
            Assessment.participant_id == Screening.participant_id,
            Assessment.assessed_on >= Screening.screened_on,
        )
        .exists()
    )
    in_programme = (
        select(Enrollment.id)
        .where(
            Enrollment.participant_id == Screening.participant_id,
            active_on(Enrollment, Screening.screened_on),
        )
        .exists()
    )
    statement = (
        select(
            Screening.facility_id.label("facility_id"),
            Screening.id.label("record_id"),
            Participant.code.label("participant_code"),
            Screening.screened_on.label("day"),
            Screening.overall_risk.label("risk"),
        )
        .join(Participant, Participant.id == Screening.participant_id)
        .where(
            _period(Screening.screened_on, filters),
            facility_condition(filters, Screening.facility_id),
            Screening.overall_risk.in_(("moderate", "high")),
            Screening.screened_on < today - timedelta(days=ASSESSMENT_DAYS),
            or_(
                Participant.exited_on.is_(None),
                Participant.exited_on > add_days(Screening.screened_on, ASSESSMENT_DAYS),
            ),
            ~assessed,
            ~in_programme,
        )
    )
    return _found(
        session,
        statement,
        lambda row: {"date": row["day"], "risk": row["risk"], "days": (today - row["day"]).days},
    )


@rule("enrollment_open_after_exit", "error", "enrollment")
def enrollment_open_after_exit(session: Session, filters: Filters, today: date) -> Iterable[Finding]:
    """Enrolments still active whose participant left by the period's end and over 7 days before today.

    A state of now rather than an event: the period's start is ignored.
    """
    statement = (
        select(
            Enrollment.facility_id.label("facility_id"),
            Enrollment.id.label("record_id"),
            Participant.code.label("participant_code"),
            Participant.exited_on.label("day"),
            Enrollment.programme.label("programme"),
        )
        .join(Participant, Participant.id == Enrollment.participant_id)
        .where(
            facility_condition(filters, Enrollment.facility_id),
            programme_condition(filters, Enrollment.programme),
            Enrollment.status == EnrollmentStatus.ACTIVE,
            Participant.exited_on <= filters.end,
            Participant.exited_on < today - timedelta(days=EXIT_GRACE_DAYS),
        )
    )
    return _found(
        session,
        statement,
        lambda row: {"programme": row["programme"], "exited": row["day"], "days": (today - row["day"]).days},
    )


def _screened_against_population(filters: Filters, limit: Any) -> Any:
    """Facility-months of the period (whole months) whose distinct participants screened exceed ``limit``.

    Distinct participants of a facility-month: its ``agg_coverage_month`` screenings whose previous
    screening there is before the month (as ``kpis.screening_coverage`` counts them).
    """
    first, last = month_start(filters.start), add_months(filters.end, 1) - timedelta(days=1)
    cells = AggCoverageMonth
    screened = (
        select(cells.facility_id, cells.day, func.sum(cells.screenings).label("screened"))
        .where(
            cells.day.between(first, last),
            cells.previous < cells.day,
            facility_condition(filters, cells.facility_id),
        )
        .group_by(cells.facility_id, cells.day)
        .subquery()
    )
    return (
        select(
            FacilityPopulation.facility_id.label("facility_id"),
            FacilityPopulation.id.label("record_id"),
            FacilityPopulation.month.label("day"),
            month_label(FacilityPopulation.month).label("month"),
            screened.c.screened,
            FacilityPopulation.wbp_total.label("population"),
            FacilityPopulation.admissions.label("admissions"),
        )
        .join(
            screened,
            and_(
                screened.c.facility_id == FacilityPopulation.facility_id,
                screened.c.day == FacilityPopulation.month,
            ),
        )
        .where(screened.c.screened > limit(FacilityPopulation))
    )


@rule("screenings_above_population", "error", "facility_population")
def screenings_above_population(session: Session, filters: Filters, today: date) -> Iterable[Finding]:
    """Months in the period with more distinct participants screened than the facility's WBP population."""
    statement = _screened_against_population(filters, lambda population: population.wbp_total)
    return _found(
        session,
        statement,
        lambda row: {
            "month": row["month"],
            "screened": int(row["screened"]),
            "population": int(row["population"]),
        },
    )


@rule("screenings_above_admissions", "warning", "facility_population")
def screenings_above_admissions(session: Session, filters: Filters, today: date) -> Iterable[Finding]:
    """Months in the period with more distinct participants screened than new admissions (when entered).

    A warning, not an error: a backlog of people admitted earlier may be screened in one month.
    """
    # NULL admissions (not entered) compare as unknown: such months are never flagged.
    statement = _screened_against_population(filters, lambda population: population.admissions)
    return _found(
        session,
        statement,
        lambda row: {
            "month": row["month"],
            "screened": int(row["screened"]),
            "admissions": int(row["admissions"]),
        },
    )


def _outreach_scope(filters: Filters) -> ColumnElement[bool]:
    """The events ``kpis.outreach_reach`` counts for the filter's regions and facilities."""
    event = OutreachEvent
    return and_(
        event.region_id.in_(filters.region_ids) if filters.region_ids else true(),
        event.facility_id.in_(filters.facility_ids) if filters.facility_ids else true(),
    )


def _modified_z(histogram: pd.DataFrame) -> pd.DataFrame:
    """``score`` per (history, people) row: the modified z-score within its history.

    0.6745 (x − median) / MAD; when more than half the values are equal (MAD 0), the mean absolute
    deviation stands in: (x − median) / (1.253314 · meanAD). 0 when every value is the same.
    """
    medians = median_from_histogram(histogram, ["history"], "people", "events")
    table = histogram.merge(medians, on="history")
    table["deviation"] = (table["people"] - table["median"]).abs()
    mads = median_from_histogram(table, ["history"], "deviation", "events").rename(columns={"median": "mad"})
    table = table.merge(mads, on="history")
    weighted = table["deviation"] * table["events"]
    table["mean_ad"] = weighted.groupby(table["history"]).transform("sum") / table.groupby("history")[
        "events"
    ].transform("sum")
    table["total"] = table.groupby("history")["events"].transform("sum")
    offset = table["people"] - table["median"]
    by_mad = 0.6745 * offset / table["mad"].where(table["mad"] > 0)
    by_mean = offset / (1.253314 * table["mean_ad"].where(table["mean_ad"] > 0))
    table["score"] = by_mad.fillna(by_mean).fillna(0.0)
    return table


@rule("outreach_outlier", "warning", "outreach_event")
def outreach_outlier(session: Session, filters: Filters, today: date) -> Iterable[Finding]:
    """Outreach events in the period whose people reached are far from the facility's own history.

    History: every event of the same facility held up to the period's end (events without a facility:
    the region's events without one). Flagged when the modified z-score exceeds 3.5 in either
    direction and the history has at least 5 events. Computed from a value → events histogram.
    """
    event = OutreachEvent
    region_key = case((event.facility_id.is_(None), event.region_id)).label("region_key")
    histogram = query_frame(
        session,
        select(
            event.facility_id.label("facility_id"),
            region_key,
            event.people_reached.label("people"),
            func.count().label("events"),
        )
        .where(event.held_on <= filters.end, _outreach_scope(filters))
        .group_by(event.facility_id, region_key, event.people_reached),
    )
    if histogram.empty:
        return []
    histogram["history"] = [
        f"facility:{int(f)}" if pd.notna(f) else f"region:{int(r)}"
        for f, r in zip(histogram["facility_id"], histogram["region_key"], strict=True)
    ]
    table = _modified_z(histogram)
    flagged = table[(table["total"] >= OUTLIER_MIN_EVENTS) & (table["score"].abs() > OUTLIER_SCORE)]
    if flagged.empty:
        return []
    matches = [
        and_(
            event.facility_id == int(row.facility_id)
            if pd.notna(row.facility_id)
            else and_(event.facility_id.is_(None), event.region_id == int(row.region_key)),
            event.people_reached == int(row.people),
        )
        for row in flagged.itertuples()
    ]
    statement = select(
        event.facility_id.label("facility_id"),
        event.id.label("record_id"),
        event.held_on.label("day"),
        event.people_reached.label("people"),
        event.facility_id.label("history_facility"),
        event.region_id.label("history_region"),
    ).where(_period(event.held_on, filters), _outreach_scope(filters), or_(*matches))
    stats = {
        (row.history, int(row.people)): (float(row.median), float(row.score)) for row in flagged.itertuples()
    }

    def params(row: dict[str, Any]) -> dict[str, Any]:
        history = (
            f"facility:{int(row['history_facility'])}"
            if pd.notna(row["history_facility"])
            else f"region:{int(row['history_region'])}"
        )
        median, score = stats[(history, int(row["people"]))]
        return {"date": row["day"], "people": int(row["people"]), "median": median, "score": round(score, 1)}

    return _found(session, statement, params)


# --- running ---------------------------------------------------------------------------------


def run_checks(
    session: Session, filters: Filters, *, today: date | None = None, rules: Iterable[str] | None = None
) -> list[Issue]:
    """Every issue the rules (all, or those named) find for the filter; errors first, then by rule and date.

    The caller scopes the filter (``kpis.scope_filters``), as for KPIs.
    """
    today = today or clock.today()
    issues = []
    for name in rules if rules is not None else RULES:
        current = RULES[name]
        for finding in current.check(session, filters, today):
            key = finding.pop("key", current.key)
            issues.append(Issue(current.name, current.severity, record=current.record, key=key, **finding))
    order = {name: index for index, name in enumerate(RULES)}
    return sorted(
        issues,
        key=lambda i: (
            SEVERITIES.index(i.severity),
            order[i.rule],
            i.facility_id or 0,
            i.day or date.min,
            i.record_id or 0,
        ),
    )


def checks_for(
    session: Session, principal: Principal, filters: Filters, *, today: date | None = None
) -> list[Issue]:
    """The issues in the principal's facilities with their records; leadership may not see records."""
    if not principal.sees_participants:
        raise ScopeError("leadership sees issue counts (counts_for), not participant-level records")
    return run_checks(session, scope_filters(principal, filters), today=today)


COUNT_COLUMNS = ["rule", "severity", "facility_id", "issues"]


def issue_counts(issues: Iterable[Issue]) -> pd.DataFrame:
    """Issues per rule and facility (no record references): what leadership may see."""
    frame = pd.DataFrame(
        [(i.rule, i.severity, i.facility_id) for i in issues], columns=["rule", "severity", "facility_id"]
    )
    if frame.empty:
        return pd.DataFrame(columns=COUNT_COLUMNS)
    counts = frame.groupby(["rule", "severity", "facility_id"], dropna=False, sort=False).size()
    return counts.rename("issues").reset_index()[COUNT_COLUMNS]


def counts_for(
    session: Session, principal: Principal, filters: Filters, *, today: date | None = None
) -> pd.DataFrame:
    """``issue_counts`` for the principal's facilities; open to every role."""
    return issue_counts(run_checks(session, scope_filters(principal, filters), today=today))
