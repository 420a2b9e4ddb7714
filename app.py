"""Serve the dashboard with rehabdata's own HTTP routes: ``streamlit run app.py``.

``dashboard.py`` is the Streamlit script; this wraps it in Streamlit's ASGI app with the
``/rehab/session`` (login cookie) and ``/rehab/health`` routes of ``rehabdata.web``, so a login
survives a browser refresh. ``streamlit run dashboard.py`` still works, without that.
"""

import streamlit as st

from rehabdata.web import routes

app = st.App("dashboard.py", routes=routes())
