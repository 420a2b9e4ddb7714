"""The meeting deck: the Rapat Koordinasi slides as a 16:9 PowerPoint file (python-pptx).

Same slides, same suppressed numbers as the page (``meeting.build_view``). Charts are PNG pictures
that kaleido renders, through Chromium, from the same plotly figures the page draws. Each slide
has a source line (data as of, subject, period, marker legend) and speaker notes with the
numerators and denominators. Without Chromium a slide says so where its chart would be.
"""

import io
import logging
import threading
import warnings
from datetime import date, datetime

import kaleido
import plotly.graph_objects as go
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import PP_ALIGN
from pptx.slide import Slide as PptxSlide
from pptx.util import Emu, Inches, Pt
from sqlmodel import Session

from rehabdata.auth import Principal
from rehabdata.i18n import Lang, t
from rehabdata.meeting import TOTAL, MeetingView, Metric, Slide, Table, formatted, subject_of, view_for

log = logging.getLogger(__name__)

WIDTH, HEIGHT = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.5)
BODY_TOP, BODY_BOTTOM = Inches(1.35), Inches(6.85)
PX_PER_INCH = 90  # chart layout pixels per inch of slide: plotly's 18 px font reads as ~14 pt
IMAGE_SCALE = 2  # rendered pixels per layout pixel: sharp on a 1080p projector
WIDE_TABLE = 5  # tables with more columns than this get the full width, the chart below
LAYOUT_TITLE, LAYOUT_TITLE_ONLY = 0, 5
GREY = RGBColor(0x59, 0x59, 0x59)
ACCENT = RGBColor(0x00, 0x72, 0xB2)
_kaleido_lock = threading.Lock()  # the kaleido server answers one caller at a time


def chart_png(figure: go.Figure, width_px: int, height_px: int) -> bytes | None:
    """The figure as a PNG (kaleido, one shared Chromium per process); None when it cannot be drawn."""
    with _kaleido_lock:
        try:
            kaleido.start_sync_server(silence_warnings=True)
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message="The kopts argument is ignored")
                return figure.to_image(format="png", width=width_px, height=height_px, scale=IMAGE_SCALE)
        except Exception:  # no Chromium, a crashed browser: the deck is still worth having
            log.warning("chart image not rendered", exc_info=True)
            return None


def close_renderer() -> None:
    """Stop the shared Chromium (a one-off command; a long-running app keeps it for the next deck)."""
    with _kaleido_lock:
        kaleido.stop_sync_server(silence_warnings=True)


def _text(slide: PptxSlide, text: str, box: tuple[Emu, Emu, Emu, Emu], size: int, **style: object) -> None:
    """A text box; ``style``: bold, color, align."""
    frame = slide.shapes.add_textbox(*box).text_frame
    frame.word_wrap = True
    for index, line in enumerate(text.split("\n")):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        paragraph.text = line
        paragraph.alignment = style.get("align", PP_ALIGN.LEFT)
        paragraph.font.size = Pt(size)
        paragraph.font.bold = bool(style.get("bold", False))
        if "color" in style:
            paragraph.font.color.rgb = style["color"]


def _place_title(slide: PptxSlide, text: str, box: tuple[Emu, Emu, Emu, Emu], size: int) -> None:
    """Fill the layout's title placeholder and move it into the 16:9 frame (layouts are 4:3)."""
    title = slide.shapes.title
    title.left, title.top, title.width, title.height = box
    title.text = text
    for paragraph in title.text_frame.paragraphs:
        paragraph.font.size = Pt(size)
        paragraph.font.bold = True
        paragraph.alignment = PP_ALIGN.LEFT


def _lines(text: str, width: int, size: int) -> int:
    """Roughly how many lines ``text`` takes in a cell ``width`` EMU wide at ``size`` points."""
    per_line = max(1, int((width / Pt(1) - 10) / (size * 0.52)))
    lines, current = 1, 0
    for word in text.split():
        if current and current + 1 + len(word) > per_line:
            lines, current = lines + 1, len(word)
        else:
            current += len(word) + (1 if current else 0)
    return lines


def _column_widths(values: list[list[str]], width: int) -> list[int]:
    """Column widths in proportion to their longest unbreakable text (labels may wrap)."""
    weights = []
    for index, column in enumerate(zip(*values, strict=True)):
        words = max(len(word) for value in column for word in value.split() or [""])
        longest = max(len(value) for value in column[1:]) if len(column) > 1 else 0
        weights.append(max(words, min(longest, 26)) + 2 if index == 0 else max(words, longest) + 5)
    return [int(width * weight / sum(weights)) for weight in weights]


def _table(slide: PptxSlide, table: Table, lang: Lang, box: tuple[Emu, Emu, Emu, Emu]) -> int:
    """The table's brief columns: text left, numbers right, total row bold, type as large as fits.

    Returns the table's height (EMU), so that a chart can go below it.
    """
    text = formatted(table, lang)
    kinds = [column.kind for column in table.columns if column.brief]
    left, top, width, available = box
    values = [list(text.columns), *text.astype(str).values.tolist()]
    widths = _column_widths(values, width)
    largest = 16 if len(text.columns) <= WIDE_TABLE else 14
    for size in range(largest, 9, -1):
        heights = [
            int(Pt(size * 1.25)) * max(_lines(value, w, size) for value, w in zip(row, widths, strict=True))
            + int(Pt(size * 0.8))
            for row in values
        ]
        if sum(heights) <= available:
            break
    grid = slide.shapes.add_table(len(values), len(widths), left, top, width, sum(heights)).table
    for index, column_width in enumerate(widths):
        grid.columns[index].width = column_width
    last = len(values) - 1
    for r, row in enumerate(values):
        grid.rows[r].height = heights[r]
        for c, value in enumerate(row):
            cell = grid.cell(r, c)
            cell.text = value
            cell.margin_top = cell.margin_bottom = Pt(2)
            for paragraph in cell.text_frame.paragraphs:
                paragraph.font.size = Pt(size)
                paragraph.font.bold = r == 0 or (r == last and table.frame.index[-1] == TOTAL)
                paragraph.alignment = PP_ALIGN.LEFT if kinds[c] == "text" else PP_ALIGN.RIGHT
    return sum(heights)


def _metrics(slide: PptxSlide, metrics: tuple[Metric, ...]) -> None:
    """Headline cards, three per row: label, large value, "n dari d"."""
    card_width = int((WIDTH - 2 * MARGIN) / 3)
    card_height = Inches(2.5)
    for index, metric in enumerate(metrics):
        left = MARGIN + card_width * (index % 3)
        top = BODY_TOP + card_height * (index // 3) + Inches(0.1)
        inner = card_width - Inches(0.3)
        _text(slide, metric.label, (left, top, inner, Inches(0.5)), 18, color=GREY)
        _text(slide, metric.value, (left, top + Inches(0.5), inner, Inches(1.0)), 44, bold=True, color=ACCENT)
        if metric.detail:
            _text(slide, metric.detail, (left, top + Inches(1.5), inner, Inches(0.5)), 16)


def _picture(slide: PptxSlide, figure: go.Figure, lang: Lang, box: tuple[Emu, Emu, Emu, Emu]) -> None:
    """The chart drawn for exactly this box, or a sentence saying why it is missing."""
    left, top, width, height = box
    png = chart_png(figure, round(width / Inches(1) * PX_PER_INCH), round(height / Inches(1) * PX_PER_INCH))
    if png is None:
        _text(slide, t("meeting.chart_missing", lang), box, 14, color=GREY)
        return
    slide.shapes.add_picture(io.BytesIO(png), left, top, width=width, height=height)


def _body(slide: PptxSlide, content: Slide, lang: Lang) -> None:
    """Points, then metrics, or a table with its chart beside it (or below a wide table)."""
    full = WIDTH - 2 * MARGIN
    top = BODY_TOP
    if content.points:
        _text(slide, "\n".join(content.points), (MARGIN, top, full, Inches(0.45)), 16, color=GREY)
        top += Inches(0.5)
    if content.metrics:
        _metrics(slide, content.metrics)
        return
    table = content.table if content.table is not None and len(content.table.frame) else None
    wide = table is not None and sum(c.brief for c in table.columns) > WIDE_TABLE
    table_width = full if content.chart is None or wide else int(full * 0.48)
    if table is not None:
        room = BODY_BOTTOM - top - (Inches(2.2) if wide and content.chart is not None else 0)
        top_of_chart = top + _table(slide, table, lang, (MARGIN, top, table_width, room)) + Inches(0.25)
    if content.chart is None:
        return
    if wide:
        height = max(BODY_BOTTOM - top_of_chart, Inches(2.2))
        width = min(full, int(height * 3.6))
        _picture(slide, content.chart, lang, (MARGIN + int((full - width) / 2), top_of_chart, width, height))
    else:
        left = MARGIN + (table_width + Inches(0.3) if table is not None else 0)
        _picture(slide, content.chart, lang, (left, top, WIDTH - MARGIN - left, BODY_BOTTOM - top))


def _title_slide(deck: Presentation, view: MeetingView, content: Slide) -> PptxSlide:
    slide = deck.slides.add_slide(deck.slide_layouts[LAYOUT_TITLE])
    _text(slide, t("page.meeting", view.lang).upper(), (Inches(0.8), Inches(1.3), Inches(11.7), Inches(0.5)), 18,
          bold=True, color=ACCENT)  # fmt: skip
    _place_title(slide, content.title, (Inches(0.8), Inches(1.8), Inches(11.7), Inches(1.7)), 36)
    subtitle = slide.placeholders[1]
    subtitle.left, subtitle.top, subtitle.width, subtitle.height = (
        Inches(0.8),
        Inches(3.7),
        Inches(11.7),
        Inches(2.6),
    )
    subtitle.text = "\n".join(content.points)
    for paragraph in subtitle.text_frame.paragraphs:
        paragraph.font.size = Pt(20)
        paragraph.alignment = PP_ALIGN.LEFT
    return slide


def render_deck(view: MeetingView) -> bytes:
    """The view's slides as a .pptx file (16:9), with source lines and speaker notes."""
    deck = Presentation()
    deck.slide_width, deck.slide_height = WIDTH, HEIGHT
    for content in view.slides:
        if content.key == "title":
            slide = _title_slide(deck, view, content)
        else:
            slide = deck.slides.add_slide(deck.slide_layouts[LAYOUT_TITLE_ONLY])
            _place_title(slide, content.title, (MARGIN, Inches(0.3), WIDTH - 2 * MARGIN, Inches(0.9)), 30)
            _body(slide, content, view.lang)
        _text(slide, view.source, (MARGIN, Inches(6.95), WIDTH - 2 * MARGIN, Inches(0.45)), 10, color=GREY)
        slide.notes_slide.notes_text_frame.text = "\n".join(content.notes)
    deck.core_properties.title = f"{t('page.meeting', view.lang)}: {view.subject.name}"
    deck.core_properties.author = "rehabdata"
    output = io.BytesIO()
    deck.save(output)
    return output.getvalue()


def build_deck(
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
    """The meeting deck for one agreement, region or facility and a period, as ``principal`` may see it."""
    kind, code = subject_of(agreement_code, region_code, facility_code)
    return render_deck(view_for(session, principal, kind, code, start, end, lang, as_of=as_of))
