"""Fixtures for the browser tests: Debian Chromium via Playwright, and the app on demo data.

The tests need the ``playwright`` package and a Chromium binary (``/usr/bin/chromium``, or the
path in ``REHAB_CHROMIUM``). Playwright's own browser download is never used. Without them the
tests are skipped, unless ``REHAB_REQUIRE_BROWSER=1`` (CI), where that is a failure.
"""

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from rehabdata.serving import REPO_ROOT, Cluster, ServerError, app_server, cluster, nginx_executable
from tests.browser.server import CHROMIUM_ARGS, chromium_executable

try:
    from playwright.sync_api import Browser, Page, sync_playwright
except ImportError:  # pragma: no cover - depends on the environment
    sync_playwright = None

BROWSER_DIR = Path(__file__).resolve().parent
DEMO_TIMEOUT_S = 600
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
    path = chromium_executable()
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
    """A running ``streamlit run app.py`` on a demo database (``pid``: the server process)."""

    url: str
    database_url: str
    pid: int


@pytest.fixture(scope="session")
def demo_app(chromium_path: str) -> Iterator[DemoApp]:
    """The dashboard served by ``streamlit run app.py`` on a fresh SQLite database filled by ``rehabdata demo``.

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

        try:
            with app_server(env, directory / "streamlit.log") as server:
                yield DemoApp(url=server.url, database_url=database_url, pid=server.process.pid)
        except ServerError as error:
            pytest.fail(str(error), pytrace=False)


def nginx_or_skip() -> None:
    """nginx for the cluster tests: skipped without it, a failure in CI (``REHAB_REQUIRE_BROWSER=1``)."""
    try:
        nginx_executable()
    except ServerError as error:
        if os.environ.get("REHAB_REQUIRE_BROWSER", "").strip() == "1":
            pytest.fail(f"{error}. CI requires the cluster tests", pytrace=False)
        pytest.skip(f"{error}: cluster tests skipped")


@pytest.fixture(scope="session")
def demo_cluster(demo_app, tmp_path_factory) -> Iterator[Cluster]:
    """Two app processes behind nginx on the demo database of ``demo_app``."""
    nginx_or_skip()
    env = {**os.environ, "REHAB_DATABASE_URL": demo_app.database_url, "REHAB_DEMO_ON_EMPTY": "0"}
    try:
        with cluster(env, tmp_path_factory.mktemp("cluster"), processes=2) as running:
            yield running
    except ServerError as error:
        pytest.fail(str(error), pytrace=False)
