"""What the load scripts share: starting the app (alone or behind nginx), its processes' RSS and
CPU time, national data for them, and the figures' format. Used by ``load_browsers.py`` (Chromium)
and ``load_sessions.py`` (Streamlit's websocket protocol, no browser)."""

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Collection, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import numpy as np
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from rehabdata.serving import ServerError, app_server, cluster, log_tail
from tests.browser.server import tree_cpu_seconds, tree_rss_bytes

ROOT = Path(__file__).resolve().parents[1]
USERNAME = "admin.demo"  # the one user the national generator creates (and an admin of the demo data)
SAMPLE_EVERY_S = 0.1
IDLE_CPU_S = 0.02  # CPU seconds per second below which the server counts as idle ...
IDLE_WINDOWS = 2  # ... for this many seconds in a row
MIB = 1024 * 1024
T = TypeVar("T")


def run_in_own_loop(coroutine: Coroutine[object, object, T]) -> T:
    """Run ``coroutine`` with ``asyncio.run`` in a thread of its own, so that it also works beside
    Playwright's sync API (pytest fixtures), whose event loop would otherwise count as running."""
    with ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(asyncio.run, coroutine).result()


def rss(pids: Collection[int]) -> int | None:
    """RSS of the server's processes and their children; None for a server this script did not start."""
    return sum(tree_rss_bytes(pid) for pid in pids) if pids else None


class RssSampler:
    """The peak RSS of the server's processes, sampled in a thread (the browsers' event loop may be
    busy); a no-op for a remote server (no ``pids``)."""

    def __init__(self, pids: Collection[int]) -> None:
        self.pids = pids
        self.peak = rss(pids)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(SAMPLE_EVERY_S):
            self._note()

    def _note(self) -> None:
        if self.pids:
            self.peak = max(self.peak or 0, rss(self.pids) or 0)

    def __enter__(self) -> "RssSampler":
        if self.pids:
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        self._note()


def holds_metric(payload: bytes) -> bool:
    """Whether a websocket message from the server adds an ``st.metric`` with a value."""
    message = ForwardMsg.FromString(payload)
    if message.WhichOneof("type") != "delta" or message.delta.new_element.WhichOneof("type") != "metric":
        return False
    return bool(message.delta.new_element.metric.body.strip())


async def wait_idle(pids: Collection[int], limit_s: float) -> float:
    """Seconds until the server stops computing (sessions that timed out may leave scripts running)."""
    began, quiet = time.perf_counter(), 0
    used = cpu_seconds(pids)
    while quiet < IDLE_WINDOWS and time.perf_counter() - began < limit_s:
        await asyncio.sleep(1)
        used, before = cpu_seconds(pids), used
        quiet = quiet + 1 if used - before <= IDLE_CPU_S else 0
    return time.perf_counter() - began - quiet


def cpu_seconds(pids: Collection[int]) -> float:
    """CPU time used so far by the server's processes and their children."""
    return sum(tree_cpu_seconds(pid) for pid in pids)


def stats(values: list[float]) -> str:
    """p50, p95 (interpolated) and max of seconds, as three table cells."""
    if not values:
        return f"{'-':>8}" * 3
    p50, p95 = np.percentile(values, [50, 95])
    return f"{p50:7.2f}s{p95:7.2f}s{max(values):7.2f}s"


def mib(rss: int | None) -> str:
    """Bytes in MiB, or n/a for a server elsewhere."""
    return "n/a (server not started here)" if rss is None else f"{rss / MIB:,.0f} MiB"


def generate(database_url: str, scale_factor: float) -> None:
    """``python -m rehabdata demo --scale national`` into ``database_url``, with progress printed."""
    print(
        f"generating a national dataset (scale factor {scale_factor}) into a temporary SQLite file: "
        "this takes a while (about 3.5 min at full scale)...",
        flush=True,
    )
    began = time.perf_counter()
    command = [sys.executable, "-m", "rehabdata", "demo", "--scale", "national"]
    command += ["--scale-factor", str(scale_factor)]
    env = {**os.environ, "REHAB_DATABASE_URL": database_url, "REHAB_DEMO_ON_EMPTY": "0"}
    if subprocess.run(command, cwd=ROOT, env=env, check=False).returncode != 0:
        raise SystemExit("error: generating the national dataset failed")
    print(f"generated in {time.perf_counter() - began:,.0f} s", flush=True)


def cpu_list(text: str) -> set[int]:
    """``0`` or ``0,2``: a set of CPU numbers."""
    return {int(part) for part in text.split(",") if part.strip()}


@contextmanager
def serve(
    env: dict[str, str], directory: Path, processes: int | None, port: int | None, cpus: set[int] | None
) -> Iterator[tuple[str, list[subprocess.Popen]]]:
    """One app process alone, or ``processes`` of them behind nginx: the URL and every server process."""
    if processes is None:
        with app_server(env, directory / "app-1.log", port=port, cpus=cpus) as server:
            yield server.url, [server.process]
    else:
        with cluster(env, directory, processes=processes, port=port, cpus=cpus) as running:
            yield running.url, [running.nginx, *(app.process for app in running.apps)]


def finish(text: str, failures: list[str], alive: bool, logs: Path | None) -> int:
    """Print the report's ``text`` and any failure (with the server logs' tails when the server is
    ours): the exit code, 0 or 1."""
    print(text)
    if not alive:
        print("error: the server died during the run", file=sys.stderr)
    for failure in failures:
        print(f"error: {failure}", file=sys.stderr)
    if failures or not alive:
        for log in sorted(logs.glob("*.log")) if logs is not None else ():
            print(f"{log.name} tail:\n{log_tail(log)}", file=sys.stderr)
        return 1
    return 0


def add_server_arguments(parser: argparse.ArgumentParser, *, sessions_help: str, timeout_s: float) -> None:
    """The options every load script takes: which app (started here or elsewhere), on which data,
    how many sessions at once and how long each may take."""
    parser.add_argument("--database", help="URL of an existing database (default: generate a national one)")
    parser.add_argument(
        "--url", help="an app already running elsewhere, e.g. http://10.0.0.5:8501 (starts nothing)"
    )
    parser.add_argument(
        "--scale-factor", type=float, help="shrink the generated national dataset (e.g. 0.05)"
    )
    parser.add_argument("--sessions", type=int, default=10, help=f"{sessions_help} (default 10)")
    parser.add_argument(
        "--processes",
        type=int,
        help="serve the app as `python -m rehabdata serve --processes N` does: N app processes behind "
        "nginx (default: one `streamlit run` alone, serving its frontend files too)",
    )
    parser.add_argument(
        "--timeout", type=float, default=timeout_s, help=f"seconds a session may take (default {timeout_s:g})"
    )


def check_server_arguments(
    parser: argparse.ArgumentParser, args: argparse.Namespace, server_only: tuple[str, ...] = ()
) -> None:
    """Refuse contradictory options (``parser.error``); ``server_only``: the script's own options
    that, like ``--database``, only apply to an app it starts."""
    if args.database and args.scale_factor is not None:
        parser.error("--scale-factor only applies to a generated dataset, not to --database")
    names = ("database", "scale_factor", "processes", *server_only)
    if args.url and any(getattr(args, name) not in (None, False) for name in names):
        options = ", ".join(f"--{name.replace('_', '-')}" for name in names)
        parser.error(f"--url drives a running app: {options} do not apply")
    if args.processes is not None and args.processes < 1:
        parser.error("--processes must be at least 1")


Measure = Callable[[str, list[int]], tuple[str, list[str]]]
"""(app URL, its processes' pids) -> the report's text and its failures."""


def on_own_server(
    args: argparse.Namespace, measure: Measure, *, port: int | None = None, cpus: set[int] | None = None
) -> int:
    """Start the app (on ``args.database``, or on national data generated into a temporary SQLite
    file), ``measure`` it, print the report: the exit code (1 on a failure or a dead server, with
    the server logs' tails)."""
    with tempfile.TemporaryDirectory(prefix="rehab-load-") as tmp:
        directory = Path(tmp)
        database_url = args.database or f"sqlite:///{directory / 'national.db'}"
        if not args.database:
            generate(database_url, 1.0 if args.scale_factor is None else args.scale_factor)
        env = {**os.environ, "REHAB_DATABASE_URL": database_url, "REHAB_DEMO_ON_EMPTY": "0"}
        try:
            with serve(env, directory, args.processes, port, cpus) as (url, processes):
                text, failures = measure(url, [process.pid for process in processes])
                alive = all(process.poll() is None for process in processes)
        except ServerError as error:
            raise SystemExit(f"error: {error}") from None
        return finish(text, failures, alive, directory)
