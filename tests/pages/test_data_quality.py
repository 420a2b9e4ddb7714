"""The Kelengkapan Data page and the Ringkasan warning show what completeness_grid and run_checks return."""

import shutil
from datetime import date

import pytest
from sqlalchemy import and_
from sqlmodel import Session, delete, select

from rehabdata import clock, quality
from rehabdata.completeness import STATES, completeness_grid, overdue_count
from rehabdata.db import make_engine
from rehabdata.i18n import format_number, format_period, t
from rehabdata.kpis import Filters, scope_filters
from rehabdata.models import Facility, FacilityPopulation
from tests.pages.apptest import metric, run_app
from tests.pages.conftest import DEMO_TODAY

PAGE = "pages/data_quality.py"
YEAR_2026 = {"filters_preset": "custom", "filters_from": date(2026, 1, 1), "filters_to": DEMO_TODAY}
YEAR = Filters(start=date(2026, 1, 1), end=DEMO_TODAY)
ICONS = {"complete": "✅", "late": "🕓", "incomplete": "❌", "not_due_yet": "⏳"}


def label(state: str) -> str:
    return f"{ICONS[state]} {t(f'completeness.state.{state}')}"


def expected_grid(engine, filters: Filters):
    """The oracle: completeness_grid judged today, as the page judges it."""
    with Session(engine) as session:
        return completeness_grid(session, filters, today=clock.today())


def test_grid_equals_completeness_grid(demo_env, facility_names):
    """State counts and every facility × month cell are completeness_grid's, as icon and word."""
    at = run_app(YEAR_2026, page=PAGE)
    assert not at.exception
    grid = expected_grid(demo_env, YEAR)
    assert len(grid) == 4 * 11
    for state in STATES:
        assert metric(at, label(state)).value == format_number(int((grid["state"] == state).sum()), "id")
    shown = at.dataframe[0].value.set_index("facility")
    expected = {
        (facility_names[row.facility_id], format_period(row.month, "id")): label(row.state)
        for row in grid.itertuples()
    }
    assert {(facility, month): shown.loc[facility, month] for facility, month in expected} == expected
    assert shown.shape == (4, 11)


def test_missing_population_links_to_its_form(demo_env):
    """Lapas Pekalongan's missing November population is listed with a link to the population form."""
    at = run_app(YEAR_2026, page=PAGE)
    assert "- Populasi WBP bulan ini belum diisi" in [m.value for m in at.markdown]
    assert any("Lapas Kelas IIA Pekalongan · Nov 2026" in m.value for m in at.markdown)
    links = at.get("page_link")
    assert [(link.proto.label, link.proto.page) for link in links] == [("Isi populasi", "populasi")]


@pytest.mark.parametrize("username", ["bnnk.batang", "kanwil.jateng"])
def test_no_link_to_a_form_the_role_cannot_open(demo_env, username):
    """Partners and leadership see what is missing but get no link to the population form."""
    at = run_app(YEAR_2026, page=PAGE, username=username)
    assert not at.exception
    assert "- Populasi WBP bulan ini belum diisi" in [m.value for m in at.markdown]
    assert len(at.get("page_link")) == 0


def test_quality_checks_grouped_by_rule(demo_env):
    """Running the checks lists each rule with issues, its count and its records, as run_checks finds them."""
    at = run_app(YEAR_2026, page=PAGE)
    assert not [m for m in at.markdown if "kesalahan," in m.value]  # nothing runs before the click
    at.button(key="quality_run").click().run()
    assert not at.exception
    with Session(demo_env) as session:
        issues = quality.run_checks(session, YEAR, today=clock.today())
    assert issues
    headers = [m.value for m in at.markdown if m.value.startswith("**") and " · " in m.value]
    expected = [
        f"**{t(f'quality.rule.{rule}')}** · {format_number(sum(i.rule == rule for i in issues), 'id')}"
        for rule in quality.RULES
        if any(i.rule == rule for i in issues)
    ]
    assert headers == expected
    tables = at.dataframe[-len(expected) :]
    codes = {i.participant_code for i in issues if i.participant_code}
    shown_codes = {code for table in tables for code in table.value["participant_code"] if code}
    assert shown_codes == codes
    assert sum(len(table.value) for table in tables) == len(issues)


def test_leadership_sees_issue_counts_only(demo_env, demo_codes):
    """Leadership gets issues per rule and facility in its region, without participant codes."""
    at = run_app(YEAR_2026, page=PAGE, username="kanwil.jateng")
    at.button(key="quality_run").click().run()
    assert not at.exception
    assert any("rincian per peserta" in info.value for info in at.info)
    principal = at.session_state["principal"]
    with Session(demo_env) as session:
        counts = quality.counts_for(session, principal, YEAR, today=clock.today())
    table = at.dataframe[-1].value
    assert list(table.columns) == ["rule", "severity", "facility", "issues"]
    assert table["issues"].tolist() == counts["issues"].tolist()
    assert set(scope_filters(principal, YEAR).facility_ids) == {
        demo_codes("facility", code) for code in ("rutan-pemalang", "rutan-pekalongan", "lapas-pekalongan")
    }


# --- Ringkasan: the incompleteness warning ---------------------------------------------------

SEP_OCT_2025 = {
    "filters_preset": "custom",
    "filters_from": date(2025, 9, 1),
    "filters_to": date(2025, 10, 31),
}


def overview_warnings(at) -> list[str]:
    return [w.value for w in at.warning if "UPT-bulan" in w.value]


def test_overview_warns_about_overdue_months(app_env):
    """F1's October session without attendance and F2's missing October population: 2 facility-months."""
    at = run_app(SEP_OCT_2025)
    assert not at.exception
    grid = expected_grid(app_env.engine, Filters(start=date(2025, 9, 1), end=date(2025, 10, 31)))
    assert overdue_count(grid) == 2
    assert overview_warnings(at) == [t("completeness.overview_warning", count="2")]


def test_overview_warns_about_a_missing_past_population(demo_db_template, tmp_path, monkeypatch):
    """On a demo copy without Lapas Pekalongan's October population the overview names the overdue months."""
    copy = tmp_path / "demo.db"
    shutil.copy(demo_db_template, copy)
    url = f"sqlite:///{copy}"
    engine = make_engine(url)
    with Session(engine) as session:
        lapas = session.exec(select(Facility.id).where(Facility.code == "lapas-pekalongan")).one()
        october = and_(FacilityPopulation.facility_id == lapas, FacilityPopulation.month == date(2026, 10, 1))
        assert session.exec(delete(FacilityPopulation).where(october)).rowcount == 1
        session.commit()
    monkeypatch.setenv("REHAB_DATABASE_URL", url)
    monkeypatch.setenv("REHAB_DEMO_ON_EMPTY", "0")
    at = run_app({"filters_preset": "custom", "filters_from": date(2026, 9, 1), "filters_to": DEMO_TODAY})
    assert not at.exception
    overdue = overdue_count(expected_grid(engine, Filters(start=date(2026, 9, 1), end=DEMO_TODAY)))
    engine.dispose()
    assert overdue >= 1
    assert overview_warnings(at) == [t("completeness.overview_warning", count=format_number(overdue, "id"))]


def test_overview_without_overdue_months_has_no_warning(demo_env):
    """The demo's January–October 2026 is complete: no warning, so nobody distrusts good figures."""
    at = run_app(
        {"filters_preset": "custom", "filters_from": date(2026, 1, 1), "filters_to": date(2026, 10, 31)}
    )
    assert not at.exception
    assert (
        overdue_count(expected_grid(demo_env, Filters(start=date(2026, 1, 1), end=date(2026, 10, 31)))) == 0
    )
    assert overview_warnings(at) == []
