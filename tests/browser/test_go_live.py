"""The first hour of a real deployment, in a real browser, on SQLite and on PostgreSQL.

A fresh database is started as an operator would (``rehabdata init``, then ``create-user`` for the
first admin), the app runs under ``streamlit run app.py``, and in Chromium the admin adds a fifth
UPT, a PKS covering it with two scope targets, and a petugas for it; the petugas then logs in,
enters the month's population, registers a participant, screens them, and sees the screening on
Ringkasan. Every step is checked in the database afterwards, audit trail included.
"""

import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlmodel import Session, func, select

from rehabdata import clock
from rehabdata.db import make_engine
from rehabdata.i18n import format_number, t
from rehabdata.logins import COOKIE
from rehabdata.models import (
    Agreement,
    AgreementFacility,
    AgreementKind,
    AgreementScopeItem,
    AuditLog,
    Facility,
    FacilityPopulation,
    FacilityType,
    Participant,
    Partner,
    Region,
    Role,
    ScopeMetric,
    Screening,
    User,
    UserScope,
)
from rehabdata.serving import REPO_ROOT, ServerError, app_server
from tests.browser.session import log_in, open_page
from tests.conftest import require_pg_url

CLI_TIMEOUT_S = 300
ADMIN, ADMIN_PASSWORD = "admin.kanwil", "Kanwil-Jateng-2026"
STAFF, STAFF_PASSWORD = "petugas.batang", "Batang-Rutan-2026"
SCREENSHOTS = Path("/tmp")

UPT = {
    "code": "rutan-batang",
    "name": "Rutan Kelas IIB Batang",
    "facility_class": "IIB",
    "regency": "Kabupaten Batang",
    "capacity": 350,
}
REGION, PARTNER = "Ex-Karesidenan Pekalongan", "BNNK Batang"
PKS = {
    "code": "pks-rutan-batang",
    "number": "PKS/17/XI/BNNK-BTG",
    "title": "PKS Rutan Batang – BNNK Batang: rehabilitasi WBP",
    "place_signed": "Batang",
}
SCOPE_ITEMS = (  # code, description, metric, target, unit
    ("skrining", "Skrining ASSIST WBP Rutan Batang", ScopeMetric.SCREENINGS, 120, "WBP"),
    ("asesmen", "Asesmen lanjutan WBP berisiko", ScopeMetric.ASSESSMENTS, 30, "WBP"),
)
POPULATION = {"wbp_total": 312, "wbp_narcotics": 187, "admissions": 24}
BIRTH_YEAR = 1994


@dataclass(frozen=True)
class LiveApp:
    """The app on a freshly initialised database, and that database's URL."""

    url: str
    database_url: str
    backend: str


def _cli(env: dict[str, str], *args: str) -> str:
    """Run ``python -m rehabdata ARGS`` as an operator would; its standard output (fails on an error)."""
    done = subprocess.run(
        [sys.executable, "-m", "rehabdata", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT_S,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(
            f"`rehabdata {' '.join(args)}` exited with {done.returncode}:\n{done.stdout}\n{done.stderr}"
        )
    return done.stdout


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_database(request, tmp_path, chromium_path) -> Iterator[tuple[str, str]]:
    """An empty database (no schema yet): a SQLite file, or a throw-away PostgreSQL database.

    Depends on ``chromium_path`` so that nothing is created when the browser tests are skipped.
    """
    if request.param == "sqlite":
        yield "sqlite", f"sqlite:///{tmp_path / 'golive.db'}"
        return
    server = make_url(require_pg_url())
    name = f"rehab_golive_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield "postgresql", server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture
def live_app(fresh_database, tmp_path) -> Iterator[LiveApp]:
    """``init`` and ``create-user`` on the fresh database, then ``streamlit run app.py`` on it."""
    backend, database_url = fresh_database
    env = {**os.environ, "REHAB_DATABASE_URL": database_url, "REHAB_DEMO_ON_EMPTY": "0"}
    env.pop("REHAB_ADMIN_PASSWORD", None)
    initialised = _cli(env, "init")
    assert "real database: 4 facilities, 2 agreements, 0 admins" in initialised, initialised
    created = _cli(
        {**env, "REHAB_ADMIN_PASSWORD": ADMIN_PASSWORD}, "create-user", "--role", "admin", "--username", ADMIN
    )
    assert f"created admin user {ADMIN!r}" in created, created
    try:
        with app_server(env, tmp_path / "streamlit.log") as server:
            yield LiveApp(url=server.url, database_url=database_url, backend=backend)
    except ServerError as error:
        pytest.fail(str(error), pytrace=False)


# --- driving Streamlit's widgets --------------------------------------------------------------


def _open_dropdown(field) -> None:
    """Click a selectbox or multiselect until its list is open.

    The field is scrolled into view first: a click that has to scroll the page first opens the list
    and the scroll closes it again. A click landing while the page re-renders can be lost: retried,
    but never on an open list (a second click would close it).
    """
    from playwright.sync_api import expect

    field.scroll_into_view_if_needed()
    for _ in range(3):
        if field.get_attribute("aria-expanded") != "true":
            field.click()
        try:
            expect(field).to_have_attribute("aria-expanded", "true", timeout=3_000)
            return
        except AssertionError:
            field.scroll_into_view_if_needed()
    expect(field).to_have_attribute("aria-expanded", "true")


def _choose(page, scope, label: str, option: str) -> None:
    """Pick ``option`` in the selectbox or multiselect labelled ``label`` inside ``scope``."""
    field = scope.get_by_label(label, exact=True)
    _open_dropdown(field)
    field.fill(option)
    page.get_by_role("listbox").get_by_role("option", name=option, exact=True).click()


def _choose_many(page, scope, label: str, option: str) -> None:
    """Add ``option`` to a multiselect, then close its list."""
    from playwright.sync_api import expect

    _choose(page, scope, label, option)
    page.keyboard.press("Escape")
    field = scope.get_by_label(label, exact=True)
    expect(field).to_have_attribute("aria-expanded", "false")
    box = scope.get_by_test_id("stMultiSelect").filter(has=page.get_by_label(label, exact=True))
    expect(box.get_by_text(option, exact=True)).to_be_visible()  # the chosen option's chip


def _type_date(scope, label: str, day: date) -> None:
    """Type ``day`` into a date input (its day, month and year segments, DD/MM/YYYY)."""
    from playwright.sync_api import expect

    segment = scope.get_by_role("spinbutton", name=f"day, {label}", exact=True)
    segment.scroll_into_view_if_needed()
    segment.click()
    segment.page.keyboard.type(day.strftime("%d%m%Y"))
    shown = day.strftime("%d/%m/%Y").replace("/", r"\s*/\s*")
    expect(scope.get_by_label(label, exact=True)).to_have_text(re.compile(shown))


def _success(scope, text: str) -> None:
    from playwright.sync_api import expect

    expect(scope.get_by_test_id("stAlertContentSuccess")).to_contain_text(text)  # after the icon ligature


def _metric(page, label: str):
    """The ``st.metric`` whose label is exactly ``label``."""
    return page.get_by_test_id("stMetric").filter(
        has=page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True)
    )


def _caption_under(page, label: str):
    """The "x dari y" caption under the rate card labelled ``label``."""
    return (
        page.get_by_test_id("stColumn").filter(has=_metric(page, label)).get_by_test_id("stCaptionContainer")
    )


def _tab(page, key: str):
    """Open the tab titled ``t(key)`` and return its (the only visible) panel."""
    page.get_by_role("tab", name=t(key, "id"), exact=True).click()
    return page.get_by_role("tabpanel")


# --- the admin's and the petugas's steps ------------------------------------------------------


def _add_facility(page) -> None:
    panel = _tab(page, "reference.tab.facilities")
    form = panel.get_by_test_id("stForm")
    form.get_by_label(t("field.code", "id"), exact=True).fill(UPT["code"])
    form.get_by_label(t("field.name", "id"), exact=True).fill(UPT["name"])
    _choose(page, form, t("field.facility_type", "id"), t("facility_type.rutan", "id"))
    form.get_by_label(t("field.facility_class", "id"), exact=True).fill(UPT["facility_class"])
    _choose(page, form, t("field.region_id", "id"), REGION)
    _choose(page, form, t("field.partner_id", "id"), PARTNER)
    form.get_by_label(t("field.regency", "id"), exact=True).fill(UPT["regency"])
    capacity = form.get_by_label(t("field.capacity", "id"), exact=True)
    capacity.fill("0")  # a wrong value first: refused under its field, in the tab still open
    capacity.press("Tab")
    form.get_by_role("button", name=t("reference.add", "id"), exact=True).click()
    from playwright.sync_api import expect

    expect(panel.get_by_test_id("stAlertContentError")).to_contain_text(
        t("validation.at_least", "id", limit=1)
    )
    expect(page.get_by_role("tab", selected=True)).to_have_text(t("reference.tab.facilities", "id"))
    capacity.fill(str(UPT["capacity"]))
    capacity.press("Tab")
    form.get_by_role("button", name=t("reference.add", "id"), exact=True).click()
    _success(panel, t("reference.created", "id", name=UPT["name"]))


def _add_agreement(page, signed_on: date) -> None:
    panel = _tab(page, "reference.tab.agreements")
    form = panel.get_by_test_id("stForm")
    form.get_by_label(t("field.code", "id"), exact=True).fill(PKS["code"])
    _choose(page, form, t("field.kind", "id"), t("agreement_kind.pks", "id"))
    form.get_by_label(t("field.number", "id"), exact=True).fill(PKS["number"])
    form.get_by_label(t("field.title", "id"), exact=True).fill(PKS["title"])
    _choose(page, form, t("field.partner_id", "id"), PARTNER)
    _choose(page, form, t("field.region_id", "id"), REGION)
    _choose_many(page, form, t("field.facility_ids", "id"), UPT["name"])
    _type_date(form, t("field.signed_on", "id"), signed_on)
    form.get_by_label(t("field.place_signed", "id"), exact=True).fill(PKS["place_signed"])
    form.get_by_role("button", name=t("reference.add", "id"), exact=True).click()
    _success(panel, t("reference.created", "id", name=PKS["title"]))


def _add_scope_items(page) -> None:
    from playwright.sync_api import expect

    panel = _tab(page, "reference.tab.scope")
    # The first agreement (the Karo MoU) is picked at first: its items' table shows.
    expect(panel.get_by_test_id("stDataFrame")).to_be_visible()
    _choose(page, panel, t("reference.agreement", "id"), f"PKS · {PKS['title']}")
    expect(panel.get_by_test_id("stDataFrame")).to_have_count(0)  # the new PKS: no items yet
    form = panel.get_by_test_id("stForm")
    for code, description, metric, target, unit in SCOPE_ITEMS:
        form.get_by_label(t("field.code", "id"), exact=True).fill(code)
        form.get_by_label(t("field.description", "id"), exact=True).fill(description)
        _choose(page, form, t("field.metric", "id"), t(f"metric.{metric}", "id"))
        form.get_by_label(t("field.target", "id"), exact=True).fill(str(target))
        form.get_by_label(t("field.unit", "id"), exact=True).fill(unit)
        form.get_by_role("button", name=t("reference.add", "id"), exact=True).click()
        _success(panel, t("reference.created", "id", name=description))
    expect(panel.get_by_test_id("stDataFrame")).to_be_visible()  # the PKS's items now


def _add_staff_user(page) -> None:
    open_page(page, t("page.users", "id"))
    panel = page.get_by_role("tabpanel")  # "Tambah pengguna", the first tab
    panel.get_by_label(t("login.username", "id"), exact=True).fill(STAFF)
    panel.get_by_label(t("user.full_name", "id"), exact=True).fill("Petugas Rutan Batang")
    _choose(page, panel, t("user.role", "id"), t("role.petugas", "id"))
    _choose_many(page, panel, t("filter.facility", "id"), UPT["name"])
    panel.get_by_label(t("login.password", "id"), exact=True).fill(STAFF_PASSWORD)
    panel.get_by_label(t("user.password_again", "id"), exact=True).fill(STAFF_PASSWORD)
    panel.get_by_role("button", name=t("user.create", "id"), exact=True).click()
    _success(page, t("user.created", "id", username=STAFF))


def _log_out(page) -> None:
    """Click "Keluar"; wait for the login form and for the browser's login cookie to be cleared."""
    page.get_by_test_id("stSidebar").get_by_role("button", name=t("login.logout", "id"), exact=True).click()
    page.get_by_role("button", name=t("login.submit", "id"), exact=True).wait_for(state="visible")
    for _ in range(100):  # the app clears its HttpOnly cookie with a request of its own, just after
        if not any(cookie["name"] == COOKIE for cookie in page.context.cookies()):
            return
        page.wait_for_timeout(100)
    pytest.fail(f"the {COOKIE} cookie is still set 10 s after logging out")


def _enter_population(page, today: date) -> None:
    from playwright.sync_api import expect

    open_page(page, t("page.population_entry", "id"))
    form = page.get_by_test_id("stForm")
    facility = form.get_by_label(t("filter.facility", "id"), exact=True)
    expect(facility).to_have_value(UPT["name"])  # the petugas's only UPT, locked
    expect(facility).to_be_disabled()
    form.get_by_label(t("kpi.population", "id"), exact=True).fill(str(POPULATION["wbp_total"]))
    form.get_by_label(t("population.narcotics", "id"), exact=True).fill(str(POPULATION["wbp_narcotics"]))
    form.get_by_label(t("population.admissions", "id"), exact=True).fill(str(POPULATION["admissions"]))
    form.get_by_role("button", name=t("entry.save", "id"), exact=True).click()
    _success(page, t("population.saved", "id", month=today.strftime("%m/%Y")))


def _register_participant(page, today: date) -> str:
    """Register a participant under the suggested code; return that code."""
    from playwright.sync_api import expect

    open_page(page, t("page.participants", "id"))
    panel = page.get_by_role("tabpanel")  # "Peserta baru"
    code = f"RUT-{today.year}-0001"  # the first code suggested for the UPT (from its code, rutan-…)
    expect(panel.get_by_label(t("participant.code", "id"), exact=True)).to_have_value(code)
    _choose(page, panel, t("participant.sex", "id"), t("sex.m", "id"))
    panel.get_by_label(t("participant.birth_year", "id"), exact=True).fill(str(BIRTH_YEAR))
    panel.get_by_role("button", name=t("entry.save", "id"), exact=True).click()
    _success(page, t("participant.saved", "id", code=code))
    return code


def _enter_screening(page, code: str) -> None:
    """A moderate-risk ASSIST screening: cannabis used weekly in the past three months (score 4)."""
    from playwright.sync_api import expect

    open_page(page, t("page.screening_entry", "id"))
    _choose(page, page, t("screening_entry.participant", "id"), code)
    screener = page.get_by_label(t("screening_entry.screener", "id"))  # who screened: required
    screener.fill("Perawat klinik")
    screener.press("Tab")  # a text input sends its value when it loses focus
    page.get_by_test_id("stStatusWidget").wait_for(state="hidden")
    cannabis = t("substance.cannabis", "id")
    _choose_many(page, page, t("assist.q1", "id"), cannabis)
    question = page.get_by_test_id("stRadio").filter(has_text=t("assist.q2", "id", substance=cannabis))
    question.get_by_text(t("assist.answer.weekly", "id"), exact=True).click()
    badge = t("assist.result", "id", score=4, risk=t("risk.moderate", "id"))
    expect(page.get_by_text(badge)).to_be_visible()
    page.get_by_test_id("stStatusWidget").wait_for(state="hidden")
    page.get_by_role("button", name=t("entry.save", "id"), exact=True).click()
    _success(page, t("screening_entry.saved", "id", code=code, risk=t("risk.moderate", "id")))


def _check_overview(page) -> None:
    from playwright.sync_api import expect

    open_page(page, t("page.overview", "id"))
    one = format_number(1, "id")
    expect(_metric(page, t("kpi.screenings", "id")).get_by_test_id("stMetricValue")).to_have_text(one)
    expect(_caption_under(page, t("kpi.screening_coverage", "id"))).to_have_text(
        t("kpi.of", "id", numerator=one, denominator=format_number(POPULATION["wbp_total"], "id"))
    )
    expect(_caption_under(page, t("kpi.moderate_high_share", "id"))).to_have_text(
        t("kpi.of", "id", numerator=one, denominator=one)
    )


# --- the database afterwards ------------------------------------------------------------------


def _check_database(database_url: str, *, today: date, signed_on: date, code: str) -> None:
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            region = session.exec(select(Region).where(Region.name == REGION)).one()
            partner = session.exec(select(Partner).where(Partner.name == PARTNER)).one()
            assert session.exec(select(func.count()).select_from(Facility)).one() == 5

            facility = session.exec(select(Facility).where(Facility.code == UPT["code"])).one()
            assert (facility.name, facility.facility_type, facility.facility_class) == (
                UPT["name"],
                FacilityType.RUTAN,
                UPT["facility_class"],
            )
            assert (facility.region_id, facility.partner_id) == (region.id, partner.id)
            assert (facility.regency, facility.capacity, facility.active) == (
                UPT["regency"],
                UPT["capacity"],
                True,
            )

            agreement = session.exec(select(Agreement).where(Agreement.code == PKS["code"])).one()
            assert agreement.kind == AgreementKind.PKS
            assert (agreement.number, agreement.title, agreement.place_signed) == (
                PKS["number"],
                PKS["title"],
                PKS["place_signed"],
            )
            assert (agreement.partner_id, agreement.region_id) == (partner.id, region.id)
            assert (agreement.signed_on, agreement.discussed_on, agreement.ends_on) == (signed_on, None, None)
            covered = session.exec(
                select(AgreementFacility.facility_id).where(AgreementFacility.agreement_id == agreement.id)
            ).all()
            assert covered == [facility.id]

            items = session.exec(
                select(AgreementScopeItem)
                .where(AgreementScopeItem.agreement_id == agreement.id)
                .order_by(AgreementScopeItem.id)
            ).all()
            assert [(i.code, i.description, i.metric, i.target, i.unit) for i in items] == list(SCOPE_ITEMS)

            staff = session.exec(select(User).where(User.username == STAFF)).one()
            assert (staff.role, staff.is_active, staff.last_login_at is not None) == (
                Role.PETUGAS,
                True,
                True,
            )
            scopes = session.exec(select(UserScope).where(UserScope.user_id == staff.id)).all()
            assert [(s.facility_id, s.region_id) for s in scopes] == [(facility.id, None)]

            population = session.exec(
                select(FacilityPopulation).where(FacilityPopulation.facility_id == facility.id)
            ).one()
            assert population.month == today.replace(day=1)
            assert {name: getattr(population, name) for name in POPULATION} == POPULATION

            participant = session.exec(
                select(Participant).where(Participant.facility_id == facility.id)
            ).one()
            assert (participant.code, participant.birth_year, participant.admitted_on) == (
                code,
                BIRTH_YEAR,
                today,
            )
            screening = session.exec(select(Screening)).one()  # the only screening in the database
            assert (screening.participant_id, screening.screened_on, screening.overall_risk) == (
                participant.id,
                today,
                "moderate",
            )

            audit = session.exec(select(AuditLog).order_by(AuditLog.id)).all()
            trail = [(row.username, row.action, row.entity, row.entity_id) for row in audit]
            created = {
                (ADMIN, "facility", facility.id),
                (ADMIN, "agreement", agreement.id),
                *((ADMIN, "agreement_scope_item", item.id) for item in items),
                (ADMIN, "app_user", staff.id),
                (STAFF, "facility_population", population.id),
                (STAFF, "participant", participant.id),
                (STAFF, "screening", screening.id),
            }
            missing = created - {
                (user, entity, row_id) for user, action, entity, row_id in trail if action == "create"
            }
            assert not missing, f"no audit row for the creation of {sorted(missing)}; trail: {trail}"
            events = [(user, action) for user, action, _, _ in trail if action in {"login", "logout"}]
            assert events[-3:] == [(ADMIN, "login"), (ADMIN, "logout"), (STAFF, "login")], events
            staff_rows = [row for row in audit if row.username == STAFF and row.action == "create"]
            assert {row.facility_id for row in staff_rows} == {facility.id}
    finally:
        engine.dispose()


def test_first_hour_of_a_new_deployment(page, live_app):
    """An admin sets up a new UPT, its PKS and a petugas; the petugas's first screening shows at once."""
    from playwright.sync_api import expect  # imported here: the fixtures skip when it is missing

    today = clock.today()
    signed_on = today - timedelta(days=32)  # a PKS signed last month
    try:
        log_in(page, live_app.url, username=ADMIN, password=ADMIN_PASSWORD)
        open_page(page, t("page.reference", "id"))
        _add_facility(page)
        _add_agreement(page, signed_on)
        _add_scope_items(page)
        _add_staff_user(page)
        _log_out(page)

        log_in(page, live_app.url, username=STAFF, password=STAFF_PASSWORD)
        nav = page.get_by_test_id("stSidebarNav")
        expect(nav.get_by_role("link", name=t("page.users", "id"), exact=True)).to_have_count(0)
        _enter_population(page, today)
        code = _register_participant(page, today)
        _enter_screening(page, code)
        _check_overview(page)
    except Exception:
        page.screenshot(path=SCREENSHOTS / f"go-live-{live_app.backend}.png", full_page=True)
        raise
    _check_database(live_app.database_url, today=today, signed_on=signed_on, code=code)
