"""Fixtures for the browser tests: Debian Chromium via Playwright, and the app on demo data.

The tests need the ``playwright`` package and a Chromium binary (``/usr/bin/chromium``, or the
path in ``REHAB_CHROMIUM``). Playwright's own browser download is never used. Without them the
tests are skipped, unless ``REHAB_REQUIRE_BROWSER=1`` (CI), where that is a failure.
"""

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

try:
    from playwright.sync_api import Browser, Page, sync_playwright
except ImportError:  # pragma: no cover - depends on the environment
    sync_playwright = None

BROWSER_DIR = Path(__file__).resolve().parent
REPO_ROOT = BROWSER_DIR.parent.parent
DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
DEMO_TIMEOUT_S = 600
HEALTH_TIMEOUT_S = 60
STOP_TIMEOUT_S = 10
PAGE_TIMEOUT_MS = 30_000


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test under tests/browser with ``browser`` (``-m "not browser"`` deselects them)."""
    for item in items:
        if item.path.is_relative_to(BROWSER_DIR):
            item.add_marker(pytest.mark.browser)


def _unavailable(reason: str) -> None:
    if os.environ.get("REHAB_REQUIRE_BROWSER", "").strip() == "1":
        pytest.fail(f"{reason}. CI requires the browser tests: apt-get install -y chromium", pytrace=False)
    pytest.skip(
        f"{reason}: browser tests skipped. To run them: apt-get install -y chromium "
        "(or set REHAB_CHROMIUM=/path/to/chromium) and pip install playwright"
    )


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """The Chromium executable; skips (or fails under REHAB_REQUIRE_BROWSER=1) when it is missing."""
    path = os.environ.get("REHAB_CHROMIUM", "").strip() or DEFAULT_CHROMIUM
    if sync_playwright is None:
        _unavailable("the playwright package is not importable")
    if not Path(path).is_file():
        _unavailable(f"no Chromium at {path}")
    return path


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator["Browser"]:
    """Headless Chromium for the whole session."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: "Browser") -> Iterator["Page"]:
    """A fresh browser context and page per test (no shared Streamlit session or cookies)."""
    context = browser.new_context()
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    new_page = context.new_page()
    yield new_page
    context.close()


@dataclass(frozen=True)
class DemoApp:
    """A running ``streamlit run dashboard.py`` on a demo database."""

    url: str
    database_url: str


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _wait_healthy(url: str, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + HEALTH_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"streamlit exited with code {process.returncode}; log tail:\n{_tail(log_path)}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)
    pytest.fail(f"streamlit not healthy at {url} after {HEALTH_TIMEOUT_S} s; log tail:\n{_tail(log_path)}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def demo_app(chromium_path: str) -> Iterator[DemoApp]:
    """The dashboard served by ``streamlit run`` on a fresh SQLite database filled by ``rehabdata demo``.

    Depends on ``chromium_path`` so that nothing is started when the browser tests are skipped.
    """
    with tempfile.TemporaryDirectory(prefix="rehab-e2e-") as tmp:
        directory = Path(tmp)
        database_url = f"sqlite:///{directory / 'e2e.db'}"
        # The app must show what the CLI loaded, not fill an empty database by itself.
        env = {**os.environ, "REHAB_DATABASE_URL": database_url, "REHAB_DEMO_ON_EMPTY": "0"}
        demo = subprocess.run(
            [sys.executable, "-m", "rehabdata", "demo"],
            cwd=REPO_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=DEMO_TIMEOUT_S,
            check=False,
        )
        if demo.returncode != 0:
            pytest.fail(
                f"`python -m rehabdata demo` exited with {demo.returncode}:\n{demo.stdout}\n{demo.stderr}"
            )

        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        log_path = directory / "streamlit.log"
        command = [
            sys.executable, "-m", "streamlit", "run", "dashboard.py",
            "--server.headless", "true",
            "--server.port", str(port),
            "--server.address", "127.0.0.1",
            "--browser.gatherUsageStats", "false",
        ]  # fmt: skip
        with log_path.open("wb") as log:
            process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
            try:
                _wait_healthy(url, process, log_path)
                yield DemoApp(url=url, database_url=database_url)
            finally:
                _stop(process)
