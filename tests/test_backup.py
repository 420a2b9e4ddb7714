"""Backup and restore keep every row, the audit trail included, on SQLite and PostgreSQL."""

from datetime import date

import pytest
from sqlalchemy import Engine, MetaData, func, select

from rehabdata.backup import BackupError, backup, restore
from rehabdata.db import session_scope
from rehabdata.demo import load_demo
from rehabdata.models import AuditLog, Region


def counts(engine: Engine) -> dict[str, int]:
    """Rows per table."""
    tables = MetaData()
    tables.reflect(engine)
    with engine.connect() as connection:
        return {
            name: connection.execute(select(func.count()).select_from(table)).scalar()
            for name, table in tables.tables.items()
        }


def test_round_trip_keeps_every_row(any_engine, tmp_path):
    """Back up demo data plus an audit row, change the database, restore: every table is as it was."""
    if any_engine.dialect.name == "postgresql" and not __import__("shutil").which("pg_dump"):
        pytest.skip("pg_dump is not installed")
    load_demo(any_engine, months=2, today=date(2025, 9, 30))
    with session_scope(any_engine) as session:
        session.add(
            AuditLog(username="test", action="create", entity="region", entity_id=1, changes={"x": [None, 1]})
        )
    url = any_engine.url.render_as_string(hide_password=False)
    before = counts(any_engine)
    path = backup(url, tmp_path / "rehab.backup")
    assert path.stat().st_size > 0
    with session_scope(any_engine) as session:
        session.add(Region(code="after-backup", name="X", province="Y"))
    any_engine.dispose()
    restore(url, path)
    any_engine.dispose()
    assert counts(any_engine) == before
    assert before["audit_log"] >= 1 and before["participant"] > 0


def test_missing_backup_file_is_a_clear_error(engine, tmp_path):
    """Restoring from a file that does not exist says so and changes nothing."""
    with pytest.raises(BackupError, match="no backup file"):
        restore(engine.url.render_as_string(hide_password=False), tmp_path / "missing.backup")
