"""Take the README's tour screenshots: the main pages of a fresh demo app, as a user sees them.

    python scripts/tour.py [--out docs/tour] [--port 8599]

Loads demo data into a new SQLite file, starts ``streamlit run dashboard.py`` on it, logs in as
``admin.demo`` through the login form with Playwright and Debian's Chromium (``/usr/bin/chromium``
or ``REHAB_CHROMIUM``; Playwright's own browsers are never downloaded), moves between pages by the
sidebar links and writes one 1280×800 PNG per page (viewport, not full page; < 300 KB each).
"""

import argparse
import io
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402 - after the path set-up, like the project imports
from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402

from rehabdata.i18n import t  # noqa: E402
from rehabdata.serving import ServerError, app_server  # noqa: E402
from tests.browser.server import CHROMIUM_ARGS, chromium_executable  # noqa: E402
from tests.browser.session import log_in  # noqa: E402

VIEWPORT = {"width": 1280, "height": 800}
MAX_BYTES = 300_000
TIMEOUT_MS = 60_000


def _settle(page: Page) -> None:
    """Wait until the script run has finished and every chart is drawn."""
    page.wait_for_timeout(500)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=TIMEOUT_MS)
    charts = page.get_by_test_id("stPlotlyChart")
    for index in range(charts.count()):
        charts.nth(index).locator(".js-plotly-plot .main-svg").first.wait_for(state="attached")
    page.wait_for_timeout(800)  # plotly's transitions and fonts


def _open(page: Page, title: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True).click()
    page.get_by_role("heading", name=title).first.wait_for(state="visible")
    _settle(page)


def _save(page: Page, path: Path) -> None:
    """A viewport screenshot; reduced to a 256-colour palette when the full-colour PNG is too large."""
    image = Image.open(io.BytesIO(page.screenshot(full_page=False)))
    image.save(path, optimize=True)
    if path.stat().st_size > MAX_BYTES:
        image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)
    print(
        f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}  {path.stat().st_size / 1024:,.0f} KB"
    )


def take_tour(page: Page, out: Path) -> None:
    """Log in and photograph each stop of the tour."""
    _settle(page)
    _save(page, out / "01-ringkasan.png")
    for name, title in (
        ("02-skrining", "page.screening"),
        ("03-rehabilitasi", "page.rehabilitation"),
        ("04-kerja-sama", "page.agreements"),
    ):
        _open(page, t(title, "id"))
        _save(page, out / f"{name}.png")
    _open(page, t("page.meeting", "id"))
    page.get_by_role("button", name=t("meeting.next", "id")).click()
    _settle(page)
    _save(page, out / "05-rapat-koordinasi.png")
    page.get_by_role("button", name=t("meeting.next", "id")).click()
    _settle(page)
    page.get_by_text(t("meeting.present", "id")).click()
    _settle(page)
    _save(page, out / "06-rapat-koordinasi-presentasi.png")
    page.get_by_text(t("meeting.present", "id")).click()
    _settle(page)
    _open(page, t("page.screening_entry", "id"))
    page.get_by_test_id("stMultiSelect").first.click()
    page.get_by_role("option", name=t("substance.amphetamines", "id")).click()
    page.keyboard.press("Escape")
    _settle(page)
    _save(page, out / "07-input-skrining.png")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "tour")
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="rehab-tour-") as directory:
        env = {
            **os.environ,
            "REHAB_DATABASE_URL": f"sqlite:///{directory}/tour.db",
            "REHAB_DEMO_ON_EMPTY": "0",
            "PYTHONPATH": str(ROOT),
        }
        subprocess.run([sys.executable, "-m", "rehabdata", "demo"], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        try:
            with app_server(env, Path(directory) / "streamlit.log", port=args.port or None) as server:
                with sync_playwright() as playwright:
                    browser = playwright.chromium.launch(
                        executable_path=chromium_executable(), args=CHROMIUM_ARGS
                    )
                    page = browser.new_page(viewport=VIEWPORT)
                    page.set_default_timeout(TIMEOUT_MS)
                    log_in(page, server.url)
                    take_tour(page, args.out)
                    browser.close()
        except ServerError as error:
            raise SystemExit(f"error: {error}") from None


if __name__ == "__main__":
    main()
