"""Fasilitas & Wilayah: the two regions side by side and a facility league table per 100 WBP."""

import streamlit as st

from rehabdata.ui import filters, panels
from rehabdata.ui.context import tr
from rehabdata.ui.data import kpi

st.title(tr("page.comparison"))
selection = filters.show()
if selection is None:
    st.stop()

facilities = kpi("facility_comparison", selection, ("facility",))
if (
    facilities.empty
    or not facilities[["screenings", "enrollments_started", "participant_sessions"]].to_numpy().any()
):
    panels.no_data()
    st.stop()


def per_100(label_key: str) -> str:
    return tr("kpi.per_100", label=tr(label_key))


COLUMNS = {
    "population": st.column_config.NumberColumn(tr("kpi.population"), format="%.0f"),
    "screenings": st.column_config.NumberColumn(tr("kpi.screenings"), format="localized"),
    "screenings_per_100": st.column_config.NumberColumn(per_100("kpi.screenings"), format="%.1f"),
    "enrollments_started": st.column_config.NumberColumn(tr("kpi.enrollments_started"), format="localized"),
    "enrollments_per_100": st.column_config.NumberColumn(per_100("kpi.enrollments_started"), format="%.1f"),
    "participant_sessions": st.column_config.NumberColumn(tr("kpi.participant_sessions"), format="localized"),
    "participant_sessions_per_100": st.column_config.NumberColumn(
        per_100("kpi.participant_sessions"), format="%.1f"
    ),
    "attendance_rate": st.column_config.NumberColumn(tr("kpi.attendance_rate"), format="percent"),
    "moderate_high_share": st.column_config.NumberColumn(tr("kpi.moderate_high_share"), format="percent"),
}
shown = list(COLUMNS)

st.subheader(tr("comparison.regions"))
regions = kpi("region_comparison", selection, ("region",))
panels.table(
    regions[["region", *shown]],
    key="regions",
    filename="perbandingan_wilayah",
    column_config={"region": tr("col.region"), **COLUMNS},
)

st.subheader(tr("comparison.league"))
league = facilities.sort_values("screenings_per_100", ascending=False, na_position="last")
panels.table(
    league[["facility", "region", *shown]],
    key="league",
    filename="peringkat_upt",
    column_config={"facility": tr("col.facility"), "region": tr("col.region"), **COLUMNS},
)
