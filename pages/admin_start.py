"""Mulai di sini (admin): the first hour of a real deployment, each step ticked from the data."""

import streamlit as st
from sqlmodel import Session

from rehabdata import onboarding
from rehabdata.models import Role
from rehabdata.ui.context import engine, tr
from rehabdata.ui.data import require_principal

# Where each step is done: page file and icon (the page titles come from the navigation).
STEP_PAGES = {
    "facilities": ("pages/admin_reference.py", ":material/domain:"),
    "agreements": ("pages/admin_reference.py", ":material/handshake:"),
    "users": ("pages/admin_users.py", ":material/manage_accounts:"),
    "population": ("pages/entry_population.py", ":material/people:"),
    "screening": ("pages/entry_screening.py", ":material/assignment:"),
}

principal = require_principal()
st.title(tr("page.start"))
if principal.role != Role.ADMIN:
    st.error(tr("scope.denied"))
    st.stop()
with Session(engine()) as session:
    steps = onboarding.checklist(session)
done = sum(step.complete for step in steps)
st.caption(tr("onboarding.intro"))
st.progress(done / len(steps), text=tr("onboarding.progress", done=done, total=len(steps)))
for step in steps:
    page, icon = STEP_PAGES[step.key]
    with st.container(border=True):
        left, right = st.columns([3, 1], vertical_alignment="center")
        mark = ":material/check_circle:" if step.complete else ":material/radio_button_unchecked:"
        left.markdown(f"{mark} **{tr(f'onboarding.{step.key}')}**  \n{tr(f'onboarding.{step.key}.help')}")
        left.caption(tr("onboarding.count", done=step.done, total=step.total))
        right.page_link(page, label=tr("onboarding.open"), icon=icon)
if done == len(steps):
    st.success(tr("onboarding.complete"), icon=":material/celebration:")
