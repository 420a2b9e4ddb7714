"""Populasi: each facility's monthly WBP count and WBP with narcotics cases (coverage denominators)."""

import streamlit as st
from sqlmodel import Session

from rehabdata import clock, records, services
from rehabdata.models import FacilityPopulation
from rehabdata.ui import forms
from rehabdata.ui.context import engine, tr
from rehabdata.ui.data import require_principal

FORM = "population"
principal = require_principal()
st.title(tr("page.population_entry"))
if not principal.sees_participants:
    st.error(tr("scope.denied"))
    st.stop()


def create(session: Session) -> str:
    state = st.session_state
    row = services.create_population(
        session=session,
        principal=principal,
        data={
            "facility_id": state["population_facility"],
            "month": state["population_month"],
            "wbp_total": state["population_total"],
            "wbp_narcotics": state["population_narcotics"],
            "admissions": state["population_admissions"],
        },
    )
    return tr("population.saved", month=row.month.strftime("%m/%Y"))


with st.form(FORM):
    forms.facility_choice(principal, "population_facility")
    st.date_input(
        tr("population.month"),
        value=clock.today().replace(day=1),
        **forms.ANY_DATE,
        format="DD/MM/YYYY",
        key="population_month",
        help=tr("population.month_help"),
    )
    forms.problems_for(FORM, "month")
    left, middle, right = st.columns(3)
    left.number_input(tr("kpi.population"), step=1, value=None, key="population_total")
    middle.number_input(tr("population.narcotics"), step=1, value=None, key="population_narcotics")
    right.number_input(tr("population.admissions"), step=1, value=None, key="population_admissions")
    forms.problems_for(FORM, "wbp_total", "wbp_narcotics", "admissions")
    st.form_submit_button(
        tr("entry.save"), key="population_submit", type="primary", on_click=forms.save, args=(FORM, create)
    )
forms.outcome(FORM, ("month", "wbp_total", "wbp_narcotics", "admissions"))

with Session(engine()) as session:
    forms.recent(records.recent_populations(session, principal), key="populations", model=FacilityPopulation)
