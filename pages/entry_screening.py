"""Input Skrining: pick a participant, answer ASSIST with live scores, record the urine test."""

import streamlit as st
from sqlmodel import Session

from rehabdata import clock, records, services
from rehabdata.models import UrineResult
from rehabdata.ui import assist_form, forms
from rehabdata.ui.context import engine, tr
from rehabdata.ui.data import require_principal

FORM = "screening"
principal = require_principal()
st.title(tr("page.screening_entry"))
if not principal.sees_participants:
    st.error(tr("scope.denied"))
    st.stop()

facility_id = forms.facility_choice(principal, "screening_facility")
day = st.session_state.get("screening_date") or clock.today()
with Session(engine()) as session:
    present = records.find_participants(session, principal, limit=1000)
    done = records.screened_on(session, principal, facility_id, day)
facility_name = forms.facility_name(principal, facility_id)
present = present[(present["facility"] == facility_name) & present["exited_on"].isna()]
codes = {
    int(pid): f"{code} ({tr('screening_entry.already_today')})" if int(pid) in done else code
    for pid, code in zip(present["id"], present["code"], strict=True)
}
# preselect the newest participant not yet screened that day (a second screening is refused)
first_open = next((i for i, pid in enumerate(codes) if pid not in done), 0)
left, right = st.columns([3, 1])
left.selectbox(
    tr("screening_entry.participant"),
    list(codes),
    index=first_open if codes else None,
    format_func=codes.get,
    key="screening_participant",
)
right.page_link(
    "pages/entry_participants.py", label=tr("screening_entry.new_participant"), icon=":material/person_add:"
)
forms.problems_for(FORM, "participant_id")
left, right = st.columns(2)
left.date_input(
    tr("screening_entry.date"),
    value=clock.today(),
    **forms.ANY_DATE,
    format="DD/MM/YYYY",
    key="screening_date",
)
right.text_input(tr("screening_entry.screener"), key="screening_screener")
forms.problems_for(FORM, "screened_on", "screener")

answers, injecting = assist_form.show("screening")
forms.problems_for(FORM, "answers", "injecting")
st.selectbox(
    tr("screening_entry.urine"),
    list(UrineResult),
    format_func=lambda v: tr(f"urine.{v}"),
    index=list(UrineResult).index(UrineResult.NOT_DONE),  # no test done unless staff say so
    key="screening_urine",
)


def create(session: Session) -> str:
    state = st.session_state
    screening = services.create_screening(
        session=session,
        principal=principal,
        data={
            "participant_id": state.get("screening_participant"),
            "screened_on": state["screening_date"],
            "screener": state["screening_screener"],
            "answers": answers,
            "injecting": injecting,
            "urine_result": state["screening_urine"],
        },
    )
    return tr(
        "screening_entry.saved",
        code=codes.get(screening.participant_id, ""),
        risk=tr(f"risk.{screening.overall_risk}"),
    )


forms.save_button(FORM, create, key="screening_submit")
forms.outcome(FORM, ("participant_id", "screened_on", "screener", "answers", "injecting"))

with Session(engine()) as session:
    forms.recent(records.recent_screenings(session, principal), key="screenings")
