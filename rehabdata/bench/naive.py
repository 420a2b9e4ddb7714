"""The benchmark's naive pandas baseline: read whole tables with ``pandas.read_sql``, compute KPIs in pandas.

This is how most dashboards are first written: every page load reads the raw tables and filters,
joins and groups them in Python. ``compute`` returns the frames ``kpis.KPI_FUNCTIONS`` returns (same
columns, rows and numbers; dtypes may differ), so the benchmark times the same answers both ways.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from datetime import date
from typing import Literal, assert_never

import pandas as pd
from sqlalchemy import JSON, Boolean, Connection, Date, Engine, text
from sqlmodel import SQLModel

from rehabdata.aggregates import REFERRAL_DAYS
from rehabdata.assist import RISK_LEVELS, SUBSTANCES
from rehabdata.kpis import (
    AGREEMENT_DELIVERY_COLUMNS,
    COMPARISON_COLUMNS,
    DIMENSIONS,
    OUTCOMES,
    Dimension,
    Filters,
    share,
    with_rate,
)
from rehabdata.models import EnrollmentStatus, ProgrammeType, ScopeMetric, SessionType
from rehabdata.periods import month_start


@dataclass(frozen=True)
class NaiveData:
    """The raw tables the KPIs read, whole, one DataFrame per table (dates as ``datetime64``)."""

    region: pd.DataFrame
    facility: pd.DataFrame
    facility_population: pd.DataFrame
    screening: pd.DataFrame
    assessment: pd.DataFrame
    enrollment: pd.DataFrame
    programme_session: pd.DataFrame
    attendance: pd.DataFrame
    follow_up: pd.DataFrame
    outreach_event: pd.DataFrame
    monev_visit: pd.DataFrame
    peer_counsellor_training: pd.DataFrame
    peer_counsellor: pd.DataFrame
    agreement: pd.DataFrame
    agreement_facility: pd.DataFrame
    agreement_scope_item: pd.DataFrame

    @classmethod
    def load(cls, engine: Engine) -> "NaiveData":
        """Read every table the KPIs need with ``SELECT *``, one ``pandas.read_sql`` each."""
        with engine.connect() as connection:
            return cls(**{table.name: _read_table(connection, table.name) for table in fields(cls)})


def _read_table(connection: Connection, name: str) -> pd.DataFrame:
    """A whole table but its JSON columns; date columns parsed, booleans as ``bool`` (SQLite: 0/1).

    No KPI reads the JSON columns (the raw ASSIST answers beside their score columns), and psycopg
    returns them as Python dicts: 1.6 M screenings' answers took the benchmark past 24 GB.
    """
    table = SQLModel.metadata.tables[name]
    columns = ", ".join(f'"{c.name}"' for c in table.columns if not isinstance(c.type, JSON))
    frame = pd.read_sql(text(f"SELECT {columns} FROM {name}"), connection)
    for column in table.columns:
        if isinstance(column.type, Date):
            frame[column.name] = pd.to_datetime(frame[column.name])
        elif isinstance(column.type, Boolean):
            frame[column.name] = frame[column.name].astype(bool)
    return frame


# --- filtering and grouping ---------------------------------------------------------------------


def _keys(by: Sequence[Dimension]) -> list[str]:
    """The key columns of a grouping, in the order the SQL KPIs write them."""
    unknown = set(by) - set(DIMENSIONS)
    if unknown:
        raise ValueError(f"unknown grouping {sorted(unknown)}; use {DIMENSIONS}")
    return ["period" if d == "period" else f"{d}_id" for d in DIMENSIONS if d in by]


def _between(days: pd.Series, start: date, end: date) -> pd.Series:
    return days.between(pd.Timestamp(start), pd.Timestamp(end))


def _in_period(days: pd.Series, filters: Filters) -> pd.Series:
    return _between(days, filters.start, filters.end)


def _at_selected(data: NaiveData, facility_ids: pd.Series, filters: Filters) -> pd.Series:
    """Rows whose facility is among the filter's facilities and regions (an empty selection = all)."""
    mask = pd.Series(True, index=facility_ids.index)
    if filters.facility_ids:
        mask &= facility_ids.isin(filters.facility_ids)
    if filters.region_ids:
        mask &= facility_ids.isin(
            data.facility.loc[data.facility["region_id"].isin(filters.region_ids), "id"]
        )
    return mask


def _in_programme(programmes: pd.Series, filters: Filters) -> pd.Series:
    if filters.programme:
        return programmes == filters.programme
    return pd.Series(True, index=programmes.index)


def _period(days: pd.Series, filters: Filters) -> pd.Series:
    """Period labels as ``kpis.period_label`` writes them: ``2025-08`` or ``2025-Q3``.

    As objects, not Arrow strings: pandas 3.1 fails to merge two empty grouped Arrow string columns.
    """
    if filters.granularity == "quarter":
        labels = days.dt.year.astype(str) + "-Q" + days.dt.quarter.astype(str)
    else:
        labels = days.dt.strftime("%Y-%m")
    return labels.astype(object)


def _with_keys(data: NaiveData, rows: pd.DataFrame, day: str | None, filters: Filters) -> pd.DataFrame:
    """``rows`` with the grouping columns: ``region_id`` of the row's facility (unless the row has its
    own, as outreach events do) and ``period``, the label of its ``day`` column."""
    if "region_id" not in rows:
        rows = rows.assign(region_id=rows["facility_id"].map(data.facility.set_index("id")["region_id"]))
    return rows.assign(period=_period(rows[day], filters)) if day else rows


def _aggregate(rows: pd.DataFrame, keys: Sequence[str], **columns: tuple[str, str]) -> pd.DataFrame:
    """``rows`` aggregated per group of ``keys`` (sorted), or into one total row (also from no rows)."""
    if keys:
        return rows.groupby(list(keys), as_index=False, dropna=False).agg(**columns)
    return pd.DataFrame({name: [rows[column].agg(how)] for name, (column, how) in columns.items()})


def _active_on(enrollments: pd.DataFrame, day: pd.Series | pd.Timestamp) -> pd.Series:
    """Enrolments active on ``day``: from their start to their end date inclusive."""
    ended_on = enrollments["ended_on"]
    return (enrollments["started_on"] <= day) & (ended_on.isna() | (ended_on >= day))


def _screenings(data: NaiveData, filters: Filters) -> pd.DataFrame:
    """Screenings in the period at the selected facilities, with grouping columns."""
    rows = data.screening
    rows = rows[_in_period(rows["screened_on"], filters) & _at_selected(data, rows["facility_id"], filters)]
    return _with_keys(data, rows, "screened_on", filters)


# --- KPIs (each as its namesake in ``kpis``) ------------------------------------------------------


def screening_coverage(data: NaiveData, filters: Filters, by: Sequence[Dimension] = ()) -> pd.DataFrame:
    """Distinct participants screened per facility, summed / sum over facilities of their mean monthly
    population."""
    keys = _keys(by)
    screened = _screenings(data, filters).drop_duplicates(["facility_id", "participant_id", *keys])
    numerator = _aggregate(screened, keys, numerator=("participant_id", "count"))
    population = data.facility_population
    population = population[
        _between(population["month"], month_start(filters.start), filters.end)
        & _at_selected(data, population["facility_id"], filters)
    ]
    population = _with_keys(data, population, "month", filters)
    per_facility = population.groupby(
        ["facility_id", "region_id", *(["period"] if "period" in keys else [])], as_index=False
    )["wbp_total"].mean()
    denominator = _aggregate(per_facility, keys, denominator=("wbp_total", "sum"))
    if not keys:
        return with_rate(numerator.join(denominator))
    frame = numerator.merge(denominator, on=keys, how="outer").fillna({"numerator": 0, "denominator": 0})
    return with_rate(frame).sort_values(keys).reset_index(drop=True)


def risk_distribution(data: NaiveData, filters: Filters, by: Sequence[Dimension] = ()) -> pd.DataFrame:
    """Screenings by overall risk; share moderate + high of those with a risk."""
    rows = _screenings(data, filters)
    risk = rows["overall_risk"]
    rows = rows.assign(
        low=risk == "low",
        moderate=risk == "moderate",
        high=risk == "high",
        moderate_high=risk.isin(("moderate", "high")),
    )
    frame = _aggregate(
        rows,
        _keys(by),
        low=("low", "sum"),
        moderate=("moderate", "sum"),
        high=("high", "sum"),
        numerator=("moderate_high", "sum"),
        denominator=("overall_risk", "count"),
    )
    return with_rate(frame)


def _enrolled_per_session(sessions: pd.DataFrame, enrollments: pd.DataFrame) -> pd.Series:
    """Session id -> participants enrolled in its facility and programme on its day.

    Merged a month of sessions at a time with the enrolments overlapping that month: one merge of
    five years' sessions with their facility's enrolments is ~180 M rows (about 20 GB).
    """
    enrollments = enrollments[["facility_id", "programme", "participant_id", "started_on", "ended_on"]]
    counts = []
    for month, chunk in sessions.groupby(sessions["held_on"].dt.to_period("M")):
        overlapping = enrollments[
            (enrollments["started_on"] <= month.end_time)
            & (enrollments["ended_on"].isna() | (enrollments["ended_on"] >= month.start_time))
        ]
        enrolled = chunk.merge(overlapping, on=["facility_id", "programme"])
        enrolled = enrolled[_active_on(enrolled, enrolled["held_on"])]
        counts.append(enrolled.groupby("id")["participant_id"].nunique())
    return pd.concat(counts) if counts else pd.Series(dtype="int64")


def attendance_rate(data: NaiveData, filters: Filters, by: Sequence[Dimension] = ()) -> pd.DataFrame:
    """Participant-sessions attended / participants enrolled in the session's programme on its date."""
    sessions = data.programme_session
    sessions = sessions[
        _in_period(sessions["held_on"], filters)
        & _at_selected(data, sessions["facility_id"], filters)
        & _in_programme(sessions["programme"], filters)
    ]
    expected = _enrolled_per_session(sessions, data.enrollment)
    attended = data.attendance.groupby("session_id").size()
    sessions = _with_keys(data, sessions, "held_on", filters).assign(
        attended=sessions["id"].map(attended).fillna(0), expected=sessions["id"].map(expected).fillna(0)
    )
    frame = _aggregate(
        sessions,
        _keys(by),
        sessions=("id", "count"),
        numerator=("attended", "sum"),
        denominator=("expected", "sum"),
    )
    return with_rate(frame)


def active_enrollments(data: NaiveData, filters: Filters, by: Sequence[Dimension] = ()) -> pd.DataFrame:
    """Enrolments active on the period's last day, by programme (a stock: no period grouping)."""
    keys = _keys(by)
    if "period" in keys:
        raise ValueError(
            "active_enrollments is a stock on the period's last day; group by facility or region"
        )
    rows = data.enrollment
    rows = rows[
        _active_on(rows, pd.Timestamp(filters.end))
        & _at_selected(data, rows["facility_id"], filters)
        & _in_programme(rows["programme"], filters)
    ]
    return _aggregate(_with_keys(data, rows, None, filters), [*keys, "programme"], count=("id", "count"))


def substances_reported(data: NaiveData, filters: Filters, by: Sequence[Dimension] = ()) -> pd.DataFrame:
    """Per ASSIST substance: screenings with a score for it / screenings, in ASSIST order per group."""
    keys = _keys(by)
    rows = _screenings(data, filters)
    rows = rows.assign(**{substance: rows[f"score_{substance}"].notna() for substance in SUBSTANCES})
    wide = _aggregate(
        rows, keys, **{substance: (substance, "sum") for substance in SUBSTANCES}, denominator=("id", "count")
    )
    long = wide.melt(
        id_vars=[*keys, "denominator"],
        value_vars=list(SUBSTANCES),
        var_name="substance",
        value_name="numerator",
    )
    if keys:
        long = long.sort_values(keys, kind="stable")
    return with_rate(long[[*keys, "substance", "numerator", "denominator"]]).reset_index(drop=True)


def _followed_within_window(screenings: pd.DataFrame, events: pd.DataFrame, day: str) -> pd.Series:
    """Per screening: has its participant an event on its date or up to ``REFERRAL_DAYS`` days after?"""
    pairs = screenings[["id", "participant_id", "screened_on"]].merge(
        events[["participant_id", day]], on="participant_id"
    )
    delay = (pairs[day] - pairs["screened_on"]).dt.days
    return screenings["id"].isin(pairs.loc[delay.between(0, REFERRAL_DAYS), "id"])


def referral_funnel(data: NaiveData, filters: Filters, by: Sequence[Dimension] = ()) -> pd.DataFrame:
    """Moderate/high screenings followed within 0–30 days by an enrolment (and by an assessment)."""
    rows = _screenings(data, filters)
    rows = rows[rows["overall_risk"].isin(("moderate", "high"))]
    enrollments = data.enrollment[_in_programme(data.enrollment["programme"], filters)]
    rows = rows.assign(
        assessed=_followed_within_window(rows, data.assessment, "assessed_on"),
        enrolled_30d=_followed_within_window(rows, enrollments, "started_on"),
    )
    frame = _aggregate(
        rows,
        _keys(by),
        moderate_high=("id", "count"),
        assessed=("assessed", "sum"),
        enrolled_30d=("enrolled_30d", "sum"),
    )
    frame = with_rate(frame.assign(numerator=frame["enrolled_30d"], denominator=frame["moderate_high"]))
    frame["assessed_rate"] = share(frame["assessed"], frame["moderate_high"])
    return frame


def enrollments_by_status(data: NaiveData, filters: Filters, by: Sequence[Dimension] = ()) -> pd.DataFrame:
    """Enrolments started in the period, counted by programme and current status."""
    rows = data.enrollment
    rows = rows[
        _in_period(rows["started_on"], filters)
        & _at_selected(data, rows["facility_id"], filters)
        & _in_programme(rows["programme"], filters)
    ]
    rows = _with_keys(data, rows, "started_on", filters)
    return _aggregate(rows, [*_keys(by), "programme", "status"], count=("id", "count"))


def programme_outcomes(data: NaiveData, filters: Filters, by: Sequence[Dimension] = ()) -> pd.DataFrame:
    """Enrolments ended in the period: completion and drop-out rates, median days in programme."""
    keys = _keys(by)
    rows = data.enrollment
    rows = rows[
        _in_period(rows["ended_on"], filters)
        & (rows["status"] != EnrollmentStatus.ACTIVE)
        & _at_selected(data, rows["facility_id"], filters)
        & _in_programme(rows["programme"], filters)
    ]
    rows = _with_keys(data, rows, "ended_on", filters)
    rows = rows.assign(
        **{status.value: rows["status"] == status for status in OUTCOMES},
        days=(rows["ended_on"] - rows["started_on"]).dt.days,
    )
    frame = _aggregate(rows, keys, **{status.value: (status.value, "sum") for status in OUTCOMES})
    frame = with_rate(
        frame.assign(numerator=frame["completed"], denominator=frame["completed"] + frame["dropped_out"])
    )
    frame["dropout_numerator"] = frame["dropped_out"]
    frame["dropout_rate"] = share(frame["dropped_out"], frame["denominator"])
    ended = rows[rows["status"].isin((EnrollmentStatus.COMPLETED, EnrollmentStatus.DROPPED_OUT))]
    medians = _aggregate(ended, keys, median_days=("days", "median"))
    return frame.merge(medians, on=keys, how="left") if keys else frame.join(medians)


def _risk_rank(risks: pd.Series) -> pd.Series:
    """low 0 < moderate 1 < high 2; no risk stays NaN (and so never ranks lower)."""
    return risks.map({level: rank for rank, level in enumerate(RISK_LEVELS)}).astype("float64")


def progress(data: NaiveData, filters: Filters, by: Sequence[Dimension] = ()) -> pd.DataFrame:
    """Latest follow-up per participant (and period) against their latest screening on or before it."""
    keys = _keys(by)
    rows = data.follow_up
    in_scope = _in_period(rows["followed_on"], filters) & _at_selected(data, rows["facility_id"], filters)
    if filters.programme:
        enrollments = data.enrollment
        in_scope &= rows["enrollment_id"].isin(
            enrollments.loc[enrollments["programme"] == filters.programme, "id"]
        )
    rows = _with_keys(data, rows[in_scope], "followed_on", filters)
    bucket = ["participant_id", *(["period"] if "period" in keys else [])]
    latest = rows[rows["followed_on"] == rows.groupby(bucket)["followed_on"].transform("max")]
    screenings = data.screening[["participant_id", "screened_on", "max_score", "overall_risk"]]
    earlier = latest[["participant_id", "followed_on"]].merge(screenings, on="participant_id")
    earlier = earlier[earlier["screened_on"] <= earlier["followed_on"]].sort_values("screened_on")
    screened = earlier.drop_duplicates(["participant_id", "followed_on"], keep="last")
    compared = latest.merge(
        screened, on=["participant_id", "followed_on"], how="left", suffixes=("", "_screening")
    )
    urine = compared["urine_result"]
    compared = compared.assign(
        change=(compared["max_score"] - compared["max_score_screening"]).astype("float64"),
        lower=_risk_rank(compared["overall_risk"]) < _risk_rank(compared["overall_risk_screening"]),
        negative=urine == "negative",
        tested=urine.isin(("negative", "positive")),
    )
    frame = _aggregate(
        compared,
        keys,
        followed=("participant_id", "count"),
        compared=("screened_on", "count"),
        mean_score_change=("change", "mean"),
        numerator=("lower", "sum"),
        urine_negative=("negative", "sum"),
        urine_tested=("tested", "sum"),
    )
    frame = with_rate(frame.assign(denominator=frame["compared"]))
    frame["urine_negative_rate"] = share(frame["urine_negative"], frame["urine_tested"])
    columns = ["followed", "compared", "mean_score_change", "numerator", "denominator", "rate"]
    return frame[[*keys, *columns, "urine_negative", "urine_tested", "urine_negative_rate"]]


def outreach_reach(data: NaiveData, filters: Filters, by: Sequence[Dimension] = ()) -> pd.DataFrame:
    """Outreach events and people reached by type and audience; region is the event's own."""
    keys = _keys(by)
    events = data.outreach_event
    mask = _in_period(events["held_on"], filters)
    if filters.region_ids:
        mask &= events["region_id"].isin(filters.region_ids)
    if filters.facility_ids:
        mask &= events["facility_id"].isin(filters.facility_ids)
    rows = _with_keys(data, events[mask], "held_on", filters)
    frame = _aggregate(
        rows,
        [*keys, "event_type", "audience"],
        events=("id", "count"),
        people_reached=("people_reached", "sum"),
    )
    if "facility_id" in keys:  # events without a facility form their own group, sorted last
        frame["facility_id"] = frame["facility_id"].astype("Int64")
    return frame


def _records(table: pd.DataFrame, day: str, amount: str | None = None) -> pd.DataFrame:
    """Rows of ``table`` as delivery records: ``record_id``, ``facility_id``, ``day``, ``amount``."""
    return pd.DataFrame(
        {
            "record_id": table["id"],
            "facility_id": table["facility_id"],
            "day": table[day],
            "amount": table[amount] if amount else 1,
        }
    )


def _delivery_pairs(data: NaiveData, metric: ScopeMetric) -> pd.DataFrame:
    """Records of ``metric`` with the agreements they count for (possibly several rows per record):
    those at an agreement's facilities, monev visits tagged with it, outreach run by its partner."""
    agreement_partners = data.agreement[["id", "partner_id"]].rename(columns={"id": "agreement_id"})
    extra: list[pd.DataFrame] = []
    match metric:
        case ScopeMetric.SCREENINGS:
            records = _records(data.screening, "screened_on")
        case ScopeMetric.ASSESSMENTS:
            records = _records(data.assessment, "assessed_on")
        case ScopeMetric.ENROLLMENTS_MEDICAL | ScopeMetric.ENROLLMENTS_SOCIAL:
            medical = metric == ScopeMetric.ENROLLMENTS_MEDICAL
            programme = ProgrammeType.MEDICAL if medical else ProgrammeType.SOCIAL
            records = _records(data.enrollment[data.enrollment["programme"] == programme], "started_on")
        case ScopeMetric.SKILLS_SESSIONS:
            sessions = data.programme_session
            records = _records(sessions[sessions["session_type"] == SessionType.SKILLS], "held_on")
        case ScopeMetric.PEER_COUNSELLORS_TRAINED:
            counsellors = data.peer_counsellor[data.peer_counsellor["completed"]]
            trained = counsellors.merge(
                data.peer_counsellor_training,
                left_on="training_id",
                right_on="id",
                suffixes=("", "_training"),
            )
            records = _records(trained, "ended_on")
        case ScopeMetric.MONEV_VISITS:
            visits = data.monev_visit
            records = _records(visits, "visited_on")
            extra.append(records.assign(agreement_id=visits["agreement_id"]).dropna(subset=["agreement_id"]))
        case ScopeMetric.OUTREACH_EVENTS | ScopeMetric.OUTREACH_PEOPLE:
            events = data.outreach_event
            amount = "people_reached" if metric == ScopeMetric.OUTREACH_PEOPLE else None
            records = _records(events, "held_on", amount)
            by_partner = records.assign(partner_id=events["partner_id"]).merge(
                agreement_partners, on="partner_id"
            )
            extra.append(by_partner.drop(columns="partner_id"))
        case _:
            assert_never(metric)
    at_facilities = records.merge(data.agreement_facility, on="facility_id")
    pairs = pd.concat([at_facilities, *extra])
    return pairs.astype({"agreement_id": "int64"}).drop_duplicates(["agreement_id", "record_id"])


def _delivered(data: NaiveData, metric: ScopeMetric, filters: Filters) -> pd.DataFrame:
    """``agreement_id`` → ``delivered``: its records of ``metric`` from its signing to the period's end."""
    signed = data.agreement[["id", "signed_on"]].rename(columns={"id": "agreement_id"})
    pairs = _delivery_pairs(data, metric).merge(signed, on="agreement_id")
    pairs = pairs[(pairs["day"] >= pairs["signed_on"]) & (pairs["day"] <= pd.Timestamp(filters.end))]
    return pairs.groupby("agreement_id", as_index=False).agg(delivered=("amount", "sum"))


def agreement_delivery(data: NaiveData, filters: Filters, by: Sequence[Dimension] = ()) -> pd.DataFrame:
    """Delivery of each scope item of the agreements covering the selected facilities, since signing."""
    if tuple(by):
        raise ValueError("agreement_delivery is one row per scope item; it takes no grouping")
    links = data.agreement_facility
    covering = links.loc[_at_selected(data, links["facility_id"], filters), "agreement_id"]
    agreements = data.agreement.rename(
        columns={"id": "agreement_id", "code": "agreement_code", "title": "agreement_title"}
    )
    agreements = agreements[
        agreements["agreement_id"].isin(covering)
        & (agreements["signed_on"] <= pd.Timestamp(filters.end))
        & agreements["active"].astype(bool)
    ].drop(columns="active")
    scope_items = data.agreement_scope_item
    items = agreements.merge(
        scope_items[scope_items["active"].astype(bool)]
        .drop(columns="active")
        .rename(columns={"code": "item_code"}),
        on="agreement_id",
    )
    if items.empty:
        return pd.DataFrame(columns=AGREEMENT_DELIVERY_COLUMNS)
    delivered = pd.concat(
        [
            _delivered(data, ScopeMetric(metric), filters).assign(metric=metric)
            for metric in items["metric"].unique()
        ]
    )
    frame = items.sort_values(["signed_on", "agreement_code", "item_code"]).merge(
        delivered, on=["agreement_id", "metric"], how="left"
    )
    delivered_count = frame["delivered"].fillna(0).astype("int64")
    frame = frame.assign(
        delivered=delivered_count,
        days_since_signing=(pd.Timestamp(filters.end) - frame["signed_on"]).dt.days,
        signed_on=frame["signed_on"].dt.date,
        numerator=delivered_count,
        denominator=frame["target"],
    )
    return with_rate(frame)[AGREEMENT_DELIVERY_COLUMNS].reset_index(drop=True)


def _facility_labels(data: NaiveData, filters: Filters) -> pd.DataFrame:
    """The selected facilities with their region (``kpis.facility_labels`` filtered by the selection)."""
    regions = data.region.rename(columns={"id": "region_id", "name": "region"})[["region_id", "region"]]
    labels = data.facility.rename(columns={"id": "facility_id", "name": "facility"}).merge(
        regions, on="region_id"
    )
    labels = labels[_at_selected(data, labels["facility_id"], filters)]
    return labels.sort_values(["region", "facility"])[["facility_id", "facility", "region_id", "region"]]


def overview_by_facility(
    data: NaiveData, filters: Filters, by: Sequence[Dimension] = ("facility",)
) -> pd.DataFrame:
    """One row per selected facility with the overview's headline KPIs side by side."""
    if tuple(by) != ("facility",):
        raise ValueError("overview_by_facility is grouped by facility only")
    coverage = screening_coverage(data, filters, by)
    risk = risk_distribution(data, filters, by)
    attendance = attendance_rate(data, filters, by)
    active = active_enrollments(data, filters, by).groupby("facility_id", as_index=False)["count"].sum()
    table = _facility_labels(data, filters)[["facility_id", "facility", "region"]]
    for frame in (
        coverage[["facility_id"]].assign(coverage=coverage["rate"]),
        risk[["facility_id"]].assign(screenings=risk["denominator"], moderate_high_share=risk["rate"]),
        attendance[["facility_id", "sessions"]].assign(attendance_rate=attendance["rate"]),
        active.rename(columns={"count": "active_enrollments"}),
    ):
        table = table.merge(frame, on="facility_id", how="left")
    counts = ["screenings", "sessions", "active_enrollments"]
    table[counts] = table[counts].fillna(0).astype("int64")
    return table.reset_index(drop=True)


def _comparison(data: NaiveData, filters: Filters, dimension: Literal["facility", "region"]) -> pd.DataFrame:
    """One row per selected facility or region: population, volumes and volumes per 100 WBP."""
    by: tuple[Dimension, ...] = (dimension,)
    key = f"{dimension}_id"
    coverage = screening_coverage(data, filters, by)
    risk = risk_distribution(data, filters, by)
    started = enrollments_by_status(data, filters, by).groupby(key, as_index=False)["count"].sum()
    attendance = attendance_rate(data, filters, by)
    labels = _facility_labels(data, filters)
    if dimension == "facility":
        table = labels
    else:
        table = labels[["region_id", "region"]].drop_duplicates()
    label_columns = list(table.columns)
    for frame in (
        coverage[[key]].assign(population=coverage["denominator"].astype("float64")),
        risk[[key]].assign(screenings=risk["denominator"], moderate_high_share=risk["rate"]),
        started.rename(columns={"count": "enrollments_started"}),
        attendance[[key]].assign(
            participant_sessions=attendance["numerator"], attendance_rate=attendance["rate"]
        ),
    ):
        table = table.merge(frame, on=key, how="left")
    table["population"] = table["population"].where(table["population"] > 0)
    for count in ("screenings", "enrollments_started", "participant_sessions"):
        table[count] = table[count].fillna(0).astype("int64")
    table = table.assign(
        screenings_per_100=share(table["screenings"], table["population"]) * 100,
        enrollments_per_100=share(table["enrollments_started"], table["population"]) * 100,
        participant_sessions_per_100=share(table["participant_sessions"], table["population"]) * 100,
    )
    return table[[*label_columns, *COMPARISON_COLUMNS]].reset_index(drop=True)


def facility_comparison(
    data: NaiveData, filters: Filters, by: Sequence[Dimension] = ("facility",)
) -> pd.DataFrame:
    """Per selected facility: population, volumes and volumes per 100 WBP."""
    if tuple(by) != ("facility",):
        raise ValueError("facility_comparison is grouped by facility only")
    return _comparison(data, filters, "facility")


def region_comparison(
    data: NaiveData, filters: Filters, by: Sequence[Dimension] = ("region",)
) -> pd.DataFrame:
    """Per selected region: the facility comparison with populations summed."""
    if tuple(by) != ("region",):
        raise ValueError("region_comparison is grouped by region only")
    return _comparison(data, filters, "region")


NAIVE_FUNCTIONS: dict[str, Callable[[NaiveData, Filters, Sequence[Dimension]], pd.DataFrame]] = {
    "screening_coverage": screening_coverage,
    "risk_distribution": risk_distribution,
    "attendance_rate": attendance_rate,
    "active_enrollments": active_enrollments,
    "substances_reported": substances_reported,
    "referral_funnel": referral_funnel,
    "enrollments_by_status": enrollments_by_status,
    "programme_outcomes": programme_outcomes,
    "progress": progress,
    "outreach_reach": outreach_reach,
    "agreement_delivery": agreement_delivery,
    "overview_by_facility": overview_by_facility,
    "facility_comparison": facility_comparison,
    "region_comparison": region_comparison,
}


def compute(data: NaiveData, name: str, filters: Filters, by: tuple[Dimension, ...] = ()) -> pd.DataFrame:
    """``kpis.KPI_FUNCTIONS[name](session, filters, by)``, computed in pandas from the whole tables."""
    if filters.signed_off_only:
        raise NotImplementedError("the naive baseline does not filter by sign-off")
    if name not in NAIVE_FUNCTIONS:
        raise NotImplementedError(f"the naive baseline does not compute {name!r}")
    return NAIVE_FUNCTIONS[name](data, filters, by)
