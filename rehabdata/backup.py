"""Backup and restore of the whole database, audit trail included.

SQLite uses its online backup API (consistent while the app keeps running). PostgreSQL uses
``pg_dump``/``pg_restore`` (custom format) when they are installed, else a clear message.
"""

import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupError(RuntimeError):
    """A backup or restore could not be made; the message says why."""


def _sqlite_path(url: str) -> Path:
    return Path(make_url(url).database or "")


def _libpq_url(url: str) -> str:
    """The URL as pg_dump/pg_restore understand it (no SQLAlchemy driver suffix)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def require_tool(name: str) -> str:
    """The path of a PostgreSQL client tool, or a clear message how to install it."""
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} is not installed: install the PostgreSQL client (apt-get install postgresql-client)"
        )
    return path


def backup(url: str, out: Path) -> Path:
    """Write a backup of the database at ``url`` to ``out``."""
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        source = sqlite3.connect(_sqlite_path(url))
        target = sqlite3.connect(out)
        try:
            with target:
                source.backup(target)
            target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        finally:
            source.close()
            target.close()
    elif backend == "postgresql":
        command = [require_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={out}", _libpq_url(url)]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode:
            raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
    else:
        raise BackupError(f"backups are not supported for {backend}")
    return out


def restore(url: str, source: Path) -> None:
    """Replace the database at ``url`` with the backup in ``source``."""
    if not source.is_file():
        raise BackupError(f"no backup file at {source}")
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        backup_db = sqlite3.connect(source)
        target = sqlite3.connect(_sqlite_path(url))
        try:
            with target:
                backup_db.backup(target)
        finally:
            backup_db.close()
            target.close()
    elif backend == "postgresql":
        command = [
            require_tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            f"--dbname={_libpq_url(url)}",
            str(source),
        ]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode:
            raise BackupError(f"pg_restore failed: {result.stderr.strip()}")
    else:
        raise BackupError(f"restores are not supported for {backend}")
