"""Populasi under AppTest: a facility's monthly WBP count, its range checks and duplicates, on a private demo copy."""

from datetime import date

from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from rehabdata import clock, services
from rehabdata.models import AuditLog, FacilityPopulation
from tests.pages.apptest import run_app
from tests.pages.entry_support import STAFF, count, errors_under

PAGE = "pages/entry_population.py"
TODAY = clock.today()


def submit(at, month: date, total: int | None, narcotics: int | None, admissions: int | None = None):
    at.date_input(key="population_month").set_value(month)
    at.number_input(key="population_total").set_value(total)
    at.number_input(key="population_narcotics").set_value(narcotics)
    at.number_input(key="population_admissions").set_value(admissions)
    at.button(key="population_submit").click().run()
    assert not at.exception
    return at


def test_valid_month_is_saved_on_its_first_day(db):
    """The facility is locked to the staff's own; any day of a new month stores its 1st, audited once."""
    audits = count(db, AuditLog)
    at = run_app({}, PAGE, username=STAFF)
    assert not at.exception
    facility = at.selectbox(key="population_facility")
    assert (facility.options, facility.disabled) == (["Rutan Kelas IIB Kabanjahe"], True)
    day = TODAY.replace(day=min(TODAY.day, 15))
    submit(at, day, 350, 210, 12)
    month = TODAY.replace(day=1)
    assert at.success.values == [f"Populasi {month:%m/%Y} tersimpan."]
    with Session(db) as s:
        row = s.exec(select(FacilityPopulation).where(FacilityPopulation.month == month)).one()
    assert (row.wbp_total, row.wbp_narcotics, row.admissions) == (350, 210, 12)
    assert row.facility_id == at.selectbox(key="population_facility").value
    assert count(db, AuditLog) == audits + 1


def test_month_already_entered_is_refused_under_the_month(db):
    """A month the demo data already holds for the facility is refused, naming the month."""
    rows, audits = count(db, FacilityPopulation), count(db, AuditLog)
    at = run_app({}, PAGE, username=STAFF)
    submit(at, date(2025, 9, 20), 300, 150)
    assert errors_under(at, "population_month") == [
        "Populasi 2025-09 untuk UPT ini sudah ada; ubah data yang ada."
    ]
    assert (count(db, FacilityPopulation), count(db, AuditLog)) == (rows, audits)


def test_numbers_out_of_range_are_refused(db):
    """Population 0 and narcotics above the total are refused under the numbers; nothing is written."""
    rows = count(db, FacilityPopulation)
    at = run_app({}, PAGE, username=STAFF)
    submit(at, TODAY, 0, 0)
    assert errors_under(at, "population_admissions") == ["Harus lebih dari 0."]
    submit(at, TODAY, 100, 101)
    assert errors_under(at, "population_admissions") == [
        "WBP kasus narkotika tidak boleh melebihi jumlah WBP."
    ]
    assert at.success.values == []
    assert count(db, FacilityPopulation) == rows


def test_empty_total_is_required(db):
    """Leaving the WBP total empty says it is required."""
    at = run_app({}, PAGE, username=STAFF)
    submit(at, TODAY, None, 10)
    assert errors_under(at, "population_admissions") == ["Wajib diisi."]


def test_database_error_keeps_the_numbers(db, monkeypatch):
    """A database failure shows "Data belum tersimpan", writes nothing and keeps the typed numbers."""
    rows = count(db, FacilityPopulation)

    def unreachable(**_):
        raise OperationalError("INSERT INTO facility_population", {}, Exception("connection refused"))

    at = run_app({}, PAGE, username=STAFF)
    monkeypatch.setattr(services, "create", unreachable)
    submit(at, TODAY, 420, 250, 9)
    [message] = at.error.values
    assert message.startswith("Data belum tersimpan")
    assert [n.value for n in at.number_input] == [420, 250, 9]
    assert count(db, FacilityPopulation) == rows


def test_values_a_widget_would_reject_reach_the_check_and_are_refused_in_indonesian(db):
    """Negative admissions and a month after today are not swallowed by the widgets (which would
    keep the previous value and save it): each is refused under its field, nothing is written."""
    rows = count(db, FacilityPopulation)
    at = run_app({}, PAGE, username=STAFF)
    submit(at, date(TODAY.year + 1, 12, 31), 300, 150, -5)
    assert errors_under(at, "population_admissions") == ["Minimal 0."]
    assert at.date_input(key="population_month").value == date(TODAY.year + 1, 12, 31)
    assert errors_under(at, "population_month"), "a future month is refused under the field"
    assert count(db, FacilityPopulation) == rows
