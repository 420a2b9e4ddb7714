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
    st.sidebar.badge(
        tr("app.demo_badge"), icon=":material/science:", color="orange", help=tr("app.demo_help")
    )
language_switch()

PAGES = (
    ("pages/overview.py", "page.overview", ":material/dashboard:", "ringkasan"),
    ("pages/screening.py", "page.screening", ":material/fact_check:", "skrining"),
    ("pages/rehabilitation.py", "page.rehabilitation", ":material/healing:", "rehabilitasi"),
    ("pages/comparison.py", "page.comparison", ":material/compare_arrows:", "fasilitas-wilayah"),
    ("pages/outreach.py", "page.outreach", ":material/campaign:", "penjangkauan"),
    ("pages/agreements.py", "page.agreements", ":material/handshake:", "kerja-sama"),
)
pages = {
    tr("nav.section.dashboards"): [
        st.Page(path, title=tr(title), icon=icon, url_path=url_path, default=index == 0)
        for index, (path, title, icon, url_path) in enumerate(PAGES)
    ],
}
st.navigation(pages).run()
