"""Konselor Sebaya: a peer-counsellor training, who completed it and who now serves as counsellor."""

import pandas as pd
import streamlit as st
from sqlmodel import Session

from rehabdata import clock, records, services
from rehabdata.models import PeerCounsellorTraining
from rehabdata.ui import forms
from rehabdata.ui.context import engine, tr
from rehabdata.ui.data import require_principal

FORM = "peer"
principal = require_principal()
st.title(tr("page.peer_entry"))
if principal.role not in services.WRITERS[PeerCounsellorTraining]:
    st.error(tr("scope.denied"))
    st.stop()

facility_id = forms.facility_choice(principal, "peer_facility")
st.text_input(tr("peer.title"), key="peer_title")
left, middle, right = st.columns(3)
left.date_input(
    tr("peer.started_on"),
    value=clock.today(),
    **forms.ANY_DATE,
    format="DD/MM/YYYY",
    key="peer_started_on",
)
middle.date_input(
    tr("peer.ended_on"),
    value=clock.today(),
    **forms.ANY_DATE,
    format="DD/MM/YYYY",
    key="peer_ended_on",
)
right.number_input(tr("peer.staff_trained"), step=1, key="peer_staff_trained")
forms.problems_for(FORM, "title", "started_on", "ended_on", "staff_trained")
st.text_input(tr("peer.trainer"), key="peer_trainer")

with Session(engine()) as session:
    present = records.find_participants(session, principal, limit=1000)
present = present[
    (present["facility"] == forms.facility_name(principal, facility_id)) & present["exited_on"].isna()
]
codes = dict(zip(present["id"].astype(int), present["code"], strict=True))
chosen = st.multiselect(tr("peer.trainees"), list(codes), format_func=codes.get, key="peer_trainees")
trainees = pd.DataFrame(
    {"participant_id": chosen, "code": [codes[i] for i in chosen], "completed": True, "active": True}
)
if chosen:
    trainees = st.data_editor(
        trainees,
        hide_index=True,
        disabled=["participant_id", "code"],
        column_config={
            "participant_id": None,
            "code": tr("participant.code"),
            "completed": st.column_config.CheckboxColumn(tr("peer.completed")),
            "active": st.column_config.CheckboxColumn(tr("peer.active")),
        },
        key=f"peer_roster_{facility_id}",
    )
forms.problems_for(FORM, "trainees")


def create(session: Session) -> str:
    state = st.session_state
    services.create_peer_training(
        session=session,
        principal=principal,
        data={
            "facility_id": state["peer_facility"],
            "title": state["peer_title"],
            "started_on": state["peer_started_on"],
            "ended_on": state["peer_ended_on"],
            "trainer": state["peer_trainer"],
            "staff_trained": state["peer_staff_trained"],
        },
        trainees=trainees[["participant_id", "completed", "active"]].to_dict("records"),
    )
    return tr("peer.saved", count=len(trainees))


forms.save_button(FORM, create, key="peer_submit")
forms.outcome(FORM, ("title", "started_on", "ended_on", "staff_trained", "trainees"))

with Session(engine()) as session:
    forms.recent(records.recent_peer_trainings(session, principal), key="peer", model=PeerCounsellorTraining)
