"""rehabdata entry point: page config, database readiness, language, and navigation."""

import streamlit as st
from sqlalchemy.exc import OperationalError

from rehabdata.ui.context import engine, language_switch, tr
from rehabdata.ui.data import demo_flag

st.set_page_config(page_title="rehabdata", page_icon=":material/health_and_safety:", layout="wide")

try:
    engine()
except OperationalError:
    st.error(tr("app.db_unavailable"))
    st.stop()

st.sidebar.markdown(f"**{tr('app.title')}**  \n{tr('app.subtitle')}")
if demo_flag():
    st.sidebar.badge(tr("app.demo_badge"), icon=":material/science:", color="orange", help=tr("app.demo_help"))
language_switch()

pages = {
    tr("nav.section.dashboards"): [
        st.Page("pages/overview.py", title=tr("page.overview"), icon=":material/dashboard:", url_path="ringkasan", default=True),
    ],
}
st.navigation(pages).run()
