"""Pages per role and the admin pages under AppTest: navigation, the pages' own check, the user form.

How the navigation is inspected: ``st.navigation`` sends its page list to the browser, not as an
element, so AppTest has no element for it. ``AppTest.switch_page(path)`` resolves ``path`` against
the pages the last run registered with ``st.navigation`` and raises ``ValueError`` for any other
file: a page missing from a role's navigation cannot be switched to. The page titles are read from
the same registry (``AppTest._registered_pages``, filled from Streamlit's ``PagesManager``).
"""

import json
from dataclasses import dataclass

import pytest
from argon2 import PasswordHasher
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from rehabdata import auth
from rehabdata.db import session_scope
from rehabdata.demo import DEMO_PASSWORD
from rehabdata.i18n import t
from rehabdata.models import AuditLog, Facility, Region, Role, User, UserScope
from tests.pages.apptest import ADMIN, DASHBOARD, log_in, run_app

DASHBOARD_PAGES = (
    "pages/overview.py",
    "pages/screening.py",
    "pages/rehabilitation.py",
    "pages/comparison.py",
    "pages/outreach.py",
    "pages/agreements.py",
)
ADMIN_PAGES = {"pages/admin_users.py": "Pengguna", "pages/audit_trail.py": "Jejak Audit"}
USERS_PAGE = "pages/admin_users.py"
DENIED = t("scope.denied", "id")


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch):
    """Argon2id with minimal cost parameters for users made here: logins verify in microseconds."""
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@dataclass(frozen=True)
class Site:
    """The known dataset (F1 in region A, F2 in region B) with one user per non-admin role."""

    engine: object
    f1: int
    f1_code: str


@pytest.fixture
def site(app_env) -> Site:
    with session_scope(app_env.engine) as session:
        f1_code = session.get(Facility, app_env.f1).code
        region_a = session.get(Region, app_env.region_a).code
        for username, role, facilities, regions in (
            ("pimpinan.a", Role.PIMPINAN, (), (region_a,)),
            ("petugas.f1", Role.PETUGAS, (f1_code,), ()),
            ("mitra.f1", Role.MITRA, (f1_code,), ()),
        ):
            auth.create_user(
                session=session, username=username, role=role, password="", password_hash=auth.hash_password(DEMO_PASSWORD),
                facility_codes=facilities, region_codes=regions,
            )  # fmt: skip
    return Site(app_env.engine, app_env.f1, f1_code)


def page_titles(at: AppTest) -> set[str]:
    """Titles of the pages the last run registered with st.navigation."""
    return {str(info.get("page_name")) for info in at._registered_pages.values()}


def can_open(at: AppTest, path: str) -> bool:
    """Whether ``path`` is one of the logged-in user's navigation pages (switch_page accepts it)."""
    try:
        at.switch_page(path)
    except ValueError:
        return False
    return True


def audit_rows(engine) -> list[AuditLog]:
    with Session(engine) as session:
        return list(session.exec(select(AuditLog).order_by(AuditLog.id)).all())


# --- navigation per role -----------------------------------------------------------------------


def test_admin_navigation_has_the_admin_pages(site):
    """admin.demo gets every dashboard plus Pengguna and Jejak Audit, and both admin pages render."""
    at = run_app({})
    assert {"Pengguna", "Jejak Audit", "Ringkasan"} <= page_titles(at)
    assert all(can_open(at, path) for path in DASHBOARD_PAGES)
    for path, title in ADMIN_PAGES.items():
        at.switch_page(path).run()
        assert not at.exception
        assert [element.value for element in at.title] == [title]
        assert DENIED not in [error.value for error in at.error]


@pytest.mark.parametrize("username", ["pimpinan.a", "petugas.f1", "mitra.f1"])
def test_other_roles_have_no_admin_pages(site, username):
    """Leaders, staff and partners get the dashboards but neither Pengguna nor Jejak Audit."""
    at = AppTest.from_file(str(DASHBOARD), default_timeout=60).run()
    log_in(at, username, DEMO_PASSWORD)
    assert at.session_state["principal"].username == username
    titles = page_titles(at)
    assert "Ringkasan" in titles
    assert not titles & set(ADMIN_PAGES.values())
    assert all(can_open(at, path) for path in DASHBOARD_PAGES)
    assert not any(can_open(at, path) for path in ADMIN_PAGES)


@pytest.mark.parametrize("path", list(ADMIN_PAGES))
def test_admin_pages_check_the_role_themselves(site, path):
    """Opened directly by a non-admin, each admin page shows 'Anda tidak memiliki akses' and nothing else."""
    with Session(site.engine) as session:
        petugas = auth.principal_for(
            session, session.exec(select(User).where(User.username == "petugas.f1")).one()
        )
    at = AppTest.from_file(str(DASHBOARD.parent / path), default_timeout=60)
    at.session_state["principal"] = petugas
    at.run()
    assert not at.exception
    assert [error.value for error in at.error] == [DENIED]
    assert DENIED.startswith("Anda tidak memiliki akses")
    assert len(at.dataframe) == 0 and len(at.text_input) == 0 and len(at.button) == 0


# --- the user form -----------------------------------------------------------------------------


def fill_new_user(at: AppTest, site: Site, password: str, repeat: str | None = None) -> AppTest:
    """Fill the 'Tambah pengguna' form for petugas.baru at F1 and submit it (one run)."""
    at.text_input(key="new_username").input("Petugas.Baru")
    at.text_input(key="new_full_name").input("Petugas Baru")
    at.selectbox(key="new_role").set_value(Role.PETUGAS)
    at.multiselect(key="new_facilities").set_value([site.f1_code])
    at.text_input(key="new_password").input(password)
    at.text_input(key="new_password_again").input(password if repeat is None else repeat)
    return at.button(key="new_submit").click().run()


def test_admin_creates_a_user_through_the_form(site):
    """The form writes the user with role and scope, and exactly one audit row without the hash."""
    at = run_app({}, USERS_PAGE)
    before = len(audit_rows(site.engine))
    fill_new_user(at, site, "sandi-yang-panjang")
    assert not at.exception
    assert [s.value for s in at.success] == [t("user.created", "id", username="petugas.baru")]
    assert [e.value for e in at.error] == []
    with Session(site.engine) as session:
        user = session.exec(select(User).where(User.username == "petugas.baru")).one()
        scopes = session.exec(select(UserScope).where(UserScope.user_id == user.id)).all()
        assert (user.role, user.full_name, user.is_active) == (Role.PETUGAS, "Petugas Baru", True)
        assert [(s.facility_id, s.region_id) for s in scopes] == [(site.f1, None)]
        assert auth.verify_password(user.password_hash, "sandi-yang-panjang")
    rows = audit_rows(site.engine)
    assert len(rows) == before + 1
    entry = rows[-1]
    assert (entry.username, entry.action, entry.entity, entry.entity_id) == (
        ADMIN,
        "create",
        "app_user",
        user.id,
    )
    assert entry.changes["password_hash"] == [None, "***"]
    assert entry.changes["facility_ids"] == [None, [site.f1]]
    assert "$argon2" not in json.dumps(entry.changes)


def test_short_password_is_refused_in_indonesian(site):
    """A 9-character password shows 'Kata sandi minimal 10 karakter.' and writes neither user nor audit row."""
    at = run_app({}, USERS_PAGE)
    before = len(audit_rows(site.engine))
    fill_new_user(at, site, "pendek-99")
    assert not at.exception
    assert [e.value for e in at.error] == ["Kata sandi minimal 10 karakter."]
    assert len(at.success) == 0
    with Session(site.engine) as session:
        assert session.exec(select(User).where(User.username == "petugas.baru")).first() is None
    assert len(audit_rows(site.engine)) == before


def test_differing_passwords_are_refused(site):
    """Two different passwords show 'Kedua kata sandi tidak sama.' and write nothing."""
    at = run_app({}, USERS_PAGE)
    before = len(audit_rows(site.engine))
    fill_new_user(at, site, "sandi-yang-panjang", repeat="sandi-yang-lain")
    assert [e.value for e in at.error] == [t("user.passwords_differ", "id")]
    with Session(site.engine) as session:
        assert session.exec(select(User).where(User.username == "petugas.baru")).first() is None
    assert len(audit_rows(site.engine)) == before


def test_password_reset_through_the_edit_form(site):
    """Resetting petugas.f1's password in 'Ubah pengguna' audits only a password change, and the new one works."""
    at = run_app({}, USERS_PAGE)
    before = len(audit_rows(site.engine))
    at.selectbox(key="edit_user").set_value("petugas.f1").run()
    (reset,) = [w for w in at.text_input if w.label == t("user.new_password", "id")]
    reset.input("sandi-reset-baru")
    at.button(key="edit_submit").click().run()
    assert not at.exception
    assert [s.value for s in at.success] == [t("user.saved", "id", username="petugas.f1")]
    rows = audit_rows(site.engine)
    assert len(rows) == before + 1
    assert (rows[-1].action, rows[-1].entity, rows[-1].changes) == (
        "update",
        "app_user",
        {"password": ["***", "***"]},
    )
    with session_scope(site.engine) as session:
        assert auth.authenticate(session, "petugas.f1", "sandi-reset-baru") is not None
