"""The meeting workbook: every table of the Rapat Koordinasi view in one Excel file (openpyxl).

A cover sheet names the subject, period, comparison period, data timestamp and suppression
threshold; then one sheet per topic with all of the table's columns (slides show fewer). Values
are those of ``meeting.build_view`` — already suppressed — with numbers as numbers (rates as
percentages) and markers as text. Every text cell goes through ``export.neutralise_cell``, so a
name or description such as ``=HYPERLINK(...)`` stays inert text.
"""

import io
import math
import re
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from sqlmodel import Session

from rehabdata import clock
from rehabdata.auth import Principal
from rehabdata.export import neutralise_cell
from rehabdata.i18n import Lang, t
from rehabdata.meeting import CellKind, MeetingView, Table, legend, subject_of, view_for
from rehabdata.suppression import is_marker

FORMATS: dict[str, str] = {
    "count": "#,##0",
    "rate": "0.0%",
    "change_count": "+#,##0;-#,##0;0",
    "change_pp": '+0.0" pp";-0.0" pp";0.0" pp"',
}
SHEET_NAME = re.compile(r"[\[\]:*?/\\]")
BOLD = Font(bold=True)


def _sheet_title(text: str, taken: set[str]) -> str:
    """An Excel sheet name: no []:*?/\\, at most 31 characters, unique in the workbook."""
    base = " ".join(SHEET_NAME.sub(" ", text).split())
    while len(base) > 31 and " " in base:
        base = base.rsplit(" ", 1)[0]
    base = base[:31]
    title, number = base, 2
    while title.lower() in taken:
        suffix = f" ({number})"
        title, number = base[: 31 - len(suffix)] + suffix, number + 1
    taken.add(title.lower())
    return title


def _cell_value(value: object, kind: CellKind, row_kind: str) -> tuple[object, str | None]:
    """The value to store and its number format: numbers stay numbers, text is made inert."""
    if is_marker(value):
        return value, None
    if kind == "text":
        return neutralise_cell("" if value is None else str(value)), None
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None, None
    number = float(value)  # type: ignore[arg-type]
    if kind == "row":
        kind = "rate" if row_kind == "rate" else "count"
    if kind == "change":
        return number, FORMATS["change_pp" if row_kind == "rate" else "change_count"]
    if kind == "count" and number.is_integer():
        return int(number), FORMATS["count"]
    return number, FORMATS.get(kind)


def write_table(sheet: Worksheet, table: Table) -> None:
    """Header row (bold, frozen) and one row per table row, all columns."""
    sheet.append([neutralise_cell(column.label) for column in table.columns])
    for cell in sheet[1]:
        cell.font = BOLD
    frame = table.frame
    kinds = frame["kind"] if "kind" in frame.columns else ["count"] * len(frame)
    for (_, row), row_kind in zip(frame.iterrows(), kinds, strict=True):
        cells = [_cell_value(row[column.key], column.kind, row_kind) for column in table.columns]
        sheet.append([value for value, _ in cells])
        for cell, (_, number_format) in zip(sheet[sheet.max_row], cells, strict=True):
            if number_format:
                cell.number_format = number_format
    sheet.freeze_panes = "B2"
    for index, column in enumerate(table.columns, start=1):
        longest = max([len(str(column.label)), *(len(str(v)) for v in frame[column.key])])
        sheet.column_dimensions[get_column_letter(index)].width = min(max(10, longest + 2), 60)


def _cover(sheet: Worksheet, view: MeetingView, sheet_titles: list[str]) -> None:
    lang = view.lang
    subject = view.subject
    rows: list[tuple[str, object]] = [
        (t("meeting.cover.subject", lang), f"{t(f'meeting.kind.{subject.kind}', lang)}: {subject.name}"),
        (t("meeting.cover.code", lang), subject.code),
        (t("agreements.parties", lang), " · ".join([*subject.partners, *subject.facilities])),
        (t("filter.from", lang), view.start),
        (t("filter.to", lang), view.end),
        (t("meeting.cover.previous", lang), f"{view.previous[0]:%d/%m/%Y} – {view.previous[1]:%d/%m/%Y}"),
        (
            t("meeting.cover.as_of", lang),
            clock.local(view.as_of).replace(second=0, microsecond=0, tzinfo=None),
        ),
        (t("meeting.cover.threshold", lang), view.limit),
        ("", legend(lang, view.limit)),
        (t("meeting.cover.sheets", lang), ", ".join(sheet_titles)),
    ]
    sheet.append([neutralise_cell(t("meeting.cover.title", lang))])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([])
    for label, value in rows:
        sheet.append([neutralise_cell(label), neutralise_cell(value)])
        cell = sheet.cell(sheet.max_row, 2)
        if isinstance(value, datetime):
            cell.number_format = "DD/MM/YYYY HH:MM"
        elif isinstance(value, date):
            cell.number_format = "DD/MM/YYYY"
        sheet.cell(sheet.max_row, 1).font = BOLD
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 90


def render_workbook(view: MeetingView) -> bytes:
    """The view's tables as an .xlsx file: a cover sheet, then one sheet per topic."""
    workbook = Workbook()
    cover = workbook.active
    taken = {_sheet_title(t("meeting.cover.sheet", view.lang), set())}
    cover.title = next(iter(taken))
    titles = []
    for slide in view.slides:
        if slide.table is None:
            continue
        title = _sheet_title(slide.title, taken)
        titles.append(title)
        write_table(workbook.create_sheet(title), slide.table)
    _cover(cover, view, titles)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def build_workbook(
    session: Session,
    principal: Principal,
    *,
    agreement_code: str | None = None,
    region_code: str | None = None,
    facility_code: str | None = None,
    start: date,
    end: date,
    lang: Lang = "id",
    as_of: datetime | None = None,
) -> bytes:
    """The meeting workbook for one agreement, region or facility and a period, as ``principal`` sees it."""
    kind, code = subject_of(agreement_code, region_code, facility_code)
    return render_workbook(view_for(session, principal, kind, code, start, end, lang, as_of=as_of))
