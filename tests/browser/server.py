"""Start and stop ``streamlit run dashboard.py`` and read its memory and CPU time, for tests and scripts.

Raises plain exceptions (no pytest) so that ``scripts/load_browsers.py`` can use it too; the
fixtures in ``conftest.py`` turn them into test failures.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CHROMIUM = "/usr/bin/chromium"
# Debian's Chromium under Playwright: no sandbox (containers), and no network calls of its own.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
HEALTH_TIMEOUT_S = 60
STOP_TIMEOUT_S = 10


class ServerError(RuntimeError):
    """The app did not start or did not become healthy (the message holds the log's tail)."""


@dataclass(frozen=True)
class Server:
    """A running app: its base URL and the ``streamlit run`` process."""

    url: str
    process: subprocess.Popen


def chromium_executable() -> str:
    """Debian's Chromium, or the path in ``REHAB_CHROMIUM`` (Playwright's own browsers are never used)."""
    return os.environ.get("REHAB_CHROMIUM", "").strip() or DEFAULT_CHROMIUM


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def is_healthy(url: str) -> bool:
    """Whether Streamlit's health endpoint answers 200."""
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def _wait_healthy(url: str, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + HEALTH_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerError(
                f"streamlit exited with code {process.returncode}; log tail:\n{_tail(log_path)}"
            )
        if is_healthy(url):
            return
        time.sleep(0.25)
    raise ServerError(
        f"streamlit not healthy at {url} after {HEALTH_TIMEOUT_S} s; log tail:\n{_tail(log_path)}"
    )


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def streamlit_server(
    env: Mapping[str, str], log_path: Path, port: int | None = None, cpus: set[int] | None = None
) -> Iterator[Server]:
    """``streamlit run dashboard.py`` (headless, on 127.0.0.1) with ``env``, healthy until the block ends.

    Output goes to ``log_path``. ``env`` is the whole environment, so it should include
    ``REHAB_DATABASE_URL`` and ``REHAB_DEMO_ON_EMPTY=0`` (the app must show what was loaded).
    ``cpus``: pin the server (every thread it will start) to these CPUs (Linux).
    """
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    command = [
        sys.executable, "-m", "streamlit", "run", "dashboard.py",
        "--server.headless", "true",
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",  # no "source changed" prompts while others edit the code
    ]  # fmt: skip
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env=dict(env),
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=None if cpus is None else lambda: os.sched_setaffinity(0, cpus),
        )
        try:
            _wait_healthy(url, process, log_path)
            yield Server(url=url, process=process)
        finally:
            _stop(process)


def _parents() -> dict[int, int]:
    """Each process's parent, from ``/proc/<pid>/stat`` (field 4, after the command in parentheses)."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rpartition(")")[2].split()[1])
            except OSError:  # the process ended meanwhile
                pass
    return parents


def _vm_rss_bytes(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0  # ended, or a zombie (no VmRSS line)


def _tree(pid: int, exclude: int | None = None) -> list[int]:
    """``pid`` and all its descendants, except ``exclude`` and its descendants."""
    parents = _parents()
    tree, pending = [], [pid]
    while pending:
        current = pending.pop()
        if current != exclude:
            tree.append(current)
            pending.extend(child for child, parent in parents.items() if parent == current)
    return tree


def tree_rss_bytes(pid: int) -> int:
    """Resident memory (VmRSS) of ``pid`` and all its descendants, in bytes (Linux ``/proc``)."""
    return sum(_vm_rss_bytes(member) for member in _tree(pid))


def tree_cpu_seconds(pid: int, exclude: int | None = None) -> float:
    """CPU time (user + system) used so far by ``pid`` and its descendants (ended ones included once
    reaped), leaving out the subtree of ``exclude``."""
    ticks = 0
    for member in _tree(pid, exclude):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        ticks += sum(int(value) for value in fields[11:15])  # utime, stime, cutime, cstime (14-17)
    return ticks / os.sysconf("SC_CLK_TCK")
