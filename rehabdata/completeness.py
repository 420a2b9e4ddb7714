"""Reporting completeness and timeliness: who has reported each month, and who reported late.

Without this view the other KPIs silently undercount (DESIGN §4): a month whose population or
sessions were never entered looks like a drop. One row per facility × month, computed from SQL
aggregates grouped by facility and month (never raw rows).

A facility's month is **complete** when it has
- its population figure (``FacilityPopulation``),
- for each programme with an enrolment active on at least 7 days of the month, at least one session
  of that programme held in the month with attendance recorded (respecting the filter's
  programme); 7 days is one cycle of a weekly programme, so someone enrolled in a month's last
  days does not make it incomplete before a session could be held, and
- an overall risk on every screening held in the month.

**Deadline**: the end of day ``deadline_day`` (``REHAB_REPORTING_DEADLINE_DAY``, default 10) of the
following month, in WIB (UTC+7, where all facilities are today).
**Timeliness** uses the only entry timestamps the records carry: the population's ``entered_at``
and the screenings' ``created_at``. Sessions and attendance have no timestamp, so a session typed
in after the deadline cannot make a month late; a month is late only through its population or
screenings.

States: ``not_due_yet`` — the month has not ended, or it is not complete but the deadline has not
passed; ``complete`` — complete, everything timed entered by the deadline; ``late`` — complete,
but the population or a screening was entered after the deadline; ``incomplete`` — the deadline
has passed and something is missing.

Which facility-months are due: active facilities in the filter, from the month their first
cooperation agreement was signed (a facility without an agreement: every month of the range).
"""

import os
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any, Literal

import pandas as pd
from sqlalchemy import (
    ColumnElement,
    Date,
    String,
    and_,
    case,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlmodel import Session

from rehabdata import clock
from rehabdata.frames import query_frame
from rehabdata.kpis import Filters, facility_condition, programme_condition
from rehabdata.models import (
    AggSessionMonth,
    Agreement,
    AgreementFacility,
    Enrollment,
    Facility,
    FacilityPopulation,
    Screening,
)
from rehabdata.periods import add_months, month_start, months_between
from rehabdata.sqlfunctions import add_days, month_label

State = Literal["complete", "late", "incomplete", "not_due_yet"]
STATES: tuple[State, ...] = ("complete", "late", "incomplete", "not_due_yet")

DEADLINE_ENV = "REHAB_REPORTING_DEADLINE_DAY"
DEFAULT_DEADLINE_DAY = 10
REPORTING_TZ = timezone(timedelta(hours=7), "WIB")
SESSION_DUE_DAYS = 7
"""An enrolment calls for a session in a month when active on at least this many days of it."""

MISSING_KEYS = {
    "population": "completeness.missing.population",
    "session": "completeness.missing.session",
    "screening_risk": "completeness.missing.screening_risk",
}
"""Missing-item code (before any ``:``) → message key; ``session:<programme>`` names the programme."""

GRID_COLUMNS = [
    "facility_id",
    "month",
    "state",
    "missing",
    "deadline",
    "population_entered_at",
    "screenings",
    "screenings_without_risk",
    "last_screening_entered_at",
    "programmes_active",
    "programmes_with_sessions",
]


def reporting_deadline_day() -> int:
    """The day of the following month by which a month must be entered (``REHAB_REPORTING_DEADLINE_DAY``)."""
    raw = os.environ.get(DEADLINE_ENV, "").strip()
    day = int(raw) if raw else DEFAULT_DEADLINE_DAY
    if not 1 <= day <= 28:
        raise ValueError(f"{DEADLINE_ENV} must be a day from 1 to 28 (got {raw!r})")
    return day


def deadline(month: date, deadline_day: int) -> date:
    """The last day on which ``month``'s data counts as entered on time."""
    return add_months(month, 1).replace(day=deadline_day)


def _deadline_moment(month: date, deadline_day: int) -> datetime:
    """The first instant (UTC) after the deadline day ends in WIB."""
    day_after = deadline(month, deadline_day) + timedelta(days=1)
    return datetime.combine(day_after, time(0), tzinfo=REPORTING_TZ).astimezone(UTC)


def _due_facilities(session: Session, filters: Filters) -> pd.DataFrame:
    """Active facilities in the filter with the date their first agreement was signed (or NaN)."""
    first_signed = (
        select(AgreementFacility.facility_id, func.min(Agreement.signed_on).label("first_signed"))
        .join(Agreement, Agreement.id == AgreementFacility.agreement_id)
        .group_by(AgreementFacility.facility_id)
        .subquery()
    )
    statement = (
        select(Facility.id.label("facility_id"), first_signed.c.first_signed)
        .outerjoin(first_signed, first_signed.c.facility_id == Facility.id)
        .where(Facility.active, facility_condition(filters, Facility.id))
        .order_by(Facility.id)
    )
    return query_frame(session, statement)


def _months_table(months: list[date]) -> Any:
    """The range's months as a small SQL table: label, latest start and earliest end of a due enrolment."""
    span = timedelta(days=SESSION_DUE_DAYS - 1)
    rows = [
        select(
            literal(f"{m:%Y-%m}", String).label("month"),
            literal(add_months(m, 1) - timedelta(days=1) - span, Date).label("started_by"),
            literal(m + span, Date).label("ended_from"),
        )
        for m in months
    ]
    return union_all(*rows).subquery("months")


def _due_enrolment(table: Any) -> ColumnElement[bool]:
    """The enrolment overlaps the month on at least ``SESSION_DUE_DAYS`` days."""
    return and_(
        Enrollment.started_on <= table.c.started_by,
        or_(
            Enrollment.ended_on.is_(None),
            and_(
                Enrollment.ended_on >= table.c.ended_from,
                Enrollment.ended_on >= add_days(Enrollment.started_on, SESSION_DUE_DAYS - 1),
            ),
        ),
    )


def _aggregates(session: Session, filters: Filters, months: list[date]) -> dict[str, pd.DataFrame]:
    """Per facility and month: population, screenings, programmes with an attended session, active ones."""
    first, last = months[0], add_months(months[-1], 1) - timedelta(days=1)
    population = select(
        FacilityPopulation.facility_id.label("facility_id"),
        month_label(FacilityPopulation.month).label("month"),
        func.max(FacilityPopulation.entered_at).label("population_entered_at"),
    ).where(
        FacilityPopulation.month.between(first, last),
        facility_condition(filters, FacilityPopulation.facility_id),
    )
    screenings = select(
        Screening.facility_id.label("facility_id"),
        month_label(Screening.screened_on).label("month"),
        func.count(Screening.id).label("screenings"),
        func.sum(case((Screening.overall_risk.is_(None), 1), else_=0)).label("screenings_without_risk"),
        func.max(Screening.created_at).label("last_screening_entered_at"),
    ).where(Screening.screened_on.between(first, last), facility_condition(filters, Screening.facility_id))
    # Programmes with a session attended in the month: the monthly aggregate, not 10 M attendance rows.
    held = AggSessionMonth
    sessions = select(
        held.facility_id.label("facility_id"),
        month_label(held.day).label("month"),
        held.programme.label("programme"),
    ).where(
        held.day.between(first, last),
        held.attended > 0,
        facility_condition(filters, held.facility_id),
        programme_condition(filters, held.programme),
    )
    table = _months_table(months)
    active = (
        select(
            Enrollment.facility_id.label("facility_id"),
            table.c.month,
            Enrollment.programme.label("programme"),
            func.count(Enrollment.id).label("enrolments"),
        )
        .join(table, _due_enrolment(table))
        .where(
            facility_condition(filters, Enrollment.facility_id),
            programme_condition(filters, Enrollment.programme),
        )
    )
    keys = ["facility_id", "month"]
    return {
        "population": query_frame(session, population.group_by(*keys)),
        "screenings": query_frame(session, screenings.group_by(*keys)),
        "sessions": query_frame(session, sessions),
        "active": query_frame(session, active.group_by(*keys, "programme")),
    }


def _programmes(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """(facility, month) → sorted tuple of the programmes listed in ``frame``."""
    if frame.empty:
        return pd.DataFrame(columns=["facility_id", "month", name])
    grouped = frame.groupby(["facility_id", "month"])["programme"].agg(lambda p: tuple(sorted(set(p))))
    return grouped.rename(name).reset_index()


def _missing(row: Mapping[str, Any]) -> tuple[str, ...]:
    """Codes of what a facility-month lacks to be complete."""
    missing = [] if pd.notna(row["population_entered_at"]) else ["population"]
    missing += [
        f"session:{programme}"
        for programme in row["programmes_active"]
        if programme not in row["programmes_with_sessions"]
    ]
    if row["screenings_without_risk"]:
        missing.append("screening_risk")
    return tuple(missing)


def _state(row: Mapping[str, Any], today: date, deadline_day: int) -> State:
    month = date.fromisoformat(f"{row['month']}-01")
    if today <= add_months(month, 1) - timedelta(days=1):
        return "not_due_yet"
    if row["missing"]:
        return "not_due_yet" if today <= row["deadline"] else "incomplete"
    cutoff = _deadline_moment(month, deadline_day)
    stamps = [row["population_entered_at"], row["last_screening_entered_at"]]
    return "late" if any(pd.notna(s) and s >= cutoff for s in stamps) else "complete"


def completeness_grid(
    session: Session, filters: Filters, *, today: date | None = None, deadline_day: int | None = None
) -> pd.DataFrame:
    """One row per due facility × month of the filter's range: state, what is missing, entry times.

    Whole months count: a range starting or ending mid-month covers those months entirely. The
    caller scopes the filter (``kpis.scope_filters``), as for KPIs. ``missing`` is a tuple of
    codes (``population``, ``session:<programme>``, ``screening_risk``); ``missing_messages``
    turns a row's codes into message keys and values.
    """
    today = today or clock.today()
    deadline_day = deadline_day or reporting_deadline_day()
    months = months_between(filters.start, filters.end)
    facilities = _due_facilities(session, filters)
    if facilities.empty:
        return pd.DataFrame(columns=GRID_COLUMNS)
    months_frame = pd.DataFrame({"month_start": months, "month": [f"{m:%Y-%m}" for m in months]})
    grid = facilities.merge(months_frame, how="cross")
    joined = [
        pd.isna(signed) or month >= month_start(signed)
        for month, signed in zip(grid["month_start"], grid["first_signed"], strict=True)
    ]
    grid = grid[joined]
    parts = _aggregates(session, filters, months)
    keys = ["facility_id", "month"]
    grid = grid.merge(parts["population"], on=keys, how="left").merge(
        parts["screenings"], on=keys, how="left"
    )
    grid = grid.merge(_programmes(parts["active"], "programmes_active"), on=keys, how="left")
    grid = grid.merge(_programmes(parts["sessions"], "programmes_with_sessions"), on=keys, how="left")
    for column in ("programmes_active", "programmes_with_sessions"):
        grid[column] = grid[column].map(lambda value: value if isinstance(value, tuple) else ())
    for column in ("screenings", "screenings_without_risk"):
        grid[column] = pd.to_numeric(grid[column]).fillna(0).astype("int64")
    grid["deadline"] = grid["month_start"].map(lambda m: deadline(m, deadline_day))
    grid["missing"] = [_missing(row) for row in grid.to_dict("records")]
    grid["state"] = [_state(row, today, deadline_day) for row in grid.to_dict("records")]
    return grid[GRID_COLUMNS].sort_values(keys).reset_index(drop=True)


def missing_messages(row: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Message key and values for each missing item of a grid row (the page translates them)."""
    messages = []
    for code in row["missing"]:
        kind, _, programme = code.partition(":")
        values: dict[str, Any] = {"programme": programme} if programme else {}
        if kind == "screening_risk":
            values["count"] = int(row["screenings_without_risk"])
        messages.append((MISSING_KEYS[kind], values))
    return messages


def overdue_count(grid: pd.DataFrame) -> int:
    """Facility-months past their deadline and still incomplete (what makes KPIs undercount)."""
    return int((grid["state"] == "incomplete").sum()) if len(grid) else 0
