"""Chromium for the browser tests, and the memory and CPU time of the app's processes, for tests and
scripts (starting and stopping the app is ``rehabdata.serving``'s).

No pytest here, so that the load scripts (``scripts/loadkit.py``) can use it too.
"""

import os
from collections.abc import Collection
from pathlib import Path

DEFAULT_CHROMIUM = "/usr/bin/chromium"
# Debian's Chromium under Playwright: no sandbox (containers), and no network calls of its own.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


def chromium_executable() -> str:
    """Debian's Chromium, or the path in ``REHAB_CHROMIUM`` (Playwright's own browsers are never used)."""
    return os.environ.get("REHAB_CHROMIUM", "").strip() or DEFAULT_CHROMIUM


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


def process_tree(pid: int, exclude: Collection[int] = ()) -> list[int]:
    """``pid`` and all its descendants, except the processes in ``exclude`` and their descendants."""
    parents = _parents()
    tree, pending = [], [pid]
    while pending:
        current = pending.pop()
        if current not in exclude:
            tree.append(current)
            pending.extend(child for child, parent in parents.items() if parent == current)
    return tree


def tree_rss_bytes(pid: int) -> int:
    """Resident memory (VmRSS) of ``pid`` and all its descendants, in bytes (Linux ``/proc``)."""
    return sum(_vm_rss_bytes(member) for member in process_tree(pid))


def tree_cpu_seconds(pid: int, exclude: Collection[int] = ()) -> float:
    """CPU time (user + system) used so far by ``pid`` and its descendants (ended ones included once
    reaped), leaving out the subtrees of the processes in ``exclude``."""
    ticks = 0
    for member in process_tree(pid, exclude):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        ticks += sum(int(value) for value in fields[11:15])  # utime, stime, cutime, cstime (14-17)
    return ticks / os.sysconf("SC_CLK_TCK")
