"""Penjangkauan: outreach events and people reached, by type and audience, over time."""

import streamlit as st

from rehabdata import charts
from rehabdata.i18n import format_number
from rehabdata.ui import filters, panels
from rehabdata.ui.context import lang, tr
from rehabdata.ui.data import kpi

st.title(tr("page.outreach"))
selection = filters.show()
if selection is None:
    st.stop()

totals = kpi("outreach_reach", selection)
if totals.empty or not int(totals["events"].sum()):
    panels.no_data()
    st.stop()

left, right = st.columns(2)
left.metric(tr("kpi.events"), format_number(int(totals["events"].sum()), lang()), border=True)
right.metric(
    tr("kpi.people_reached"), format_number(int(totals["people_reached"].sum()), lang()), border=True
)

over_time = kpi("outreach_reach", selection, ("period",))
by_type = over_time.groupby(["period", "event_type"], as_index=False)[["events", "people_reached"]].sum()
panels.chart(
    charts.stacked_share,
    by_type.assign(event_type=[tr(f"outreach_type.{v}") for v in by_type["event_type"]]),
    category="period",
    stack="event_type",
    value="people_reached",
    title=tr("outreach.by_type"),
    lang=lang(),
    data=by_type,
    key="by_type",
    filename="penjangkauan_jenis",
)
by_audience = totals.groupby("audience", as_index=False)[["events", "people_reached"]].sum()
by_audience = by_audience.sort_values("people_reached", ascending=False)
panels.chart(
    charts.horizontal_bars,
    [tr(f"audience.{a}") for a in by_audience["audience"]],
    by_audience["people_reached"].tolist(),
    title=tr("outreach.by_audience"),
    lang=lang(),
    data=by_audience,
    key="by_audience",
    filename="penjangkauan_sasaran",
)
