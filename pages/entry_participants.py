"""Peserta: register participants by pseudonymous code, search them, record release or transfer."""

import streamlit as st
from sqlmodel import Session

from rehabdata import clock, records, services
from rehabdata.models import ExitReason, LegalStatus, Participant, Sex
from rehabdata.ui import forms
from rehabdata.ui.context import engine, tr
from rehabdata.ui.data import require_principal

FORM, EXIT_FORM = "participant", "participant_exit"
principal = require_principal()
st.title(tr("page.participants"))
if not principal.sees_participants:
    st.error(tr("scope.denied"))
    st.stop()


def create(session: Session) -> str:
    state = st.session_state
    participant = services.create_participant(
        session=session,
        principal=principal,
        data={
            "facility_id": state["participant_facility"],
            "code": state["participant_code"],
            "sex": state["participant_sex"],
            "birth_year": state["participant_birth_year"],
            "legal_status": state["participant_legal_status"],
            "narcotics_case": state["participant_narcotics"],
            "admitted_on": state["participant_admitted_on"],
        },
    )
    state.pop("participant_code")  # the next suggestion appears for the next entry
    return tr("participant.saved", code=participant.code)


def record_exit(session: Session) -> str:
    state = st.session_state
    participant = services.record_exit(
        session=session,
        principal=principal,
        participant_id=state["exit_participant"],
        exited_on=state["exit_date"],
        reason=state["exit_reason"],
    )
    return tr("participant.exit_saved", code=participant.code)


new_tab, exit_tab = st.tabs(
    [tr("participant.new"), tr("participant.exit")], key="participants_tab", on_change="rerun"
)  # the open tab is kept across reruns: a save shows its outcome where it was made
with new_tab:
    facility_id = forms.facility_choice(principal, "participant_facility")
    with Session(engine()) as session:
        suggestion = services.next_participant_code(session, facility_id, clock.today().year)
    st.session_state.setdefault("participant_code", suggestion)
    with st.form(FORM):
        st.text_input(tr("participant.code"), key="participant_code", help=tr("participant.code_help"))
        forms.problems_for(FORM, "code")
        left, right = st.columns(2)
        left.selectbox(
            tr("participant.sex"), list(Sex), format_func=lambda v: tr(f"sex.{v}"), key="participant_sex"
        )
        right.number_input(
            tr("participant.birth_year"),
            value=1990,
            key="participant_birth_year",
        )
        forms.problems_for(FORM, "birth_year")
        left, right = st.columns(2)
        left.selectbox(
            tr("participant.legal_status"),
            list(LegalStatus),
            format_func=lambda v: tr(f"legal_status.{v}"),
            key="participant_legal_status",
        )
        right.date_input(
            tr("participant.admitted_on"),
            value=clock.today(),
            **forms.ANY_DATE,
            format="DD/MM/YYYY",
            key="participant_admitted_on",
        )
        forms.problems_for(FORM, "admitted_on")
        st.checkbox(tr("participant.narcotics_case"), value=True, key="participant_narcotics")
        st.form_submit_button(
            tr("entry.save"),
            key="participant_submit",
            type="primary",
            on_click=forms.save,
            args=(FORM, create),
        )
    forms.outcome(FORM, ("code", "birth_year", "admitted_on"))

with exit_tab:
    with Session(engine()) as session:
        present = records.find_participants(session, principal, limit=500)
    present = present[present["exited_on"].isna()]
    if present.empty:
        st.caption(tr("empty.selection"))
    else:
        codes = dict(zip(present["id"].astype(int), present["code"], strict=True))
        with st.form(EXIT_FORM):
            st.selectbox(tr("participant.code"), list(codes), format_func=codes.get, key="exit_participant")
            left, right = st.columns(2)
            left.date_input(
                tr("participant.exited_on"), **forms.ANY_DATE, format="DD/MM/YYYY", key="exit_date"
            )
            right.selectbox(
                tr("participant.exit_reason"),
                list(ExitReason),
                format_func=lambda v: tr(f"status.{v}"),
                key="exit_reason",
            )
            forms.problems_for(EXIT_FORM, "exited_on", "exit_reason")
            st.form_submit_button(
                tr("entry.save"), key="exit_submit", on_click=forms.save, args=(EXIT_FORM, record_exit)
            )
        forms.outcome(EXIT_FORM, ("exited_on", "exit_reason"))

search = st.text_input(tr("participant.search"), key="participant_search", placeholder="KBJ-2026")
with Session(engine()) as session:
    forms.recent(
        records.find_participants(session, principal, text=search), key="participants", model=Participant
    )
