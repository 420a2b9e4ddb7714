"""The meeting deck: 16:9 slides in order, numbers equal to the KPI functions after suppression, real charts."""

import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from PIL import Image, ImageStat
from pptx import Presentation
from pptx.util import Inches
from sqlalchemy import Engine
from sqlmodel import Session, select

from rehabdata import deck as deck_module
from rehabdata import kpis
from rehabdata.auth import Principal, ScopeError, principal_for
from rehabdata.cli import main
from rehabdata.db import make_engine, upgrade_schema
from rehabdata.deck import build_deck
from rehabdata.demo import load_demo
from rehabdata.i18n import format_number, format_rate, t
from rehabdata.kpis import Filters
from rehabdata.meeting import view_for
from rehabdata.models import User
from rehabdata.suppression import HIDDEN
from tests.conftest import EVERYONE
from tests.test_suppression import small_counts

DEMO_TODAY = date(2026, 1, 31)
JANUARY = (date(2026, 1, 1), date(2026, 1, 31))
AS_OF = datetime(2026, 2, 3, 2, 30, tzinfo=UTC)  # 09:30 WIB: slides show the users' time
AGREEMENT = "pks-batang-2025"
SLIDE_KEYS = ("headline", "screening", "rehabilitation", "outreach", "delivery", "monev", "changes")


@dataclass(frozen=True)
class MeetingData:
    """A demo database (Aug 2025 – Jan 2026) and its admin."""

    engine: Engine
    admin: Principal

    def principal(self, username: str) -> Principal:
        """The principal of a demo user."""
        with Session(self.engine) as session:
            return principal_for(session, session.exec(select(User).where(User.username == username)).one())


@pytest.fixture(scope="module")
def meeting_data(tmp_path_factory) -> Iterator[MeetingData]:
    """Demo data generated for 31 Jan 2026, built once per test module."""
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('meeting') / 'demo.db'}")
    upgrade_schema(engine)
    load_demo(engine, today=DEMO_TODAY)
    with Session(engine) as session:
        admin = principal_for(session, session.exec(select(User).where(User.username == "admin.demo")).one())
    yield MeetingData(engine, admin)
    engine.dispose()


@pytest.fixture(scope="module")
def deck(meeting_data: MeetingData):
    """The PKS Batang deck for January 2026 (built once: kaleido draws four charts)."""
    with Session(meeting_data.engine) as session:
        data = build_deck(session, meeting_data.admin, agreement_code=AGREEMENT, start=JANUARY[0],
                          end=JANUARY[1], as_of=AS_OF)  # fmt: skip
    return Presentation(io.BytesIO(data))


@pytest.fixture(scope="module")
def agreement_filters(meeting_data: MeetingData) -> Filters:
    """The KPI filter of the agreement's facilities in January 2026."""
    with Session(meeting_data.engine) as session:
        agreements = kpis.agreement_list(session, Filters(*JANUARY))
    facility_ids = agreements.loc[agreements["code"] == AGREEMENT, "facility_ids"].iloc[0]
    return Filters(*JANUARY, facility_ids=tuple(facility_ids))


def kpi(meeting_data: MeetingData, name: str, filters: Filters, by=()):
    with Session(meeting_data.engine) as session:
        return kpis.run_kpi(session, EVERYONE, name, filters, by)


def slide_text(slide) -> str:
    """Every text on a slide: text boxes, placeholders and table cells."""
    parts = []
    for shape in slide.shapes:
        if shape.has_text_frame:
            parts.append(shape.text_frame.text)
        if shape.has_table:
            parts += [cell.text for row in shape.table.rows for cell in row.cells]
    return "\n".join(parts)


def table_rows(slide) -> list[list[str]]:
    """The slide's table as rows of cell texts (header first)."""
    table = next(shape.table for shape in slide.shapes if shape.has_table)
    return [[cell.text for cell in row.cells] for row in table.rows]


def count_forms(value: float) -> set[str]:
    """How a count may read after suppression: '<5' if 1–4, else itself or '*' (hidden to protect)."""
    if 0 < value < 5:
        return {"<5"}
    return {format_number(value, "id"), HIDDEN}


def rate_forms(numerator: float, denominator: float) -> set[str]:
    """How a rate may read: '*' if either part is 1–4, else itself or '*'; '–' (no data) without denominator."""
    if any(0 < v < 5 for v in (numerator, denominator)):
        return {HIDDEN}
    if not denominator:
        return {"–"}
    return {format_rate(numerator / denominator, "id"), HIDDEN}


def test_sixteen_by_nine_with_titles_in_order(deck):
    """Eight slides: the agreement's title, then the topics in the page's order."""
    assert (deck.slide_width, deck.slide_height) == (Inches(13.333), Inches(7.5))
    titles = [slide.shapes.title.text for slide in deck.slides]
    assert titles[1:] == [t(f"meeting.slide.{key}", "id") for key in SLIDE_KEYS]
    assert titles[0].startswith("PKS Rutan Pemalang")


def test_headline_equals_kpis(deck, meeting_data, agreement_filters):
    """Headline cards and their notes show the agreement's KPIs, suppressed: value and 'n dari d'."""
    coverage = kpi(meeting_data, "screening_coverage", agreement_filters).iloc[0]
    risk = kpi(meeting_data, "risk_distribution", agreement_filters).iloc[0]
    referral = kpi(meeting_data, "referral_funnel", agreement_filters).iloc[0]
    attendance = kpi(meeting_data, "attendance_rate", agreement_filters).iloc[0]
    active = kpi(meeting_data, "active_enrollments", agreement_filters)["count"].sum()
    expected = [
        (t("kpi.screening_coverage", "id"), coverage["numerator"], coverage["denominator"]),
        (t("kpi.screenings", "id"), risk["denominator"], None),
        (t("kpi.moderate_high_share", "id"), risk["numerator"], risk["denominator"]),
        (t("kpi.referral_rate", "id"), referral["enrolled_30d"], referral["moderate_high"]),
        (t("kpi.attendance_rate", "id"), attendance["numerator"], attendance["denominator"]),
        (t("kpi.active_enrollments", "id"), active, None),
    ]
    notes = deck.slides[1].notes_slide.notes_text_frame.text.split("\n")
    text = slide_text(deck.slides[1])
    shown = 0
    for (label, numerator, denominator), note in zip(expected, notes, strict=True):
        assert label in text
        if denominator is None:
            value = note.removeprefix(f"{label}: ")
            assert value in count_forms(numerator), (label, value, numerator)
        else:
            value, _, of = note.removeprefix(f"{label}: ").partition(" (")
            assert value in rate_forms(numerator, denominator), (label, value, numerator, denominator)
            n, _, d = of.removesuffix(")").partition(" dari ")
            assert n in count_forms(numerator) and d in count_forms(denominator), (label, of)
        assert value in text
        shown += value not in {HIDDEN, "<5"}
    assert shown >= 4, "the demo month should show most headline figures"


def test_screening_table_equals_kpis(deck, meeting_data, agreement_filters):
    """Each facility row reads risk_distribution, coverage and referral of that facility, suppressed."""
    by = ("facility",)
    risk = kpi(meeting_data, "risk_distribution", agreement_filters, by).set_index("facility_id")
    coverage = kpi(meeting_data, "screening_coverage", agreement_filters, by).set_index("facility_id")
    referral = kpi(meeting_data, "referral_funnel", agreement_filters, by).set_index("facility_id")
    with Session(meeting_data.engine) as session:
        names = kpis.facility_labels(session).set_index("facility")["facility_id"]
    header, *rows = table_rows(deck.slides[2])
    assert header[:5] == [
        t(k, "id") for k in ("col.facility", "kpi.screenings", "risk.low", "risk.moderate", "risk.high")
    ]
    small = 0
    for name, screenings, low, moderate, high, share, cov, ref in rows[:-1]:
        r, c, f = risk.loc[names[name]], coverage.loc[names[name]], referral.loc[names[name]]
        assert screenings in count_forms(r["denominator"])
        for text, value in ((low, r["low"]), (moderate, r["moderate"]), (high, r["high"])):
            assert text in count_forms(value), (name, text, value)
            small += text == "<5"
        assert share in rate_forms(r["numerator"], r["denominator"])
        assert cov in rate_forms(c["numerator"], c["denominator"])
        assert ref in rate_forms(f["enrolled_30d"], f["moderate_high"])
    assert rows[-1][0] == t("meeting.total", "id")
    assert small > 0, "the demo month should have small risk cells to suppress"


def test_notes_hold_numerators_and_denominators(deck):
    """Topic slides' notes give each rate with its 'n dari d'."""
    notes = deck.slides[3].notes_slide.notes_text_frame.text
    assert f"{t('kpi.attendance_rate', 'id')}: " in notes and " dari " in notes


def test_delivery_equals_agreement_delivery(deck, meeting_data, agreement_filters):
    """Each scope item reads target, delivered since signing and the share, as agreement_delivery says."""
    delivery = kpi(meeting_data, "agreement_delivery", agreement_filters)
    delivery = delivery[delivery["agreement_code"] == AGREEMENT]
    _, *rows = table_rows(deck.slides[5])
    assert [row[0] for row in rows] == list(delivery["description"])
    for (_, target, delivered, share), item in zip(rows, delivery.itertuples(), strict=True):
        assert target in count_forms(item.target) and delivered in count_forms(item.delivered)
        assert share in rate_forms(item.delivered, item.target)


def test_every_slide_has_a_source_line(deck):
    """Each slide names the data's timestamp, the agreement and the period."""
    for slide in deck.slides:
        text = slide_text(slide)
        assert "data per 3 Feb 2026 09:30 WIB" in text
        assert "1 Jan 2026 – 31 Jan 2026" in text


def test_charts_are_real_pictures(deck):
    """Four slides carry a chart picture that is neither empty nor a single colour."""
    pictures = [shape for slide in deck.slides for shape in slide.shapes if shape.shape_type == 13]
    assert len(pictures) == 4
    for picture in pictures:
        image = Image.open(io.BytesIO(picture.image.blob)).convert("RGB")
        assert image.width >= 800 and len(picture.image.blob) > 10_000
        assert len(image.getcolors(maxcolors=1 << 20)) > 20
        assert max(ImageStat.Stat(image).stddev) > 10


def test_no_count_from_one_to_four(deck):
    """No text or note of the deck shows a count from 1 to 4."""
    for slide in deck.slides:
        for text in (slide_text(slide), slide.notes_slide.notes_text_frame.text):
            assert small_counts(text) == [], text


def test_scope_is_enforced(meeting_data):
    """A BNNK Karo partner cannot export the Batang agreement; an unknown code is an error."""
    karo = meeting_data.principal("bnnk.karo")
    with Session(meeting_data.engine) as session:
        with pytest.raises(ScopeError):
            view_for(session, karo, "agreement", AGREEMENT, *JANUARY, "id")
        with pytest.raises(LookupError):
            view_for(session, karo, "facility", "no-such-facility", *JANUARY, "id")
        assert view_for(session, karo, "agreement", "mou-karo-2025", *JANUARY, "id").slides


def test_english_on_request(meeting_data):
    """lang='en' gives English slide titles and English number formats."""
    with Session(meeting_data.engine) as session:
        view = view_for(session, meeting_data.admin, "region", "pekalongan", *JANUARY, "en", as_of=AS_OF)
    assert [s.title for s in view.slides[1:]] == [t(f"meeting.slide.{key}", "en") for key in SLIDE_KEYS]
    assert "data as of 3 Feb 2026 09:30 WIB" in view.source


def test_cli_report_and_scope(meeting_data, monkeypatch, tmp_path, capsys):
    """`report` writes one facility's month (a note where a chart cannot be drawn); scope is enforced."""
    monkeypatch.setenv("REHAB_DATABASE_URL", meeting_data.engine.url.render_as_string(hide_password=False))
    monkeypatch.setattr(deck_module, "chart_png", lambda *args: None)  # as on a machine without Chromium
    out = tmp_path / "laporan.pptx"
    assert main(["report", "--facility", "rutan-kabanjahe", "--month", "2026-01", "--out", str(out)]) == 0
    assert "8 slides" in capsys.readouterr().out
    report = Presentation(str(out))
    assert report.slides[0].shapes.title.text == "Rutan Kelas IIB Kabanjahe"
    assert t("meeting.chart_missing", "id") in slide_text(report.slides[2])
    assert "1 Jan 2026 – 31 Jan 2026" in slide_text(report.slides[2])
    refused = ["export-deck", "--agreement", AGREEMENT, "--from", "2026-01-01", "--to", "2026-01-31",
               "--user", "bnnk.karo", "--out", str(tmp_path / "no.pptx")]  # fmt: skip
    assert main(refused) == 2
    assert "may not see" in capsys.readouterr().err
    assert not (tmp_path / "no.pptx").exists()
