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
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402 - after the path set-up, like the project imports
from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402

from rehabdata.i18n import t  # noqa: E402
from tests.browser.session import log_in  # noqa: E402

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
VIEWPORT = {"width": 1280, "height": 800}
MAX_BYTES = 300_000
TIMEOUT_MS = 60_000


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(url: str, process: subprocess.Popen, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"streamlit exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)
    raise SystemExit(f"streamlit not healthy at {url} after {timeout_s} s")


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
    chromium = os.environ.get("REHAB_CHROMIUM", "/usr/bin/chromium")
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
        url = f"http://127.0.0.1:{args.port or _free_port()}"
        command = [
            sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.headless", "true",
            "--server.port", url.rsplit(":", 1)[1], "--server.address", "127.0.0.1",
            "--browser.gatherUsageStats", "false",
        ]  # fmt: skip
        with open(Path(directory) / "streamlit.log", "wb") as log:
            process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
            try:
                _wait_healthy(url, process)
                with sync_playwright() as playwright:
                    browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
                    page = browser.new_page(viewport=VIEWPORT)
                    page.set_default_timeout(TIMEOUT_MS)
                    log_in(page, url)
                    take_tour(page, args.out)
                    browser.close()
            finally:
                process.terminate()
                process.wait(timeout=10)


if __name__ == "__main__":
    main()
