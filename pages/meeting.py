"""Rapat Koordinasi: the meeting's slides one at a time, suppressed for an audience outside the team.

Choose an agreement, region or facility and a period in the sidebar, step through the slides with
Sebelumnya/Berikutnya, and download the same slides as PowerPoint or their tables as Excel.
Presentation mode hides the sidebar and enlarges the text for a projector.
"""

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from rehabdata import clock, meeting
from rehabdata.deck import render_deck
from rehabdata.i18n import format_month
from rehabdata.periods import add_months, month_start, preset_range
from rehabdata.suppression import HIDDEN
from rehabdata.ui import panels
from rehabdata.ui.context import lang, tr
from rehabdata.ui.data import agreement_list, facility_lookup_for, meeting_view, require_principal
from rehabdata.workbook import render_workbook

SLIDE_KEY = "meeting_slide"
MONTHS_SHOWN = 12
RANGES = ("last_3_months", "this_year", "since_agreement", "custom")
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STAGE_CSS = """
.st-key-meeting_stage h2 {font-size: 2.6rem; line-height: 1.2}
.st-key-meeting_stage p, .st-key-meeting_stage li {font-size: 1.35rem}
.st-key-meeting_stage table {font-size: 1.2rem}
.st-key-meeting_stage td:not(:first-child), .st-key-meeting_stage th:not(:first-child) {text-align: right !important}
.st-key-meeting_stage [data-testid="stMetricValue"] * {font-size: 3.2rem !important; line-height: 1.2}
.st-key-meeting_stage [data-testid="stMetricLabel"] p {font-size: 1.3rem}
"""
PRESENTATION_CSS = """
section[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stExpandSidebarButton"], header[data-testid="stHeader"] {display: none}
.stMainBlockContainer {max-width: 100%; padding-top: 1rem}
"""


def _move(step: int, count: int) -> None:
    st.session_state[SLIDE_KEY] = max(0, min(count - 1, st.session_state.get(SLIDE_KEY, 0) + step))


def _period_label(option: str) -> str:
    if option in RANGES:
        return tr(f"preset.{option}")
    return format_month(date.fromisoformat(f"{option}-01"), lang())


def _period(option: str, today: date, signed_on: date | None) -> tuple[date, date] | None:
    """The chosen month (up to today), a preset range, or the custom dates (None if reversed)."""
    if option == "custom":
        start = st.sidebar.date_input(
            tr("filter.from"), key="meeting_from", max_value=today, format="DD/MM/YYYY"
        )
        end = st.sidebar.date_input(tr("filter.to"), key="meeting_to", max_value=today, format="DD/MM/YYYY")
        if end < start:
            st.sidebar.error(tr("filter.bad_period"))
            return None
        return start, end
    if option in RANGES:
        return preset_range(option, today, signed_on)  # type: ignore[arg-type]
    first = date.fromisoformat(f"{option}-01")
    return first, min(add_months(first, 1) - timedelta(days=1), today)


def _first_signing(agreements: pd.DataFrame, subject: meeting.Subject) -> date | None:
    """The earliest signing of the agreements covering the subject's facilities."""
    covering = [
        a.signed_on for a in agreements.itertuples() if set(a.facility_ids) & set(subject.facility_ids)
    ]
    return min(covering, default=None)


def _show_table(slide: meeting.Slide, present: bool) -> None:
    table = slide.table
    if table is None or table.frame.empty:
        return
    text = meeting.formatted(table, lang())
    st.table(text.map(lambda cell: f"\\{cell}" if cell == HIDDEN else cell), hide_index=True)  # not a bullet
    if not present:
        panels.download(
            meeting.export_frame(table), key=f"meeting_{slide.key}", filename=f"rapat_{slide.key}"
        )


def _show_slide(slide: meeting.Slide, view: meeting.MeetingView, present: bool) -> None:
    with st.container(key="meeting_stage", border=True):
        if slide.key == "title":
            st.caption(tr("page.meeting").upper())
        st.header(slide.title, anchor=False)
        for point in slide.points:
            st.markdown(point)
        if slide.metrics:
            for row in range(0, len(slide.metrics), 3):
                for column, metric in zip(st.columns(3), slide.metrics[row : row + 3], strict=False):
                    column.metric(metric.label, metric.value, border=True)
                    if metric.detail:
                        column.caption(metric.detail)
        elif slide.chart is not None and slide.table is not None and len(slide.table.columns) <= 5:
            left, right = st.columns([2, 3])
            with left:
                _show_table(slide, present)
            right.plotly_chart(slide.chart, key=f"meeting_chart_{slide.key}", config={"displaylogo": False})
        else:
            _show_table(slide, present)
            if slide.chart is not None:
                st.plotly_chart(slide.chart, key=f"meeting_chart_{slide.key}", config={"displaylogo": False})
        st.caption(view.source)
    if slide.notes and not present:
        with st.expander(tr("meeting.notes")):
            st.markdown("\n".join(f"- {note}" for note in slide.notes))


principal = require_principal()
today = clock.today()
agreements = agreement_list(meeting.ALL_TIME)
choices = meeting.subjects(agreements, facility_lookup_for(principal), principal)
if not choices:
    st.title(tr("page.meeting"))
    st.info(tr("meeting.none"), icon=":material/info:")
    st.stop()

kinds = [kind for kind in meeting.SUBJECT_KINDS if any(s.kind == kind for s in choices)]
kind = st.sidebar.radio(
    tr("meeting.kind"),
    kinds,
    format_func=lambda k: tr(f"meeting.kind.{k}"),
    key="meeting_kind",
    horizontal=True,
)
of_kind = {s.code: s for s in choices if s.kind == kind}
code = st.sidebar.selectbox(
    tr(f"meeting.kind.{kind}"), list(of_kind), format_func=lambda c: of_kind[c].name, key=f"meeting_{kind}"
)
subject = of_kind[code]
months = [f"{add_months(month_start(today), -back):%Y-%m}" for back in range(MONTHS_SHOWN)]
option = st.sidebar.selectbox(
    tr("filter.period"), [*months, *RANGES], index=1, format_func=_period_label, key="meeting_period"
)
period = _period(option, today, _first_signing(agreements, subject))
if period is None:
    st.stop()

present = bool(st.session_state.get("meeting_present", False))
st.html(f"<style>{STAGE_CSS}{PRESENTATION_CSS if present else ''}</style>")
if not present:
    st.title(tr("page.meeting"))

view = meeting_view(subject, *period, lang())
toolbar = st.columns([2, 1, 1], vertical_alignment="center")
toolbar[0].toggle(tr("meeting.present"), key="meeting_present", help=tr("meeting.present_help"))
toolbar[1].download_button(
    tr("meeting.download_deck"),
    data=panels.audited(lambda: render_deck(view), kind="pptx", file_name=view.file_name("pptx")),
    file_name=view.file_name("pptx"),
    mime=PPTX,
    on_click="ignore",
    key="meeting_deck",
    icon=":material/slideshow:",
)
toolbar[2].download_button(
    tr("meeting.download_xlsx"),
    data=panels.audited(lambda: render_workbook(view), kind="xlsx", file_name=view.file_name("xlsx")),
    file_name=view.file_name("xlsx"),
    mime=XLSX,
    on_click="ignore",
    key="meeting_xlsx",
    icon=":material/table_view:",
)

count = len(view.slides)
index = min(st.session_state.get(SLIDE_KEY, 0), count - 1)
navigation = st.columns([1, 2, 1], vertical_alignment="center")
navigation[0].button(
    tr("meeting.previous"),
    key="meeting_previous",
    on_click=_move,
    args=(-1, count),
    disabled=index == 0,
    icon=":material/arrow_back:",
    shortcut="Left",
    width="stretch",
)
navigation[1].markdown(
    f"<div style='text-align:center'>{tr('meeting.counter', number=index + 1, total=count)}</div>",
    unsafe_allow_html=True,
)
navigation[2].button(
    tr("meeting.next"),
    key="meeting_next",
    on_click=_move,
    args=(1, count),
    disabled=index == count - 1,
    icon=":material/arrow_forward:",
    shortcut="Right",
    icon_position="right",
    width="stretch",
)
_show_slide(view.slides[index], view, present)
