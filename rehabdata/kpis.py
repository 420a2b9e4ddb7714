"""KPI definitions and the SQL aggregates that compute them.

Each KPI is defined once: a ``KpiDefinition`` names its numerator and denominator, and one
function computes it for a ``Filters`` object, grouped in SQL by any of ``facility``, ``region``
and ``period``. Every rate comes back as ``numerator``, ``denominator`` and ``rate`` columns;
``rate`` is NaN ("no data") when the denominator is 0, never 0 % and never an exception.

Functions return small tidy DataFrames of aggregates; raw rows never leave the database.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import wraps
from typing import Any, Literal, assert_never

import pandas as pd
from sqlalchemy import (
    ColumnElement,
    Select,
    Subquery,
    and_,
    case,
    distinct,
    func,
    or_,
    select,
    true,
    union,
    union_all,
)
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Session

from rehabdata.aggregates import active_on
from rehabdata.assist import SUBSTANCES
from rehabdata.auth import Principal, ScopeError
from rehabdata.frames import query_frame
from rehabdata.models import (
    AggCoverageDay,
    AggCoverageMonth,
    AggEnrollmentDay,
    AggEnrollmentMonth,
    AggFollowUp,
    AggScreeningDay,
    AggScreeningMonth,
    AggSessionDay,
    AggSessionMonth,
    Agreement,
    AgreementFacility,
    AgreementScopeItem,
    Assessment,
    Enrollment,
    EnrollmentStatus,
    Facility,
    FacilityPopulation,
    MonevAction,
    MonevVisit,
    MonthSignoff,
    OutreachEvent,
    Partner,
    PeerCounsellor,
    PeerCounsellorTraining,
    ProgrammeType,
    Region,
    ScopeMetric,
)
from rehabdata.periods import add_months, month_start, months_between
from rehabdata.sqlfunctions import add_days, days_between, first_of_month, month_label, quarter_label

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
    signed_off_only: bool = False  # only rows of facility-months whose head signed them off

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"period end {self.end} is before its start {self.start}")


@dataclass(frozen=True)
class ScopedFilters(Filters):
    """A ``Filters`` narrowed to a principal's scope by ``scope_filters``: the only kind a KPI
    function accepts, so no KPI can be computed without a scope (``run_kpi`` is the way in)."""


def _requires_scope(function: Any) -> Any:
    """Refuse (``ScopeError``) a KPI call whose filters did not pass ``scope_filters``."""

    @wraps(function)
    def scoped(session: Session, filters: Filters, *args: Any, **kwargs: Any) -> Any:
        if not isinstance(filters, ScopedFilters):
            raise ScopeError(f"{function.__name__} needs filters narrowed by scope_filters (use run_kpi)")
        return function(session, filters, *args, **kwargs)

    return scoped


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
        KpiDefinition(
            "substances_reported",
            numerator="screenings in the period reporting the substance (a score recorded for it)",
            denominator="screenings in the period",
            unit="rate",
        ),
        KpiDefinition(
            "referral_funnel",
            numerator="moderate/high screenings followed by an enrolment of the same participant "
            "started 0–30 days after the screening (in the selected programme, if any)",
            denominator="screenings in the period with overall risk moderate or high",
            unit="rate",
            excludes="low-risk screenings and screenings without an overall risk",
        ),
        KpiDefinition(
            "referral_funnel.assessed_rate",
            numerator="moderate/high screenings followed by an assessment of the same participant "
            "0–30 days after the screening",
            denominator="screenings in the period with overall risk moderate or high",
            unit="rate",
        ),
        KpiDefinition(
            "programme_outcomes",
            numerator="enrolments that ended in the period as completed",
            denominator="enrolments that ended in the period as completed or dropped out",
            unit="rate",
            excludes="releases and transfers (reported apart, not failures)",
        ),
        KpiDefinition(
            "programme_outcomes.dropout_rate",
            numerator="enrolments that ended in the period as dropped out",
            denominator="enrolments that ended in the period as completed or dropped out",
            unit="rate",
            excludes="releases and transfers (reported apart, not failures)",
        ),
        KpiDefinition(
            "programme_outcomes.median_days",
            numerator="median days from start to end of enrolments completed or dropped out in the period",
            denominator=None,
            unit="days",
            excludes="releases and transfers",
        ),
        KpiDefinition(
            "progress",
            numerator="participants whose latest follow-up in the period has a lower overall risk than "
            "their latest screening on or before it",
            denominator="participants followed up in the period who have such a screening",
            unit="rate",
            excludes="participants without a screening on or before the follow-up",
        ),
        KpiDefinition(
            "progress.urine_negative_rate",
            numerator="latest follow-ups in the period with a negative urine test",
            denominator="latest follow-ups in the period with a urine test (negative or positive)",
            unit="rate",
            excludes="urine tests not done",
        ),
        KpiDefinition(
            "signed_off_months",
            numerator="facility-months of the period signed off by the facility's head and not reopened",
            denominator=None,
            unit="count",
        ),
        KpiDefinition(
            "agreement_delivery",
            numerator="records of the scope item's metric at the agreement's facilities (or partner) "
            "from signing to the period end",
            denominator="the scope item's target",
            unit="rate",
            excludes="the period start: delivery is cumulative since signing",
            group_by=(),
        ),
    )
}

# --- SQL building blocks ----------------------------------------------------------------------


def period_label(column: Any, granularity: Granularity) -> FunctionElement:
    """The period a date falls in, as a sortable label (``2025-08`` or ``2025-Q3``)."""
    return quarter_label(column) if granularity == "quarter" else month_label(column)


def period_labels(filters: Filters) -> list[str]:
    """Every period label of the filter's range, in order, as ``period_label`` writes them."""
    labels = (
        f"{m.year}-Q{(m.month + 2) // 3}" if filters.granularity == "quarter" else f"{m:%Y-%m}"
        for m in months_between(filters.start, filters.end)
    )
    return list(dict.fromkeys(labels))


def programme_condition(filters: Filters, programme_column: Any) -> ColumnElement[bool]:
    """Restrict a programme column to the filter's programme (none selected = all)."""
    return programme_column == filters.programme if filters.programme else true()


def signed_off(facility_column: Any, day: Any) -> ColumnElement[bool]:
    """True where the facility's month of ``day`` (a date column or a date) is signed off, not reopened."""
    month = month_start(day) if isinstance(day, date) else first_of_month(day)
    return (
        select(MonthSignoff.id)
        .where(
            MonthSignoff.facility_id == facility_column,
            MonthSignoff.month == month,
            MonthSignoff.reopened_at.is_(None),
        )
        .exists()
    )


def facility_condition(filters: Filters, facility_column: Any, day: Any = None) -> ColumnElement[bool]:
    """Restrict a facility id column to the filter's facilities and regions (empty = all).

    With ``filters.signed_off_only``, also to the facility-months signed off, by the month of ``day``
    (the KPI's date column, or a date for a stock); without a ``day`` (lookups such as agreements)
    that flag changes nothing.
    """
    conditions: list[ColumnElement[bool]] = []
    if filters.facility_ids:
        conditions.append(facility_column.in_(filters.facility_ids))
    if filters.region_ids:
        in_regions = select(Facility.id).where(Facility.region_id.in_(filters.region_ids))
        conditions.append(facility_column.in_(in_regions))
    if filters.signed_off_only and day is not None:
        conditions.append(signed_off(facility_column, day))
    return and_(True, *conditions)


def _dimension_columns(
    by: Sequence[Dimension],
    facility_column: Any,
    date_column: Any,
    granularity: Granularity,
    region_column: Any = Facility.region_id,
) -> list[Any]:
    columns: list[Any] = []
    if "facility" in by:
        columns.append(facility_column.label("facility_id"))
    if "region" in by:
        columns.append(region_column.label("region_id"))
    if "period" in by:
        columns.append(period_label(date_column, granularity).label("period"))
    return columns


def _check_dimensions(by: Sequence[Dimension]) -> tuple[Dimension, ...]:
    unknown = set(by) - set(DIMENSIONS)
    if unknown:
        raise ValueError(f"unknown grouping {sorted(unknown)}; use {DIMENSIONS}")
    return tuple(d for d in DIMENSIONS if d in by)


def _with_region(statement: Select[Any], dims: tuple[Dimension, ...], facility_column: Any) -> Select[Any]:
    """Join each row's facility, for ``Facility.region_id``, only when grouping by region: elsewhere the
    join is a lookup per row that also misleads planners' row estimates."""
    return statement.join(Facility, Facility.id == facility_column) if "region" in dims else statement


def _grouped(statement: Select[Any], keys: Sequence[str]) -> Select[Any]:
    """An aggregate grouped and ordered by ``keys`` (as it is without keys: one total row)."""
    return statement.group_by(*keys).order_by(*keys) if keys else statement


def _aggregate(session: Session, statement: Select[Any], keys: Sequence[str]) -> pd.DataFrame:
    """Run an aggregate grouped and ordered by ``keys`` (one total row when there are none)."""
    return query_frame(session, _grouped(statement, keys))


def _as_counts(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Make ``columns`` integer counts (SQL SUM over no rows gives NULL: that is 0 here)."""
    for column in columns:
        frame[column] = pd.to_numeric(frame[column]).fillna(0).astype("int64")
    return frame


def share(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """numerator / denominator, NaN ("no data") where the denominator is 0 or missing."""
    denominator = pd.to_numeric(denominator).astype("float64")
    return pd.to_numeric(numerator).astype("float64") / denominator.where(denominator > 0)


def with_rate(frame: pd.DataFrame) -> pd.DataFrame:
    """Add ``rate`` = numerator / denominator, NaN where the denominator is 0 or missing."""
    frame = frame.copy()
    frame["numerator"] = pd.to_numeric(frame["numerator"]).fillna(0).astype("int64")
    frame["rate"] = share(frame["numerator"], frame["denominator"])
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
    combined["denominator"] = pd.to_numeric(combined["denominator"]).fillna(0)  # PostgreSQL AVG: Decimal
    return with_rate(combined).sort_values(keys).reset_index(drop=True) if keys else with_rate(combined)


# --- KPIs -------------------------------------------------------------------------------------


@_requires_scope
def screening_coverage(session: Session, filters: Filters, by: Sequence[Dimension] = ()) -> pd.DataFrame:
    """Screening coverage = participants screened at a facility in the period / its WBP population.

    Numerator: per facility, the distinct participants with at least one screening there dated in
    the period; summed over facilities when grouped by region or in total (a participant moved to
    another facility and screened at both counts at both, as they count in both populations).
    Denominator: per facility, the mean of its monthly ``wbp_total`` over the period's months that
    have a figure; summed over facilities when grouped by region or in total.
    Excluded: facility-months without a population figure (see reporting completeness).

    Read from ``agg_coverage_*``: a participant's first screening at a facility within a range is
    the one whose previous screening there is before the range, so the distinct count is a sum.
    """
    dims = _check_dimensions(by)
    cells = _cells(AggCoverageDay, AggCoverageMonth, filters)
    first_in_range = cells.c.previous < filters.start
    if "period" in dims:  # each period is its own range: a previous screening in an earlier period
        first_in_range = or_(
            first_in_range,
            period_label(cells.c.previous, filters.granularity)
            != period_label(cells.c.day, filters.granularity),
        )
    numerator = _sum_cells(filters, dims, cells, {"numerator": cells.c.screenings}, where=[first_in_range])
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
            facility_condition(filters, FacilityPopulation.facility_id, FacilityPopulation.month),
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
        denominator = denominator.group_by(*group_keys)
    return _combine(query_frame(session, numerator), query_frame(session, denominator), dims)


def _total(column: Any) -> Any:
    """SUM over aggregate rows, 0 (not NULL) when there are none."""
    return func.coalesce(func.sum(column), 0)


def _cells(daily: type, monthly: type, filters: Filters) -> Subquery:
    """The aggregate rows covering the filter's period: whole months from the monthly table, the
    days of partly covered months from the daily table (a five-year range reads ~60 rows a facility).

    Each part is one plain range on ``day``, so every part is an index range scan.
    """
    first_full = filters.start if filters.start.day == 1 else add_months(filters.start, 1)
    after_full = month_start(filters.end + timedelta(days=1))  # the month after the last whole one
    names = [column.name for column in daily.__table__.columns]  # type: ignore[attr-defined]

    def rows(model: type, first: date, last: date) -> Select[Any]:
        return select(*(getattr(model, name) for name in names)).where(model.day.between(first, last))

    if first_full >= after_full:
        return rows(daily, filters.start, filters.end).subquery()
    parts = [rows(monthly, first_full, after_full - timedelta(days=1))]
    if filters.start < first_full:
        parts.append(rows(daily, filters.start, first_full - timedelta(days=1)))
    if after_full <= filters.end:
        parts.append(rows(daily, after_full, filters.end))
    return union_all(*parts).subquery()


def _sum_cells(
    filters: Filters,
    dims: tuple[Dimension, ...],
    cells: Subquery,
    sums: Mapping[str, Any],
    *,
    where: Sequence[ColumnElement[bool]] = (),
    keys: Sequence[str] = (),
    nonzero: str | None = None,
) -> Select[Any]:
    """Sum each of ``sums`` (name → expression over ``cells``) over the cells of the filter's
    facilities matching ``where``, grouped by ``dims`` and the cells' ``keys`` columns, ordered.

    ``nonzero``: leave out groups whose sum of that name is 0. Grouped by period, the cells are
    summed per day first and the days' few rows are then labelled and summed per period: a label
    computed for each cell row cost PostgreSQL two thirds of a five-year trend's time.
    """
    conditions = [facility_condition(filters, cells.c.facility_id, cells.c.day), *where]
    extra = [cells.c[key].label(key) for key in keys]
    totals = [_total(expression).label(name) for name, expression in sums.items()]
    if "period" not in dims:
        names = [*_merge_on(dims), *keys]
        statement = select(
            *_dimension_columns(dims, cells.c.facility_id, None, filters.granularity), *extra, *totals
        ).where(*conditions)
        statement = _with_region(statement, dims, cells.c.facility_id)
        if nonzero is not None:
            statement = statement.having(_total(sums[nonzero]) > 0)
        return _grouped(statement, names)
    outer_dims = tuple(d for d in dims if d != "period")
    day_names = [*_merge_on(outer_dims), "day", *keys]
    per_day = select(
        *_dimension_columns(outer_dims, cells.c.facility_id, None, filters.granularity),
        cells.c.day.label("day"),
        *extra,
        *totals,
    ).where(*conditions)
    days = _with_region(per_day, outer_dims, cells.c.facility_id).group_by(*day_names).subquery()
    names = [*_merge_on(dims), *keys]
    statement = select(
        *(days.c[name] for name in _merge_on(outer_dims)),
        period_label(days.c.day, filters.granularity).label("period"),
        *(days.c[key] for key in keys),
        *(_total(days.c[name]).label(name) for name in sums),
    )
    if nonzero is not None:
        statement = statement.having(_total(days.c[nonzero]) > 0)
    return _grouped(statement, names)


@_requires_scope
def risk_distribution(session: Session, filters: Filters, by: Sequence[Dimension] = ()) -> pd.DataFrame:
    """Screenings by overall risk level, and the share moderate + high.

    Numerator: screenings in the period with overall risk moderate or high.
    Denominator: screenings in the period with an overall risk.
    Also returns ``low``, ``moderate`` and ``high`` counts.
    Excluded: screenings without an overall risk (incomplete records).
    Summed from ``agg_screening_day`` (see ``rehabdata.aggregates``).
    """
    dims = _check_dimensions(by)
    cells = _cells(AggScreeningDay, AggScreeningMonth, filters)
    low, moderate, high = cells.c.risk_low, cells.c.risk_moderate, cells.c.risk_high
    sums = {
        "low": low,
        "moderate": moderate,
        "high": high,
        "numerator": moderate + high,
        "denominator": low + moderate + high,
    }
    statement = _sum_cells(filters, dims, cells, sums)
    frame = _as_counts(query_frame(session, statement), ("low", "moderate", "high", "denominator"))
    return with_rate(frame)


@_requires_scope
def attendance_rate(session: Session, filters: Filters, by: Sequence[Dimension] = ()) -> pd.DataFrame:
    """Attendance rate = participant-sessions attended / participant-sessions expected.

    Numerator: attendance rows of sessions held in the period.
    Denominator: for each such session, the participants whose enrolment in the session's facility
    and programme is active on the session date.
    Also returns ``sessions`` (sessions held).
    Excluded: nothing; a session with no enrolled participants adds to ``sessions`` only.
    Summed from ``agg_session_day`` (facility × day × programme; see ``rehabdata.aggregates``).
    """
    dims = _check_dimensions(by)
    cells = _cells(AggSessionDay, AggSessionMonth, filters)
    sums = {"sessions": cells.c.sessions, "numerator": cells.c.attended, "denominator": cells.c.expected}
    statement = _sum_cells(
        filters, dims, cells, sums, where=[programme_condition(filters, cells.c.programme)]
    )
    frame = _as_counts(query_frame(session, statement), ("sessions", "denominator"))
    return with_rate(frame)


@_requires_scope
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
    statement = select(
        *_dimension_columns(dims, Enrollment.facility_id, None, filters.granularity),
        Enrollment.programme.label("programme"),
        func.count().label("count"),
    ).where(
        active_on(Enrollment, filters.end),
        facility_condition(filters, Enrollment.facility_id, filters.end),
        Enrollment.programme == filters.programme if filters.programme else True,
    )
    statement = _with_region(statement, dims, Enrollment.facility_id)
    keys = [*_merge_on(dims), "programme"]
    return _aggregate(session, statement, keys)


@_requires_scope
def substances_reported(session: Session, filters: Filters, by: Sequence[Dimension] = ()) -> pd.DataFrame:
    """Share of screenings reporting each ASSIST substance, one row per substance in ASSIST order.

    Numerator: screenings in the period with a score recorded for the substance (``score_<substance>``
    not NULL, i.e. used in the lifetime).
    Denominator: screenings in the period.
    Excluded: nothing; one screening may report several substances.
    Summed from ``agg_screening_day``.
    """
    dims = _check_dimensions(by)
    cells = _cells(AggScreeningDay, AggScreeningMonth, filters)
    sums = {substance: cells.c[f"reported_{substance}"] for substance in SUBSTANCES}
    statement = _sum_cells(filters, dims, cells, sums | {"denominator": cells.c.screenings})
    keys = _merge_on(dims)
    wide = _as_counts(query_frame(session, statement), ("denominator",))
    long = wide.melt(
        id_vars=[*keys, "denominator"],
        value_vars=list(SUBSTANCES),
        var_name="substance",
        value_name="numerator",
    )
    if keys:  # melt lists substance by substance; a stable sort keeps ASSIST order within each group
        long = long.sort_values(keys, kind="stable")
    return with_rate(long[[*keys, "substance", "numerator", "denominator"]]).reset_index(drop=True)


@_requires_scope
def referral_funnel(session: Session, filters: Filters, by: Sequence[Dimension] = ()) -> pd.DataFrame:
    """Referral = moderate/high screenings followed by an enrolment within 30 days / those screenings.

    Numerator (``enrolled_30d``): moderate/high screenings in the period whose participant has an
    enrolment (in the selected programme, if any) started on the screening date or up to 30 days
    after it (day 30 counts, day 31 does not).
    Denominator (``moderate_high``): screenings in the period with overall risk moderate or high.
    Also ``assessed``/``assessed_rate``: of those screenings, the ones followed by an assessment
    of the participant within the same 0–30 day window. Grouped by the screening's facility/period.
    Excluded: low-risk screenings and screenings without an overall risk.
    Summed from ``agg_screening_day``, whose referral columns follow later assessments and enrolments.
    """
    dims = _check_dimensions(by)
    cells = _cells(AggScreeningDay, AggScreeningMonth, filters)
    enrolled = cells.c[f"enrolled_30d_{filters.programme}" if filters.programme else "enrolled_30d"]
    sums = {
        "moderate_high": cells.c.risk_moderate + cells.c.risk_high,
        "assessed": cells.c.assessed_30d,
        "enrolled_30d": enrolled,
    }
    # like the screenings themselves: no group without a moderate/high screening (the total stays)
    statement = _sum_cells(filters, dims, cells, sums, nonzero="moderate_high" if dims else None)
    frame = _as_counts(query_frame(session, statement), ("moderate_high", "assessed", "enrolled_30d"))
    frame = with_rate(frame.assign(numerator=frame["enrolled_30d"], denominator=frame["moderate_high"]))
    frame["assessed_rate"] = share(frame["assessed"], frame["moderate_high"])
    return frame


@_requires_scope
def enrollments_by_status(session: Session, filters: Filters, by: Sequence[Dimension] = ()) -> pd.DataFrame:
    """Enrolments started in the period, counted by programme and current status.

    Numerator: enrolments with a start date in the period (in the selected programme, if any).
    Denominator: none (a count). Grouped by the enrolment's facility and start period.
    Summed from ``agg_enrollment_day`` (see ``rehabdata.aggregates``).
    """
    dims = _check_dimensions(by)
    cells = _cells(AggEnrollmentDay, AggEnrollmentMonth, filters)
    statement = _sum_cells(
        filters,
        dims,
        cells,
        {"count": cells.c.enrollments},
        where=[programme_condition(filters, cells.c.programme)],
        keys=("programme", "status"),
    )
    return _as_counts(query_frame(session, statement), ("count",))


OUTCOMES: tuple[EnrollmentStatus, ...] = (
    EnrollmentStatus.COMPLETED,
    EnrollmentStatus.DROPPED_OUT,
    EnrollmentStatus.RELEASED,
    EnrollmentStatus.TRANSFERRED,
)
"""How an enrolment can end; only completion and drop-out say something about the programme."""


def median_from_histogram(
    histogram: pd.DataFrame, keys: Sequence[str], value: str, weight: str
) -> pd.DataFrame:
    """Per group of ``keys``, the median ``value`` of a frequency table (``value`` → ``weight``).

    With n observations the median is the mean of the values at positions ⌈n/2⌉ and ⌊n/2⌋ + 1
    (1-based, in value order), which are the same position when n is odd.
    """
    groups = list(keys) or ["_all"]
    table = histogram.assign(_all=0).sort_values([*groups, value])
    weights = pd.to_numeric(table[weight])
    total = weights.groupby([table[g] for g in groups]).transform("sum")
    reached = weights.groupby([table[g] for g in groups]).cumsum()
    lower = table[reached >= (total + 1) // 2].groupby(groups)[value].first()
    upper = table[reached >= total // 2 + 1].groupby(groups)[value].first()
    return ((lower + upper) / 2).rename("median").reset_index()


@_requires_scope
def programme_outcomes(session: Session, filters: Filters, by: Sequence[Dimension] = ()) -> pd.DataFrame:
    """Completion and drop-out of enrolments that ended in the period, and median days in programme.

    Numerator: enrolments ended in the period (``ended_on`` in the period, status not active) as
    completed; ``dropout_numerator``: those ended as dropped out.
    Denominator: completed + dropped out.
    ``median_days``: median of ``ended_on - started_on`` over completed and dropped-out enrolments,
    computed from a days → count histogram aggregated in SQL (no raw rows); NaN when there are none.
    Excluded: releases and transfers, reported apart (``released``, ``transferred``) and not counted
    as failures. Grouped by the enrolment's facility and end period; respects the programme filter.
    """
    dims = _check_dimensions(by)
    keys = _merge_on(dims)
    ended = and_(
        Enrollment.ended_on.between(filters.start, filters.end),
        Enrollment.status != EnrollmentStatus.ACTIVE,
        facility_condition(filters, Enrollment.facility_id, Enrollment.ended_on),
        programme_condition(filters, Enrollment.programme),
    )
    dimensions = _dimension_columns(dims, Enrollment.facility_id, Enrollment.ended_on, filters.granularity)
    counts = _with_region(
        select(
            *dimensions,
            *(func.sum(case((Enrollment.status == status, 1), else_=0)).label(status) for status in OUTCOMES),
        ).where(ended),
        dims,
        Enrollment.facility_id,
    )
    histogram = (
        _with_region(
            select(
                *dimensions,
                days_between(Enrollment.ended_on, Enrollment.started_on).label("days"),
                func.count().label("enrolments"),
            ),
            dims,
            Enrollment.facility_id,
        )
        .where(ended, Enrollment.status.in_((EnrollmentStatus.COMPLETED, EnrollmentStatus.DROPPED_OUT)))
        .group_by(*keys, "days")
    )
    frame = _as_counts(_aggregate(session, counts, keys), OUTCOMES)
    frame = with_rate(
        frame.assign(numerator=frame["completed"], denominator=frame["completed"] + frame["dropped_out"])
    )
    frame["dropout_numerator"] = frame["dropped_out"]
    frame["dropout_rate"] = share(frame["dropped_out"], frame["denominator"])
    medians = median_from_histogram(query_frame(session, histogram), keys, "days", "enrolments")
    medians = medians.rename(columns={"median": "median_days"})
    if keys:
        return frame.merge(medians, on=keys, how="left")
    frame["median_days"] = medians["median_days"].iloc[0] if len(medians) else float("nan")
    return frame


@_requires_scope
def progress(session: Session, filters: Filters, by: Sequence[Dimension] = ()) -> pd.DataFrame:
    """Progress between screening and follow-up: risk fell, mean score change, negative urine tests.

    Each participant followed up in the period counts once (``followed``), by their latest follow-up
    in the period — in each period when grouped by period — compared with their latest screening
    on or before that follow-up (``compared``: those that have one).
    Numerator: compared participants whose follow-up overall risk ranks lower (low < moderate < high)
    than the screening's. Denominator: ``compared``.
    ``mean_score_change``: mean of follow-up ``max_score`` minus screening ``max_score`` (negative =
    better), NaN when nobody is compared.
    ``urine_negative_rate`` = ``urine_negative`` / ``urine_tested`` over the latest follow-ups.
    Excluded: urine tests not done; with a programme filter, follow-ups not linked to an enrolment in
    that programme. Grouped by the follow-up's facility and period.
    Read from ``agg_follow_up`` (each follow-up with its baseline screening already looked up).
    """
    dims = _check_dimensions(by)
    cells = AggFollowUp
    in_period = cells.day.between(filters.start, filters.end)
    bucket = [period_label(cells.day, filters.granularity)] if "period" in dims else []
    latest = (
        select(cells.participant_id, func.max(cells.day).label("day"))
        .where(
            in_period,
            facility_condition(filters, cells.facility_id, cells.day),
            programme_condition(filters, cells.programme),
        )
        .group_by(cells.participant_id, *bucket)
        .subquery()
    )
    follow_ups = (
        select(cells)
        .join(latest, and_(latest.c.participant_id == cells.participant_id, latest.c.day == cells.day))
        .where(in_period)  # implied by the join: a range
        .subquery()
    )
    urine = follow_ups.c.urine_result
    statement = select(
        *_dimension_columns(dims, follow_ups.c.facility_id, follow_ups.c.day, filters.granularity),
        func.count().label("followed"),
        _total(follow_ups.c.compared).label("compared"),
        func.avg(follow_ups.c.score_change).label("mean_score_change"),
        _total(follow_ups.c.risk_fell).label("numerator"),
        func.sum(case((urine == "negative", 1), else_=0)).label("urine_negative"),
        func.sum(case((urine.in_(("negative", "positive")), 1), else_=0)).label("urine_tested"),
    ).select_from(follow_ups)
    frame = _as_counts(
        _aggregate(session, _with_region(statement, dims, follow_ups.c.facility_id), _merge_on(dims)),
        ("followed", "compared", "urine_negative", "urine_tested"),
    )
    frame["mean_score_change"] = pd.to_numeric(frame["mean_score_change"], errors="coerce").astype("float64")
    frame = with_rate(frame.assign(denominator=frame["compared"]))
    frame["urine_negative_rate"] = share(frame["urine_negative"], frame["urine_tested"])
    columns = ["followed", "compared", "mean_score_change", "numerator", "denominator", "rate"]
    return frame[[*_merge_on(dims), *columns, "urine_negative", "urine_tested", "urine_negative_rate"]]


@_requires_scope
def peer_capacity(session: Session, filters: Filters, by: Sequence[Dimension] = ()) -> pd.DataFrame:
    """Peer-counsellor capacity: trainings held, counsellors trained and active, staff trained.

    Flows, over trainings that ended in the period: ``trainings``, ``trained`` (participants who
    completed them) and ``staff_trained`` (officers trained alongside).
    Stock: ``active`` = counsellors who completed a training ended on or before the period's end and
    are active now; grouped by period, each period counts the trainings ended up to its own end.
    Denominator: none (counts). Grouped by the training's facility and end date.
    """
    dims = _check_dimensions(by)
    keys = _merge_on(dims)
    training = PeerCounsellorTraining
    trained = (
        select(PeerCounsellor.training_id, func.count().label("trained"))
        .where(PeerCounsellor.completed)
        .group_by(PeerCounsellor.training_id)
        .subquery()
    )
    dimensions = _dimension_columns(dims, training.facility_id, training.ended_on, filters.granularity)
    flows = (
        select(
            *dimensions,
            func.count(training.id).label("trainings"),
            func.sum(trained.c.trained).label("trained"),
            func.sum(training.staff_trained).label("staff_trained"),
        )
        .outerjoin(trained, trained.c.training_id == training.id)
        .where(
            training.ended_on.between(filters.start, filters.end),
            facility_condition(filters, training.facility_id, training.ended_on),
        )
    )
    stock = (
        select(*dimensions, func.count(PeerCounsellor.id).label("active"))
        .select_from(training)
        .join(PeerCounsellor, PeerCounsellor.training_id == training.id)
        .where(
            training.ended_on <= filters.end,
            PeerCounsellor.completed,
            PeerCounsellor.active,
            facility_condition(filters, training.facility_id, training.ended_on),
        )
    )
    flows, stock = (_with_region(statement, dims, training.facility_id) for statement in (flows, stock))
    flows_frame = _as_counts(_aggregate(session, flows, keys), ("trainings", "trained", "staff_trained"))
    stock_frame = _as_counts(_aggregate(session, stock, keys), ("active",))
    if "period" in dims:
        stock_frame = _stock_by_period(stock_frame, keys, period_labels(filters))
    if keys:
        frame = flows_frame.merge(stock_frame, on=keys, how="outer").sort_values(keys).reset_index(drop=True)
    else:
        frame = pd.concat([flows_frame, stock_frame], axis=1)
    frame = _as_counts(frame, ("trainings", "trained", "active", "staff_trained"))
    return frame[[*keys, "trainings", "trained", "active", "staff_trained"]]


def _stock_by_period(cohorts: pd.DataFrame, keys: list[str], labels: list[str]) -> pd.DataFrame:
    """Turn counts per period of entry into the stock at each period of ``labels`` (running total)."""
    others = [key for key in keys if key != "period"]
    cohorts = cohorts.assign(period=cohorts["period"].where(cohorts["period"] >= labels[0], labels[0]))
    cohorts = cohorts.groupby(keys, as_index=False)["active"].sum()
    periods = pd.DataFrame({"period": labels})
    grid = cohorts[others].drop_duplicates().merge(periods, how="cross") if others else periods
    grid = grid.merge(cohorts, on=keys, how="left").fillna({"active": 0}).sort_values(keys)
    grid["active"] = grid.groupby(others)["active"].cumsum() if others else grid["active"].cumsum()
    return grid[grid["active"] > 0]


@_requires_scope
def outreach_reach(session: Session, filters: Filters, by: Sequence[Dimension] = ()) -> pd.DataFrame:
    """Outreach events held in the period and people reached, by event type and audience.

    Counts: ``events`` and ``people_reached`` (sum). Denominator: none.
    Events belong to a region always and to a facility sometimes: the region filter and grouping use
    the event's own region; the facility filter keeps only events of the selected facilities, and
    grouping by facility keeps a group for events without one (``facility_id`` missing). Signed-off
    data only keeps events at a facility whose month is signed off (a region's events have no head).
    """
    dims = _check_dimensions(by)
    event = OutreachEvent
    statement = select(
        *_dimension_columns(
            dims, event.facility_id, event.held_on, filters.granularity, region_column=event.region_id
        ),
        event.event_type.label("event_type"),
        event.audience.label("audience"),
        func.count().label("events"),
        func.sum(event.people_reached).label("people_reached"),
    ).where(
        event.held_on.between(filters.start, filters.end),
        event.region_id.in_(filters.region_ids) if filters.region_ids else true(),
        event.facility_id.in_(filters.facility_ids) if filters.facility_ids else true(),
        signed_off(event.facility_id, event.held_on) if filters.signed_off_only else true(),
    )
    keys = [*_merge_on(dims), "event_type", "audience"]
    frame = _aggregate(session, statement, keys)
    if "facility_id" in frame:  # events without a facility last, on SQLite as on PostgreSQL
        frame["facility_id"] = frame["facility_id"].astype("Int64")
        frame = frame.sort_values(keys, na_position="last", kind="stable").reset_index(drop=True)
    return _as_counts(frame, ("events", "people_reached"))


@_requires_scope
def monev_summary(session: Session, filters: Filters, by: Sequence[Dimension] = ()) -> pd.DataFrame:
    """Monitoring-and-evaluation visits in the period and the state of the actions they agreed.

    Counts: ``visits`` held in the period; ``actions`` agreed at those visits; ``open_actions`` (not
    done); ``overdue_actions`` (open with a due date before the period's end). Denominator: none.
    Excluded: actions of visits outside the period. Grouped by the visit's facility and date.
    """
    dims = _check_dimensions(by)
    is_open = MonevAction.status != "done"
    statement = (
        select(
            *_dimension_columns(dims, MonevVisit.facility_id, MonevVisit.visited_on, filters.granularity),
            func.count(distinct(MonevVisit.id)).label("visits"),
            func.count(MonevAction.id).label("actions"),
            func.sum(case((is_open, 1), else_=0)).label("open_actions"),
            func.sum(case((and_(is_open, MonevAction.due_on < filters.end), 1), else_=0)).label(
                "overdue_actions"
            ),
        )
        .select_from(MonevVisit)
        .outerjoin(MonevAction, MonevAction.visit_id == MonevVisit.id)
        .where(
            MonevVisit.visited_on.between(filters.start, filters.end),
            facility_condition(filters, MonevVisit.facility_id, MonevVisit.visited_on),
        )
    )
    frame = _aggregate(session, _with_region(statement, dims, MonevVisit.facility_id), _merge_on(dims))
    return _as_counts(frame, ("visits", "actions", "open_actions", "overdue_actions"))


def _agreement_in_scope(filters: Filters) -> ColumnElement[bool]:
    """Active agreements covering a selected facility (any, when none is selected), signed by the
    period's end (an agreement an admin deactivated is no longer reported)."""
    covering = select(AgreementFacility.agreement_id).where(
        facility_condition(filters, AgreementFacility.facility_id)
    )
    return and_(Agreement.id.in_(covering), Agreement.signed_on <= filters.end, Agreement.active)


def agreement_list(session: Session, filters: Filters) -> pd.DataFrame:
    """The agreements ``agreement_delivery`` reports on, with partner and facilities (a lookup, not data).

    Columns: ``agreement_id``, ``code``, ``kind``, ``title``, ``signed_on``, ``ends_on``, ``partner``,
    ``facility_ids`` (tuple of all the agreement's facilities) and ``facilities`` (their names).
    """
    statement = (
        select(
            Agreement.id.label("agreement_id"),
            Agreement.code.label("code"),
            Agreement.kind.label("kind"),
            Agreement.title.label("title"),
            Agreement.signed_on.label("signed_on"),
            Agreement.ends_on.label("ends_on"),
            Partner.name.label("partner"),
            Facility.id.label("facility_id"),
            Facility.name.label("facility"),
        )
        .join(Partner, Partner.id == Agreement.partner_id)
        .join(AgreementFacility, AgreementFacility.agreement_id == Agreement.id)
        .join(Facility, Facility.id == AgreementFacility.facility_id)
        .where(_agreement_in_scope(filters))
        .order_by(Agreement.signed_on, Agreement.code, Facility.name)
    )
    rows = query_frame(session, statement)
    parties = (
        rows.groupby("agreement_id", sort=False)
        .agg(facility_ids=("facility_id", tuple), facilities=("facility", ", ".join))
        .reset_index()
    )
    heads = rows.drop(columns=["facility_id", "facility"]).drop_duplicates("agreement_id")
    return heads.merge(parties, on="agreement_id").reset_index(drop=True)


def _signing_window(filters: Filters, facility_column: Any, day: Any) -> ColumnElement[bool]:
    """``day`` from the agreement's signing to the period's end (signed-off facility-months, if asked)."""
    signed = signed_off(facility_column, day) if filters.signed_off_only else true()
    return and_(day.between(Agreement.signed_on, filters.end), signed)


def _at_facilities(record: Any, facility_column: Any) -> Select[Any]:
    """Agreement × records at the agreement's facilities (each record once per agreement)."""
    return (
        select(AgreementFacility.agreement_id.label("agreement_id"))
        .join(Agreement, Agreement.id == AgreementFacility.agreement_id)
        .join(record, facility_column == AgreementFacility.facility_id)
    )


def _sum_per_agreement(pairs: Subquery, amount: Any = None) -> Select[Any]:
    """``agreement_id`` → ``delivered``: the pairs counted, or their ``amount`` summed."""
    delivered = func.count() if amount is None else func.sum(amount)
    return select(pairs.c.agreement_id, delivered.label("delivered")).group_by(pairs.c.agreement_id)


def _cells_since_signing(daily: Any, monthly: Any, amount: str, filters: Filters, **keys: str) -> Select[Any]:
    """Sum an aggregate column per agreement from signing to the period's end: whole months from the
    monthly table, the signing month's and the last month's days from the daily table.

    Each part is a subquery correlated with one (agreement, facility) pair, so its bounds are
    constants by then and each is one range of the table's (facility, day) key; as joins, the
    per-agreement bounds left the planners scanning the whole daily table. ``keys``: only cells with
    these values of further key columns (``programme="medical"``).
    """
    signed = Agreement.signed_on
    first_full = case((signed == first_of_month(signed), signed), else_=first_of_month(add_days(signed, 31)))
    after_full = month_start(filters.end + timedelta(days=1))

    def summed(model: Any, *bounds: ColumnElement[bool]) -> Any:
        """The pair's facility's ``amount`` over the rows within ``bounds``."""
        return (
            select(func.coalesce(func.sum(getattr(model, amount)), 0))
            .where(
                model.facility_id == AgreementFacility.facility_id,
                *bounds,
                *(getattr(model, key) == value for key, value in keys.items()),
                signed_off(model.facility_id, model.day) if filters.signed_off_only else true(),
            )
            .scalar_subquery()
        )

    # the signing month's days (none when signed on the 1st; in the tail when it is the last month)
    head = summed(daily, daily.day.between(signed, add_days(first_full, -1)), daily.day < after_full)
    months = summed(monthly, monthly.day >= first_full, monthly.day < after_full)
    tail = summed(daily, daily.day.between(after_full, filters.end), daily.day >= signed)  # last month's days
    pairs = (
        select(AgreementFacility.agreement_id.label("agreement_id"), (head + months + tail).label("amount"))
        .join(Agreement, Agreement.id == AgreementFacility.agreement_id)
        .subquery()
    )
    return _sum_per_agreement(pairs, pairs.c.amount)


ENROLLED_PROGRAMME = {
    ScopeMetric.ENROLLMENTS_MEDICAL: ProgrammeType.MEDICAL,
    ScopeMetric.ENROLLMENTS_SOCIAL: ProgrammeType.SOCIAL,
}
"""The programme each enrolment scope metric counts."""


def _delivery_statement(metric: ScopeMetric, filters: Filters) -> Select[Any]:
    """The SQL counting one scope metric per agreement, from each agreement's signing to the period end.

    Records join the agreement through its facilities (and, for outreach, its partner; for monev, the
    visit's agreement tag); a UNION of (agreement, record) pairs counts a record matched twice once.
    """

    def at_facilities(model: Any, day: Any, *conditions: ColumnElement[bool]) -> Select[Any]:
        pairs = _at_facilities(model, model.facility_id).where(
            _signing_window(filters, model.facility_id, day), *conditions
        )
        return _sum_per_agreement(pairs.subquery())

    def matched_once(model: Any, day: Any, other: Select[Any], amount: str | None = None) -> Select[Any]:
        by_facility = _at_facilities(model, model.facility_id).add_columns(model.id.label("record_id"))
        by_facility = by_facility.where(_signing_window(filters, model.facility_id, day))
        pairs = union(by_facility, other.where(_signing_window(filters, model.facility_id, day))).subquery()
        record = select(model.id, getattr(model, amount or "id").label("amount")).subquery()
        matched = select(pairs.c.agreement_id, record.c.amount).join(record, record.c.id == pairs.c.record_id)
        amounts = matched.subquery()
        return _sum_per_agreement(amounts, amounts.c.amount if amount else None)

    event, visit = OutreachEvent, MonevVisit
    by_partner = select(Agreement.id.label("agreement_id"), event.id.label("record_id")).join(
        event, event.partner_id == Agreement.partner_id
    )
    by_tag = select(Agreement.id.label("agreement_id"), visit.id.label("record_id")).join(
        visit, visit.agreement_id == Agreement.id
    )
    match metric:
        case ScopeMetric.SCREENINGS:
            return _cells_since_signing(AggScreeningDay, AggScreeningMonth, "screenings", filters)
        case ScopeMetric.ASSESSMENTS:
            return at_facilities(Assessment, Assessment.assessed_on)
        case ScopeMetric.ENROLLMENTS_MEDICAL | ScopeMetric.ENROLLMENTS_SOCIAL:
            programme = ENROLLED_PROGRAMME[metric]
            return _cells_since_signing(
                AggEnrollmentDay, AggEnrollmentMonth, "enrollments", filters, programme=programme
            )
        case ScopeMetric.SKILLS_SESSIONS:
            return _cells_since_signing(AggSessionDay, AggSessionMonth, "skills_sessions", filters)
        case ScopeMetric.PEER_COUNSELLORS_TRAINED:
            training = PeerCounsellorTraining
            pairs = (
                _at_facilities(training, training.facility_id)
                .join(PeerCounsellor, PeerCounsellor.training_id == training.id)
                .where(
                    _signing_window(filters, training.facility_id, training.ended_on),
                    PeerCounsellor.completed,
                )
            )
            return _sum_per_agreement(pairs.subquery())
        case ScopeMetric.MONEV_VISITS:
            return matched_once(visit, visit.visited_on, by_tag)
        case ScopeMetric.OUTREACH_EVENTS:
            return matched_once(event, event.held_on, by_partner)
        case ScopeMetric.OUTREACH_PEOPLE:
            return matched_once(event, event.held_on, by_partner, amount="people_reached")
        case _:
            assert_never(metric)


def _for_agreements(statement: Select[Any], agreement_ids: list[int]) -> Select[Any]:
    delivered = statement.subquery()
    return select(delivered).where(delivered.c.agreement_id.in_(agreement_ids))


AGREEMENT_DELIVERY_COLUMNS = [
    "agreement_id",
    "agreement_code",
    "agreement_title",
    "kind",
    "signed_on",
    "days_since_signing",
    "item_code",
    "description",
    "metric",
    "target",
    "delivered",
    "numerator",
    "denominator",
    "rate",
]


@_requires_scope
def agreement_delivery(session: Session, filters: Filters, by: Sequence[Dimension] = ()) -> pd.DataFrame:
    """Delivery of each scope item of the agreements covering the selected facilities.

    One row per scope item of each agreement that covers a selected facility (any facility when none
    is selected) and was signed by the period's end.
    Numerator (``delivered``): records of the item's metric from the signing date to the period's end
    (the period's start is ignored: delivery is cumulative), at any of the agreement's facilities —
    monev visits also when tagged with the agreement, outreach events also when run by the
    agreement's partner (each record counted once). Denominator: the item's ``target``.
    ``days_since_signing``: days from signing to the period's end. Not grouped: ``by`` must be empty.
    Signed-off data only counts records of signed-off facility-months (and no region-level outreach).
    """
    if tuple(by):
        raise ValueError("agreement_delivery is one row per scope item; it takes no grouping")
    items = query_frame(
        session,
        select(
            Agreement.id.label("agreement_id"),
            Agreement.code.label("agreement_code"),
            Agreement.title.label("agreement_title"),
            Agreement.kind.label("kind"),
            Agreement.signed_on.label("signed_on"),
            AgreementScopeItem.code.label("item_code"),
            AgreementScopeItem.description.label("description"),
            AgreementScopeItem.metric.label("metric"),
            AgreementScopeItem.target.label("target"),
        )
        .join(AgreementScopeItem, AgreementScopeItem.agreement_id == Agreement.id)
        .where(_agreement_in_scope(filters), AgreementScopeItem.active)
        .order_by(Agreement.signed_on, Agreement.code, AgreementScopeItem.code),
    )
    if items.empty:
        return pd.DataFrame(columns=AGREEMENT_DELIVERY_COLUMNS)
    agreement_ids = [int(i) for i in items["agreement_id"].unique()]
    delivered = pd.concat(
        [
            query_frame(
                session, _for_agreements(_delivery_statement(ScopeMetric(metric), filters), agreement_ids)
            ).assign(metric=metric)
            for metric in sorted(items["metric"].unique())
        ]
    )
    frame = _as_counts(items.merge(delivered, on=["agreement_id", "metric"], how="left"), ("delivered",))
    frame["days_since_signing"] = [(filters.end - signed_on).days for signed_on in frame["signed_on"]]
    frame = with_rate(frame.assign(numerator=frame["delivered"], denominator=frame["target"]))
    return frame[AGREEMENT_DELIVERY_COLUMNS]


def agreement_summary(agreements: pd.DataFrame, delivery: pd.DataFrame) -> pd.DataFrame:
    """One row per agreement of ``agreement_list``: its scope items and how many reached their target.

    ``items``: the agreement's scope items in ``agreement_delivery``; ``items_met``: those whose
    delivered count is at least their target. Agreements keep ``agreement_list``'s order.
    """
    met = delivery.assign(met=delivery["delivered"] >= delivery["target"])
    counts = met.groupby("agreement_id").agg(items=("met", "size"), items_met=("met", "sum")).reset_index()
    columns = ["agreement_id", "code", "kind", "title", "partner", "signed_on"]
    summary = agreements[columns].merge(counts, on="agreement_id", how="left")
    return _as_counts(summary, ("items", "items_met"))


@_requires_scope
def signed_off_months(session: Session, filters: Filters, by: Sequence[Dimension] = ()) -> pd.DataFrame:
    """Facility-months of the period signed off by the facility's head and not reopened since.

    Count (``months``): standing sign-offs of the filter's facilities for a month touching the period.
    Denominator: none. Grouped by the signed facility and month; by facility and period, each row is
    one signed facility-month (what meeting reports list).
    """
    dims = _check_dimensions(by)
    statement = select(
        *_dimension_columns(dims, MonthSignoff.facility_id, MonthSignoff.month, filters.granularity),
        func.count(MonthSignoff.id).label("months"),
    ).where(
        MonthSignoff.month.between(month_start(filters.start), filters.end),
        MonthSignoff.reopened_at.is_(None),
        facility_condition(filters, MonthSignoff.facility_id),
    )
    statement = _with_region(statement, dims, MonthSignoff.facility_id)
    return _as_counts(_aggregate(session, statement, _merge_on(dims)), ("months",))


def facility_labels(session: Session) -> pd.DataFrame:
    """Facility and region names for labelling KPI frames (a small lookup, not data). Inactive
    facilities are listed too (their history stays reportable); ``facility_active`` tells them apart."""
    statement = (
        select(
            Facility.id.label("facility_id"),
            Facility.code.label("facility_code"),
            Facility.name.label("facility"),
            Facility.active.label("facility_active"),
            Region.id.label("region_id"),
            Region.code.label("region_code"),
            Region.name.label("region"),
        )
        .join(Region, Region.id == Facility.region_id)
        .order_by(Region.name, Facility.name)
    )
    return query_frame(session, statement)


def agreement_start(session: Session, filters: Filters) -> date | None:
    """Earliest signing date of the agreements covering the selected facilities (preset anchor)."""
    statement = (
        select(func.min(Agreement.signed_on))
        .join(AgreementFacility, AgreementFacility.agreement_id == Agreement.id)
        .where(facility_condition(filters, AgreementFacility.facility_id))
    )
    return session.execute(statement).scalar()


@_requires_scope
def overview_by_facility(
    session: Session, filters: Filters, by: Sequence[Dimension] = ("facility",)
) -> pd.DataFrame:
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


COMPARISON_COLUMNS = [
    "population",
    "screenings",
    "screenings_per_100",
    "enrollments_started",
    "enrollments_per_100",
    "participant_sessions",
    "participant_sessions_per_100",
    "attendance_rate",
    "moderate_high_share",
]


def _comparison(session: Session, filters: Filters, dimension: Literal["facility", "region"]) -> pd.DataFrame:
    """One row per selected facility or region with volumes per 100 WBP, from the KPIs above."""
    by: tuple[Dimension, ...] = (dimension,)
    key = f"{dimension}_id"
    coverage = screening_coverage(session, filters, by)
    population = coverage[[key]].assign(population=coverage["denominator"].astype("float64"))
    risk = risk_distribution(session, filters, by)
    risk = risk[[key]].assign(screenings=risk["denominator"], moderate_high_share=risk["rate"])
    started = enrollments_by_status(session, filters, by).groupby(key, as_index=False)["count"].sum()
    attendance = attendance_rate(session, filters, by)
    attendance = attendance[[key]].assign(
        participant_sessions=attendance["numerator"], attendance_rate=attendance["rate"]
    )
    labels = facility_labels(session)
    labels = labels[facility_condition_mask(labels, filters)]
    if dimension == "facility":
        table = labels[["facility_id", "facility", "region_id", "region"]]
    else:
        table = labels[["region_id", "region"]].drop_duplicates()
    for frame in (population, risk, started.rename(columns={"count": "enrollments_started"}), attendance):
        table = table.merge(frame, on=key, how="left")
    table["population"] = table["population"].where(table["population"] > 0)
    for count, per_100 in (
        ("screenings", "screenings_per_100"),
        ("enrollments_started", "enrollments_per_100"),
        ("participant_sessions", "participant_sessions_per_100"),
    ):
        table[count] = table[count].fillna(0).astype("int64")
        table[per_100] = share(table[count], table["population"]) * 100
    return table[[*table.columns[: -len(COMPARISON_COLUMNS)], *COMPARISON_COLUMNS]].reset_index(drop=True)


@_requires_scope
def facility_comparison(
    session: Session, filters: Filters, by: Sequence[Dimension] = ("facility",)
) -> pd.DataFrame:
    """One row per selected facility: population, volumes and volumes per 100 WBP, side by side.

    ``population``: mean monthly WBP in the period (the denominator of ``screening_coverage``), NaN
    when no figure was entered — and then every ``*_per_100`` is NaN too.
    ``screenings`` (with an overall risk) and ``moderate_high_share`` as in ``risk_distribution``;
    ``enrollments_started`` as in ``enrollments_by_status``; ``participant_sessions`` (attended)
    and ``attendance_rate`` as in ``attendance_rate``.
    """
    if tuple(by) != ("facility",):
        raise ValueError("facility_comparison is grouped by facility only")
    return _comparison(session, filters, "facility")


@_requires_scope
def region_comparison(
    session: Session, filters: Filters, by: Sequence[Dimension] = ("region",)
) -> pd.DataFrame:
    """``facility_comparison`` per selected region; population is the sum of its facilities' means."""
    if tuple(by) != ("region",):
        raise ValueError("region_comparison is grouped by region only")
    return _comparison(session, filters, "region")


KPI_FUNCTIONS = {
    "screening_coverage": screening_coverage,
    "risk_distribution": risk_distribution,
    "attendance_rate": attendance_rate,
    "active_enrollments": active_enrollments,
    "substances_reported": substances_reported,
    "referral_funnel": referral_funnel,
    "enrollments_by_status": enrollments_by_status,
    "programme_outcomes": programme_outcomes,
    "progress": progress,
    "peer_capacity": peer_capacity,
    "outreach_reach": outreach_reach,
    "monev_summary": monev_summary,
    "signed_off_months": signed_off_months,
    "agreement_delivery": agreement_delivery,
    "overview_by_facility": overview_by_facility,
    "facility_comparison": facility_comparison,
    "region_comparison": region_comparison,
}


def scope_filters(principal: Principal, filters: Filters) -> Filters:
    """The filter narrowed to the principal's facilities; asking for others raises ``ScopeError``.

    An admin's filter is unchanged. For everyone else an empty facility selection means "all my
    facilities", never "all facilities".
    """
    if principal.all_facilities:
        return ScopedFilters(**vars(filters))
    if not principal.facility_ids:
        raise ScopeError(f"user {principal.username!r} has no facility in scope")
    outside = set(filters.facility_ids) - principal.facility_ids
    if outside:
        raise ScopeError(f"user {principal.username!r} has no access to facilities {sorted(outside)}")
    selected = filters.facility_ids or tuple(sorted(principal.facility_ids))
    return ScopedFilters(**(vars(filters) | {"facility_ids": selected}))


def run_kpi(
    session: Session, principal: Principal, name: str, filters: Filters, by: Sequence[Dimension] | None = None
) -> pd.DataFrame:
    """Compute the KPI ``name`` for what ``principal`` may see: the only way to a figure (every KPI
    function refuses filters that ``scope_filters`` did not narrow). ``by`` None: the KPI's own
    default grouping."""
    grouping = () if by is None else (by,)
    return KPI_FUNCTIONS[name](session, scope_filters(principal, filters), *grouping)
