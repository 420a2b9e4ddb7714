"""Nightly backups with retention, and the restore drill that proves a backup opens.

``nightly`` (run by ``deploy/rehabdata-backup.timer``) writes ``daily/rehab-YYYY-MM-DD.<ext>``,
keeps the first backup of each month as ``monthly/rehab-YYYY-MM.<ext>``, removes daily backups
beyond the newest ``daily`` and monthly ones beyond the newest ``monthly``, then drills the new
file. A drill opens the backup without touching the live database: SQLite's integrity check and
the audit trail's rows; for PostgreSQL, ``pg_restore --list`` must read the archive and find the
audit trail's data in it.
"""

import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy.engine import make_url

from rehabdata.backup import BackupError, backup, require_tool

SUFFIX = {"sqlite": ".db", "postgresql": ".dump"}
DAILY = re.compile(r"rehab-\d{4}-\d{2}-\d{2}\.(db|dump)")
MONTHLY = re.compile(r"rehab-\d{4}-\d{2}\.(db|dump)")


@dataclass(frozen=True)
class Drill:
    """What a restore drill found in a backup."""

    path: Path
    audit_rows: int | None  # None: counted only for SQLite (PostgreSQL's archive lists, not counts)
    revision: str | None


@dataclass
class Nightly:
    """One night's work: the new backup, its monthly copy (if the month's first), what was removed."""

    path: Path
    monthly: Path | None
    drill: Drill
    removed: list[Path] = field(default_factory=list)


def drill(path: Path) -> Drill:
    """Prove that the backup at ``path`` opens (``BackupError`` says why when it does not)."""
    if not path.is_file() or path.stat().st_size == 0:
        raise BackupError(f"no backup at {path}, or it is empty")
    if path.suffix == ".db":
        try:
            connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                if connection.execute("PRAGMA integrity_check").fetchone() != ("ok",):
                    raise BackupError(f"{path} fails SQLite's integrity check")
                rows = connection.execute("SELECT count(*) FROM audit_log").fetchone()[0]
                revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()
            finally:
                connection.close()
        except sqlite3.DatabaseError as error:
            raise BackupError(f"{path} is not a readable rehabdata database: {error}") from None
        return Drill(path, int(rows), revision[0] if revision else None)
    listing = subprocess.run(
        [require_tool("pg_restore"), "--list", str(path)], capture_output=True, text=True, check=False
    )
    if listing.returncode or "TABLE DATA public audit_log" not in listing.stdout:
        raise BackupError(
            f"pg_restore cannot read {path}: {listing.stderr.strip() or 'no audit trail in it'}"
        )
    return Drill(path, None, None)


def _prune(directory: Path, pattern: re.Pattern[str], keep: int) -> list[Path]:
    files = sorted(p for p in directory.glob("rehab-*") if pattern.fullmatch(p.name))
    stale = files[:-keep] if keep > 0 else files
    for path in stale:
        path.unlink()
    return stale


def nightly(url: str, directory: Path, *, today: date, daily: int = 14, monthly: int = 12) -> Nightly:
    """Back up the database at ``url`` into ``directory`` with retention, and drill the new backup."""
    if daily < 1 or monthly < 0:
        raise ValueError("keep at least one daily backup (and zero or more monthly ones)")
    suffix = SUFFIX.get(make_url(url).get_backend_name())
    if suffix is None:
        raise BackupError(f"backups are not supported for {make_url(url).get_backend_name()}")
    days, months = directory / "daily", directory / "monthly"
    days.mkdir(parents=True, exist_ok=True)
    months.mkdir(parents=True, exist_ok=True)
    path = days / f"rehab-{today:%Y-%m-%d}{suffix}"
    partial = path.with_name(path.name + ".partial")
    backup(url, partial)
    partial.replace(path)  # a backup interrupted half-way never takes a good file's name
    checked = drill(path)
    first_of_month = months / f"rehab-{today:%Y-%m}{suffix}"
    copied = None
    if not first_of_month.exists():
        shutil.copy2(path, first_of_month)
        copied = first_of_month
    removed = _prune(days, DAILY, daily) + _prune(months, MONTHLY, monthly)
    return Nightly(path, copied, checked, removed)
