"""Asesmen & Rehabilitasi: enrol a participant in a programme, and close an enrolment."""

import streamlit as st
from sqlmodel import Session

from rehabdata import clock, records, services
from rehabdata.assist import SUBSTANCES
from rehabdata.models import EnrollmentStatus, Modality, ProgrammeType, RouteOfUse
from rehabdata.ui import forms
from rehabdata.ui.context import engine, tr
from rehabdata.ui.data import require_principal

ENROL, END, ASSESS = "enrol", "enrol_end", "assessment"
principal = require_principal()
st.title(tr("page.rehab_entry"))
if not principal.sees_participants:
    st.error(tr("scope.denied"))
    st.stop()

with Session(engine()) as session:
    present = records.find_participants(session, principal, limit=1000)
    active = records.recent_enrollments(session, principal, active_only=True, limit=1000)
present = present[present["exited_on"].isna()]
codes = dict(zip(present["id"].astype(int), present["code"] + " · " + present["facility"], strict=True))
plain_codes = dict(zip(present["id"].astype(int), present["code"], strict=True))


def enrol(session: Session) -> str:
    state = st.session_state
    row = services.create_enrollment(
        session=session,
        principal=principal,
        data={
            "participant_id": state.get("enrol_participant"),
            "programme": state["enrol_programme"],
            "modality": state["enrol_modality"],
            "started_on": state["enrol_started_on"],
        },
    )
    return tr("rehab_entry.enrolled", code=plain_codes.get(row.participant_id, ""))


def end(session: Session) -> str:
    state = st.session_state
    row = services.end_enrollment(
        session=session,
        principal=principal,
        enrollment_id=state["end_enrollment"],
        data={
            "status": state["end_status"],
            "ended_on": state["end_date"],
            "end_reason": state["end_reason"],
        },
    )
    return tr("rehab_entry.ended", status=tr(f"status.{row.status}"))


def assess(session: Session) -> str:
    state = st.session_state
    row = services.create_assessment(
        session=session,
        principal=principal,
        data={
            "participant_id": state.get("assessment_participant"),
            "assessed_on": state["assessment_date"],
            "assessor": state["assessment_assessor"],
            "primary_substance": state["assessment_substance"],
            "use_duration_months": state["assessment_duration"],
            "route_of_use": state["assessment_route"],
            "diagnosis": state["assessment_diagnosis"],
            "treatment_history": state["assessment_history"],
            "recommended_programme": state["assessment_programme"],
        },
    )
    return tr("rehab_entry.assessed", code=plain_codes.get(row.participant_id, ""))


assess_tab, enrol_tab, end_tab = st.tabs(
    [tr("rehab_entry.assess"), tr("rehab_entry.enrol"), tr("rehab_entry.end")],
    key="rehab_tab",
    on_change="rerun",  # the open tab is kept across reruns: a save shows its outcome where it was made
)
with assess_tab, st.form(ASSESS):
    st.selectbox(
        tr("screening_entry.participant"), list(codes), format_func=codes.get, key="assessment_participant"
    )
    forms.problems_for(ASSESS, "participant_id")
    left, right = st.columns(2)
    left.date_input(
        tr("rehab_entry.assessed_on"),
        value=clock.today(),
        **forms.ANY_DATE,
        format="DD/MM/YYYY",
        key="assessment_date",
    )
    right.text_input(tr("rehab_entry.assessor"), key="assessment_assessor")
    forms.problems_for(ASSESS, "assessed_on", "assessor")
    left, middle, right = st.columns(3)
    left.selectbox(
        tr("rehab_entry.substance"),
        SUBSTANCES,
        format_func=lambda v: tr(f"substance.{v}"),
        index=4,
        key="assessment_substance",
    )
    middle.selectbox(
        tr("rehab_entry.route"),
        list(RouteOfUse),
        format_func=lambda v: tr(f"route.{v}"),
        key="assessment_route",
    )
    right.number_input(tr("rehab_entry.duration"), value=None, step=1, key="assessment_duration")
    forms.problems_for(ASSESS, "use_duration_months")
    st.text_input(tr("rehab_entry.diagnosis"), key="assessment_diagnosis")
    st.text_input(tr("rehab_entry.history"), key="assessment_history")
    st.selectbox(
        tr("rehab_entry.recommended"),
        [None, *ProgrammeType],
        format_func=lambda v: tr(f"programme.{v}") if v else "–",
        key="assessment_programme",
    )
    st.form_submit_button(
        tr("entry.save"), key="assessment_submit", type="primary", on_click=forms.save, args=(ASSESS, assess)
    )
with assess_tab:
    forms.outcome(ASSESS, ("participant_id", "assessed_on", "assessor", "use_duration_months"))

with enrol_tab, st.form(ENROL):
    st.selectbox(
        tr("screening_entry.participant"), list(codes), format_func=codes.get, key="enrol_participant"
    )
    forms.problems_for(ENROL, "participant_id")
    left, middle, right = st.columns(3)
    left.selectbox(
        tr("col.programme"),
        list(ProgrammeType),
        format_func=lambda v: tr(f"programme.{v}"),
        key="enrol_programme",
    )
    middle.selectbox(
        tr("rehab_entry.modality"),
        list(Modality),
        format_func=lambda v: tr(f"modality.{v}"),
        key="enrol_modality",
    )
    right.date_input(
        tr("rehab_entry.started_on"),
        value=clock.today(),
        **forms.ANY_DATE,
        format="DD/MM/YYYY",
        key="enrol_started_on",
    )
    forms.problems_for(ENROL, "programme", "started_on")
    st.form_submit_button(
        tr("entry.save"), key="enrol_submit", type="primary", on_click=forms.save, args=(ENROL, enrol)
    )
with enrol_tab:
    forms.outcome(ENROL, ("participant_id", "programme", "started_on"))

with end_tab:
    if active.empty:
        st.caption(tr("empty.selection"))
    else:
        labels = dict(
            zip(
                active["id"].astype(int),
                active["code"] + " · " + [tr(f"programme.{p}") for p in active["programme"]],
                strict=True,
            )
        )
        closing = [s for s in EnrollmentStatus if s != EnrollmentStatus.ACTIVE]
        with st.form(END):
            st.selectbox(
                tr("rehab_entry.enrollment"), list(labels), format_func=labels.get, key="end_enrollment"
            )
            left, right = st.columns(2)
            left.selectbox(
                tr("col.status"), closing, format_func=lambda v: tr(f"status.{v}"), key="end_status"
            )
            right.date_input(
                tr("rehab_entry.ended_on"), **forms.ANY_DATE, format="DD/MM/YYYY", key="end_date"
            )
            forms.problems_for(END, "status", "ended_on")
            st.text_input(tr("rehab_entry.reason"), key="end_reason")
            st.form_submit_button(
                tr("entry.save"), key="end_submit", type="primary", on_click=forms.save, args=(END, end)
            )
        forms.outcome(END, ("status", "ended_on"))

with Session(engine()) as session:
    forms.recent(records.recent_enrollments(session, principal), key="enrollments")
