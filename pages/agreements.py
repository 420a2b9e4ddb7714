"""Kerja Sama: one card per agreement with delivery against target, and activity since signing.

With more agreements than ``CARDS_AT_ONCE`` (a Kanwil or the whole country: hundreds), a table of
all of them and the card of the one picked: a card per agreement would be a page of hundreds of
charts, each four KPI queries.
"""

from dataclasses import replace

import pandas as pd
import streamlit as st

from rehabdata import charts, kpis
from rehabdata.i18n import format_day, format_number
from rehabdata.ui import filters, panels
from rehabdata.ui.context import lang, tr
from rehabdata.ui.data import agreement_list, kpi

st.title(tr("page.agreements"))
selection = filters.show()
if selection is None:
    st.stop()

agreements = agreement_list(selection)
if agreements.empty:
    panels.no_data()
    st.stop()

delivery = kpi("agreement_delivery", selection)
CARDS_AT_ONCE = 5


def activity_since_signing(agreement: pd.Series) -> pd.DataFrame:
    """Monthly screenings, new enrolments, sessions and outreach events of the agreement's facilities."""
    scope = replace(
        selection, start=agreement["signed_on"], facility_ids=tuple(agreement["facility_ids"]), region_ids=()
    )
    measures = {
        "kpi.screenings": kpi("risk_distribution", scope, ("period",)).rename(
            columns={"denominator": "value"}
        ),
        "kpi.enrollments_started": kpi("enrollments_by_status", scope, ("period",))
        .groupby("period", as_index=False)["count"]
        .sum()
        .rename(columns={"count": "value"}),
        "kpi.sessions": kpi("attendance_rate", scope, ("period",)).rename(columns={"sessions": "value"}),
        "kpi.events": kpi("outreach_reach", scope, ("period",))
        .groupby("period", as_index=False)["events"]
        .sum()
        .rename(columns={"events": "value"}),
    }
    return pd.concat(
        [frame[["period", "value"]].assign(measure=tr(key)) for key, frame in measures.items()],
        ignore_index=True,
    )


def show_card(agreement: pd.Series) -> None:
    """The agreement's parties, a bar per scope item (delivered against target) and its activity."""
    with st.container(border=True):
        st.subheader(f"{agreement['kind'].upper()} · {agreement['title']}")
        st.caption(
            tr(
                "agreements.signed",
                date=format_day(agreement["signed_on"], lang()),
                days=format_number((selection.end - agreement["signed_on"]).days, lang()),
            )
        )
        st.markdown(f"**{tr('agreements.parties')}:** {agreement['partner']} · {agreement['facilities']}")
        items = delivery[delivery["agreement_id"] == agreement["agreement_id"]]
        for _, item in items.iterrows():
            rate = item["rate"]
            text = tr(
                "agreements.delivered",
                delivered=format_number(item["delivered"], lang()),
                target=format_number(item["target"], lang()),
            )
            st.progress(
                min(float(rate), 1.0) if pd.notna(rate) else 0.0, text=f"{item['description']} — {text}"
            )
        panels.download(
            items, key=f"delivery_{agreement['agreement_id']}", filename=f"capaian_{agreement['code']}"
        )
        activity = activity_since_signing(agreement)
        panels.chart(
            charts.stacked_share,
            activity,
            category="period",
            stack="measure",
            value="value",
            title=tr("agreements.timeline"),
            lang=lang(),
            barmode="group",
            data=activity,
            key=f"timeline_{agreement['agreement_id']}",
            filename=f"kegiatan_{agreement['code']}",
        )


if len(agreements) <= CARDS_AT_ONCE:
    for _, agreement in agreements.iterrows():
        show_card(agreement)
else:
    st.caption(tr("agreements.many", count=format_number(len(agreements), lang())))
    summary = kpis.agreement_summary(agreements, delivery)
    panels.table(
        summary.drop(columns=["agreement_id"]).assign(kind=summary["kind"].str.upper()),
        key="agreements",
        filename="kerja_sama",
        column_config={
            "code": st.column_config.TextColumn(tr("col.agreement")),
            "kind": st.column_config.TextColumn(tr("col.kind")),
            "title": st.column_config.TextColumn(tr("col.title")),
            "partner": st.column_config.TextColumn(tr("col.partner")),
            "signed_on": st.column_config.DateColumn(tr("col.signed_on"), format="DD/MM/YYYY"),
            "items": st.column_config.NumberColumn(tr("col.items")),
            "items_met": st.column_config.NumberColumn(tr("col.items_met")),
        },
    )
    titles = dict(
        zip(agreements["agreement_id"], agreements["code"] + " · " + agreements["title"], strict=True)
    )
    picked = st.selectbox(tr("agreements.pick"), list(titles), format_func=titles.get, key="agreements_pick")
    show_card(agreements[agreements["agreement_id"] == picked].iloc[0])
