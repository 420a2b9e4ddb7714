"""Rehabilitasi: enrolments by status, attendance trend, outcomes, time in programme, progress."""

import math

import streamlit as st

from rehabdata import charts
from rehabdata.i18n import format_number
from rehabdata.ui import cards, filters, panels
from rehabdata.ui.context import lang, tr
from rehabdata.ui.data import kpi

st.title(tr("page.rehabilitation"))
selection = filters.show()
if selection is None:
    st.stop()

status = kpi("enrollments_by_status", selection)
attendance_total = kpi("attendance_rate", selection)
outcomes_total = kpi("programme_outcomes", selection)
progress_total = kpi("progress", selection)
if not (status["count"].sum() or attendance_total["sessions"].sum() or outcomes_total["denominator"].sum()):
    panels.no_data()
    st.stop()

columns = st.columns(4)
with columns[0]:
    cards.rate_card(tr("kpi.attendance_rate"), attendance_total)
with columns[1]:
    cards.rate_card(tr("kpi.completion_rate"), outcomes_total)
with columns[2]:
    cards.rate_card(
        tr("kpi.dropout_rate"), outcomes_total, rate="dropout_rate", numerator="dropout_numerator"
    )
with columns[3]:
    median = float(outcomes_total["median_days"].iloc[0]) if len(outcomes_total) else math.nan
    st.metric(
        tr("kpi.median_days"), format_number(None if math.isnan(median) else median, lang()), border=True
    )
    released = int(outcomes_total[["released", "transferred"]].sum().sum()) if len(outcomes_total) else 0
    st.caption(f"{tr('kpi.released_transferred')}: {format_number(released, lang())}")

left, right = st.columns(2)
with left:
    shown = status.assign(
        programme=[tr(f"programme.{p}") for p in status["programme"]],
        status=[tr(f"status.{s}") for s in status["status"]],
    )
    panels.chart(
        charts.stacked_share,
        shown,
        category="programme",
        stack="status",
        value="count",
        title=tr("rehab.status"),
        lang=lang(),
        data=status,
        key="status",
        filename="pendaftaran_status",
    )
with right:
    attendance = kpi("attendance_rate", selection, ("facility", "period"))
    panels.chart(
        charts.rate_trend,
        attendance,
        series="facility",
        series_id="facility_id",
        title=tr("rehab.attendance_trend"),
        lang=lang(),
        data=attendance,
        key="attendance",
        filename="kehadiran",
    )

st.subheader(tr("rehab.outcomes"))
outcomes = kpi("programme_outcomes", selection, ("facility",))
panels.table(
    outcomes[
        [
            "facility",
            "completed",
            "dropped_out",
            "released",
            "transferred",
            "rate",
            "dropout_rate",
            "median_days",
        ]
    ],
    key="outcomes",
    filename="hasil_program",
    column_config={
        "facility": tr("col.facility"),
        "completed": tr("status.completed"),
        "dropped_out": tr("status.dropped_out"),
        "released": tr("status.released"),
        "transferred": tr("status.transferred"),
        "rate": st.column_config.NumberColumn(tr("kpi.completion_rate"), format="percent"),
        "dropout_rate": st.column_config.NumberColumn(tr("kpi.dropout_rate"), format="percent"),
        "median_days": st.column_config.NumberColumn(tr("kpi.median_days"), format="%.0f"),
    },
)

st.subheader(tr("rehab.progress"))
columns = st.columns(3)
with columns[0]:
    change = float(progress_total["mean_score_change"].iloc[0]) if len(progress_total) else math.nan
    st.metric(
        tr("kpi.score_change"),
        format_number(None if math.isnan(change) else change, lang(), decimals=1),
        border=True,
    )
with columns[1]:
    cards.rate_card(tr("kpi.risk_fell"), progress_total)
with columns[2]:
    cards.rate_card(
        tr("kpi.urine_negative"),
        progress_total,
        rate="urine_negative_rate",
        numerator="urine_negative",
        denominator="urine_tested",
    )
progress = kpi("progress", selection, ("facility",))
panels.table(
    progress[["facility", "followed", "compared", "mean_score_change", "rate", "urine_negative_rate"]],
    key="progress",
    filename="kemajuan",
    column_config={
        "facility": tr("col.facility"),
        "mean_score_change": st.column_config.NumberColumn(tr("kpi.score_change"), format="%.1f"),
        "rate": st.column_config.NumberColumn(tr("kpi.risk_fell"), format="percent"),
        "urine_negative_rate": st.column_config.NumberColumn(tr("kpi.urine_negative"), format="percent"),
    },
)
