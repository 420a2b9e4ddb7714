"""The Ringkasan page under AppTest shows exactly what the KPI functions return."""

from datetime import date

import pytest
from sqlmodel import Session

from rehabdata import clock, completeness, kpis
from rehabdata.i18n import format_number, format_rate, t
from rehabdata.kpis import Filters
from rehabdata.models import Facility
from tests.conftest import EVERYONE
from tests.pages.apptest import metric, run_app

SEP_OCT = {"filters_preset": "custom", "filters_from": date(2025, 9, 1), "filters_to": date(2025, 10, 31)}


@pytest.fixture
def overview(app_env):
    return app_env


def test_cards_equal_kpi_functions(overview):
    """Screening count, coverage and attendance cards show the KPI functions' values for the filter."""
    at = run_app(SEP_OCT)
    assert not at.exception
    filters = Filters(start=date(2025, 9, 1), end=date(2025, 10, 31))
    with Session(overview.engine) as s:
        risk = kpis.run_kpi(s, EVERYONE, "risk_distribution", filters)
        coverage = kpis.run_kpi(s, EVERYONE, "screening_coverage", filters)
        attendance = kpis.run_kpi(s, EVERYONE, "attendance_rate", filters)
    assert metric(at, "Skrining").value == format_number(int(risk["denominator"].iloc[0]), "id") == "7"
    assert metric(at, "Cakupan skrining").value == format_rate(coverage["rate"].iloc[0], "id") == "3,8%"
    assert metric(at, "Tingkat kehadiran").value == format_rate(attendance["rate"].iloc[0], "id") == "75,0%"
    assert metric(at, "Peserta rehabilitasi aktif").value == "2"


def test_facility_filter_and_table(overview):
    """Choosing facility F2 narrows the cards and the table to F2."""
    at = run_app(SEP_OCT)
    with Session(overview.engine) as s:
        f2_code = s.get(Facility, overview.f2).code
    at.multiselect(key="filters_facility").set_value([f2_code]).run()
    assert not at.exception
    assert metric(at, "Skrining").value == "2"
    assert metric(at, "Tingkat kehadiran").value == "tidak ada data"
    table = at.dataframe[0].value
    assert table["facility"].tolist() == ["F2"]


def test_empty_period_says_no_data(overview):
    """A period without records shows the 'no data' sentence, not empty cards."""
    at = run_app({**SEP_OCT, "filters_from": date(2024, 1, 1), "filters_to": date(2024, 1, 31)})
    assert not at.exception
    assert any("Belum ada data" in info.value for info in at.info)
    assert len(at.metric) == 0


def test_english_labels(overview):
    """With the language set to English the cards are labelled in English."""
    at = run_app({**SEP_OCT, "lang": "en"})
    assert metric(at, "Screenings").value == "7"
    assert metric(at, "Attendance rate").value == "75.0%"


def test_reversed_custom_period_is_refused(overview):
    """An end date before the start date gives a message instead of a traceback."""
    at = run_app({**SEP_OCT, "filters_from": date(2025, 10, 31), "filters_to": date(2025, 9, 1)})
    assert not at.exception
    assert any("sesudah tanggal awal" in error.value for error in at.sidebar.error)


def test_overdue_reports_warning_counts_incomplete_facility_months(overview):
    """The warning names as many facility-months as reporting completeness finds overdue."""
    at = run_app(SEP_OCT)
    filters = Filters(start=date(2025, 9, 1), end=date(2025, 10, 31))
    with Session(overview.engine) as s:
        grid = completeness.completeness_grid(
            s, filters, today=clock.today(), deadline_day=completeness.reporting_deadline_day()
        )
    overdue = completeness.overdue_count(grid)
    assert overdue > 0, "the known data should leave some facility-month incomplete"
    warnings = [w.value for w in at.warning if "UPT-bulan" in w.value]
    assert warnings == [t("completeness.overview_warning", "id", count=format_number(overdue, "id"))]
