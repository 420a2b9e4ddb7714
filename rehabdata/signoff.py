"""Monthly sign-off: a facility's head certifies a month's data, and that facility-month is locked.

A pimpinan whose scope includes the facility (or an admin) signs off a month that has ended, after
reviewing its completeness and quality checks (``review``). While the sign-off stands, every create,
update and delete of that facility-month's records is refused — through ``services`` (forms, direct
calls, corrections) and the importer — with a message naming who signed and when (``MonthLocked``,
a ``ValidationFailed``, so forms show it like any refused save). An admin reopens a month with a
written reason. Both actions are audited (``audit.record``, which bumps the data version too).

Which records belong to a facility-month: each record's own date (``DATING``):
- screenings ``screened_on``, assessments ``assessed_on``, follow-ups ``followed_on``, sessions
  ``held_on`` and their attendance (by the session's date), outreach events at a facility
  ``held_on``, monev visits ``visited_on``, populations ``month``, peer-counsellor trainings and
  their trainees ``ended_on`` (the date the capacity KPI counts them by).
- Two dates: an enrolment starts (``started_on``) and ends (``ended_on``); a participant is admitted
  (``admitted_on``) and leaves (``exited_on``). The start month holds the record's details, the end
  month only how and when it ended (status, end date and reason; exit date and reason). So an
  enrolment begun in a signed month can still be closed in an open one, but not re-dated or
  re-classified.
- Never locked: outreach events of a whole region (no facility head signs them), monev actions (a
  to-do list followed up over months), a peer counsellor's ``active`` flag (the present, not a
  month's fact), and reference data (facilities, agreements, users).
An update is refused when a changed field belongs to a locked month before or after the change, so
no record moves into or out of a locked month either.

A signed-off month's figures do not move afterwards. Most records count only in their own month,
but an enrolment counts in every month from its start to its end (active enrolments, expected
attendance): creating, deleting or re-dating one is refused when any month it counts in (or
stops counting in) is locked — e.g. an enrolment started on 30 September while October is signed
off, or an end date moved out of a signed-off month. Closing an enrolment in an open month stays
possible: the months before its end keep counting it.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import inspect
from sqlmodel import Session, SQLModel, select

from rehabdata import audit, clock, completeness, quality
from rehabdata.auth import Principal, ScopeError
from rehabdata.i18n import Lang, format_day, format_month, t
from rehabdata.kpis import Filters, facility_condition, scope_filters
from rehabdata.models import (
    Assessment,
    Attendance,
    Enrollment,
    Facility,
    FacilityPopulation,
    FollowUp,
    MonevVisit,
    MonthSignoff,
    OutreachEvent,
    Participant,
    PeerCounsellor,
    PeerCounsellorTraining,
    ProgrammeSession,
    Role,
    Screening,
    utcnow,
)
from rehabdata.periods import add_months, month_start
from rehabdata.validation import Problem, ValidationFailed

ENTITY = "month_signoff"
SIGNERS = frozenset({Role.PIMPINAN, Role.ADMIN})
"""Who may sign off a month of a facility in their scope; only an admin reopens one."""
MAX_REASON = 500


@dataclass(frozen=True)
class Dating:
    """How a table's records fall into facility-months (see the module notes)."""

    day: str
    end: str | None = None
    end_fields: frozenset[str] = frozenset()
    current: frozenset[str] = frozenset()  # fields about the present: in no month
    parent: tuple[type[SQLModel], str] | None = None  # facility and ``day`` are this parent's
    spans: bool = False  # the record counts in every month from ``day`` to ``end`` (or today)

    def parts(self, fields: set[str]) -> list[tuple[str, set[str]]]:
        """(date field, the fields it governs): the record's start and, if it has one, its end."""
        start = fields - self.end_fields - self.current
        return [(self.day, start)] + ([(self.end, set(self.end_fields))] if self.end else [])


_TRAINEE = Dating("ended_on", current=frozenset({"active"}), parent=(PeerCounsellorTraining, "training_id"))
DATING: dict[type[SQLModel], Dating] = {
    Participant: Dating("admitted_on", "exited_on", frozenset({"exited_on", "exit_reason"})),
    Screening: Dating("screened_on"),
    Assessment: Dating("assessed_on"),
    Enrollment: Dating("started_on", "ended_on", frozenset({"status", "ended_on", "end_reason"}), spans=True),
    ProgrammeSession: Dating("held_on"),
    Attendance: Dating("held_on", parent=(ProgrammeSession, "session_id")),
    FollowUp: Dating("followed_on"),
    FacilityPopulation: Dating("month"),
    OutreachEvent: Dating("held_on"),
    MonevVisit: Dating("visited_on"),
    PeerCounsellorTraining: Dating("ended_on"),
    PeerCounsellor: _TRAINEE,
}


class MonthProblem(Problem):
    """A problem about a facility-month: its month and sign-off day read in the user's language."""

    def message(self, lang: Lang) -> str:
        """The message in ``lang``, months as ``Sep 2025`` and days as ``5 Okt 2025``."""
        params = dict(self.params)
        if "month" in params:
            params["month"] = format_month(date.fromisoformat(params["month"]), lang)
        if "signed_at" in params:
            params["signed_at"] = format_day(date.fromisoformat(params["signed_at"]), lang)
        return t(self.key, lang, **params)


class MonthLocked(ValidationFailed):
    """A write touches a signed-off facility-month; forms and the importer show it like any refusal."""


def local_time(moment: datetime) -> datetime:
    """A stored UTC time in the users' time zone (``REHAB_TIMEZONE``)."""
    return clock.local(moment)


def _facility_name(session: Session, facility_id: int) -> str:
    facility = session.get(Facility, facility_id)
    return facility.name if facility else str(facility_id)


def locked_problem(
    session: Session, signoff: MonthSignoff, field: str, key: str = "validation.month_locked"
) -> MonthProblem:
    """The message naming the facility, month, who signed it off and when."""
    params = {
        "facility": _facility_name(session, signoff.facility_id),
        "month": signoff.month.isoformat(),
        "signed_by": signoff.signed_by,
        "signed_at": local_time(signoff.signed_at).date().isoformat(),
    }
    return MonthProblem(field, key, params)


def standing(session: Session, facility_id: int, day: date) -> MonthSignoff | None:
    """The sign-off locking the facility's month of ``day``, or None when the month is open."""
    statement = select(MonthSignoff).where(
        MonthSignoff.facility_id == facility_id,
        MonthSignoff.month == month_start(day),
        MonthSignoff.reopened_at.is_(None),
    )
    with session.no_autoflush:
        return session.exec(statement).first()


def locked_months(session: Session) -> dict[tuple[int, date], MonthSignoff]:
    """Every locked (facility, first day of month), for checking many rows at once (the importer)."""
    rows = session.exec(select(MonthSignoff).where(MonthSignoff.reopened_at.is_(None))).all()
    return {(row.facility_id, row.month): row for row in rows}


# --- the lock ----------------------------------------------------------------------------------


def _values(session: Session, dating: Dating, row: SQLModel, *, old: bool) -> dict[str, Any]:
    """The row's columns (as loaded, before its pending changes, when ``old``), with a parent's facility and day."""
    state = inspect(row)
    values = {}
    for column in state.mapper.column_attrs:
        history = state.attrs[column.key].history
        values[column.key] = history.deleted[0] if old and history.deleted else getattr(row, column.key)
    if dating.parent is not None:
        model, key = dating.parent
        with session.no_autoflush:
            parent = session.get(model, values[key]) if values[key] is not None else None
        values["facility_id"] = getattr(parent, "facility_id", None)
        values[dating.day] = getattr(parent, dating.day, None)
    return values


def _touched(
    dating: Dating, before: dict[str, Any] | None, after: dict[str, Any] | None
) -> list[tuple[str, int, date]]:
    """(date field, facility, day) of every facility-month a create, change or delete reaches."""
    fields = set(after if after is not None else before or {})
    touched = []
    for day_field, governed in dating.parts(fields):
        if before is not None and after is not None:
            if all(before[f] == after[f] for f in governed | {"facility_id"}):
                continue  # nothing this date governs changed
        for values in (before, after):
            if values and values.get(day_field) is not None and values.get("facility_id") is not None:
                touched.append((day_field, values["facility_id"], values[day_field]))
    return touched


def require_open(session: Session, row: SQLModel, *, deleting: bool = False) -> None:
    """Refuse (``MonthLocked``) creating, changing or deleting ``row`` where it touches a signed-off month.

    ``services`` calls this with the row holding its new values, before the flush: a new row is a
    create; for a loaded row the ORM's change history gives the values before the update (so no
    flush may come between the change and this check — ``services.update`` holds autoflush).
    """
    dating = DATING.get(type(row))
    if dating is None:
        return
    current = _values(session, dating, row, old=False)
    if deleting:
        before, after = current, None
    elif inspect(row).persistent:
        before, after = _values(session, dating, row, old=True), current
    else:
        before, after = None, current
    for field, facility_id, day in _touched(dating, before, after):
        signed = standing(session, facility_id, day)
        if signed is not None:
            raise MonthLocked([locked_problem(session, signed, field)])
    if dating.spans:
        for field, facility_id, first, last in _spans_reached(dating, before, after):
            signed = _locked_between(session, facility_id, first, last)
            if signed is not None:
                raise MonthLocked([locked_problem(session, signed, field, "validation.span_locked")])


def _span(dating: Dating, values: dict[str, Any]) -> tuple[date, date]:
    """The days a spanning record counts in: its start to its end (an open one: to today)."""
    return values[dating.day], values.get(dating.end) or clock.today()


def _spans_reached(
    dating: Dating, before: dict[str, Any] | None, after: dict[str, Any] | None
) -> list[tuple[str, int, date, date]]:
    """(field, facility, first day, last day) of the days whose figures a write of a spanning record
    changes: its whole span for a create or delete or a new start, the days between the old and
    the new end for a new end."""
    if before is None or after is None:
        values = after if after is not None else before
        return [(dating.day, values["facility_id"], *_span(dating, values))] if values else []
    start_fields = {f for part, governed in dating.parts(set(after)) if part == dating.day for f in governed}
    if any(before[f] != after[f] for f in start_fields | {"facility_id"}):
        return [
            (dating.day, before["facility_id"], *_span(dating, before)),
            (dating.day, after["facility_id"], *_span(dating, after)),
        ]
    old_end, new_end = _span(dating, before)[1], _span(dating, after)[1]
    if old_end == new_end:
        return []
    return [
        (dating.end, after["facility_id"], min(old_end, new_end) + timedelta(days=1), max(old_end, new_end))
    ]


def _locked_between(session: Session, facility_id: int, first: date, last: date) -> MonthSignoff | None:
    """The earliest standing sign-off of the facility's months from ``first`` to ``last``."""
    if first > last:
        return None
    statement = (
        select(MonthSignoff)
        .where(
            MonthSignoff.facility_id == facility_id,
            MonthSignoff.month.between(month_start(first), month_start(last)),
            MonthSignoff.reopened_at.is_(None),
        )
        .order_by(MonthSignoff.month)
    )
    with session.no_autoflush:
        return session.exec(statement).first()


# --- signing off and reopening -----------------------------------------------------------------


def can_sign(principal: Principal, facility_id: int) -> bool:
    """Whether ``principal`` may sign off the facility's months: its pimpinan, or an admin."""
    return principal.role in SIGNERS and principal.can_see(facility_id)


def sign_off(
    *, session: Session, principal: Principal, facility_id: int, month: date, today: date | None = None
) -> MonthSignoff:
    """Sign off a facility's month once it has ended, locking its records; audited as ``signoff``."""
    if not can_sign(principal, facility_id):
        raise ScopeError(f"user {principal.username!r} may not sign off months of facility {facility_id}")
    if session.get(Facility, facility_id) is None:
        raise LookupError(f"facility {facility_id} does not exist")
    month = month_start(month)
    if month >= month_start(today or clock.today()):
        raise ValidationFailed(
            [MonthProblem("month", "validation.month_not_over", {"month": month.isoformat()})]
        )
    row = session.exec(
        select(MonthSignoff).where(MonthSignoff.facility_id == facility_id, MonthSignoff.month == month)
    ).first()
    if row is not None and row.reopened_at is None:
        raise ValidationFailed([locked_problem(session, row, "month", "validation.already_signed")])
    before = audit.snapshot(row) if row is not None else {}
    row = row or MonthSignoff(facility_id=facility_id, month=month, signed_by=principal.username)
    row.signed_by, row.signed_at = principal.username, utcnow()
    row.reopened_by, row.reopened_at, row.reopen_reason = None, None, ""  # a new sign-off stands alone
    return _save(session, principal, row, "signoff", before)


def reopen(
    *, session: Session, principal: Principal, facility_id: int, month: date, reason: str
) -> MonthSignoff:
    """Reopen a signed-off month (admin only) with a written reason, unlocking it; audited as ``reopen``."""
    if principal.role != Role.ADMIN:
        raise ScopeError("only an admin may reopen a signed-off month")
    reason = reason.strip()
    if not reason:
        raise ValidationFailed([Problem("reason", "validation.required")])
    if len(reason) > MAX_REASON:
        raise ValidationFailed([Problem("reason", "validation.too_long", {"limit": MAX_REASON})])
    row = standing(session, facility_id, month)
    if row is None:
        params = {"facility": _facility_name(session, facility_id), "month": month_start(month).isoformat()}
        raise ValidationFailed([MonthProblem("month", "validation.not_signed", params)])
    before = audit.snapshot(row)
    row.reopened_by, row.reopened_at, row.reopen_reason = principal.username, utcnow(), reason
    return _save(session, principal, row, "reopen", before)


def _save(
    session: Session, principal: Principal, row: MonthSignoff, action: str, before: dict
) -> MonthSignoff:
    session.add(row)
    session.flush()
    audit.record(
        session,
        principal=principal,
        action=action,
        entity=ENTITY,
        entity_id=row.id,
        changes=audit.diff(before, audit.snapshot(row)),
        facility_id=row.facility_id,
    )
    return row


# --- what the head reviews ---------------------------------------------------------------------

REVIEW_COLUMNS = [
    "facility_id",
    "facility",
    "month",
    "ended",
    "state",
    "missing",
    "screenings_without_risk",
    "errors",
    "warnings",
    "signed",
    "signed_by",
    "signed_at",
    "reopened_by",
    "reopened_at",
    "reopen_reason",
]


def review(
    session: Session, principal: Principal, months: list[date], *, today: date | None = None
) -> pd.DataFrame:
    """Each active facility in scope × ``months``: completeness, quality-issue counts and sign-off.

    ``state``/``missing`` come from ``completeness`` (None before a facility's first agreement);
    ``errors``/``warnings`` count the quality checks' issues dated in the month (counts only, which
    leadership may see); ``signed`` says the month is locked, by ``signed_by`` at ``signed_at``;
    ``reopened_*`` tell the last reopening of a month that is open again.
    """
    today = today or clock.today()
    months = sorted(month_start(m) for m in months)
    period = Filters(start=months[0], end=add_months(months[-1], 1) - timedelta(days=1))
    filters = scope_filters(principal, period)
    facilities = session.exec(
        select(Facility.id, Facility.name)
        .where(Facility.active, facility_condition(filters, Facility.id))
        .order_by(Facility.name)
    ).all()
    grid = pd.DataFrame(
        [(fid, name, month) for fid, name in facilities for month in months],
        columns=["facility_id", "facility", "month"],
    )
    if grid.empty:
        return pd.DataFrame(columns=REVIEW_COLUMNS)
    grid["period"] = [f"{m:%Y-%m}" for m in grid["month"]]
    keys = ["facility_id", "period"]
    states = completeness.completeness_grid(session, filters, today=today).rename(columns={"month": "period"})
    grid = grid.merge(states[[*keys, "state", "missing", "screenings_without_risk"]], on=keys, how="left")
    found = Counter(
        (issue.facility_id, f"{issue.day:%Y-%m}", issue.severity)
        for issue in quality.run_checks(session, filters, today=today)
    )
    cells = list(zip(grid["facility_id"], grid["period"], strict=True))
    grid["errors"] = [found[(*cell, "error")] for cell in cells]
    grid["warnings"] = [found[(*cell, "warning")] for cell in cells]
    rows = session.exec(select(MonthSignoff).where(MonthSignoff.month.between(months[0], months[-1]))).all()
    by_cell = {(row.facility_id, f"{row.month:%Y-%m}"): row for row in rows}
    signed = [by_cell.get(cell) for cell in cells]
    grid["signed"] = [row is not None and row.reopened_at is None for row in signed]
    for column in ("signed_by", "signed_at", "reopened_by", "reopened_at", "reopen_reason"):
        grid[column] = [getattr(row, column) if row is not None else None for row in signed]
    grid["ended"] = grid["month"] < month_start(today)
    grid["missing"] = grid["missing"].map(lambda value: value if isinstance(value, tuple) else ())
    grid["screenings_without_risk"] = grid["screenings_without_risk"].fillna(0).astype("int64")
    grid["state"] = grid["state"].astype(object).where(grid["state"].notna(), None)
    return grid[REVIEW_COLUMNS]


def summary(grid: pd.DataFrame) -> pd.DataFrame:
    """Per facility of a ``review`` grid, in its order: ended months open to sign-off (``to_sign``),
    months signed, months incomplete past their deadline, and the quality errors of its months."""
    flags = grid.assign(
        to_sign=grid["ended"] & ~grid["signed"],
        incomplete=grid["state"] == "incomplete",
    )
    return (
        flags.groupby(["facility_id", "facility"], sort=False)
        .agg(
            to_sign=("to_sign", "sum"),
            signed=("signed", "sum"),
            incomplete=("incomplete", "sum"),
            errors=("errors", "sum"),
        )
        .reset_index()
        .astype({"to_sign": "int64", "signed": "int64", "incomplete": "int64", "errors": "int64"})
    )
