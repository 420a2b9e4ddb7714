"""The Rapat Koordinasi page under AppTest: slides in order, suppressed figures equal to the KPIs."""

import json
from dataclasses import replace
from datetime import date

from sqlmodel import Session

from rehabdata import kpis, meeting
from rehabdata.i18n import format_number, format_rate, t
from rehabdata.kpis import Filters
from rehabdata.meeting import build_view
from rehabdata.suppression import HIDDEN
from rehabdata.ui.data import clear_caches
from tests.pages.apptest import run_app
from tests.test_suppression import small_counts

PAGE = "pages/meeting.py"
OCTOBER = Filters(start=date(2026, 10, 1), end=date(2026, 10, 31))
STATE = {
    "meeting_kind": "agreement",
    "meeting_agreement": "pks-batang-2025",
    "meeting_period": "custom",
    "meeting_from": OCTOBER.start,
    "meeting_to": OCTOBER.end,
}
SLIDE_KEYS = ("headline", "screening", "rehabilitation", "outreach", "delivery", "monev", "changes")


def step_through(at) -> list[dict]:
    """Click Berikutnya until the last slide; each slide's header and every text it shows."""
    slides = []
    while True:
        counter = next(m.value for m in at.markdown if "Slide " in m.value)
        texts = [m.value for m in at.markdown if m.value != counter]
        texts += [c.value for c in at.caption] + [h.value for h in at.header]
        texts += [f"{m.label} {m.value}" for m in at.metric]
        for table in at.table:
            texts += [str(v) for v in table.value.to_numpy().ravel()] + [str(c) for c in table.value.columns]
        charts = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
        slides.append({"header": at.header[0].value, "counter": counter, "texts": texts, "charts": charts})
        next_button = at.button(key="meeting_next")
        if next_button.disabled:
            return slides
        at = next_button.click().run()
        assert not at.exception


def agreement_filters(engine) -> Filters:
    with Session(engine) as session:
        agreements = kpis.agreement_list(session, OCTOBER)
    ids = agreements.loc[agreements["code"] == "pks-batang-2025", "facility_ids"].iloc[0]
    return replace(OCTOBER, facility_ids=tuple(ids))


def test_slides_in_order_and_suppressed(demo_env):
    """Title, then the seven topics; no text, table cell, metric or count-chart bar shows a count 1–4."""
    slides = step_through(run_app(STATE, page=PAGE))
    headers = [slide["header"] for slide in slides]
    assert headers[0].startswith("PKS Rutan Pemalang")
    assert headers[1:] == [t(f"meeting.slide.{key}", "id") for key in SLIDE_KEYS]
    assert t("meeting.counter", "id", number=8, total=8) in slides[-1]["counter"]
    assert any("<5" in text for slide in slides for text in slide["texts"])
    for slide in slides:
        for text in slide["texts"]:
            assert small_counts(text) == [], (slide["header"], text)
    for slide in (slides[2], slides[4]):  # screening (risk counts) and outreach (people reached)
        (chart,) = slide["charts"]
        for trace in chart["data"]:
            values = [v for axis in ("x", "y") for v in trace.get(axis, []) if isinstance(v, int | float)]
            assert not [v for v in values if 0 < v < 5], (slide["header"], trace)


def test_headline_metrics_equal_kpis(demo_env, demo_kpi):
    """The headline cards show the agreement's KPIs, suppressed ('<5' for 1–4, '*' for hidden)."""
    at = run_app(STATE, page=PAGE).button(key="meeting_next").click().run()
    assert not at.exception
    filters = agreement_filters(demo_env)
    risk = demo_kpi("risk_distribution", filters).iloc[0]
    attendance = demo_kpi("attendance_rate", filters).iloc[0]
    active = int(demo_kpi("active_enrollments", filters)["count"].sum())
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[t("kpi.screenings", "id")] == format_number(risk["denominator"], "id")
    assert metrics[t("kpi.moderate_high_share", "id")] in {format_rate(risk["rate"], "id"), HIDDEN}
    assert metrics[t("kpi.attendance_rate", "id")] == format_rate(attendance["rate"], "id")
    assert metrics[t("kpi.active_enrollments", "id")] == format_number(active, "id")
    of = f"{format_number(attendance['numerator'], 'id')} dari {format_number(attendance['denominator'], 'id')}"
    assert of in [caption.value for caption in at.caption]


def test_presentation_mode_hides_the_sidebar(demo_env):
    """The toggle injects CSS hiding the sidebar and drops the page title."""
    at = run_app(STATE, page=PAGE)
    at = at.toggle(key="meeting_present").set_value(True).run()
    assert not at.exception
    styles = " ".join(element.proto.body for element in at.get("html"))
    assert 'section[data-testid="stSidebar"]' in styles and "display: none" in styles
    assert t("page.meeting", "id") not in [title.value for title in at.title]


def test_partner_sees_only_its_agreement(demo_env):
    """BNNK Karo can choose its MoU only; the Batang PKS is not offered."""
    at = run_app({"meeting_kind": "agreement"}, page=PAGE, username="bnnk.karo")
    assert not at.exception
    assert at.selectbox(key="meeting_agreement").options == [
        "MoU Rutan Kabanjahe – BNNK Karo: rehabilitasi WBP"
    ]


def test_stepping_through_builds_the_slides_once(demo_env, monkeypatch):
    """The slides are built once per subject and period: Berikutnya only shows the next one."""
    built = []

    def counting_build_view(*args, **kwargs):
        built.append(args[1:4])
        return build_view(*args, **kwargs)

    monkeypatch.setattr(meeting, "build_view", counting_build_view)
    clear_caches()  # built by no earlier test
    at = run_app(STATE, page=PAGE)
    for _ in range(3):
        at.button(key="meeting_next").click().run()
    assert not at.exception
    assert len(built) == 1
    at.session_state["meeting_from"] = date(2026, 9, 1)
    at.run()
    assert len(built) == 2  # another period: built anew
