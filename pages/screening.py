"""Skrining: coverage over time per facility, risk levels, substances and the referral funnel."""

import streamlit as st

from rehabdata import charts
from rehabdata.i18n import format_rate
from rehabdata.ui import cards, filters, panels
from rehabdata.ui.context import lang, tr
from rehabdata.ui.data import kpi

st.title(tr("page.screening"))
selection = filters.show()
if selection is None:
    st.stop()

risk_total = kpi("risk_distribution", selection)
if not int(risk_total["denominator"].sum()):
    panels.no_data()
    st.stop()

referral = kpi("referral_funnel", selection)
left, middle, right = st.columns(3)
with left:
    cards.rate_card(tr("kpi.screening_coverage"), kpi("screening_coverage", selection))
with middle:
    cards.rate_card(tr("kpi.moderate_high_share"), risk_total)
with right:
    cards.rate_card(tr("kpi.referral_rate"), referral)

coverage = kpi("screening_coverage", selection, ("facility", "period"))
panels.chart(
    charts.rate_trend,
    coverage,
    series="facility",
    series_id="facility_id",
    title=tr("screening.coverage_trend"),
    lang=lang(),
    data=coverage,
    key="coverage_trend",
    filename="cakupan_skrining",
)

left, right = st.columns(2)
with left:
    risk = kpi("risk_distribution", selection, ("facility",))
    panels.chart(
        charts.risk_bars,
        risk,
        category="facility",
        title=tr("screening.risk_by_facility"),
        lang=lang(),
        data=risk,
        key="risk",
        filename="tingkat_risiko",
    )
with right:
    substances = kpi("substances_reported", selection)
    substances = substances[substances["numerator"] > 0].sort_values("numerator", ascending=False)
    panels.chart(
        charts.horizontal_bars,
        [tr(f"substance.{s}") for s in substances["substance"]],
        substances["numerator"].tolist(),
        title=tr("screening.substances"),
        lang=lang(),
        hover=[format_rate(r, lang()) for r in substances["rate"]],
        data=substances,
        key="substances",
        filename="zat",
    )

stages = ("moderate_high", "assessed", "enrolled_30d")
panels.chart(
    charts.funnel,
    [tr(f"funnel.{stage}") for stage in stages],
    [int(referral[stage].sum()) for stage in stages],
    title=tr("screening.funnel"),
    lang=lang(),
    data=referral,
    key="funnel",
    filename="rujukan",
)
