"""Login state: the password form, optional single sign-on, the server-side login, user menu, logout.

The login lives in the database (``logins``): this tab keeps its id, the browser keeps a cookie
(set by ``/rehab/session`` when served by ``app.py``), and every run resolves the principal from
the database again — so a refresh keeps the login and a logout anywhere ends it everywhere.
"""

import streamlit as st
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from rehabdata import auth, logins, onboarding, services
from rehabdata.db import session_scope
from rehabdata.models import User
from rehabdata.ui.context import engine, language_switch, tr

PRINCIPAL_KEY = "principal"
LOGIN_KEY = "login_id"
COOKIE_SYNC_KEY = "login_cookie_sync"  # the query of /rehab/session the page requests once
NOTICE_KEY = "login_notice"


def _sso_configured() -> bool:
    """Single sign-on is offered only when ``.streamlit/secrets.toml`` has an ``[auth]`` section."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def _start(principal: auth.Principal, login_id: int | None = None, cookie_query: str | None = None) -> None:
    st.session_state[PRINCIPAL_KEY] = principal
    if login_id is not None:
        st.session_state[LOGIN_KEY] = login_id
    if cookie_query:
        st.session_state[COOKIE_SYNC_KEY] = cookie_query


def _forget(notice: str | None = None) -> None:
    for key in (PRINCIPAL_KEY, LOGIN_KEY):
        st.session_state.pop(key, None)
    if notice:
        st.session_state[NOTICE_KEY] = notice


def logout(notice: str | None = None) -> None:
    """End the login in the database (every tab and process), clear the cookie, forget the SSO identity."""
    login_id = st.session_state.get(LOGIN_KEY)
    if login_id is not None:
        with session_scope(engine()) as session:
            logins.log_out(session, login_id)
    _forget(notice)
    st.session_state[COOKIE_SYNC_KEY] = "logout=1"
    if st.user.get("is_logged_in"):
        st.logout()


def cookie_sync() -> None:
    """After a login or logout, have the browser request ``/rehab/session`` once (an invisible
    image) so the app's route sets or clears the HttpOnly login cookie."""
    query = st.session_state.pop(COOKIE_SYNC_KEY, None)
    if query:
        st.html(f'<img src="/rehab/session?{query}" alt="" width="1" height="1" style="display:none">')


def _sso_principal() -> auth.Principal | None:
    """The rehabdata user whose e-mail matches the identity provider's login, if active."""
    email = st.user.get("email")
    if not email:
        return None
    with Session(engine()) as session:
        user = session.exec(select(User).where(User.email == str(email).lower(), User.is_active)).first()
        return auth.principal_for(session, user) if user else None


def current_principal() -> auth.Principal | None:
    """The logged-in principal, resolved from the database on every run, or None.

    This tab's login (by id), else the browser's cookie (a refresh or a new tab), else single
    sign-on. An ended login (idle, revoked, disabled user) shows the login form with a notice.
    Raises ``OperationalError`` when the database is unreachable (the login is kept for later).
    """
    login_id = st.session_state.get(LOGIN_KEY)
    with session_scope(engine()) as session:
        if login_id is not None:
            principal = logins.resume(session, login_id)
            if principal is None:
                _forget(notice="login.timed_out")
                st.session_state[COOKIE_SYNC_KEY] = "logout=1"
        else:
            resumed = logins.resume_from_cookie(session, st.context.cookies.get(logins.COOKIE))
            principal, login_id = resumed if resumed else (None, None)
    if principal is None and st.user.get("is_logged_in"):
        principal = _sso_principal()
    if principal is None:
        st.session_state.pop(PRINCIPAL_KEY, None)
        return None
    _start(principal, login_id)
    return principal


def _submit_login() -> None:
    username = st.session_state.get("login_username", "")
    password = st.session_state.get("login_password", "")
    remember = bool(st.session_state.get("login_remember"))
    try:
        with session_scope(engine()) as session:
            result = logins.log_in(session, username, password, remember=remember)
            login_id = result[1].id if result else None
    except OperationalError:  # a callback runs before dashboard.py's guard: say it here, calmly
        st.session_state[NOTICE_KEY] = "app.db_unavailable"
        return
    st.session_state["login_password"] = ""
    if result is None:
        st.session_state[NOTICE_KEY] = "login.failed"
    else:
        st.session_state.pop(NOTICE_KEY, None)
        principal, _, claim = result
        _start(principal, login_id, f"claim={claim}")


CREATE_ADMIN = ".venv/bin/python -m rehabdata create-user --role admin --username admin"


def login_page() -> None:
    """The login form (widget keys ``login_username``, ``login_password``, ``login_submit``); with no
    admin in the database, how to create one instead (a login could never succeed)."""
    language_switch()
    _, middle, _ = st.columns([1, 2, 1])
    with middle:
        st.title(tr("app.title"))
        st.caption(tr("app.subtitle"))
        try:
            with Session(engine()) as session:
                ready = onboarding.has_admin(session)
        except OperationalError:  # unreachable just now: the form, with the notice saying so
            ready = True
        if not ready:
            st.subheader(tr("login.no_admin_title"))
            st.info(tr("login.no_admin"), icon=":material/terminal:")
            st.code(CREATE_ADMIN, language="bash")
            return
        notice = st.session_state.get(NOTICE_KEY)
        if notice:
            (st.error if notice in ("login.failed", "app.db_unavailable") else st.warning)(tr(notice))
        with st.form("login", border=True):
            st.text_input(tr("login.username"), key="login_username", autocomplete="username")
            st.text_input(
                tr("login.password"), type="password", key="login_password", autocomplete="current-password"
            )
            st.checkbox(tr("login.remember"), key="login_remember", help=tr("login.remember_help"))
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
        if st.button(
            tr("login.end_all"), key="end_all_sessions", type="tertiary", help=tr("login.end_all_help")
        ):
            with session_scope(engine()) as session:
                services.end_sessions(session=session, principal=principal, user_id=principal.user_id)
            _forget(notice="login.ended_all")
            st.session_state[COOKIE_SYNC_KEY] = "logout=1"
            st.rerun()
