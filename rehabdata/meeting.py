"""The Rapat Koordinasi view: the slides of a coordination meeting, for the page, deck and workbook.

``build_view`` turns a subject (an agreement, a region or a facility) and a period into slides:
title, headline KPIs, screening and risk, rehabilitation, outreach, agreement delivery, monev
actions, and what changed since the previous period. Each topic table goes through
``suppression.suppress`` once, with its totals; the headline and closing slides copy their figures
from those suppressed tables, so a figure reads the same on every slide, and each chart is drawn
by ``charts`` from the suppressed values of its slide's table. The title slide and every source
line say which months of the period the facilities' heads have signed off. Nothing here queries:
KPIs come through a reader — ``kpis.run_kpi`` for exports, the page's cached ``ui.data.kpi``.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Literal

import pandas as pd
import plotly.graph_objects as go
from sqlmodel import Session

from rehabdata import charts, clock, kpis
from rehabdata.auth import Principal, ScopeError
from rehabdata.i18n import Lang, format_day, format_month, format_number, format_rate, t
from rehabdata.kpis import Dimension, Filters
from rehabdata.models import Audience
from rehabdata.periods import add_months, month_start, months_between, previous_period
from rehabdata.suppression import HIDDEN, Rate, is_marker, numeric, small_marker, suppress, threshold

SubjectKind = Literal["agreement", "region", "facility"]
SUBJECT_KINDS: tuple[SubjectKind, ...] = ("agreement", "region", "facility")
ALL_TIME = Filters(start=date(1900, 1, 1), end=date(9999, 12, 31))
"""The filter that lists every agreement, whenever it was signed."""
CHART_FONT_SIZE = 18  # readable on a projector and in a 6-inch slide picture
TOTAL = "total"  # index label of a table's total row

KpiReader = Callable[[str, Filters, tuple[Dimension, ...]], pd.DataFrame]
"""``read(name, filters, by)``: a KPI frame for the acting user's scope."""

CellKind = Literal["text", "count", "rate", "row", "change"]
"""How a column is formatted; ``row``/``change``: by each row's ``kind`` (a value or its change)."""


@dataclass(frozen=True)
class Subject:
    """What a meeting is about: one agreement, region or facility, with its facilities and partners."""

    kind: SubjectKind
    code: str
    name: str
    facility_ids: tuple[int, ...]
    facilities: tuple[str, ...]
    partners: tuple[str, ...]
    region_id: int | None = None
    agreement_id: int | None = None
    agreement_kind: str = ""
    signed_on: date | None = None

    def filters(self, start: date, end: date) -> Filters:
        """The KPI filter of this subject for a period (a region by its id, others by facilities)."""
        if self.kind == "region" and self.region_id is not None:
            return Filters(start=start, end=end, region_ids=(self.region_id,))
        return Filters(start=start, end=end, facility_ids=self.facility_ids)


@dataclass(frozen=True)
class Column:
    """A table column: its key in the frame, translated header, format, and whether slides show it."""

    key: str
    label: str
    kind: CellKind
    brief: bool = True


@dataclass(frozen=True)
class Table:
    """A suppressed table: display values (numbers or markers) and how to format each column."""

    frame: pd.DataFrame
    columns: tuple[Column, ...]
    rates: tuple[tuple[str, Rate], ...] = ()
    """(label, rate) pairs whose numerator and denominator go into the speaker notes."""

    def header(self, key: str) -> str:
        """The translated header of column ``key``."""
        return next(column.label for column in self.columns if column.key == key)


@dataclass(frozen=True)
class Metric:
    """A headline figure: label, formatted value and its numerator/denominator sentence."""

    label: str
    value: str
    detail: str = ""


@dataclass(frozen=True)
class Slide:
    """One slide: title, short points, headline metrics, a table and a chart, and speaker notes."""

    key: str
    title: str
    points: tuple[str, ...] = ()
    metrics: tuple[Metric, ...] = ()
    table: Table | None = None
    chart: go.Figure | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class MeetingView:
    """Everything a meeting shows for one subject and period, in one language."""

    subject: Subject
    start: date
    end: date
    previous: tuple[date, date]
    lang: Lang
    as_of: datetime
    limit: int
    slides: tuple[Slide, ...] = field(default=())
    signed: tuple[tuple[date, int], ...] = ()
    """(month, facilities that signed it off) for each month of the period with a sign-off."""

    @property
    def period(self) -> str:
        """``1 Okt 2026 – 31 Okt 2026``."""
        return f"{format_day(self.start, self.lang)} – {format_day(self.end, self.lang)}"

    @property
    def as_of_text(self) -> str:
        """The data's timestamp as shown on every slide."""
        moment = clock.local(self.as_of)  # WIB/WITA/WIT, whatever the server's clock
        return f"{format_day(moment.date(), self.lang)} {moment:%H:%M} {clock.zone_name()}"

    @property
    def signoff(self) -> str:
        """Which months of the period the facilities' heads have signed off (all, some, or none)."""
        if not self.signed:
            return t("meeting.signoff_none", self.lang)
        total = len(self.subject.facility_ids)
        months = [
            format_month(month, self.lang)
            if count >= total
            else t("meeting.signoff_partial", self.lang, month=format_month(month, self.lang))
            for month, count in self.signed
        ]
        return t("meeting.signoff", self.lang, months=", ".join(months))

    @property
    def source(self) -> str:
        """The source line under every slide: data as of, subject and period, sign-off, marker legend."""
        source = t(
            "meeting.source", self.lang, as_of=self.as_of_text, subject=self.subject.name, period=self.period
        )
        return f"{source} · {self.signoff} · {legend(self.lang, self.limit)}"

    def file_name(self, extension: str) -> str:
        """``rapat_<code>_<start>_<end>.<extension>``."""
        return f"rapat_{self.subject.code}_{self.start:%Y%m%d}_{self.end:%Y%m%d}.{extension}"


def legend(lang: Lang, limit: int) -> str:
    """What the two markers mean."""
    return t("meeting.legend", lang, small=small_marker(limit), limit=limit, hidden=HIDDEN)


# --- subjects ----------------------------------------------------------------------------------


def subjects(
    agreements: pd.DataFrame, labels: pd.DataFrame, principal: Principal | None = None
) -> list[Subject]:
    """Every agreement, region and facility (that ``principal``, if given, sees in full), in that order.

    ``agreements``: ``kpis.agreement_list`` output; ``labels``: ``kpis.facility_labels`` output.
    """
    names = dict(zip(labels["facility_id"].astype(int), labels["facility"], strict=True))
    partners_of: dict[int, list[str]] = {}
    for agreement in agreements.itertuples():
        for facility_id in agreement.facility_ids:
            partners_of.setdefault(int(facility_id), []).append(str(agreement.partner))

    def partners(facility_ids: tuple[int, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(p for f in facility_ids for p in partners_of.get(f, [])))

    found = [
        Subject(
            kind="agreement",
            code=str(a.code),
            name=str(a.title),
            facility_ids=tuple(int(f) for f in a.facility_ids),
            facilities=tuple(names.get(int(f), "") for f in a.facility_ids),
            partners=(str(a.partner),),
            agreement_id=int(a.agreement_id),
            agreement_kind=str(a.kind),
            signed_on=a.signed_on,
        )
        for a in agreements.itertuples()
    ]
    for (region_id, code, name), rows in labels.groupby(["region_id", "region_code", "region"], sort=False):
        ids = tuple(int(f) for f in rows["facility_id"])
        found.append(
            Subject(
                "region", str(code), str(name), ids, tuple(rows["facility"]), partners(ids), int(region_id)
            )
        )
    for row in labels.itertuples():
        ids = (int(row.facility_id),)
        found.append(
            Subject(
                "facility",
                str(row.facility_code),
                str(row.facility),
                ids,
                (str(row.facility),),
                partners(ids),
            )
        )
    if principal is None:
        return found
    return [s for s in found if all(principal.can_see(f) for f in s.facility_ids)]


def subject_of(
    agreement_code: str | None, region_code: str | None, facility_code: str | None
) -> tuple[SubjectKind, str]:
    """The one subject named by exactly one of the three codes."""
    given = [
        (kind, code)
        for kind, code in (
            ("agreement", agreement_code),
            ("region", region_code),
            ("facility", facility_code),
        )
        if code
    ]
    if len(given) != 1:
        raise ValueError("name exactly one of agreement_code, region_code, facility_code")
    return given[0]  # type: ignore[return-value]


def find_subject(choices: list[Subject], kind: SubjectKind, code: str) -> Subject:
    """The subject of ``kind`` with ``code``; ``LookupError`` when unknown or out of scope."""
    for subject in choices:
        if subject.kind == kind and subject.code == code:
            return subject
    raise LookupError(f"no {kind} {code!r}")


def reader(session: Session, principal: Principal) -> KpiReader:
    """A ``KpiReader`` running each KPI in ``session`` within the principal's scope."""

    def read(name: str, filters: Filters, by: tuple[Dimension, ...] = ()) -> pd.DataFrame:
        return kpis.run_kpi(session, principal, name, filters, by)

    return read


def previous_range(start: date, end: date) -> tuple[date, date]:
    """The period before: as many whole months before a whole-month period, else as many days."""
    last_of_month = add_months(end, 1) - timedelta(days=1)
    if start == month_start(start) and end == last_of_month:
        return add_months(start, -len(months_between(start, end))), start - timedelta(days=1)
    return previous_period(start, end)


# --- formatting --------------------------------------------------------------------------------


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def cell_text(value: object, kind: CellKind, lang: Lang, row_kind: str = "count") -> str:
    """A display value as text: markers as they are, counts and rates in the language's format."""
    if is_marker(value):
        return str(value)
    if kind == "text":
        return "" if _missing(value) else str(value)
    if _missing(value):
        return "–"
    number = float(value)  # type: ignore[arg-type]
    if kind == "row":
        kind = "rate" if row_kind == "rate" else "count"
    if kind == "rate":
        return format_rate(number, lang)
    if kind == "change":
        sign = "+" if number > 0 else ""
        if row_kind == "rate":
            return f"{sign}{format_number(number, lang, decimals=1)} pp"
        return f"{sign}{format_number(number, lang)}"
    return format_number(number, lang)


def formatted(table: Table, lang: Lang, *, brief: bool = True) -> pd.DataFrame:
    """The table as text with translated headers (``brief``: only the columns slides show)."""
    columns = [c for c in table.columns if c.brief or not brief]
    frame = table.frame
    kinds = frame["kind"] if "kind" in frame.columns else pd.Series("count", index=frame.index)
    text = pd.DataFrame(
        {
            column.key: [
                cell_text(value, column.kind, lang, row_kind)
                for value, row_kind in zip(frame[column.key], kinds, strict=True)
            ]
            for column in columns
        }
    )
    return text.set_axis([column.label for column in columns], axis=1)


def export_frame(table: Table) -> pd.DataFrame:
    """All of the table's columns under their translated headers, numbers unformatted (for CSV)."""
    frame = table.frame[[column.key for column in table.columns]].reset_index(drop=True)
    return frame.set_axis([column.label for column in table.columns], axis=1)


def _of(numerator: object, denominator: object, lang: Lang) -> str:
    return t(
        "kpi.of",
        lang,
        numerator=cell_text(numerator, "count", lang),
        denominator=cell_text(denominator, "count", lang),
    )


def rate_notes(table: Table, lang: Lang) -> tuple[str, ...]:
    """One speaker-note line per row: each rate with its numerator and denominator."""
    return tuple(
        f"{row['label']} — "
        + "; ".join(
            f"{label}: {cell_text(row[rate.rate], 'rate', lang)} "
            f"({_of(row[rate.numerator], row[rate.denominator], lang)})"
            for label, rate in table.rates
        )
        for _, row in table.frame.iterrows()
    )


def count_notes(table: Table, lang: Lang) -> tuple[str, ...]:
    """One speaker-note line per row: each count column with its value."""
    counts = [column for column in table.columns if column.kind == "count"]
    return tuple(
        f"{row['label']}: " + "; ".join(f"{c.label} {cell_text(row[c.key], 'count', lang)}" for c in counts)
        for _, row in table.frame.iterrows()
    )


# --- topic tables --------------------------------------------------------------------------------


def _per_facility(
    read: KpiReader, name: str, filters: Filters, subject: Subject, columns: dict[str, str]
) -> pd.DataFrame:
    """One row per subject facility (zeros where the KPI has none) and a total row, renamed.

    The total row is the ungrouped KPI (distinct people counted once), not the sum of the rows.
    """
    grouped = read(name, filters, ("facility",))
    rows = pd.DataFrame({"facility_id": subject.facility_ids, "label": subject.facilities})
    rows = rows.merge(grouped[["facility_id", *columns]], on="facility_id", how="left")
    total = read(name, filters, ())
    total_row = pd.DataFrame(
        {column: [total[column].iloc[0] if len(total) else 0] for column in columns}, index=[TOTAL]
    )
    frame = pd.concat([rows.drop(columns="facility_id"), total_row])
    counts = [c for c in columns if c != "rate" and not c.endswith("_rate")]  # kpis names rates so
    frame[counts] = frame[counts].fillna(0)
    return frame.rename(columns=columns)


def _stock_per_facility(read: KpiReader, filters: Filters, subject: Subject) -> pd.DataFrame:
    """Active enrolments on the period's last day per subject facility, and in total."""
    grouped = read("active_enrollments", filters, ("facility",))
    per_facility = grouped.groupby("facility_id")["count"].sum()
    active = [int(per_facility.get(f, 0)) for f in subject.facility_ids]
    total = int(read("active_enrollments", filters, ())["count"].sum())
    return pd.DataFrame({"active": [*active, total]}, index=[*range(len(active)), TOTAL])


def _with_total_label(frame: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    frame = frame.copy()
    frame.loc[TOTAL, "label"] = t("meeting.total", lang)
    return frame


def screening_table(read: KpiReader, filters: Filters, subject: Subject, lang: Lang) -> Table:
    """Coverage, risk levels and referral per facility, with a total row."""
    coverage = _per_facility(
        read,
        "screening_coverage",
        filters,
        subject,
        {"numerator": "screened", "denominator": "population", "rate": "coverage"},
    )
    risk = _per_facility(
        read,
        "risk_distribution",
        filters,
        subject,
        {"low": "low", "moderate": "moderate", "high": "high", "numerator": "moderate_high",
         "denominator": "screenings", "rate": "share"},
    )  # fmt: skip
    referral = _per_facility(
        read, "referral_funnel", filters, subject, {"enrolled_30d": "enrolled_30d", "rate": "referral"}
    )
    frame = pd.concat([coverage, risk.drop(columns="label"), referral.drop(columns="label")], axis=1)
    rates = (
        (t("kpi.screening_coverage", lang), Rate("coverage", "screened", "population")),
        (t("kpi.moderate_high_share", lang), Rate("share", "moderate_high", "screenings")),
        (t("kpi.referral_rate", lang), Rate("referral", "enrolled_30d", "moderate_high")),
    )
    shown = suppress(
        _with_total_label(frame, lang),
        counts=["low", "moderate", "high"],
        rates=[rate for _, rate in rates],
        total_columns={"screenings": ["low", "moderate_high"], "moderate_high": ["moderate", "high"]},
        total_rows=[TOTAL],
    )
    columns = (
        Column("label", t("col.facility", lang), "text"),
        Column("screenings", t("kpi.screenings", lang), "count"),
        Column("low", t("risk.low", lang), "count"),
        Column("moderate", t("risk.moderate", lang), "count"),
        Column("high", t("risk.high", lang), "count"),
        Column("moderate_high", t("funnel.moderate_high", lang), "count", brief=False),
        Column("share", t("kpi.moderate_high_share", lang), "rate"),
        Column("screened", t("meeting.col.screened", lang), "count", brief=False),
        Column("population", t("kpi.population", lang), "count", brief=False),
        Column("coverage", t("kpi.screening_coverage", lang), "rate"),
        Column("enrolled_30d", t("funnel.enrolled_30d", lang), "count", brief=False),
        Column("referral", t("kpi.referral_rate", lang), "rate"),
    )
    return Table(shown, columns, rates)


def rehabilitation_table(read: KpiReader, filters: Filters, subject: Subject, lang: Lang) -> Table:
    """Attendance, active participants, outcomes and progress per facility, with a total row."""
    attendance = _per_facility(
        read,
        "attendance_rate",
        filters,
        subject,
        {"sessions": "sessions", "numerator": "attended", "denominator": "expected", "rate": "attendance"},
    )
    outcomes = _per_facility(
        read,
        "programme_outcomes",
        filters,
        subject,
        {"completed": "completed", "dropped_out": "dropped_out", "denominator": "ended",
         "rate": "completion", "released": "released", "transferred": "transferred"},
    )  # fmt: skip
    progress = _per_facility(
        read,
        "progress",
        filters,
        subject,
        {"compared": "compared", "numerator": "risk_fell", "rate": "risk_fell_rate",
         "urine_tested": "urine_tested", "urine_negative": "urine_negative",
         "urine_negative_rate": "urine_negative_rate"},
    )  # fmt: skip
    active = _stock_per_facility(read, filters, subject).set_axis(attendance.index)
    frame = pd.concat(
        [attendance, active, outcomes.drop(columns="label"), progress.drop(columns="label")], axis=1
    )
    rates = (
        (t("kpi.attendance_rate", lang), Rate("attendance", "attended", "expected")),
        (t("kpi.completion_rate", lang), Rate("completion", "completed", "ended")),
        (t("kpi.risk_fell", lang), Rate("risk_fell_rate", "risk_fell", "compared")),
        (t("kpi.urine_negative", lang), Rate("urine_negative_rate", "urine_negative", "urine_tested")),
    )
    shown = suppress(
        _with_total_label(frame, lang),
        counts=["sessions", "active", "released", "transferred"],
        rates=[rate for _, rate in rates],
        total_columns={"ended": ["completed", "dropped_out"]},
        total_rows=[TOTAL],
    )
    columns = (
        Column("label", t("col.facility", lang), "text"),
        Column("sessions", t("kpi.sessions", lang), "count"),
        Column("attended", t("meeting.col.attended", lang), "count", brief=False),
        Column("expected", t("meeting.col.expected", lang), "count", brief=False),
        Column("attendance", t("kpi.attendance_rate", lang), "rate"),
        Column("active", t("kpi.active_enrollments", lang), "count"),
        Column("completed", t("status.completed", lang), "count", brief=False),
        Column("dropped_out", t("status.dropped_out", lang), "count", brief=False),
        Column("ended", t("meeting.col.ended", lang), "count", brief=False),
        Column("completion", t("kpi.completion_rate", lang), "rate"),
        Column("released", t("status.released", lang), "count", brief=False),
        Column("transferred", t("status.transferred", lang), "count", brief=False),
        Column("compared", t("meeting.col.compared", lang), "count", brief=False),
        Column("risk_fell", t("meeting.col.risk_fell", lang), "count", brief=False),
        Column("risk_fell_rate", t("kpi.risk_fell", lang), "rate"),
        Column("urine_tested", t("meeting.col.urine_tested", lang), "count", brief=False),
        Column("urine_negative", t("meeting.col.urine_negative", lang), "count", brief=False),
        Column("urine_negative_rate", t("kpi.urine_negative", lang), "rate", brief=False),
    )
    return Table(shown, columns, rates)


def outreach_table(read: KpiReader, filters: Filters, lang: Lang) -> Table:
    """Outreach events and people reached per audience, with a total row."""
    reach = read("outreach_reach", filters, ())
    by_audience = reach.groupby("audience")[["events", "people_reached"]].sum()
    frame = pd.DataFrame(
        {
            "label": [t(f"audience.{a}", lang) for a in Audience],
            "events": [int(by_audience["events"].get(a, 0)) for a in Audience],
            "people_reached": [int(by_audience["people_reached"].get(a, 0)) for a in Audience],
        }
    )
    frame.loc[TOTAL] = [
        t("meeting.total", lang),
        int(reach["events"].sum()),
        int(reach["people_reached"].sum()),
    ]
    shown = suppress(frame, counts=["events", "people_reached"], total_rows=[TOTAL])
    columns = (
        Column("label", t("col.audience", lang), "text"),
        Column("events", t("kpi.events", lang), "count"),
        Column("people_reached", t("kpi.people_reached", lang), "count"),
    )
    return Table(shown, columns)


def delivery_table(read: KpiReader, filters: Filters, subject: Subject, lang: Lang) -> Table:
    """Each scope item of the subject's agreements: target, delivered since signing, and the share."""
    delivery = read("agreement_delivery", filters, ())
    if subject.agreement_id is not None:
        delivery = delivery[delivery["agreement_id"] == subject.agreement_id]
    frame = pd.DataFrame(
        {
            "agreement": list(delivery["agreement_code"]),
            "label": list(delivery["description"]),
            "target": list(delivery["target"]),
            "delivered": list(delivery["delivered"]),
            "rate": list(delivery["rate"]),
        }
    )  # fmt: skip
    rates = ((t("meeting.col.delivery_rate", lang), Rate("rate", "delivered", "target")),)
    shown = suppress(frame, rates=[rate for _, rate in rates])
    columns = (
        Column("agreement", t("meeting.col.agreement", lang), "text", brief=frame["agreement"].nunique() > 1),
        Column("label", t("col.scope_item", lang), "text"),
        Column("target", t("col.target", lang), "count"),
        Column("delivered", t("col.delivered", lang), "count"),
        Column("rate", t("meeting.col.delivery_rate", lang), "rate"),
    )
    return Table(shown, columns, rates)


def monev_table(read: KpiReader, filters: Filters, subject: Subject, lang: Lang) -> Table:
    """Monev visits in the period and the state of their agreed actions per facility, with a total row."""
    columns_in = {
        "visits": "visits",
        "actions": "actions",
        "open_actions": "open_actions",
        "overdue_actions": "overdue_actions",
    }
    frame = _with_total_label(_per_facility(read, "monev_summary", filters, subject, columns_in), lang)
    shown = suppress(frame, counts=list(columns_in), total_rows=[TOTAL])
    columns = (
        Column("label", t("col.facility", lang), "text"),
        Column("visits", t("kpi.monev_visits", lang), "count"),
        Column("actions", t("meeting.col.actions", lang), "count"),
        Column("open_actions", t("kpi.open_actions", lang), "count"),
        Column("overdue_actions", t("kpi.overdue_actions", lang), "count"),
    )
    return Table(shown, columns)


# --- headline and changes --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Indicator:
    """A headline figure read from a topic table's total row."""

    label_key: str
    table: str
    value: str
    numerator: str | None = None
    denominator: str | None = None

    @property
    def kind(self) -> str:
        return "rate" if self.denominator else "count"


HEADLINE = (
    _Indicator("kpi.screening_coverage", "screening", "coverage", "screened", "population"),
    _Indicator("kpi.screenings", "screening", "screenings"),
    _Indicator("kpi.moderate_high_share", "screening", "share", "moderate_high", "screenings"),
    _Indicator("kpi.referral_rate", "screening", "referral", "enrolled_30d", "moderate_high"),
    _Indicator("kpi.attendance_rate", "rehabilitation", "attendance", "attended", "expected"),
    _Indicator("kpi.active_enrollments", "rehabilitation", "active"),
)
CHANGES = (
    *HEADLINE,
    _Indicator("kpi.completion_rate", "rehabilitation", "completion", "completed", "ended"),
    _Indicator("kpi.risk_fell", "rehabilitation", "risk_fell_rate", "risk_fell", "compared"),
    _Indicator("kpi.people_reached", "outreach", "people_reached"),
    _Indicator("kpi.open_actions", "monev", "open_actions"),
)


def _total(tables: dict[str, Table], table: str, column: str | None) -> object:
    return tables[table].frame.at[TOTAL, column] if column else None


def headline_table(tables: dict[str, Table], lang: Lang) -> Table:
    """The headline figures, copied from the topic tables' (suppressed) total rows."""
    frame = pd.DataFrame(
        [
            {
                "label": t(i.label_key, lang),
                "kind": i.kind,
                "value": _total(tables, i.table, i.value),
                "numerator": _total(tables, i.table, i.numerator),
                "denominator": _total(tables, i.table, i.denominator),
            }
            for i in HEADLINE
        ]
    )
    columns = (
        Column("label", t("meeting.col.indicator", lang), "text"),
        Column("value", t("meeting.col.value", lang), "row"),
        Column("numerator", t("meeting.col.numerator", lang), "count"),
        Column("denominator", t("meeting.col.denominator", lang), "count"),
    )
    return Table(frame, columns)


def headline_metrics(table: Table, lang: Lang) -> tuple[Metric, ...]:
    """The headline table as metric cards: value, and "n dari d" under a rate."""
    return tuple(
        Metric(
            row.label,
            cell_text(row.value, "row", lang, row.kind),
            _of(row.numerator, row.denominator, lang) if row.kind == "rate" else "",
        )
        for row in table.frame.itertuples()
    )


def _change(current: object, before: object, kind: str) -> object:
    if is_marker(current) or is_marker(before):
        return HIDDEN
    if _missing(current) or _missing(before):
        return math.nan
    difference = float(current) - float(before)  # type: ignore[arg-type]
    return difference * 100 if kind == "rate" else difference


def changes_table(now: dict[str, Table], before: dict[str, Table], lang: Lang) -> Table:
    """Each closing indicator in the previous and this period, and the change (pp for rates)."""
    rows = []
    for i in CHANGES:
        current, previous = _total(now, i.table, i.value), _total(before, i.table, i.value)
        rows.append(
            {
                "label": t(i.label_key, lang),
                "kind": i.kind,
                "previous": previous,
                "current": current,
                "change": _change(current, previous, i.kind),
            }
        )
    columns = (
        Column("label", t("meeting.col.indicator", lang), "text"),
        Column("previous", t("meeting.col.previous", lang), "row"),
        Column("current", t("meeting.col.current", lang), "row"),
        Column("change", t("meeting.col.change", lang), "change"),
    )
    return Table(pd.DataFrame(rows), columns)


# --- charts ------------------------------------------------------------------------------------


def _projector(figure: go.Figure) -> go.Figure:
    """Larger type, and the legend beside the plot so that a short chart keeps its bars."""
    return figure.update_layout(
        font_size=CHART_FONT_SIZE,
        title_font_size=CHART_FONT_SIZE + 2,
        legend={"orientation": "v", "yanchor": "top", "y": 1, "x": 1.02, "xanchor": "left"},
    )


def wrap(label: str, width: int = 18) -> str:
    """A chart label broken into lines of about ``width`` characters (plotly's ``<br>``)."""
    lines: list[str] = []
    for word in str(label).split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(lines)


def _rows(table: Table) -> pd.DataFrame:
    """The table's rows without the total row."""
    return table.frame.drop(index=TOTAL, errors="ignore")


def risk_chart(table: Table, lang: Lang) -> go.Figure:
    """Risk levels per facility (suppressed cells are left out)."""
    values = numeric(_rows(table), ["low", "moderate", "high"])
    values["label"] = [wrap(label) for label in values["label"]]
    return _projector(
        charts.risk_bars(values, category="label", title=t("screening.risk_by_facility", lang), lang=lang)
    )


def rehabilitation_chart(table: Table, lang: Lang) -> go.Figure:
    """Attendance, completion and risk-fell rates per facility, side by side."""
    measures = ("attendance", "completion", "risk_fell_rate")
    values = numeric(_rows(table), list(measures))
    values["label"] = [wrap(label) for label in values["label"]]
    long = pd.concat(
        [values[["label"]].assign(measure=table.header(m), value=values[m]) for m in measures],
        ignore_index=True,
    )
    figure = charts.stacked_share(
        long,
        category="label",
        stack="measure",
        value="value",
        title=t("meeting.chart.rehabilitation", lang),
        lang=lang,
        barmode="group",
    )
    figure.update_yaxes(tickformat=".0%", rangemode="tozero")
    figure.update_traces(hovertemplate="%{x}: %{y:.1%}<extra>%{fullData.name}</extra>")
    return _projector(figure)


def outreach_chart(table: Table, lang: Lang) -> go.Figure:
    """People reached per audience (suppressed cells are left out)."""
    values = numeric(_rows(table), ["people_reached"])
    return _projector(
        charts.horizontal_bars(
            list(values["label"]),
            list(values["people_reached"]),
            title=t("outreach.by_audience", lang),
            lang=lang,
        )
    )


def delivery_chart(table: Table, lang: Lang) -> go.Figure:
    """Each scope item's delivery as a share of its target."""
    values = numeric(table.frame, ["rate"])
    figure = charts.horizontal_bars(
        [wrap(label, 30) for label in values["label"]],
        list(values["rate"]),
        title=t("meeting.chart.delivery", lang),
        lang=lang,
    )
    figure.update_xaxes(tickformat=".0%", rangemode="tozero")
    figure.update_traces(hovertemplate="%{y}: %{x:.0%}<extra></extra>")
    _projector(figure)
    if len(values) > 5:  # many scope items: smaller labels so that they do not overlap
        figure.update_yaxes(tickfont_size=CHART_FONT_SIZE - 4)
    return figure


# --- the view ------------------------------------------------------------------------------------


def signed_months(read: KpiReader, subject: Subject, start: date, end: date) -> tuple[tuple[date, int], ...]:
    """(month, facilities of the subject that signed it off) for each month of the period with a sign-off."""
    frame = read("signed_off_months", subject.filters(start, end), ("facility", "period"))
    counts = frame.groupby("period")["facility_id"].nunique().to_dict() if len(frame) else {}
    labels = ((month, f"{month:%Y-%m}") for month in months_between(start, end))
    return tuple((month, int(counts[label])) for month, label in labels if label in counts)


def topic_tables(read: KpiReader, subject: Subject, start: date, end: date, lang: Lang) -> dict[str, Table]:
    """The suppressed topic tables of one period."""
    filters = subject.filters(start, end)
    return {
        "screening": screening_table(read, filters, subject, lang),
        "rehabilitation": rehabilitation_table(read, filters, subject, lang),
        "outreach": outreach_table(read, filters, lang),
        "delivery": delivery_table(read, filters, subject, lang),
        "monev": monev_table(read, filters, subject, lang),
    }


def _title_slide(subject: Subject, view: MeetingView) -> Slide:
    lang = view.lang
    points = [
        f"{t('agreements.parties', lang)}: " + " · ".join([*subject.partners, *subject.facilities]),
        t(
            "overview.period_caption",
            lang,
            start=format_day(view.start, lang),
            end=format_day(view.end, lang),
        ),
        view.signoff,
    ]
    if subject.signed_on is not None:
        points.append(
            t(
                "meeting.signed",
                lang,
                kind=subject.agreement_kind.upper(),
                date=format_day(subject.signed_on, lang),
            )
        )
    points.append(t("meeting.as_of", lang, timestamp=view.as_of_text))
    notes = (legend(lang, view.limit), t("meeting.notes.suppression", lang, limit=view.limit))
    return Slide("title", subject.name, points=tuple(points), notes=notes)


def build_view(
    read: KpiReader,
    subject: Subject,
    start: date,
    end: date,
    lang: Lang,
    *,
    as_of: datetime | None = None,
    limit: int | None = None,
) -> MeetingView:
    """The meeting's slides for ``subject`` and [start, end], every number suppressed."""
    if end < start:
        raise ValueError(f"period end {end} is before its start {start}")
    limit = limit or threshold()
    view = MeetingView(
        subject,
        start,
        end,
        previous_range(start, end),
        lang,
        as_of or datetime.now().astimezone(),
        limit,
        signed=signed_months(read, subject, start, end),
    )
    now = topic_tables(read, subject, start, end, lang)
    before = topic_tables(read, subject, *view.previous, lang)
    headline = headline_table(now, lang)
    screening, rehabilitation = now["screening"], now["rehabilitation"]
    outreach, delivery, monev = now["outreach"], now["delivery"], now["monev"]
    delivery_points = (
        (t("meeting.delivery_note", lang, end=format_day(end, lang)),)
        if len(delivery.frame)
        else (t("meeting.no_agreement", lang),)
    )
    previous_text = t(
        "meeting.compared_with",
        lang,
        start=format_day(view.previous[0], lang),
        end=format_day(view.previous[1], lang),
    )
    metrics = headline_metrics(headline, lang)
    slides = (
        _title_slide(subject, view),
        Slide(
            "headline",
            t("meeting.slide.headline", lang),
            metrics=metrics,
            table=headline,
            notes=tuple(f"{m.label}: {m.value}" + (f" ({m.detail})" if m.detail else "") for m in metrics),
        ),
        Slide(
            "screening",
            t("meeting.slide.screening", lang),
            table=screening,
            chart=risk_chart(screening, lang),
            notes=rate_notes(screening, lang),
        ),
        Slide(
            "rehabilitation",
            t("meeting.slide.rehabilitation", lang),
            table=rehabilitation,
            chart=rehabilitation_chart(rehabilitation, lang),
            notes=rate_notes(rehabilitation, lang),
        ),
        Slide(
            "outreach",
            t("meeting.slide.outreach", lang),
            table=outreach,
            chart=outreach_chart(outreach, lang),
            notes=count_notes(outreach, lang),
        ),
        Slide(
            "delivery",
            t("meeting.slide.delivery", lang),
            points=delivery_points,
            table=delivery,
            chart=delivery_chart(delivery, lang) if len(delivery.frame) else None,
            notes=rate_notes(delivery, lang),
        ),
        Slide("monev", t("meeting.slide.monev", lang), table=monev, notes=count_notes(monev, lang)),
        Slide(
            "changes",
            t("meeting.slide.changes", lang),
            points=(previous_text,),
            table=changes_table(now, before, lang),
            notes=(previous_text,),
        ),
    )
    return replace(view, slides=slides)


def view_for(
    session: Session,
    principal: Principal,
    kind: SubjectKind,
    code: str,
    start: date,
    end: date,
    lang: Lang,
    *,
    as_of: datetime | None = None,
) -> MeetingView:
    """``build_view`` for the exports: the subject looked up by code, KPIs run in the principal's scope.

    Raises ``LookupError`` for an unknown code and ``ScopeError`` for a subject outside the scope.
    """
    every = subjects(kpis.agreement_list(session, ALL_TIME), kpis.facility_labels(session))
    subject = find_subject(every, kind, code)
    if not all(principal.can_see(f) for f in subject.facility_ids):
        raise ScopeError(f"user {principal.username!r} may not see all of {kind} {code!r}")
    return build_view(reader(session, principal), subject, start, end, lang, as_of=as_of)
