"""The meeting workbook: one sheet per topic, numbers as numbers, suppressed, formula-safe text (and CSV)."""

import io
from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from sqlmodel import Session, select

from rehabdata.auth import principal_for
from rehabdata.db import session_scope
from rehabdata.demo import create_demo_users
from rehabdata.export import to_csv_bytes
from rehabdata.i18n import t
from rehabdata.meeting import export_frame, view_for
from rehabdata.models import AgreementScopeItem, Facility, User
from rehabdata.reference import seed_reference_data
from rehabdata.workbook import build_workbook, render_workbook
from tests.test_deck import AGREEMENT, AS_OF, JANUARY, SLIDE_KEYS, meeting_data  # noqa: F401 - fixture
from tests.test_suppression import small_counts

EVIL = '=HYPERLINK("http://evil.example","klik")'


@pytest.fixture(scope="module")
def workbook(meeting_data):  # noqa: F811 - the fixture imported above
    """The PKS Batang workbook for January 2026."""
    with Session(meeting_data.engine) as session:
        data = build_workbook(session, meeting_data.admin, agreement_code=AGREEMENT, start=JANUARY[0],
                              end=JANUARY[1], as_of=AS_OF)  # fmt: skip
    return load_workbook(io.BytesIO(data))


def test_cover_and_one_sheet_per_topic(workbook):
    """A cover sheet with the selection, period and timestamp, then one sheet per slide table."""
    cover = workbook.worksheets[0]
    assert cover.title == t("meeting.cover.sheet", "id")
    labels = {row[0]: row[1] for row in cover.iter_rows(min_row=3, values_only=True)}
    assert labels[t("meeting.cover.code", "id")] == AGREEMENT
    assert labels[t("filter.from", "id")] == datetime(2026, 1, 1)
    assert labels[t("filter.to", "id")] == datetime(2026, 1, 31)
    assert labels[t("meeting.cover.as_of", "id")] == datetime(2026, 2, 3, 9, 30)  # AS_OF in WIB
    assert labels[t("meeting.cover.threshold", "id")] == 5
    titles = [sheet.title for sheet in workbook.worksheets[1:]]
    assert len(titles) == len(SLIDE_KEYS)
    assert [title.split()[0] for title in titles] == [
        t(f"meeting.slide.{key}", "id").split()[0].rstrip(":") for key in SLIDE_KEYS
    ]


def test_numbers_are_numbers(workbook):
    """Counts are integers, rates are fractions formatted as percentages; markers are text."""
    sheet = workbook.worksheets[1]  # headline: indicator, value, numerator, denominator
    rows = list(sheet.iter_rows(min_row=2))
    attendance = next(row for row in rows if row[0].value == t("kpi.attendance_rate", "id"))
    assert isinstance(attendance[1].value, float) and attendance[1].number_format == "0.0%"
    assert isinstance(attendance[2].value, int) and attendance[2].number_format == "#,##0"
    screening = workbook.worksheets[2]
    values = [cell.value for row in screening.iter_rows(min_row=2) for cell in row[1:]]
    assert any(isinstance(v, int) and v >= 5 for v in values)
    assert "<5" in values


def test_no_count_from_one_to_four(workbook):
    """No cell holds a count from 1 to 4, as a number or as text (changes and rates are not counts)."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                value = cell.value
                if isinstance(value, str):
                    assert small_counts(value) == [], (sheet.title, cell.coordinate, value)
                elif isinstance(value, int | float) and not isinstance(value, bool):
                    counted = "%" not in cell.number_format and not cell.number_format.startswith("+")
                    assert not (counted and 0 < value < 5), (sheet.title, cell.coordinate, value)


@pytest.fixture
def evil_view(engine):
    """A view whose facility name and scope item description are spreadsheet formulas."""
    with session_scope(engine) as session:
        seed_reference_data(session)
        create_demo_users(session)
        facility = session.exec(select(Facility).where(Facility.code == "rutan-kabanjahe")).one()
        facility.name = EVIL
        item = session.exec(select(AgreementScopeItem).where(AgreementScopeItem.code == "screening")).first()
        item.description = EVIL
    with Session(engine) as session:
        admin = principal_for(session, session.exec(select(User).where(User.username == "admin.demo")).one())
        return view_for(session, admin, "agreement", "mou-karo-2025", *JANUARY, "id", as_of=AS_OF)


def test_formula_text_is_inert_in_xlsx(evil_view):
    """A place or topic '=HYPERLINK(...)' is stored as text starting with a quote, never as a formula."""
    workbook = load_workbook(io.BytesIO(render_workbook(evil_view)))
    cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    evil = [c for c in cells if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert sum(c.value == "'" + EVIL for c in evil) >= 3  # facility rows of two sheets, the scope item
    assert all(c.data_type == "s" and not c.value.startswith("=") for c in evil)


def test_formula_text_is_inert_in_csv(evil_view):
    """The page's CSV of a slide table quotes the same text, so a spreadsheet shows it as text."""
    tables = {slide.key: slide.table for slide in evil_view.slides if slide.table is not None}
    for key in ("screening", "delivery"):
        text = to_csv_bytes(export_frame(tables[key])).decode("utf-8-sig")
        assert "'=HYPERLINK" in text
        assert not [line for line in text.splitlines() if line.startswith(("=", '"='))]


def test_dates_of_the_period(evil_view):
    """The view covers the requested period and the month before for the closing slide."""
    assert (evil_view.start, evil_view.end) == JANUARY
    assert evil_view.previous == (date(2025, 12, 1), date(2025, 12, 31))
