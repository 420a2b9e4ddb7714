"""Input Penjangkauan: an outreach event (penyuluhan, edukasi, kampanye) and the people it reached."""

import streamlit as st
from sqlmodel import Session

from rehabdata import clock, records, services
from rehabdata.models import Audience, OutreachEvent, OutreachType
from rehabdata.ui import forms
from rehabdata.ui.context import engine, tr
from rehabdata.ui.data import facility_lookup_for, require_principal

FORM = "outreach"
principal = require_principal()
st.title(tr("page.outreach_entry"))
if principal.role not in services.WRITERS[services.OutreachEvent]:
    st.error(tr("scope.denied"))
    st.stop()
lookup = facility_lookup_for(principal)
regions = dict(zip(lookup["facility_id"].astype(int), lookup["region_id"].astype(int), strict=True))


def create(session) -> str:
    state = st.session_state
    services.create_outreach(
        session=session,
        principal=principal,
        data={
            "facility_id": state["outreach_facility"],
            "region_id": regions[state["outreach_facility"]],
            "held_on": state["outreach_date"],
            "place": state["outreach_place"],
            "event_type": state["outreach_type"],
            "audience": state["outreach_audience"],
            "people_reached": state["outreach_people"],
            "topic": state["outreach_topic"],
        },
    )
    return tr("outreach.saved", people=state["outreach_people"])


with st.form(FORM):
    forms.facility_choice(principal, "outreach_facility")
    left, right = st.columns(2)
    left.date_input(
        tr("session_entry.date"),
        value=clock.today(),
        **forms.ANY_DATE,
        format="DD/MM/YYYY",
        key="outreach_date",
    )
    right.text_input(tr("outreach.place"), key="outreach_place")
    forms.problems_for(FORM, "held_on", "place")
    left, middle, right = st.columns(3)
    left.selectbox(
        tr("col.event_type"),
        list(OutreachType),
        format_func=lambda v: tr(f"outreach_type.{v}"),
        key="outreach_type",
    )
    middle.selectbox(
        tr("col.audience"), list(Audience), format_func=lambda v: tr(f"audience.{v}"), key="outreach_audience"
    )
    right.number_input(tr("kpi.people_reached"), step=1, key="outreach_people")
    forms.problems_for(FORM, "people_reached")
    st.text_input(tr("session_entry.topic"), key="outreach_topic")
    st.form_submit_button(
        tr("entry.save"), key="outreach_submit", type="primary", on_click=forms.save, args=(FORM, create)
    )
forms.outcome(FORM, ("held_on", "place", "people_reached"))

with Session(engine()) as session:
    forms.recent(records.recent_outreach(session, principal), key="outreach", model=OutreachEvent)
