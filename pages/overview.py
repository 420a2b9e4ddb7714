"""Ringkasan (overview): headline KPIs against the previous period, and a table per facility."""

from dataclasses import replace

import streamlit as st

from rehabdata import charts
from rehabdata.i18n import format_day, format_number
from rehabdata.periods import previous_period
from rehabdata.ui import cards, filters, panels
from rehabdata.ui.context import lang, tr
from rehabdata.ui.data import kpi, overdue_reports

st.title(tr("page.overview"))
selection = filters.show()
if selection is None:
    st.stop()

before_start, before_end = previous_period(selection.start, selection.end)
previous = replace(selection, start=before_start, end=before_end)
st.caption(
    tr(
        "overview.period_caption",
        start=format_day(selection.start, lang()),
        end=format_day(selection.end, lang()),
    )
)
overdue = overdue_reports(selection)
if overdue:  # say so, or an undercount reads as a drop
    st.warning(
        tr("completeness.overview_warning", count=format_number(overdue, lang())), icon=":material/warning:"
    )

table = kpi("overview_by_facility", selection, ("facility",))
if table.empty or not (table[["screenings", "sessions", "active_enrollments"]].to_numpy().any()):
    st.info(tr("empty.selection"))
    st.stop()

coverage, risk, attendance = (
    kpi(name, selection) for name in ("screening_coverage", "risk_distribution", "attendance_rate")
)
coverage_before, risk_before, attendance_before = (
    kpi(name, previous) for name in ("screening_coverage", "risk_distribution", "attendance_rate")
)
active_now = int(kpi("active_enrollments", selection)["count"].sum())
active_before = int(kpi("active_enrollments", previous)["count"].sum())

columns = st.columns(5)
with columns[0]:
    cards.rate_card(tr("kpi.screening_coverage"), coverage, coverage_before)
with columns[1]:
    cards.count_card(
        tr("kpi.screenings"), int(risk["denominator"].sum()), int(risk_before["denominator"].sum())
    )
with columns[2]:
    cards.rate_card(tr("kpi.moderate_high_share"), risk, risk_before)
with columns[3]:
    cards.rate_card(tr("kpi.attendance_rate"), attendance, attendance_before)
with columns[4]:
    cards.count_card(tr("kpi.active_enrollments"), active_now, active_before)

st.subheader(tr("overview.trend"))
trend_columns = st.columns(3)
for column, (name, label) in zip(
    trend_columns,
    (
        ("screening_coverage", "kpi.screening_coverage"),
        ("risk_distribution", "kpi.moderate_high_share"),
        ("attendance_rate", "kpi.attendance_rate"),
    ),
    strict=True,
):
    trend = kpi(name, selection, ("region", "period"))
    with column:
        panels.chart(
            charts.rate_trend,
            trend,
            series="region",
            series_id="region_id",
            title=tr(label),
            lang=lang(),
            data=trend,
            key=f"trend_{name}",
            filename=f"tren_{name}",
        )

st.subheader(tr("overview.by_facility"))
panels.table(
    table.drop(columns=["facility_id"]),
    key="by_facility",
    filename="ringkasan_upt",
    column_config={
        "facility": st.column_config.TextColumn(tr("col.facility")),
        "region": st.column_config.TextColumn(tr("col.region")),
        "coverage": st.column_config.NumberColumn(tr("kpi.screening_coverage"), format="percent"),
        "screenings": st.column_config.NumberColumn(tr("kpi.screenings"), format="localized"),
        "moderate_high_share": st.column_config.NumberColumn(tr("kpi.moderate_high_share"), format="percent"),
        "sessions": st.column_config.NumberColumn(tr("kpi.sessions"), format="localized"),
        "attendance_rate": st.column_config.NumberColumn(tr("kpi.attendance_rate"), format="percent"),
        "active_enrollments": st.column_config.NumberColumn(tr("kpi.active_enrollments"), format="localized"),
    },
)
