"""Load test: N browser sessions open the overview at once; time to the first KPI figure, server RSS.

    python scripts/load_browsers.py [--database URL | --scale-factor F] [--sessions 10] [--port P]
                                    [--processes N] [--server-cpus 0]
    python scripts/load_browsers.py --url http://HOST:PORT [--sessions 10]

With ``--url`` it drives an app already running elsewhere (``make run`` on another machine, on the
national data and with the demo login ``admin.demo``): the browsers then no longer compete with the
server for CPU, which on one 2-core machine they do. Nothing is started, and the server's RSS and CPU
are not measured (the report says n/a); waves are ``--pause`` seconds apart instead of waiting for
the server to go idle. On one machine, ``--server-cpus 0`` comes closer to that: the app server
runs on CPU 0 alone and the browsers on the others, so the server's part ("KPI sent") is what it
would be with a core of its own and the browsers elsewhere (with a SQLite database: PostgreSQL's own
processes are not pinned). ``--processes N`` serves the app as ``python -m rehabdata serve``
does: N app processes (1 too) behind nginx, which serves the frontend's files; RSS and CPU are
then those of all of them, nginx included.

Without ``--database`` it first generates a national dataset into a temporary SQLite file
(``python -m rehabdata demo --scale national``: ~10 M rows, about 3.5 min at full scale). It starts
``streamlit run dashboard.py`` on it and launches one headless Chromium (Debian's, or
``REHAB_CHROMIUM``; Playwright's own browsers are never downloaded) with one browser context per
session. All sessions at once open the app, log in as ``admin.demo`` through the form and wait for
the first KPI figure of the overview (an ``stMetricValue`` with text). A new context has an empty
HTTP cache, so every session is a first visit: it also fetches the frontend's lazily loaded
chunks, the metric's own among them. Two waves of new sessions:
the first on a cold server (nothing cached), the second warm (same filters: the KPI cache answers),
started once the server has stopped computing for the first (it finishes the script runs of
sessions that timed out, and the report says how long that took).

Per wave, p50/p95/max over sessions (p95 interpolated linearly, so with 10 sessions it lies
between the two slowest) of:
  first KPI    from ``page.goto`` (login included: the form loads, is filled, argon2 checks it)
               to the first frame showing a KPI figure, a moment the page itself records
  after login  from the click on the login button to that frame
  KPI sent     from that click until the websocket message with the first KPI reaches the page:
               mostly the server's part (the page's process reports the message, so a starved
               browser delays it too, but less than the rendering)
  complete     from ``page.goto`` until the facility table is shown and the script run has ended
and the RSS (VmRSS) of the server's processes and their children: the peak, sampled every
100 ms during the wave, and after the wave with its sessions still open; and the CPU seconds of
the server and of the browser side for the wave (steadier than wall-clock times on a shared machine,
and Chromium runs beside the server, competing with it for CPU). Exits 1 when a session shows no
KPI (or no complete overview) within ``--timeout`` seconds of its ``page.goto``.
"""

import argparse
import asyncio
import os
import sys
import time
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.async_api import Browser, Page, async_playwright, expect  # noqa: E402
from playwright.async_api import Error as PlaywrightError  # noqa: E402

from rehabdata.demo import DEMO_PASSWORD  # noqa: E402
from rehabdata.i18n import t  # noqa: E402
from scripts.loadkit import (  # noqa: E402
    USERNAME,
    RssSampler,
    add_server_arguments,
    check_server_arguments,
    cpu_list,
    cpu_seconds,
    finish,
    holds_metric,
    mib,
    on_own_server,
    rss,
    run_in_own_loop,
    stats,
    wait_idle,
)
from tests.browser.server import CHROMIUM_ARGS, chromium_executable, tree_cpu_seconds  # noqa: E402

WAVES = 2
# Runs in every page before the app: records (Date.now(), ms) the start of the first frame after
# a KPI figure (a visible metric value with text: the login page holds an empty one) entered the
# DOM, the frame that shows it. Playwright's expect() polls at growing intervals, and through a
# main thread busy with Plotly's code, so what it notices lagged the screen by up to 2 s on one
# idle page; a MutationObserver's callback runs right after the DOM change.
FIRST_KPI_PROBE = """
new MutationObserver((_, observer) => {
    const values = document.querySelectorAll('[data-testid="stMetricValue"]');
    if ([...values].some(value => value.textContent.trim() && value.checkVisibility())) {
        observer.disconnect();
        requestAnimationFrame(() => { window.__rehabFirstKpiShown = Date.now(); });
    }
}).observe(document, {subtree: true, childList: true, characterData: true});
"""
FIRST_KPI_SHOWN = "window.__rehabFirstKpiShown"


@dataclass
class Visit:
    """One session's timings in seconds (None: not reached), or the error that stopped it."""

    first_kpi_s: float | None = None
    after_login_s: float | None = None
    kpi_sent_s: float | None = None
    complete_s: float | None = None
    error: str | None = None


@dataclass
class Wave:
    """The visits of one wave, the server's RSS in bytes during and after it, how long it went on
    computing once the wave's sessions had closed, and the CPU seconds the server and the browser
    side (Chromium, Playwright, this process) spent on the wave: less noisy than wall-clock times on
    a busy machine, and they show which side a slow wave waited for."""

    visits: list[Visit]
    rss_peak: int | None
    rss_after: int | None
    busy_after_s: float = 0.0
    cpu_s: float = 0.0
    browser_cpu_s: float = 0.0


@dataclass
class LoadReport:
    """Every wave, and the RSS before the first session and after the last one closed."""

    rss_idle: int | None
    waves: list[Wave] = field(default_factory=list)
    rss_closed: int | None = None

    @property
    def failures(self) -> list[str]:
        return [
            f"wave {number}, session {index}: {visit.error}"
            for number, wave in enumerate(self.waves, 1)
            for index, visit in enumerate(wave.visits, 1)
            if visit.error
        ]


async def _visit(page: Page, url: str, timeout_s: float) -> Visit:
    """Open the app, log in through the form and wait for the first KPI, then the complete overview.

    Times are wall-clock (``time.time()``), the page's ``Date.now()`` clock: the first KPI's moment
    is the one the page records (``FIRST_KPI_PROBE``), not when ``expect()`` notices it.
    """
    visit = Visit()
    start, submitted = time.time(), None
    metric_arrived: list[float] = []

    def left_ms() -> float:
        return max(1.0, (start + timeout_s - time.time()) * 1000)

    def on_frame(payload: bytes | str) -> None:
        if not metric_arrived and isinstance(payload, bytes) and holds_metric(payload):
            metric_arrived.append(time.time())

    page.on("websocket", lambda socket: socket.on("framereceived", on_frame))
    await page.add_init_script(FIRST_KPI_PROBE)
    try:
        await page.goto(url, timeout=left_ms())
        await page.get_by_label(t("login.username", "id")).fill(USERNAME, timeout=left_ms())
        await page.get_by_label(t("login.password", "id"), exact=True).fill(DEMO_PASSWORD, timeout=left_ms())
        submitted = time.time()
        await page.get_by_role("button", name=t("login.submit", "id"), exact=True).click(timeout=left_ms())
        shown = await (await page.wait_for_function(FIRST_KPI_SHOWN, timeout=left_ms())).json_value() / 1000
        visit.first_kpi_s, visit.after_login_s = shown - start, shown - submitted
        # The facility table is the overview's last element; the status widget shows while the script runs.
        await page.get_by_test_id("stDataFrame").first.wait_for(state="visible", timeout=left_ms())
        await expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=left_ms())
        visit.complete_s = time.time() - start
    except (PlaywrightError, AssertionError) as error:  # expect() raises AssertionError on timeout
        visit.error = f"{type(error).__name__}: {str(error).strip().splitlines()[0]}"
        shown_error = page.get_by_test_id("stException").or_(page.get_by_test_id("stAlertContentError"))
        if await shown_error.count():
            visit.error += f"; the app shows: {(await shown_error.first.inner_text()).strip()[:300]}"
    if metric_arrived and submitted is not None:
        visit.kpi_sent_s = metric_arrived[0] - submitted
    return visit


async def _wave(browser: Browser, url: str, pids: Collection[int], sessions: int, timeout_s: float) -> Wave:
    """``sessions`` new browser contexts visit the app at once; RSS is read before they close."""
    contexts = [await browser.new_context() for _ in range(sessions)]
    try:
        pages = [await context.new_page() for context in contexts]
        with RssSampler(pids) as sampler:
            visits = await asyncio.gather(*(_visit(page, url, timeout_s) for page in pages))
            rss_after = rss(pids)
        return Wave(visits=list(visits), rss_peak=sampler.peak, rss_after=rss_after)
    finally:
        for context in contexts:
            await context.close()


def _browser_cpu_seconds(server_pids: Collection[int]) -> float:
    """CPU seconds of this process and its children (Playwright's driver, Chromium) but the server's."""
    return tree_cpu_seconds(os.getpid(), exclude=server_pids)


async def _run(
    url: str, pids: Collection[int], sessions: int, waves: int, timeout_s: float, pause_s: float
) -> LoadReport:
    report = LoadReport(rss_idle=rss(pids))
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=chromium_executable(), headless=True, args=CHROMIUM_ARGS
        )
        try:
            for _ in range(waves):
                server_cpu, browser_cpu = cpu_seconds(pids), _browser_cpu_seconds(pids)
                wave = await _wave(browser, url, pids, sessions, timeout_s)
                # The next wave starts on an idle server, whose cache holds what this one computed.
                if pids:
                    wave.busy_after_s = await wait_idle(pids, limit_s=10 * timeout_s)
                else:
                    await asyncio.sleep(pause_s)
                wave.cpu_s = cpu_seconds(pids) - server_cpu
                wave.browser_cpu_s = _browser_cpu_seconds(pids) - browser_cpu
                report.waves.append(wave)
        finally:
            await browser.close()
    report.rss_closed = rss(pids)
    return report


def run_load(
    url: str,
    pids: Collection[int],
    sessions: int,
    waves: int = WAVES,
    timeout_s: float = 60,
    pause_s: float = 10,
) -> LoadReport:
    """Measure ``waves`` waves of ``sessions`` simultaneous sessions against the app at ``url``.

    ``pids``: the server's processes (one app process, or a cluster's app processes and nginx), to
    sample their RSS and CPU and wait until they are idle between waves; none for a server elsewhere
    (waves are then ``pause_s`` apart).
    """
    return run_in_own_loop(_run(url, pids, sessions, waves, timeout_s, pause_s))


def format_report(report: LoadReport) -> str:
    """The figures as a small text table per wave."""
    lines = [f"server RSS idle (no session yet): {mib(report.rss_idle)}"]
    for number, wave in enumerate(report.waves, 1):
        ok = [visit for visit in wave.visits if not visit.error]
        lines += [
            f"wave {number}: {len(ok)} of {len(wave.visits)} sessions complete",
            f"  {'':12}{'p50':>8}{'p95':>8}{'max':>8}",
        ]
        for label, attribute in (
            ("first KPI", "first_kpi_s"),
            ("after login", "after_login_s"),
            ("KPI sent", "kpi_sent_s"),
            ("complete", "complete_s"),
        ):
            values = [getattr(v, attribute) for v in wave.visits if getattr(v, attribute) is not None]
            lines.append(f"  {label:12}{stats(values)}")
        if wave.rss_peak is None:
            lines.append(f"  CPU time: browser side {wave.browser_cpu_s:.1f} s (server: not measured)")
        else:
            lines += [
                f"  server RSS: peak {mib(wave.rss_peak)}, "
                f"after {mib(wave.rss_after)} ({len(wave.visits)} sessions open)",
                f"  CPU time: server {wave.cpu_s:.1f} s, browser side {wave.browser_cpu_s:.1f} s; "
                f"server still busy {wave.busy_after_s:.0f} s after the sessions closed",
            ]
    lines.append(f"server RSS after every session closed: {mib(report.rss_closed)}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    # Ten pages on two cores complete their overview after up to ~60 s: a minute is too short.
    add_server_arguments(parser, sessions_help="browser sessions at once", timeout_s=180)
    parser.add_argument(
        "--pause", type=float, default=10, help="with --url: seconds between the waves (default 10)"
    )
    parser.add_argument("--port", type=int, help="port of the app (default: a free one)")
    parser.add_argument(
        "--server-cpus",
        type=cpu_list,
        help="pin the app server to these CPUs (e.g. 0) and the browsers to the others, so that they "
        "do not take the server's CPU: its part is then measured as with browsers on other machines",
    )
    args = parser.parse_args()
    check_server_arguments(parser, args, server_only=("port", "server_cpus"))
    browser_cpus = None
    if args.server_cpus:
        available = os.sched_getaffinity(0)
        browser_cpus = available - args.server_cpus
        if not browser_cpus or not args.server_cpus <= available:
            parser.error(f"--server-cpus must name some, not all, of the CPUs {sorted(available)}")
    if not Path(chromium_executable()).is_file():
        raise SystemExit(f"error: no Chromium at {chromium_executable()}: apt-get install -y chromium")
    if args.url:
        print(
            f"{args.url}: {args.sessions} sessions at once, {WAVES} waves, {args.pause:g} s apart", flush=True
        )
        report = run_load(args.url, (), args.sessions, timeout_s=args.timeout, pause_s=args.pause)
        return finish(format_report(report), report.failures, alive=True, logs=None)

    def measure(url: str, pids: list[int]) -> tuple[str, list[str]]:
        print(
            f"{url}: {args.sessions} sessions at once, {WAVES} waves (1: cold server, nothing "
            f"cached; 2: warm); {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}",
            flush=True,
        )
        if browser_cpus:  # Playwright's driver and Chromium start later, from this process
            os.sched_setaffinity(0, browser_cpus)
            print(f"server on CPUs {sorted(args.server_cpus)}, browsers on {sorted(browser_cpus)}")
        report = run_load(url, pids, args.sessions, timeout_s=args.timeout)
        return format_report(report), report.failures

    return on_own_server(args, measure, port=args.port, cpus=args.server_cpus)


if __name__ == "__main__":
    raise SystemExit(main())
