"""Login state: the password form, optional single sign-on, idle timeout, user menu and logout."""

from datetime import timedelta

import streamlit as st
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from rehabdata import auth
from rehabdata.db import session_scope
from rehabdata.models import User, utcnow
from rehabdata.ui.context import engine, language_switch, tr

PRINCIPAL_KEY = "principal"
ACTIVITY_KEY = "last_activity"
NOTICE_KEY = "login_notice"


def _sso_configured() -> bool:
    """Single sign-on is offered only when ``.streamlit/secrets.toml`` has an ``[auth]`` section."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def _start(principal: auth.Principal) -> None:
    st.session_state[PRINCIPAL_KEY] = principal
    st.session_state[ACTIVITY_KEY] = utcnow()


def logout(notice: str | None = None) -> None:
    """Forget the login (and the SSO identity, if any)."""
    for key in (PRINCIPAL_KEY, ACTIVITY_KEY):
        st.session_state.pop(key, None)
    if notice:
        st.session_state[NOTICE_KEY] = notice
    if st.user.get("is_logged_in"):
        st.logout()


def _sso_principal() -> auth.Principal | None:
    """The rehabdata user whose e-mail matches the identity provider's login, if active."""
    email = st.user.get("email")
    if not email:
        return None
    with Session(engine()) as session:
        user = session.exec(select(User).where(User.email == str(email).lower(), User.is_active)).first()
        return auth.principal_for(session, user) if user else None


def current_principal(idle_timeout: timedelta = auth.IDLE_TIMEOUT) -> auth.Principal | None:
    """The logged-in principal, or None; an idle session is logged out with a notice."""
    principal = st.session_state.get(PRINCIPAL_KEY)
    if principal is None and st.user.get("is_logged_in"):
        principal = _sso_principal()
        if principal is not None:
            _start(principal)
    if principal is None:
        return None
    if auth.is_idle(st.session_state[ACTIVITY_KEY], timeout=idle_timeout):
        logout(notice="login.timed_out")
        return None
    st.session_state[ACTIVITY_KEY] = utcnow()
    return principal


def _submit_login() -> None:
    username = st.session_state.get("login_username", "")
    password = st.session_state.get("login_password", "")
    try:
        with session_scope(engine()) as session:
            principal = auth.authenticate(session, username, password)
    except OperationalError:  # a callback runs before dashboard.py's guard: say it here, calmly
        st.session_state[NOTICE_KEY] = "app.db_unavailable"
        return
    st.session_state["login_password"] = ""
    if principal is None:
        st.session_state[NOTICE_KEY] = "login.failed"
    else:
        st.session_state.pop(NOTICE_KEY, None)
        _start(principal)


def login_page() -> None:
    """The login form (widget keys ``login_username``, ``login_password``, ``login_submit``)."""
    language_switch()
    _, middle, _ = st.columns([1, 2, 1])
    with middle:
        st.title(tr("app.title"))
        st.caption(tr("app.subtitle"))
        notice = st.session_state.get(NOTICE_KEY)
        if notice:
            (st.error if notice in ("login.failed", "app.db_unavailable") else st.warning)(tr(notice))
        with st.form("login", border=True):
            st.text_input(tr("login.username"), key="login_username", autocomplete="username")
            st.text_input(
                tr("login.password"), type="password", key="login_password", autocomplete="current-password"
            )
            st.form_submit_button(
                tr("login.submit"), key="login_submit", type="primary", on_click=_submit_login
            )
        # An empty, unlabelled KPI card: the browser loads the cards' code while the user types, so
        # the overview's first figures show as soon as they arrive (one page, national data: 0.3-0.7 s
        # after the click). Loaded with them, React revealed the cards together with the charts and
        # the table, whose code takes seconds more (0.7-2.6 s).
        st.metric(tr("app.title"), "", label_visibility="collapsed")
        if _sso_configured():
            if st.button(tr("login.sso"), key="login_sso", icon=":material/badge:"):
                st.login()
            if st.user.get("is_logged_in") and _sso_principal() is None:
                st.error(tr("login.sso_unknown"))


def user_menu(principal: auth.Principal, facility_names: list[str]) -> None:
    """Sidebar block: who is logged in, with which role and facilities; language; logout."""
    with st.sidebar:
        st.markdown(f"**{principal.full_name or principal.username}**  \n{tr(f'role.{principal.role}')}")
        st.caption(tr("user.all_facilities") if principal.all_facilities else ", ".join(facility_names))
        language_switch()
        if st.button(tr("login.logout"), key="logout", icon=":material/logout:"):
            logout()
            st.rerun()
