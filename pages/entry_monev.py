"""Input Monev: a monitoring-and-evaluation visit, its findings, and actions with owner and due date."""

import pandas as pd
import streamlit as st
from sqlmodel import Session

from rehabdata import clock, records, services
from rehabdata.models import ActionStatus, MonevVisit
from rehabdata.ui import forms
from rehabdata.ui.context import engine, tr
from rehabdata.ui.data import require_principal

FORM = "monev"
principal = require_principal()
st.title(tr("page.monev_entry"))
if principal.role not in services.WRITERS[services.MonevVisit]:
    st.error(tr("scope.denied"))
    st.stop()

forms.facility_choice(principal, "monev_facility")
left, right = st.columns(2)
left.date_input(
    tr("monev.date"), value=clock.today(), **forms.ANY_DATE, format="DD/MM/YYYY", key="monev_date"
)
right.text_input(tr("monev.team"), key="monev_team")
forms.problems_for(FORM, "visited_on", "team")
st.text_area(tr("monev.findings"), key="monev_findings")
st.markdown(f"**{tr('monev.actions')}**")
actions = st.data_editor(
    pd.DataFrame(
        {
            "description": pd.Series(dtype="object"),
            "owner": pd.Series(dtype="object"),
            "due_on": pd.Series(dtype="datetime64[ns]"),
            "status": pd.Series(dtype="object"),
        }
    ),
    num_rows="dynamic",
    hide_index=True,
    column_config={
        "description": st.column_config.TextColumn(tr("monev.action"), required=True),
        "owner": st.column_config.TextColumn(tr("monev.owner")),
        "due_on": st.column_config.DateColumn(tr("monev.due_on"), format="DD/MM/YYYY"),
        "status": st.column_config.SelectboxColumn(
            tr("col.status"), options=list(ActionStatus), default=ActionStatus.OPEN
        ),
    },
    key="monev_actions",
)
forms.problems_for(FORM, "actions")


def create(session) -> str:
    state = st.session_state
    rows = [
        {
            "description": row["description"],
            "owner": row["owner"] or "",
            "due_on": row["due_on"].date() if pd.notna(row["due_on"]) else None,
            "status": row["status"] or ActionStatus.OPEN,
        }
        for row in actions.dropna(subset=["description"]).to_dict("records")
    ]
    services.create_monev_visit(
        session=session,
        principal=principal,
        data={
            "facility_id": state["monev_facility"],
            "visited_on": state["monev_date"],
            "team": state["monev_team"],
            "findings": state["monev_findings"],
        },
        actions=rows,
    )
    return tr("monev.saved", count=len(rows))


forms.save_button(FORM, create, key="monev_submit")
forms.outcome(FORM, ("visited_on", "team", "actions"))

with Session(engine()) as session:
    forms.recent(records.recent_monev(session, principal), key="monev", model=MonevVisit)
