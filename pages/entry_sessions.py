"""Sesi & Kehadiran: record a session and tick who attended; both are saved in one transaction."""

import pandas as pd
import streamlit as st
from sqlmodel import Session

from rehabdata import clock, records, services
from rehabdata.models import ProgrammeSession, ProgrammeType, SessionType
from rehabdata.ui import forms
from rehabdata.ui.context import engine, tr
from rehabdata.ui.data import require_principal

FORM = "session"
principal = require_principal()
st.title(tr("page.session_entry"))
if principal.role not in services.WRITERS[services.ProgrammeSession]:
    st.error(tr("scope.denied"))
    st.stop()

facility_id = forms.facility_choice(principal, "session_facility")
left, middle, right = st.columns(3)
programme = left.selectbox(
    tr("col.programme"),
    list(ProgrammeType),
    format_func=lambda v: tr(f"programme.{v}"),
    key="session_programme",
)
held_on = middle.date_input(
    tr("session_entry.date"),
    value=clock.today(),
    **forms.ANY_DATE,
    format="DD/MM/YYYY",
    key="session_date",
)
right.selectbox(
    tr("session_entry.type"),
    list(SessionType),
    format_func=lambda v: tr(f"session_type.{v}"),
    key="session_type",
)
forms.problems_for(FORM, "held_on")
left, middle, right = st.columns([2, 2, 1])
left.text_input(tr("session_entry.topic"), key="session_topic")
middle.text_input(tr("session_entry.facilitator"), key="session_facilitator")
right.number_input(tr("session_entry.duration"), value=60, step=15, key="session_duration")
forms.problems_for(FORM, "topic", "duration_minutes")

with Session(engine()) as session:
    roster = services.session_roster(session, facility_id=facility_id, programme=programme, day=held_on)
st.markdown(f"**{tr('session_entry.roster', count=len(roster))}**")
roster_frame = pd.DataFrame(
    {
        "participant_id": [p.id for p in roster],
        "code": [p.code for p in roster],
        "attended": [False] * len(roster),
    }
)
edited = roster_frame
if roster:  # an empty editor has no column types to tick
    edited = st.data_editor(
        roster_frame,
        hide_index=True,
        disabled=["participant_id", "code"],
        column_config={
            "participant_id": None,
            "code": tr("participant.code"),
            "attended": st.column_config.CheckboxColumn(tr("session_entry.attended")),
        },
        key=f"session_roster_{facility_id}_{programme}_{held_on}",
    )
forms.problems_for(FORM, "attended")


def create(session: Session) -> str:
    state = st.session_state
    attended = [int(i) for i in edited.loc[edited["attended"], "participant_id"]]
    row = services.create_session_with_attendance(
        session=session,
        principal=principal,
        data={
            "facility_id": state["session_facility"],
            "programme": state["session_programme"],
            "held_on": state["session_date"],
            "session_type": state["session_type"],
            "topic": state["session_topic"],
            "facilitator": state["session_facilitator"],
            "duration_minutes": state["session_duration"],
        },
        attended=attended,
    )
    return tr("session_entry.saved", date=row.held_on.strftime("%d/%m/%Y"), count=len(attended))


forms.save_button(FORM, create, key="session_submit")
forms.outcome(FORM, ("held_on", "topic", "duration_minutes", "attended"))

with Session(engine()) as session:
    forms.recent(records.recent_sessions(session, principal), key="sessions", model=ProgrammeSession)
