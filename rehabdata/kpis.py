"""KPI definitions and the SQL aggregates that compute them.

Each KPI is defined once: a ``KpiDefinition`` names its numerator and denominator, and one
function computes it for a ``Filters`` object, grouped in SQL by any of ``facility``, ``region``
and ``period``. Every rate comes back as ``numerator``, ``denominator`` and ``rate`` columns;
``rate`` is NaN ("no data") when the denominator is 0, never 0 % and never an exception.

Functions return small tidy DataFrames of aggregates; raw rows never leave the database.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

import pandas as pd
from sqlalchemy import ColumnElement, Select, String, and_, case, distinct, func, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Session

from rehabdata.models import (
    Agreement,
    AgreementFacility,
    Attendance,
    Enrollment,
    Facility,
    FacilityPopulation,
    ProgrammeSession,
    ProgrammeType,
    Region,
    Screening,
)

Granularity = Literal["month", "quarter"]
Dimension = Literal["facility", "region", "period"]
DIMENSIONS: tuple[Dimension, ...] = ("facility", "region", "period")


@dataclass(frozen=True)
class Filters:
    """The one filter every KPI takes: a closed date range and optional selections."""

    start: date
    end: date
    region_ids: tuple[int, ...] = ()
    facility_ids: tuple[int, ...] = ()
    programme: ProgrammeType | None = None
    granularity: Granularity = "month"

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"period end {self.end} is before its start {self.start}")


@dataclass(frozen=True)
class KpiDefinition:
    """A KPI's meaning, stated once (dbt-style): a rate must name numerator and denominator."""

    name: str
    numerator: str
    denominator: str | None
    unit: Literal["rate", "count", "days"]
    excludes: str = ""
    group_by: tuple[Dimension, ...] = field(default=DIMENSIONS)


DEFINITIONS: dict[str, KpiDefinition] = {
    d.name: d
    for d in (
        KpiDefinition(
            "screening_coverage",
            numerator="distinct participants screened in the period",
            denominator="WBP population: mean of the monthly figures entered for the period",
            unit="rate",
            excludes="facility-months without a population figure add nothing to the denominator",
        ),
        KpiDefinition(
            "risk_distribution",
            numerator="screenings with overall risk moderate or high",
            denominator="screenings with an overall risk",
            unit="rate",
        ),
        KpiDefinition(
            "attendance_rate",
            numerator="participant-sessions attended",
            denominator="participant-sessions expected: enrolments in the session's facility and "
            "programme active on the session date",
            unit="rate",
        ),
        KpiDefinition(
            "active_enrollments",
            numerator="enrolments active on the last day of the period",
            denominator=None,
            unit="count",
        ),
    )
}


# --- SQL building blocks ----------------------------------------------------------------------


class month_label(FunctionElement):  # noqa: N801 - used like a SQL function
    """``YYYY-MM`` of a date column, on SQLite and PostgreSQL alike."""

    inherit_cache = True
    type = String()


class quarter_label(FunctionElement):  # noqa: N801 - used like a SQL function
    """``YYYY-Qn`` of a date column, on SQLite and PostgreSQL alike."""

    inherit_cache = True
    type = String()


@compiles(month_label, "sqlite")
def _month_sqlite(element: month_label, compiler: Any, **kw: Any) -> str:
    return f"strftime('%Y-%m', {compiler.process(element.clauses, **kw)})"


@compiles(quarter_label, "sqlite")
def _quarter_sqlite(element: quarter_label, compiler: Any, **kw: Any) -> str:
    column = compiler.process(element.clauses, **kw)
    return f"(strftime('%Y', {column}) || '-Q' || ((CAST(strftime('%m', {column}) AS INTEGER) + 2) / 3))"


@compiles(month_label, "postgresql")
def _month_postgresql(element: month_label, compiler: Any, **kw: Any) -> str:
    return f"to_char({compiler.process(element.clauses, **kw)}, 'YYYY-MM')"


@compiles(quarter_label, "postgresql")
def _quarter_postgresql(element: quarter_label, compiler: Any, **kw: Any) -> str:
    return f"to_char({compiler.process(element.clauses, **kw)}, 'YYYY-\"Q\"Q')"


def period_label(column: Any, granularity: Granularity) -> FunctionElement:
    """The period a date falls in, as a sortable label (``2025-08`` or ``2025-Q3``)."""
    return quarter_label(column) if granularity == "quarter" else month_label(column)


def facility_condition(filters: Filters, facility_column: Any) -> ColumnElement[bool]:
    """Restrict a facility id column to the filter's facilities and regions (empty = all)."""
    conditions: list[ColumnElement[bool]] = []
    if filters.facility_ids:
        conditions.append(facility_column.in_(filters.facility_ids))
    if filters.region_ids:
        in_regions = select(Facility.id).where(Facility.region_id.in_(filters.region_ids))
        conditions.append(facility_column.in_(in_regions))
    return and_(True, *conditions)


def _dimension_columns(
    by: Sequence[Dimension], facility_column: Any, date_column: Any, granularity: Granularity
) -> list[Any]:
    columns: list[Any] = []
    if "facility" in by:
        columns.append(facility_column.label("facility_id"))
    if "region" in by:
        columns.append(Facility.region_id.label("region_id"))
    if "period" in by:
        columns.append(period_label(date_column, granularity).label("period"))
    return columns


def _check_dimensions(by: Sequence[Dimension]) -> tuple[Dimension, ...]:
    unknown = set(by) - set(DIMENSIONS)
    if unknown:
        raise ValueError(f"unknown grouping {sorted(unknown)}; use {DIMENSIONS}")
    return tuple(d for d in DIMENSIONS if d in by)


def _frame(session: Session, statement: Select[Any]) -> pd.DataFrame:
    result = session.execute(statement)
    return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


def with_rate(frame: pd.DataFrame) -> pd.DataFrame:
    """Add ``rate`` = numerator / denominator, NaN where the denominator is 0 or missing."""
    frame = frame.copy()
    frame["numerator"] = pd.to_numeric(frame["numerator"]).fillna(0).astype("int64")
    denominator = pd.to_numeric(frame["denominator"]).astype("float64")
    frame["rate"] = frame["numerator"] / denominator.where(denominator > 0)
    return frame


def _merge_on(by: tuple[Dimension, ...]) -> list[str]:
    return [{"facility": "facility_id", "region": "region_id", "period": "period"}[d] for d in by]


def _combine(numerators: pd.DataFrame, denominators: pd.DataFrame, by: tuple[Dimension, ...]) -> pd.DataFrame:
    """Outer-join two aggregate frames on the grouping keys (a missing side counts as 0)."""
    keys = _merge_on(by)
    if not keys:
        combined = pd.concat([numerators, denominators], axis=1)
    else:
        combined = numerators.merge(denominators, on=keys, how="outer")
    combined["numerator"] = combined["numerator"].fillna(0)
    combined["denominator"] = combined["denominator"].fillna(0)
    return with_rate(combined).sort_values(keys).reset_index(drop=True) if keys else with_rate(combined)


# --- KPIs -------------------------------------------------------------------------------------


def screening_coverage(session: Session, filters: Filters, by: Sequence[Dimension] = ()) -> pd.DataFrame:
    """Screening coverage = distinct participants screened in the period / WBP population.

    Numerator: distinct participants with at least one screening dated in the period.
    Denominator: per facility, the mean of its monthly ``wbp_total`` over the period's months that
    have a figure; summed over facilities when grouped by region or in total.
    Excluded: facility-months without a population figure (see reporting completeness).
    """
    dims = _check_dimensions(by)
    in_period = Screening.screened_on.between(filters.start, filters.end)
    numerator = (
        select(
            *_dimension_columns(dims, Screening.facility_id, Screening.screened_on, filters.granularity),
            func.count(distinct(Screening.participant_id)).label("numerator"),
        )
        .join(Facility, Facility.id == Screening.facility_id)
        .where(in_period, facility_condition(filters, Screening.facility_id))
    )
    month_start = date(filters.start.year, filters.start.month, 1)
    by_period = "period" in dims
    period = period_label(FacilityPopulation.month, filters.granularity).label("period")
    per_facility = (
        select(
            FacilityPopulation.facility_id.label("facility_id"),
            Facility.region_id.label("region_id"),
            *([period] if by_period else []),
            func.avg(FacilityPopulation.wbp_total).label("population"),
        )
        .join(Facility, Facility.id == FacilityPopulation.facility_id)
        .where(
            FacilityPopulation.month.between(month_start, filters.end),
            facility_condition(filters, FacilityPopulation.facility_id),
        )
        .group_by(FacilityPopulation.facility_id, Facility.region_id, *(["period"] if by_period else []))
        .subquery()
    )
    group_keys = _merge_on(dims)
    denominator = select(
        *(per_facility.c[key] for key in group_keys),
        func.sum(per_facility.c.population).label("denominator"),
    )
    if group_keys:
        numerator = numerator.group_by(*group_keys)
        denominator = denominator.group_by(*group_keys)
    return _combine(_frame(session, numerator), _frame(session, denominator), dims)


def risk_distribution(session: Session, filters: Filters, by: Sequence[Dimension] = ()) -> pd.DataFrame:
    """Screenings by overall risk level, and the share moderate + high.

    Numerator: screenings in the period with overall risk moderate or high.
    Denominator: screenings in the period with an overall risk.
    Also returns ``low``, ``moderate`` and ``high`` counts.
    Excluded: screenings without an overall risk (incomplete records).
    """
    dims = _check_dimensions(by)
    risk = Screening.overall_risk
    statement = (
        select(
            *_dimension_columns(dims, Screening.facility_id, Screening.screened_on, filters.granularity),
            func.sum(case((risk == "low", 1), else_=0)).label("low"),
            func.sum(case((risk == "moderate", 1), else_=0)).label("moderate"),
            func.sum(case((risk == "high", 1), else_=0)).label("high"),
            func.sum(case((risk.in_(("moderate", "high")), 1), else_=0)).label("numerator"),
            func.count(risk).label("denominator"),
        )
        .join(Facility, Facility.id == Screening.facility_id)
        .where(
            Screening.screened_on.between(filters.start, filters.end),
            facility_condition(filters, Screening.facility_id),
        )
    )
    keys = _merge_on(dims)
    frame = _frame(session, statement.group_by(*keys).order_by(*keys) if keys else statement)
    for column in ("low", "moderate", "high"):
        frame[column] = pd.to_numeric(frame[column]).fillna(0).astype("int64")
    return with_rate(frame)


def _active_on(enrollment: Any, day: Any) -> ColumnElement[bool]:
    """An enrolment is active on ``day`` from its start to its end date inclusive."""
    return and_(enrollment.started_on <= day, or_(enrollment.ended_on.is_(None), enrollment.ended_on >= day))


def attendance_rate(session: Session, filters: Filters, by: Sequence[Dimension] = ()) -> pd.DataFrame:
    """Attendance rate = participant-sessions attended / participant-sessions expected.

    Numerator: attendance rows of sessions held in the period.
    Denominator: for each such session, the participants whose enrolment in the session's facility
    and programme is active on the session date.
    Also returns ``sessions`` (sessions held).
    Excluded: nothing; a session with no enrolled participants adds to ``sessions`` only.
    """
    dims = _check_dimensions(by)
    in_scope = and_(
        ProgrammeSession.held_on.between(filters.start, filters.end),
        facility_condition(filters, ProgrammeSession.facility_id),
        ProgrammeSession.programme == filters.programme if filters.programme else True,
    )
    attended = (
        select(Attendance.session_id, func.count().label("attended"))
        .join(ProgrammeSession, ProgrammeSession.id == Attendance.session_id)
        .where(in_scope)
        .group_by(Attendance.session_id)
        .subquery()
    )
    expected = (
        select(
            ProgrammeSession.id.label("session_id"),
            func.count(distinct(Enrollment.participant_id)).label("expected"),
        )
        .join(
            Enrollment,
            and_(
                Enrollment.facility_id == ProgrammeSession.facility_id,
                Enrollment.programme == ProgrammeSession.programme,
                _active_on(Enrollment, ProgrammeSession.held_on),
            ),
        )
        .where(in_scope)
        .group_by(ProgrammeSession.id)
        .subquery()
    )
    statement = (
        select(
            *_dimension_columns(
                dims, ProgrammeSession.facility_id, ProgrammeSession.held_on, filters.granularity
            ),
            func.count(ProgrammeSession.id).label("sessions"),
            func.coalesce(func.sum(attended.c.attended), 0).label("numerator"),
            func.coalesce(func.sum(expected.c.expected), 0).label("denominator"),
        )
        .join(Facility, Facility.id == ProgrammeSession.facility_id)
        .outerjoin(attended, attended.c.session_id == ProgrammeSession.id)
        .outerjoin(expected, expected.c.session_id == ProgrammeSession.id)
        .where(in_scope)
    )
    keys = _merge_on(dims)
    frame = _frame(session, statement.group_by(*keys).order_by(*keys) if keys else statement)
    frame["sessions"] = pd.to_numeric(frame["sessions"]).fillna(0).astype("int64")
    return with_rate(frame)


def active_enrollments(session: Session, filters: Filters, by: Sequence[Dimension] = ()) -> pd.DataFrame:
    """Enrolments active on the period's last day, by programme.

    Numerator: enrolments whose start ≤ period end ≤ end date (or no end date).
    Denominator: none (a count). Grouping by period is not meaningful for a stock and is refused.
    """
    dims = _check_dimensions(by)
    if "period" in dims:
        raise ValueError(
            "active_enrollments is a stock on the period's last day; group by facility or region"
        )
    statement = (
        select(
            *_dimension_columns(dims, Enrollment.facility_id, None, filters.granularity),
            Enrollment.programme.label("programme"),
            func.count().label("count"),
        )
        .join(Facility, Facility.id == Enrollment.facility_id)
        .where(
            _active_on(Enrollment, filters.end),
            facility_condition(filters, Enrollment.facility_id),
            Enrollment.programme == filters.programme if filters.programme else True,
        )
    )
    keys = [*_merge_on(dims), "programme"]
    return _frame(session, statement.group_by(*keys).order_by(*keys))


def facility_labels(session: Session) -> pd.DataFrame:
    """Facility and region names for labelling KPI frames (a small lookup, not data)."""
    statement = (
        select(
            Facility.id.label("facility_id"),
            Facility.code.label("facility_code"),
            Facility.name.label("facility"),
            Region.id.label("region_id"),
            Region.code.label("region_code"),
            Region.name.label("region"),
        )
        .join(Region, Region.id == Facility.region_id)
        .order_by(Region.name, Facility.name)
    )
    return _frame(session, statement)


def agreement_start(session: Session, filters: Filters) -> date | None:
    """Earliest signing date of the agreements covering the selected facilities (preset anchor)."""
    statement = (
        select(func.min(Agreement.signed_on))
        .join(AgreementFacility, AgreementFacility.agreement_id == Agreement.id)
        .where(facility_condition(filters, AgreementFacility.facility_id))
    )
    return session.execute(statement).scalar()




def overview_by_facility(session: Session, filters: Filters, by: Sequence[Dimension] = ("facility",)) -> pd.DataFrame:
    """One row per facility with the overview's headline KPIs side by side (each as defined above)."""
    if tuple(by) != ("facility",):
        raise ValueError("overview_by_facility is grouped by facility only")
    keys = ["facility_id"]
    coverage = screening_coverage(session, filters, by)[[*keys, "rate"]].rename(columns={"rate": "coverage"})
    risk = risk_distribution(session, filters, by)
    risk = risk.assign(screenings=risk["denominator"])[[*keys, "screenings", "rate"]].rename(
        columns={"rate": "moderate_high_share"}
    )
    attendance = attendance_rate(session, filters, by)[[*keys, "sessions", "rate"]].rename(
        columns={"rate": "attendance_rate"}
    )
    active = active_enrollments(session, filters, by).groupby("facility_id", as_index=False)["count"].sum()
    table = facility_labels(session)
    table = table[facility_condition_mask(table, filters)][["facility_id", "facility", "region"]]
    for frame in (coverage, risk, attendance, active.rename(columns={"count": "active_enrollments"})):
        table = table.merge(frame, on=keys, how="left")
    counts = ["screenings", "sessions", "active_enrollments"]
    table[counts] = table[counts].fillna(0).astype("int64")
    return table.reset_index(drop=True)


def facility_condition_mask(labels: pd.DataFrame, filters: Filters) -> pd.Series:
    """The filter's facility/region selection applied to the small ``facility_labels`` lookup."""
    mask = pd.Series(True, index=labels.index)
    if filters.facility_ids:
        mask &= labels["facility_id"].isin(filters.facility_ids)
    if filters.region_ids:
        mask &= labels["region_id"].isin(filters.region_ids)
    return mask


KPI_FUNCTIONS = {
    "screening_coverage": screening_coverage,
    "risk_distribution": risk_distribution,
    "attendance_rate": attendance_rate,
    "active_enrollments": active_enrollments,
    "overview_by_facility": overview_by_facility,
}
