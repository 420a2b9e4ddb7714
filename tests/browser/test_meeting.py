"""Rapat Koordinasi in a real browser: step through the slides, then download the deck."""

import io

from pptx import Presentation

from rehabdata.i18n import t
from tests.browser.session import log_in, open_page
from tests.test_suppression import small_counts

SLIDE_KEYS = ("headline", "screening", "rehabilitation", "outreach", "delivery", "monev", "changes")
DOWNLOAD_TIMEOUT_MS = 120_000  # the first deck starts Chromium for kaleido inside the app


def test_step_through_and_download_deck(page, demo_app, tmp_path):
    """Berikutnya walks the eight slides in order; Unduh PowerPoint returns the same eight slides."""
    from playwright.sync_api import expect  # imported here: the fixtures skip when it is missing

    log_in(page, demo_app.url)
    open_page(page, t("page.meeting", "id"))
    stage = page.locator(".st-key-meeting_stage")
    headings = [stage.get_by_role("heading").first.inner_text()]
    for number, key in enumerate(SLIDE_KEYS, start=2):
        page.get_by_role("button", name=t("meeting.next", "id")).click()
        title = t(f"meeting.slide.{key}", "id")
        expect(stage.get_by_role("heading", name=title)).to_be_visible()
        expect(page.get_by_text(t("meeting.counter", "id", number=number, total=8))).to_be_visible()
        for test_id in (
            "stTable",
            "stMarkdownContainer",
            "stMetric",
            "stCaptionContainer",
        ):  # not chart ticks
            for text in stage.get_by_test_id(test_id).all_inner_texts():
                assert small_counts(text) == [], (title, text)
        headings.append(title)
    expect(page.get_by_role("button", name=t("meeting.next", "id"))).to_be_disabled()

    with page.expect_download(timeout=DOWNLOAD_TIMEOUT_MS) as download:
        page.get_by_role("button", name=t("meeting.download_deck", "id")).click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.suffix == ".pptx"
    deck = Presentation(io.BytesIO(path.read_bytes()))
    assert [slide.shapes.title.text for slide in deck.slides] == headings
