"""Aggregate tables kept exact in every write transaction, in the spirit of DHIS2's analytics tables.

``agg_session_day`` (facility × day × programme), ``agg_screening_day`` (facility × day),
``agg_enrollment_day`` (facility × start day × programme × status) and ``agg_coverage_day``
(facility × day × the participant's previous screening there) hold what the heavy KPIs sum:
sessions, attendance, expected attendance, risk levels, substances, referral outcomes, enrolments
and distinct participants screened; each has a monthly twin summed from it. ``agg_follow_up``
holds each follow-up compared with its baseline screening, looked up once instead of per query.
All are *derived*: ``DEFINITIONS`` (``session_rows``, ``screening_rows``, ``enrollment_rows``,
``coverage_rows``, ``follow_up_rows``) define them from the base tables,
``rebuild`` recomputes them from scratch, and every write recomputes the cells it can have changed,
in its own transaction:

- ORM writes (services, forms, tests) are seen by a ``Session`` ``after_flush`` hook that turns each
  new, changed or deleted screening, assessment, enrolment, session, attendance or follow-up row
  (old and new values) into date spans per facility;
- bulk paths (imports) note their rows with ``refresh_inserted``; generators call ``rebuild``;
- just before the transaction commits, ``refresh_pending`` refreshes every noted span once (a
  session with twenty attendance rows is one refresh, and locks are held only for the commit).

A refresh deletes the span's rows and inserts them again from the definition, so incremental and
rebuilt tables are identical by construction; recomputing (rather than adding deltas) is what keeps
distinct counts and edits of dates exact. On PostgreSQL concurrent writers to one facility are
serialised by a transaction-scoped advisory lock taken before the refresh: under READ COMMITTED the
refresh statements then see every earlier writer's committed rows (SQLite has one writer anyway).
Reads inside a writing transaction see the aggregates as of its start until ``refresh_pending``.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    and_,
    case,
    delete,
    distinct,
    event,
    func,
    insert,
    or_,
    select,
    text,
    true,
)
from sqlalchemy import inspect as inspect_state
from sqlalchemy.orm import Session as OrmSession

from rehabdata.assist import RISK_LEVELS, SUBSTANCES
from rehabdata.frames import query_frame
from rehabdata.models import (
    NO_PREVIOUS_SCREENING,
    AggCoverageDay,
    AggCoverageMonth,
    AggEnrollmentDay,
    AggEnrollmentMonth,
    AggFollowUp,
    AggScreeningDay,
    AggScreeningMonth,
    AggSessionDay,
    AggSessionMonth,
    Assessment,
    Attendance,
    Enrollment,
    FollowUp,
    ProgrammeSession,
    ProgrammeType,
    Screening,
    SessionType,
)
from rehabdata.periods import add_months, month_start
from rehabdata.sqlfunctions import add_days, first_of_month

REFERRAL_DAYS = 30
"""An assessment or enrolment follows a screening when it is 0–30 days after it (day 30 counts)."""

ADVISORY_LOCK_CLASS = 8801  # pg_advisory_xact_lock(class, facility_id): "aggregates of this facility"


# --- definitions: the aggregate rows as SELECTs over the base tables --------------------------------


def within_referral_window(day: Any, screened_on: Any) -> ColumnElement[bool]:
    """``day`` is 0–30 days after ``screened_on`` (portable date arithmetic: both backends and DuckDB)."""
    return day.between(screened_on, add_days(screened_on, REFERRAL_DAYS))


def active_on(enrollment: Any, day: Any) -> ColumnElement[bool]:
    """An enrolment is active on ``day`` from its start to its end date inclusive."""
    return and_(enrollment.started_on <= day, or_(enrollment.ended_on.is_(None), enrollment.ended_on >= day))


def session_rows(where: ColumnElement[bool]) -> Select[Any]:
    """``agg_session_day`` rows for the sessions matching ``where`` (a condition on ``programme_session``)."""
    held = ProgrammeSession
    active = and_(
        Enrollment.facility_id == held.facility_id,
        Enrollment.programme == held.programme,
        active_on(Enrollment, held.held_on),
    )
    enrolled = select(Enrollment.id).where(active, Enrollment.participant_id == Attendance.participant_id)
    attended = (
        select(
            Attendance.session_id,
            func.count().label("attended"),
            func.sum(case((enrolled.exists(), 1), else_=0)).label("attended_enrolled"),
        )
        .join(held, held.id == Attendance.session_id)
        .where(where)
        .group_by(Attendance.session_id)
        .subquery()
    )
    expected = (
        select(held.id.label("session_id"), func.count(distinct(Enrollment.participant_id)).label("expected"))
        .join(Enrollment, active)
        .where(where)
        .group_by(held.id)
        .subquery()
    )
    return (
        select(
            held.facility_id.label("facility_id"),
            held.held_on.label("day"),
            held.programme.label("programme"),
            func.count(held.id).label("sessions"),
            func.sum(case((held.session_type == SessionType.SKILLS, 1), else_=0)).label("skills_sessions"),
            func.coalesce(func.sum(attended.c.attended), 0).label("attended"),
            func.coalesce(func.sum(attended.c.attended_enrolled), 0).label("attended_enrolled"),
            func.coalesce(func.sum(expected.c.expected), 0).label("expected"),
        )
        .outerjoin(attended, attended.c.session_id == held.id)
        .outerjoin(expected, expected.c.session_id == held.id)
        .where(where)
        .group_by(held.facility_id, held.held_on, held.programme)
    )


def screening_rows(where: ColumnElement[bool]) -> Select[Any]:
    """``agg_screening_day`` rows for the screenings matching ``where`` (a condition on ``screening``)."""
    risk = Screening.overall_risk
    moderate_high = risk.in_(("moderate", "high"))

    def followed_by(model: Any, day: Any, *conditions: ColumnElement[bool]) -> ColumnElement[bool]:
        later = select(model.id).where(
            model.participant_id == Screening.participant_id,
            within_referral_window(day, Screening.screened_on),
            *conditions,
        )
        return and_(moderate_high, later.exists())

    def count_if(condition: ColumnElement[bool]) -> Any:
        return func.sum(case((condition, 1), else_=0))

    enrolled = {
        f"enrolled_30d_{programme}": followed_by(
            Enrollment, Enrollment.started_on, Enrollment.programme == programme
        )
        for programme in ProgrammeType
    }
    return (
        select(
            Screening.facility_id.label("facility_id"),
            Screening.screened_on.label("day"),
            func.count(Screening.id).label("screenings"),
            *(count_if(risk == level).label(f"risk_{level}") for level in ("low", "moderate", "high")),
            count_if(followed_by(Assessment, Assessment.assessed_on)).label("assessed_30d"),
            count_if(followed_by(Enrollment, Enrollment.started_on)).label("enrolled_30d"),
            *(count_if(condition).label(name) for name, condition in enrolled.items()),
            *(
                count_if(getattr(Screening, f"score_{substance}").is_not(None)).label(f"reported_{substance}")
                for substance in SUBSTANCES
            ),
        )
        .where(where)
        .group_by(Screening.facility_id, Screening.screened_on)
    )


def enrollment_rows(where: ColumnElement[bool]) -> Select[Any]:
    """``agg_enrollment_day`` rows for the enrolments matching ``where`` (a condition on ``enrollment``)."""
    keys = (Enrollment.facility_id, Enrollment.started_on, Enrollment.programme, Enrollment.status)
    return (
        select(
            Enrollment.facility_id.label("facility_id"),
            Enrollment.started_on.label("day"),
            Enrollment.programme.label("programme"),
            Enrollment.status.label("status"),
            func.count(Enrollment.id).label("enrollments"),
        )
        .where(where)
        .group_by(*keys)
    )


def coverage_rows(where: ColumnElement[bool]) -> Select[Any]:
    """``agg_coverage_day`` rows for the screenings matching ``where`` (a condition on ``screening``).

    ``previous``: the participant's latest earlier screening at the same facility (one probe of
    ``ix_screening_participant_facility_date``), or ``NO_PREVIOUS_SCREENING``.
    """
    earlier = Screening.__table__.alias("earlier")  # type: ignore[attr-defined]
    previous = (
        select(func.max(earlier.c.screened_on))
        .where(
            earlier.c.participant_id == Screening.participant_id,
            earlier.c.facility_id == Screening.facility_id,
            earlier.c.screened_on < Screening.screened_on,
        )
        .scalar_subquery()
    )
    rows = (
        select(
            Screening.facility_id.label("facility_id"),
            Screening.screened_on.label("day"),
            func.coalesce(previous, NO_PREVIOUS_SCREENING).label("previous"),
        )
        .where(where)
        .subquery()
    )
    return select(rows.c.facility_id, rows.c.day, rows.c.previous, func.count().label("screenings")).group_by(
        rows.c.facility_id, rows.c.day, rows.c.previous
    )


def risk_rank(column: Any) -> ColumnElement[int]:
    """``assist.risk_rank`` in SQL: low 0 < moderate 1 < high 2, NULL stays NULL."""
    return case({level: rank for rank, level in enumerate(RISK_LEVELS)}, value=column)


def follow_up_rows(where: ColumnElement[bool]) -> Select[Any]:
    """``agg_follow_up`` rows for the follow-ups matching ``where`` (a condition on ``follow_up``):
    each with its baseline, the participant's latest screening on or before it (any facility)."""
    screened_on = (
        select(func.max(Screening.screened_on))
        .where(
            Screening.participant_id == FollowUp.participant_id, Screening.screened_on <= FollowUp.followed_on
        )
        .scalar_subquery()
    )
    follow_ups = (
        select(
            FollowUp.facility_id,
            FollowUp.followed_on,
            FollowUp.participant_id,
            Enrollment.programme,
            FollowUp.max_score,
            FollowUp.overall_risk,
            FollowUp.urine_result,
            screened_on.label("screened_on"),
        )
        .outerjoin(Enrollment, Enrollment.id == FollowUp.enrollment_id)
        .where(where)
        .subquery()
    )
    baseline = Screening.__table__.alias("baseline")  # type: ignore[attr-defined]
    return select(
        follow_ups.c.facility_id.label("facility_id"),
        follow_ups.c.followed_on.label("day"),
        follow_ups.c.participant_id.label("participant_id"),
        follow_ups.c.programme.label("programme"),
        follow_ups.c.urine_result.label("urine_result"),
        case((baseline.c.id.is_not(None), 1), else_=0).label("compared"),
        (follow_ups.c.max_score - baseline.c.max_score).label("score_change"),
        case((risk_rank(follow_ups.c.overall_risk) < risk_rank(baseline.c.overall_risk), 1), else_=0).label(
            "risk_fell"
        ),
    ).outerjoin(
        baseline,
        and_(
            baseline.c.participant_id == follow_ups.c.participant_id,
            baseline.c.screened_on == follow_ups.c.screened_on,
        ),
    )


DEFINITIONS: dict[type, Callable[[ColumnElement[bool]], Select[Any]]] = {
    AggSessionDay: session_rows,
    AggScreeningDay: screening_rows,
    AggEnrollmentDay: enrollment_rows,
    AggCoverageDay: coverage_rows,
    AggFollowUp: follow_up_rows,
}
"""Each derived table and the statement defining its rows from the base tables."""


# --- spans: which cells a change can affect -------------------------------------------------------


@dataclass
class Spans:
    """Date spans to refresh: per (facility, programme) for sessions, per facility for screenings and
    for enrolment starts; single days per facility for coverage (a screening's own day and the day
    of the participant's next screening there, whose ``previous`` it is, may be years apart).

    Follow-ups likewise as single days per facility: a screening or an enrolment changes the
    follow-ups of its participant, anywhere and on any later day.
    A span's end of ``None`` means open-ended (an enrolment without an end date).
    """

    sessions: dict[tuple[int, str], tuple[date, date | None]] = field(default_factory=dict)
    screenings: dict[int, tuple[date, date]] = field(default_factory=dict)
    enrollments: dict[int, tuple[date, date]] = field(default_factory=dict)
    coverage: dict[int, set[date]] = field(default_factory=dict)
    follow_ups: dict[int, set[date]] = field(default_factory=dict)

    def add_sessions(self, facility_id: int, programme: str, start: date, end: date | None) -> None:
        key = (facility_id, str(programme))
        if key in self.sessions:
            old_start, old_end = self.sessions[key]
            start = min(start, old_start)
            end = None if end is None or old_end is None else max(end, old_end)
        self.sessions[key] = (start, end)

    def add_screenings(self, facility_id: int, start: date, end: date) -> None:
        _widen(self.screenings, facility_id, start, end)

    def add_enrollments(self, facility_id: int, start: date, end: date) -> None:
        _widen(self.enrollments, facility_id, start, end)

    def add_coverage(self, facility_id: int, day: date) -> None:
        self.coverage.setdefault(facility_id, set()).add(day)

    def add_follow_up(self, facility_id: int, day: date) -> None:
        self.follow_ups.setdefault(facility_id, set()).add(day)

    def facilities(self) -> list[int]:
        return sorted(
            {f for f, _ in self.sessions}
            | set(self.screenings)
            | set(self.enrollments)
            | set(self.coverage)
            | set(self.follow_ups)
        )

    def __bool__(self) -> bool:
        return bool(self.sessions or self.screenings or self.enrollments or self.coverage or self.follow_ups)


def _widen(spans: dict[int, tuple[date, date]], facility_id: int, start: date, end: date) -> None:
    """Make ``spans[facility_id]`` cover ``start``–``end`` too."""
    if facility_id in spans:
        old_start, old_end = spans[facility_id]
        start, end = min(start, old_start), max(end, old_end)
    spans[facility_id] = (start, end)


LOOKUP_CHUNK = 1000  # ids per lookup (well under SQLite's bound-parameter limit)


def _chunks(ids: set[int]) -> Iterable[list[int]]:
    ordered = sorted(ids)
    return (ordered[first : first + LOOKUP_CHUNK] for first in range(0, len(ordered), LOOKUP_CHUNK))


def _session_cells(connection: Connection, spans: Spans, session_ids: set[int]) -> None:
    """The cells of the sessions attendance rows belong to (one lookup per thousand sessions; a
    deleted session has no cell left to refresh from its attendance)."""
    for chunk in _chunks(session_ids):
        rows = connection.execute(
            select(ProgrammeSession.facility_id, ProgrammeSession.programme, ProgrammeSession.held_on).where(
                ProgrammeSession.id.in_(chunk)
            )
        )
        for facility_id, programme, held_on in rows:
            spans.add_sessions(facility_id, programme, held_on, held_on)


def _add_rows(
    connection: Connection, spans: Spans, model: type, versions: Iterable[Mapping[str, Any]]
) -> None:
    """Add the cells that versions (old or new) of ``model`` rows contribute to."""
    if model is Attendance:
        _session_cells(connection, spans, {values["session_id"] for values in versions})
        return
    versions = list(versions)
    if model in (Screening, Enrollment):
        _follow_up_rows_of(connection, spans, versions, since="screened_on" if model is Screening else None)
    if model is Screening:
        _coverage_cells(connection, spans, versions)
    elif model in REFERRAL_DAY:
        day = REFERRAL_DAY[model]
        _referral_cells(connection, spans, [(values["participant_id"], values[day]) for values in versions])
    for values in versions:
        _add_row(spans, model, values)


REFERRAL_DAY: dict[type, str] = {Enrollment: "started_on", Assessment: "assessed_on"}
"""Rows that count as the referral of a screening 0–30 days before them, and their date column."""


def _dated_rows_of(
    connection: Connection, day: Any, participant_ids: set[int]
) -> dict[int, list[tuple[int, date]]]:
    """Participant -> (facility, ``day``) of each of their rows in ``day``'s table (screenings,
    follow-ups), one lookup per thousand participants."""
    model = day.class_
    found: dict[int, list[tuple[int, date]]] = {}
    for chunk in _chunks(participant_ids):
        rows = connection.execute(
            select(model.participant_id, model.facility_id, day).where(model.participant_id.in_(chunk))
        )
        for participant_id, facility_id, on in rows:
            found.setdefault(participant_id, []).append((facility_id, on))
    return found


def _referral_cells(connection: Connection, spans: Spans, followers: list[tuple[int, date]]) -> None:
    """The cells of the screenings that assessments/enrolments (participant, day) may follow, 0–30
    days before them."""
    screenings = _dated_rows_of(
        connection, Screening.screened_on, {participant_id for participant_id, _ in followers}
    )
    for participant_id, day in followers:
        for facility_id, screened_on in screenings.get(participant_id, ()):
            if day - timedelta(days=REFERRAL_DAYS) <= screened_on <= day:
                spans.add_screenings(facility_id, screened_on, screened_on)


def _follow_up_rows_of(
    connection: Connection, spans: Spans, versions: list[Mapping[str, Any]], since: str | None
) -> None:
    """The ``agg_follow_up`` rows of the participants of screenings (their follow-ups on or after
    the screening day: the screening may be their baseline) or of enrolments (every follow-up: it
    may be linked to the enrolment, whose programme it carries)."""
    follow_ups = _dated_rows_of(
        connection, FollowUp.followed_on, {values["participant_id"] for values in versions}
    )
    for values in versions:
        for facility_id, followed_on in follow_ups.get(values["participant_id"], ()):
            if since is None or followed_on >= values[since]:
                spans.add_follow_up(facility_id, followed_on)


def _coverage_cells(connection: Connection, spans: Spans, versions: list[Mapping[str, Any]]) -> None:
    """The coverage cells of screenings (old or new versions) and of the participant's next screening
    at the same facility, whose ``previous`` they are."""
    screenings = _dated_rows_of(
        connection, Screening.screened_on, {values["participant_id"] for values in versions}
    )
    for values in versions:
        facility_id, day = values["facility_id"], values["screened_on"]
        spans.add_coverage(facility_id, day)
        later = [d for f, d in screenings.get(values["participant_id"], ()) if f == facility_id and d > day]
        if later:
            spans.add_coverage(facility_id, min(later))


def _add_row(spans: Spans, model: type, values: Mapping[str, Any]) -> None:
    """Add the cells one version (old or new) of a base row contributes to, apart from those looked up
    in batches (attendance's sessions, coverage and referral cells)."""
    if model is Screening:
        spans.add_screenings(values["facility_id"], values["screened_on"], values["screened_on"])
    elif model is ProgrammeSession:
        spans.add_sessions(values["facility_id"], values["programme"], values["held_on"], values["held_on"])
    elif model is Enrollment:
        spans.add_sessions(
            values["facility_id"], values["programme"], values["started_on"], values.get("ended_on")
        )
        spans.add_enrollments(values["facility_id"], values["started_on"], values["started_on"])
    elif model is FollowUp:
        spans.add_follow_up(values["facility_id"], values["followed_on"])


def _status_change(model: type, versions: list[dict[str, Any]]) -> bool:
    """An enrolment whose status alone changed: only its enrolment cell moves (expected attendance and
    referrals do not depend on the status)."""
    if model is not Enrollment or len(versions) != 2:
        return False
    before, after = versions
    return {name for name in after if before[name] != after[name]} == {"status"}


TRACKED: dict[type, tuple[str, ...]] = {
    Screening: ("participant_id", "facility_id", "screened_on"),
    ProgrammeSession: ("facility_id", "programme", "held_on"),
    Attendance: ("session_id",),
    Enrollment: ("participant_id", "facility_id", "programme", "started_on", "ended_on", "status"),
    Assessment: ("participant_id", "assessed_on"),
    FollowUp: ("participant_id", "facility_id", "followed_on"),
}
"""Base tables the aggregates derive from, and the columns a change of which moves a row's cells."""


# --- refreshing -------------------------------------------------------------------------------------


def _lock(connection: Connection, facility_ids: Iterable[int]) -> None:
    """Serialise aggregate refreshes per facility on PostgreSQL (sorted: no lock-order deadlock)."""
    if connection.dialect.name != "postgresql":
        return
    for facility_id in sorted(facility_ids):
        connection.execute(
            text("SELECT pg_advisory_xact_lock(:cls, :facility)"),
            {"cls": ADVISORY_LOCK_CLASS, "facility": facility_id},
        )


def monthly_rows(daily: type, where: ColumnElement[bool]) -> Select[Any]:
    """Month rows (``day`` = first of the month) summed from the daily table's rows matching ``where``."""
    columns = daily.__table__.columns  # type: ignore[attr-defined]
    others = [
        column for column in columns if column.primary_key and column.name not in ("facility_id", "day")
    ]
    counts = [func.sum(column).label(column.name) for column in columns if not column.primary_key]
    month = first_of_month(daily.day)
    return (
        select(daily.facility_id, month.label("day"), *others, *counts)
        .where(where)
        .group_by(daily.facility_id, month, *others)
    )


ROLLUPS = (
    (AggSessionDay, AggSessionMonth),
    (AggScreeningDay, AggScreeningMonth),
    (AggEnrollmentDay, AggEnrollmentMonth),
    (AggCoverageDay, AggCoverageMonth),
)
"""Daily tables and the monthly tables summed from them."""
MONTHLY = dict(ROLLUPS)
TABLES: tuple[type, ...] = (*(table for pair in ROLLUPS for table in pair), AggFollowUp)
"""Every derived table (what a rebuild rewrites and a snapshot compares)."""


def refresh(connection: Connection, spans: Spans) -> None:
    """Recompute the aggregate rows of ``spans`` from the base tables (in the caller's transaction)."""
    if not spans:
        return
    _lock(connection, spans.facilities())
    for (facility_id, programme), (start, end) in sorted(spans.sessions.items()):
        held, day, month = ProgrammeSession, AggSessionDay, AggSessionMonth
        base = and_(held.facility_id == facility_id, held.programme == programme, held.held_on >= start)
        days = and_(day.facility_id == facility_id, day.programme == programme, day.day >= start)
        months = and_(
            month.facility_id == facility_id, month.programme == programme, month.day >= month_start(start)
        )
        days_of_months = and_(
            day.facility_id == facility_id, day.programme == programme, day.day >= month_start(start)
        )
        if end is not None:  # else open-ended: an enrolment without an end date
            base, days = and_(base, held.held_on <= end), and_(days, day.day <= end)
            months, days_of_months = (
                and_(months, month.day <= end),
                and_(days_of_months, day.day < add_months(end, 1)),
            )
        _replace(connection, day, days, session_rows(base))
        _replace(connection, month, months, monthly_rows(day, days_of_months))
    for facility_id, (start, end) in sorted(spans.screenings.items()):
        base = and_(Screening.facility_id == facility_id, Screening.screened_on.between(start, end))
        _refresh_days(connection, AggScreeningDay, facility_id, start, end, base)
    for facility_id, (start, end) in sorted(spans.enrollments.items()):
        base = and_(Enrollment.facility_id == facility_id, Enrollment.started_on.between(start, end))
        _refresh_days(connection, AggEnrollmentDay, facility_id, start, end, base)
    for facility_id, days in sorted(spans.coverage.items()):
        for start, end in _month_runs(days):
            base = and_(Screening.facility_id == facility_id, Screening.screened_on.between(start, end))
            _refresh_days(connection, AggCoverageDay, facility_id, start, end, base)
    for facility_id, days in sorted(spans.follow_ups.items()):
        for start, end in _month_runs(days):
            base = and_(FollowUp.facility_id == facility_id, FollowUp.followed_on.between(start, end))
            _refresh_days(connection, AggFollowUp, facility_id, start, end, base)


def _month_runs(days: set[date]) -> list[tuple[date, date]]:
    """The first and last of ``days`` in each month they fall in: one refresh per facility-month."""
    runs: dict[date, tuple[date, date]] = {}
    for day in sorted(days):
        first = runs.get(month_start(day), (day, day))[0]
        runs[month_start(day)] = (first, day)
    return list(runs.values())


def _refresh_days(
    connection: Connection, daily: Any, facility_id: int, start: date, end: date, base: ColumnElement[bool]
) -> None:
    """Recompute one facility's ``daily`` rows of ``start``–``end`` from the ``base`` rows they derive
    from, then its monthly rows of the months they fall in (if the table has a monthly twin)."""
    cells = and_(daily.facility_id == facility_id, daily.day.between(start, end))
    _replace(connection, daily, cells, DEFINITIONS[daily](base))
    monthly = MONTHLY.get(daily)
    if monthly is None:
        return
    months = and_(monthly.facility_id == facility_id, monthly.day.between(month_start(start), end))
    days = and_(
        daily.facility_id == facility_id,
        daily.day >= month_start(start),
        daily.day < add_months(end, 1),
    )
    _replace(connection, monthly, months, monthly_rows(daily, days))


def _replace(connection: Connection, model: type, cells: ColumnElement[bool], rows: Select[Any]) -> None:
    """Delete ``cells`` and insert ``rows`` in their place, in day order.

    Every KPI reads a range of days: stored in day order (a rebuild writes the whole table so; later
    writes append mostly recent days), a range is a few neighbouring pages that PostgreSQL's planner,
    seeing the correlation, reads through the day index instead of scanning the table.
    """
    table = model.__table__  # type: ignore[attr-defined]
    connection.execute(delete(table).where(cells))
    ordered = rows.order_by(None).order_by(rows.selected_columns.day, rows.selected_columns.facility_id)
    connection.execute(insert(table).from_select([c.name for c in rows.selected_columns], ordered))


def rebuild(session: OrmSession) -> None:
    """Recompute every aggregate table from scratch (``python -m rehabdata rebuild-aggregates``)."""
    rebuild_with(session.connection())


def rebuild_with(connection: Connection) -> None:
    """``rebuild`` on a plain connection (migrations, bulk loaders)."""
    if connection.dialect.name == "postgresql":  # every facility: one table-level lock instead
        tables = ", ".join(model.__tablename__ for model in TABLES)  # type: ignore[attr-defined]
        connection.execute(text(f"LOCK TABLE {tables} IN EXCLUSIVE MODE"))
    rebuild_days(connection)
    rebuild_months(connection)


def rebuild_days(connection: Connection, dailies: Iterable[type] = tuple(DEFINITIONS)) -> None:
    """Recompute the daily tables (every one, or those a migration creates) from the base tables."""
    for daily in dailies:
        _replace(connection, daily, true(), DEFINITIONS[daily](true()))


def rebuild_months(connection: Connection, dailies: Iterable[type] = tuple(MONTHLY)) -> None:
    """Sum the monthly tables of ``dailies`` afresh from them."""
    for daily in dailies:
        _replace(connection, MONTHLY[daily], true(), monthly_rows(daily, true()))


def rebuild_in_migration(connection: Connection, dailies: Iterable[type]) -> None:
    """A migration's rebuild of ``dailies`` and their monthly twins, with today's definitions: only
    the tables that already exist with every column their model declares. A table that a later
    migration creates or extends is left to that one, which rebuilds it (an old migration must not
    fill columns its schema does not have yet)."""
    schema = inspect_state(connection)

    def ready(model: type) -> bool:
        name = model.__tablename__  # type: ignore[attr-defined]
        declared = {column.name for column in model.__table__.columns}  # type: ignore[attr-defined]
        return schema.has_table(name) and declared <= {column["name"] for column in schema.get_columns(name)}

    days = [daily for daily in dailies if ready(daily)]
    rebuild_days(connection, days)
    rebuild_months(connection, [daily for daily in days if daily in MONTHLY and ready(MONTHLY[daily])])


def refresh_inserted(session: OrmSession, model: type, rows: Iterable[Mapping[str, Any]]) -> None:
    """Note the cells of rows inserted in bulk (Core ``insert``, unseen by the flush hook) for the commit."""
    if model not in TRACKED:
        return
    _add_rows(session.connection(), _pending(session), model, rows)


def snapshot(session: OrmSession) -> dict[str, pd.DataFrame]:
    """Every aggregate table's rows, ordered by key (to compare incremental with rebuilt)."""
    frames = {}
    for model in TABLES:
        table = model.__table__  # type: ignore[attr-defined]
        keys = [column for column in table.primary_key.columns]
        frames[table.name] = query_frame(session.connection(), select(table).order_by(*keys))
    return frames


# --- the flush hook ---------------------------------------------------------------------------------


def _versions(obj: Any, columns: tuple[str, ...], deleted: bool) -> list[dict[str, Any]]:
    """The row's values before and after this flush (one version if nothing tracked changed)."""
    state = inspect_state(obj)
    current = {name: getattr(obj, name) for name in columns}
    if state.pending or deleted:
        return [current]
    before = dict(current)
    for name in columns:
        history = state.attrs[name].history
        if history.deleted:
            before[name] = history.deleted[0]
    return [current] if before == current else [before, current]


PENDING = "rehabdata.aggregate_spans"  # session.info key: spans written since the transaction began


def _pending(session: OrmSession) -> Spans:
    return session.info.setdefault(PENDING, Spans())


@event.listens_for(OrmSession, "after_flush")
def _collect_after_flush(session: OrmSession, _flush_context: Any) -> None:
    """Note the cells the flushed base rows touch (old and new values); refreshed once, at commit."""
    changed = [
        (obj, obj in session.deleted)
        for obj in (*session.new, *session.dirty, *session.deleted)
        if type(obj) in TRACKED
    ]
    if not changed:
        return
    spans = _pending(session)
    versions_by_model: dict[type, list[dict[str, Any]]] = {}
    for obj, deleted in changed:
        if not deleted and obj in session.dirty and not session.is_modified(obj):
            continue
        model, versions = type(obj), _versions(obj, TRACKED[type(obj)], deleted)
        if _status_change(model, versions):
            spans.add_enrollments(obj.facility_id, obj.started_on, obj.started_on)
        else:
            versions_by_model.setdefault(model, []).extend(versions)
    for model, versions in versions_by_model.items():
        _add_rows(session.connection(), spans, model, versions)


def refresh_pending(session: OrmSession) -> None:
    """Flush, then refresh every cell written in this transaction (also run just before each commit)."""
    session.flush()
    spans = session.info.pop(PENDING, None)
    if spans:
        refresh(session.connection(), spans)


# First of the before-commit hooks: the facility locks come before the data-version row's lock.
event.listen(OrmSession, "before_commit", refresh_pending, insert=True)


@event.listens_for(OrmSession, "after_transaction_end")
def _forget_pending(session: OrmSession, transaction: Any) -> None:
    if transaction.parent is None:  # the whole transaction ended (rolled back: nothing to refresh)
        session.info.pop(PENDING, None)
