"""The login form under AppTest: success, the one generic failure message, lockout, idle timeout, logout."""

from datetime import timedelta

import pytest
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from rehabdata import logins
from rehabdata.auth import LOCKOUT, MAX_FAILED_LOGINS
from rehabdata.demo import DEMO_PASSWORD
from rehabdata.i18n import t
from rehabdata.models import AuditLog, LoginSession, User, utcnow
from tests.pages.apptest import ADMIN, DASHBOARD, log_in

FAILED = t("login.failed", "id")
TIMED_OUT = t("login.timed_out", "id")


@pytest.fixture
def app(app_env) -> AppTest:
    """The app on the known dataset (user admin.demo), showing the login form."""
    at = AppTest.from_file(str(DASHBOARD), default_timeout=60).run()
    assert not at.exception
    return at


def shows_login_form(at: AppTest) -> bool:
    keys = {widget.key for widget in at.text_input}
    return {"login_username", "login_password"} <= keys


def errors(at: AppTest) -> list[str]:
    return [error.value for error in at.error]


def test_only_the_login_page_exists_before_login(app):
    """Logged out, the form is shown, no dashboard renders and no other page can be opened."""
    assert shows_login_form(app)
    assert "principal" not in app.session_state
    assert [(m.label, m.value) for m in app.metric] == [
        (t("app.title", "id"), "")
    ]  # no figure: the empty card
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        app.switch_page("pages/overview.py")


def test_correct_password_logs_in(app):
    """The right password stores the principal, hides the form and shows the dashboard and logout button."""
    log_in(app, ADMIN, DEMO_PASSWORD)
    assert not app.exception
    principal = app.session_state["principal"]
    assert principal.username == ADMIN and principal.all_facilities
    assert not shows_login_form(app)
    assert app.button(key="logout").label == t("login.logout", "id")
    assert len(app.metric) > 0  # the Ringkasan cards
    # the known dataset has no agreement yet: the sidebar points the admin at the checklist
    assert [link.proto.label for link in app.get("page_link")] == [t("onboarding.pending", "id")]
    assert errors(app) == []


def test_wrong_password_and_unknown_user_get_the_same_message(app):
    """A wrong password and an unknown username both show exactly the generic message; the password is cleared."""
    log_in(app, ADMIN, "wrong-password-123")
    wrong_password = errors(app)
    assert "principal" not in app.session_state
    assert app.text_input(key="login_password").value == ""
    log_in(app, "tidak.ada", DEMO_PASSWORD)
    unknown_user = errors(app)
    assert "principal" not in app.session_state
    assert wrong_password == unknown_user == [FAILED]
    assert shows_login_form(app)


def test_lockout_refuses_the_right_password_until_it_expires(app, app_env):
    """After 5 wrong passwords the right one is refused with the same message; after the lock it works."""
    for attempt in range(MAX_FAILED_LOGINS):
        log_in(app, ADMIN, f"salah-{attempt}-sandi")
        assert errors(app) == [FAILED]
    log_in(app, ADMIN, DEMO_PASSWORD)
    assert "principal" not in app.session_state
    assert errors(app) == [FAILED]

    with Session(app_env.engine) as session:
        user = session.exec(select(User).where(User.username == ADMIN)).one()
        assert user.locked_until is not None and user.locked_until > utcnow()
        assert user.locked_until - utcnow() <= LOCKOUT
        user.locked_until = utcnow() - timedelta(seconds=1)  # 15 minutes later
        session.add(user)
        session.commit()
    log_in(app, ADMIN, DEMO_PASSWORD)
    assert app.session_state["principal"].username == ADMIN


def age_login(engine, at: AppTest, minutes: int) -> None:
    """Pretend this tab's login was last seen ``minutes`` ago (in the database, where it lives)."""
    with Session(engine) as session:
        login = session.get(LoginSession, at.session_state["login_id"])
        login.last_seen_at = utcnow() - timedelta(minutes=minutes)
        session.add(login)
        session.commit()


def test_idle_session_is_logged_out_with_a_notice(app, app_env):
    """31 minutes without activity: the next run shows the login form with the timed-out notice."""
    log_in(app, ADMIN, DEMO_PASSWORD)
    assert "principal" in app.session_state
    age_login(app_env.engine, app, 31)
    app.run()
    assert not app.exception
    assert shows_login_form(app)
    assert "principal" not in app.session_state
    assert [warning.value for warning in app.warning] == [TIMED_OUT]


def test_recent_activity_keeps_the_session(app, app_env):
    """29 minutes without activity: still logged in, and the last-seen time is refreshed."""
    log_in(app, ADMIN, DEMO_PASSWORD)
    age_login(app_env.engine, app, 29)
    app.run()
    assert "principal" in app.session_state
    assert not shows_login_form(app)
    with Session(app_env.engine) as session:
        login = session.get(LoginSession, app.session_state["login_id"])
    assert utcnow() - login.last_seen_at.replace(tzinfo=utcnow().tzinfo) < timedelta(minutes=1)


def test_a_login_ended_elsewhere_ends_here_at_the_next_click(app, app_env):
    """ "Keluar dari semua perangkat" in another tab (or a password reset by an admin) revokes the
    login in the database: this tab shows the login form at its next run."""
    log_in(app, ADMIN, DEMO_PASSWORD)
    with Session(app_env.engine) as session:
        user = session.exec(select(User).where(User.username == ADMIN)).one()
        assert logins.end_all(session, user.id) == 1
        session.commit()
    app.run()
    assert shows_login_form(app)
    assert "principal" not in app.session_state


def test_logins_logouts_and_failures_are_audited(app, app_env):
    log_in(app, ADMIN, "salah-sandi-123")
    log_in(app, "tidak.ada", "salah-sandi-123")
    log_in(app, ADMIN, DEMO_PASSWORD)
    app.button(key="logout").click().run()
    with Session(app_env.engine) as session:
        trail = session.exec(select(AuditLog).order_by(AuditLog.id)).all()
    assert [(row.action, row.username) for row in trail] == [
        ("login_failed", ADMIN),
        ("login_failed", "tidak.ada"),
        ("login", ADMIN),
        ("logout", ADMIN),
    ]
    assert all("salah" not in str(row.changes) for row in trail)


def test_logout_returns_to_the_login_form(app):
    """Clicking logout forgets the principal and shows the login form again, without an error."""
    log_in(app, ADMIN, DEMO_PASSWORD)
    app.button(key="logout").click().run()
    assert not app.exception
    assert "principal" not in app.session_state
    assert "login_id" not in app.session_state
    assert shows_login_form(app)
    assert errors(app) == [] and len(app.warning) == 0


def test_single_sign_on_matches_a_user_by_email(app_env):
    """An identity-provider login (st.login) whose e-mail matches an active user logs that user in."""
    with Session(app_env.engine) as session:
        user = session.exec(select(User).where(User.username == ADMIN)).one()
        user.email = "kepala@lapas.go.id"
        session.add(user)
        session.commit()
    at = AppTest.from_file(str(DASHBOARD), default_timeout=60)
    at.user = {"is_logged_in": True, "email": "kepala@lapas.go.id"}
    at.run()
    assert not at.exception
    assert at.session_state["principal"].username == ADMIN
    assert not shows_login_form(at)


def test_single_sign_on_with_an_unknown_email_stays_logged_out(app_env):
    """An identity-provider login with an e-mail no rehabdata user has does not open the app."""
    at = AppTest.from_file(str(DASHBOARD), default_timeout=60)
    at.user = {"is_logged_in": True, "email": "stranger@example.org"}
    at.run()
    assert not at.exception
    assert "principal" not in at.session_state
    assert shows_login_form(at)
