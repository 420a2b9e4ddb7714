"""Tindak Lanjut: ASSIST re-score (same questionnaire as screening), urine test and programme stage."""

import streamlit as st
from sqlmodel import Session

from rehabdata import clock, records, services
from rehabdata.models import FollowUpStage, UrineResult
from rehabdata.ui import assist_form, forms
from rehabdata.ui.context import engine, tr
from rehabdata.ui.data import require_principal

FORM = "follow_up"
principal = require_principal()
st.title(tr("page.follow_up_entry"))
if not principal.sees_participants:
    st.error(tr("scope.denied"))
    st.stop()

with Session(engine()) as session:
    enrolled = records.recent_enrollments(session, principal, limit=1000)
labels = dict(
    zip(
        enrolled["id"].astype(int),
        enrolled["code"]
        + " · "
        + [tr(f"programme.{p}") for p in enrolled["programme"]]
        + " · "
        + [tr(f"status.{s}") for s in enrolled["status"]],
        strict=True,
    )
)
participants = dict(zip(enrolled["id"].astype(int), enrolled["participant_id"].astype(int), strict=True))
st.selectbox(tr("rehab_entry.enrollment"), list(labels), format_func=labels.get, key="follow_up_enrollment")
forms.problems_for(FORM, "participant_id")
left, right = st.columns(2)
left.date_input(
    tr("follow_up.date"),
    value=clock.today(),
    **forms.ANY_DATE,
    format="DD/MM/YYYY",
    key="follow_up_date",
)
right.selectbox(
    tr("follow_up.stage"), list(FollowUpStage), format_func=lambda v: tr(f"stage.{v}"), key="follow_up_stage"
)
forms.problems_for(FORM, "screened_on")
answers, injecting = assist_form.show("follow_up")
forms.problems_for(FORM, "answers", "injecting")
st.selectbox(
    tr("screening_entry.urine"),
    list(UrineResult),
    format_func=lambda v: tr(f"urine.{v}"),
    index=list(UrineResult).index(UrineResult.NOT_DONE),  # no test done unless staff say so
    key="follow_up_urine",
)


def create(session: Session) -> str:
    state = st.session_state
    enrollment_id = state.get("follow_up_enrollment")
    row = services.create_follow_up(
        session=session,
        principal=principal,
        data={
            "participant_id": participants.get(enrollment_id),
            "enrollment_id": enrollment_id,
            "screened_on": state["follow_up_date"],
            "stage": state["follow_up_stage"],
            "answers": answers,
            "injecting": injecting,
            "urine_result": state["follow_up_urine"],
        },
    )
    return tr("follow_up.saved", risk=tr(f"risk.{row.overall_risk}"))


forms.save_button(FORM, create, key="follow_up_submit")
forms.outcome(FORM, ("participant_id", "screened_on", "answers", "injecting"))
