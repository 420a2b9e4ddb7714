"""Data entry in a real browser: staff save a moderate-risk screening and Ringkasan counts it at once."""

from sqlmodel import Session, select

from rehabdata import clock
from rehabdata.db import make_engine
from rehabdata.demo import DEMO_PASSWORD
from rehabdata.i18n import format_number, t
from rehabdata.models import Facility, Participant, Screening
from tests.browser.session import log_in, open_page, wait_for_figure

STAFF = "petugas.kabanjahe"


def _unscreened_today(database_url: str) -> str:
    """The code of a Kabanjahe participant still inside who has no screening today (so saving cannot clash)."""
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            screened = select(Screening.participant_id).where(Screening.screened_on == clock.today())
            code = session.exec(
                select(Participant.code)
                .join(Facility, Facility.id == Participant.facility_id)
                .where(
                    Facility.code == "rutan-kabanjahe",
                    Participant.exited_on.is_(None),
                    Participant.id.not_in(screened),
                )
                .order_by(Participant.code)
            ).first()
    finally:
        engine.dispose()
    assert code, "the demo data should hold a Kabanjahe participant not screened today"
    return code


def _metric(page, label: str):
    """The ``st.metric`` whose label is exactly ``label`` ("Skrining", not "Cakupan skrining")."""
    return page.get_by_test_id("stMetric").filter(
        has=page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True)
    )


def _share_caption(page):
    """The "x dari y" caption under the moderate + high risk card."""
    column = page.get_by_test_id("stColumn").filter(has=_metric(page, t("kpi.moderate_high_share", "id")))
    return column.get_by_test_id("stCaptionContainer")


def _number(text: str) -> int:
    return int(text.strip().replace(".", ""))


def _read_cards(page) -> tuple[int, int, int]:
    """Screenings, and the moderate/high numerator and denominator, as Ringkasan shows them."""
    from playwright.sync_api import expect

    screenings = _metric(page, t("kpi.screenings", "id")).get_by_test_id("stMetricValue")
    expect(screenings).to_have_count(1)
    caption = _share_caption(page)
    expect(caption).to_have_count(1)
    part, whole = caption.inner_text().split(" dari ")
    return _number(screenings.inner_text()), _number(part), _number(whole)


def _choose(page, label: str, option: str) -> None:
    """Pick ``option`` in the selectbox or multiselect labelled ``label`` by typing it and pressing Enter."""
    field = page.get_by_label(label, exact=True)
    field.click()
    field.fill(option)
    page.get_by_role("option", name=option, exact=True).first.click()


def test_saved_screening_is_counted_on_ringkasan(page, demo_app):
    """A moderate-risk screening saved by staff adds one screening and one moderate/high on Ringkasan."""
    from playwright.sync_api import expect  # imported here: the fixtures skip when it is missing

    code = _unscreened_today(demo_app.database_url)
    log_in(page, demo_app.url, username=STAFF, password=DEMO_PASSWORD)
    wait_for_figure(page)
    page.get_by_test_id("stStatusWidget").wait_for(state="hidden")
    screenings, part, whole = _read_cards(page)
    assert screenings == whole > 0

    open_page(page, t("page.screening_entry", "id"))
    _choose(page, t("screening_entry.participant", "id"), code)
    screener = page.get_by_label(t("screening_entry.screener", "id"))  # who screened: required
    screener.fill("Perawat klinik")
    screener.press("Tab")  # a text input sends its value when it loses focus
    page.get_by_test_id("stStatusWidget").wait_for(state="hidden")
    cannabis = t("substance.cannabis", "id")
    _choose(page, t("assist.q1", "id"), cannabis)
    page.keyboard.press("Escape")
    question = page.get_by_test_id("stRadio").filter(has_text=t("assist.q2", "id", substance=cannabis))
    question.get_by_text(t("assist.answer.weekly", "id"), exact=True).click()
    expected_badge = t("assist.result", "id", score=4, risk=t("risk.moderate", "id"))
    expect(page.get_by_text(expected_badge)).to_be_visible()
    page.get_by_test_id("stStatusWidget").wait_for(state="hidden")

    page.get_by_role("button", name=t("entry.save", "id")).click()
    saved = t("screening_entry.saved", "id", code=code, risk=t("risk.moderate", "id"))
    expect(page.get_by_test_id("stAlertContentSuccess")).to_contain_text(saved)  # after the icon ligature

    open_page(page, t("page.overview", "id"))
    expect(_metric(page, t("kpi.screenings", "id")).get_by_test_id("stMetricValue")).to_have_text(
        format_number(screenings + 1, "id")
    )
    expected_share = t(
        "kpi.of", "id", numerator=format_number(part + 1, "id"), denominator=format_number(whole + 1, "id")
    )
    expect(_share_caption(page)).to_have_text(expected_share)
