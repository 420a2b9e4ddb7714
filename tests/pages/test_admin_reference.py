"""A real database's first hour under AppTest: no admin yet, the checklist, and the reference-data
editor (UPT, agreements, scope items) with its Indonesian messages."""

import pytest
from argon2 import PasswordHasher
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from rehabdata import auth
from rehabdata.bootstrap import prepare_database
from rehabdata.db import session_scope
from rehabdata.i18n import t
from rehabdata.models import AgreementScopeItem, AuditLog, Facility
from tests.conftest import sqlite_engine
from tests.pages.apptest import DASHBOARD, run_app

PASSWORD = "sandi-admin-pertama"
REFERENCE = "pages/admin_reference.py"


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch):
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def real_db(monkeypatch, tmp_path):
    """A database started as `python -m rehabdata init` starts it: real, reference data, no users."""
    engine = sqlite_engine(tmp_path)
    prepare_database(engine, load_demo_if_empty=False)
    monkeypatch.setenv("REHAB_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("REHAB_DEMO_ON_EMPTY", "1")  # a real database never gets demo data
    yield engine
    engine.dispose()


@pytest.fixture
def with_admin(real_db):
    with session_scope(real_db) as session:
        auth.create_user(session=session, username="admin", role="admin", password=PASSWORD)
    return real_db


def test_without_an_admin_the_first_page_says_how_to_create_one(real_db):
    at = AppTest.from_file(str(DASHBOARD), default_timeout=60).run()
    assert not at.exception
    assert [i.value for i in at.info] == [t("login.no_admin", "id")]
    assert "create-user --role admin" in at.code[0].value
    assert len(at.text_input) == 0  # no login form that could never succeed
    with Session(real_db) as session:
        assert session.exec(select(Facility)).all(), "the reference data is there"


def test_the_admin_is_pointed_at_the_checklist_ticked_from_the_data(with_admin):
    at = run_app({}, username="admin", password=PASSWORD)
    assert [link.proto.page for link in at.get("page_link")] == ["mulai"]
    at.switch_page("pages/admin_start.py").run()
    assert not at.exception
    assert [title.value for title in at.title] == ["Mulai di sini"]
    # reference data seeded: facilities and agreements with targets done; no staff, population, screening
    assert at.get("progress")[0].proto.text == t("onboarding.progress", "id", done=2, total=5)
    captions = [c.value for c in at.caption]
    assert t("onboarding.count", "id", done=0, total=4) in captions
    assert not any("DATA DEMO" in str(b.proto) for b in at.get("badge"))


def open_facility_form(at: AppTest) -> AppTest:
    at.switch_page(REFERENCE).run()
    assert not at.exception
    return at


def fill_facility(at: AppTest, **values) -> AppTest:
    prefix = "reference_facility_new"
    capacity = values.pop("capacity", 150)
    fields = {"code": "rutan-batang", "name": "Rutan Batang", "regency": "Kabupaten Batang", **values}
    for name, value in fields.items():
        at.text_input(key=f"{prefix}_{name}").input(value)
    at.number_input(key=f"{prefix}_capacity").set_value(capacity)
    return at.button(key=f"{prefix}_submit").click().run()


def test_admin_adds_a_fifth_facility_and_it_is_offered_at_once(with_admin):
    at = open_facility_form(run_app({}, username="admin", password=PASSWORD))
    fill_facility(at)
    assert not at.exception
    assert t("reference.created", "id", name="Rutan Batang") in [s.value for s in at.success]
    with Session(with_admin) as session:
        facility = session.exec(select(Facility).where(Facility.code == "rutan-batang")).one()
        assert (facility.capacity, facility.regency, facility.active) == (150, "Kabupaten Batang", True)
        audited = session.exec(select(AuditLog).where(AuditLog.entity == "facility")).one()
    assert audited.entity_id == facility.id
    # ready for the next one: an empty form under fresh keys (the browser would resend old values)
    assert at.text_input(key="reference_facility_new1_code").value == ""
    assert at.text_input(key="reference_facility_new1_name").value == ""
    at.switch_page("pages/admin_users.py").run()
    assert "Rutan Batang" in at.multiselect(key="new_facilities").options


def test_a_bad_facility_gets_indonesian_messages_under_its_fields_and_writes_nothing(with_admin):
    at = open_facility_form(run_app({}, username="admin", password=PASSWORD))
    fill_facility(at, code="Rutan Batang!", capacity=0)
    errors = [e.value for e in at.error]
    assert t("validation.reference_code", "id") in errors
    assert t("validation.at_least", "id", limit=1) in errors
    assert not at.success
    assert at.text_input(key="reference_facility_new_name").value == "Rutan Batang"  # what was typed stays
    with Session(with_admin) as session:
        assert session.exec(select(Facility).where(Facility.name == "Rutan Batang")).first() is None
        assert session.exec(select(AuditLog).where(AuditLog.entity != "login_session")).all() == []


def test_admin_adds_a_scope_item_with_a_target(with_admin):
    at = open_facility_form(run_app({}, username="admin", password=PASSWORD))
    prefix = f"reference_scope_{at.selectbox(key='reference_scope_agreement').value}_new"
    at.text_input(key=f"{prefix}_code").input("penyuluhan-2026")
    at.text_input(key=f"{prefix}_description").input("Penyuluhan P4GN di desa")
    at.selectbox(key=f"{prefix}_metric").set_value("outreach_events")
    at.number_input(key=f"{prefix}_target").set_value(12)
    at.text_input(key=f"{prefix}_unit").input("kegiatan")
    at.button(key=f"{prefix}_submit").click().run()
    assert not at.exception
    assert t("reference.created", "id", name="Penyuluhan P4GN di desa") in [s.value for s in at.success]
    with Session(with_admin) as session:
        item = session.exec(
            select(AgreementScopeItem).where(AgreementScopeItem.code == "penyuluhan-2026")
        ).one()
    assert (item.target, item.unit, item.metric) == (12, "kegiatan", "outreach_events")
