"""The files of deploy/ an IT officer copies are valid: the nginx site passes `nginx -t`, the systemd
units pass `systemd-analyze verify`, and the backup timer's command makes a backup that restores."""

import os
import shlex
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import Session, func, select

from rehabdata.backup import restore
from rehabdata.backup_schedule import drill, nightly
from rehabdata.bootstrap import prepare_database
from rehabdata.db import make_engine
from rehabdata.models import AuditLog, Facility
from rehabdata.serving import REPO_ROOT, nginx_executable
from tests.conftest import IN_CI

DEPLOY = REPO_ROOT / "deploy"
INSTALL_DIR = "/opt/rehabdata"


def _require(tool: str | None, what: str) -> str:
    if tool is None:
        if IN_CI:
            pytest.fail(f"{what} is needed in CI")
        pytest.skip(f"{what} is not installed")
    return tool


def test_the_nginx_site_passes_nginx_t(tmp_path):
    nginx = _require(shutil.which("nginx") or nginx_executable(), "nginx")
    openssl = _require(shutil.which("openssl"), "openssl")
    cert, key = tmp_path / "fullchain.pem", tmp_path / "privkey.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    site = (DEPLOY / "nginx-rehabdata.conf").read_text()
    assert "/etc/ssl/rehabdata/fullchain.pem" in site and "/etc/ssl/rehabdata/privkey.pem" in site
    site = site.replace("/etc/ssl/rehabdata/fullchain.pem", str(cert)).replace(
        "/etc/ssl/rehabdata/privkey.pem", str(key)
    )
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n    access_log off;\n    include {tmp_path}/site.conf;\n}}\n"
    )
    result = subprocess.run(
        [
            nginx,
            "-t",
            "-c",
            str(tmp_path / "nginx.conf"),
            "-p",
            str(tmp_path),
            "-e",
            str(tmp_path / "error.log"),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr


def _installed_here(unit: str, tmp_path: Path) -> Path:
    """The unit with the install directory pointed at this checkout (verify checks the executables)."""
    text = (DEPLOY / unit).read_text()
    assert INSTALL_DIR in text or unit.endswith(".timer")
    copy = tmp_path / unit
    copy.write_text(text.replace(INSTALL_DIR, str(REPO_ROOT)))
    return copy


def test_the_systemd_units_pass_systemd_analyze_verify(tmp_path):
    analyze = _require(shutil.which("systemd-analyze"), "systemd-analyze")
    units = [_installed_here(name, tmp_path) for name in ("rehabdata.service", "rehabdata-backup.service")]
    timer = _installed_here("rehabdata-backup.timer", tmp_path)
    result = subprocess.run(
        [analyze, "verify", "--man=no", *map(str, units), str(timer)],
        capture_output=True,
        text=True,
        env={**os.environ, "SYSTEMD_LOG_LEVEL": "warning"},
    )
    problems = [
        line
        for line in result.stderr.splitlines()
        # a build machine may lack the rehabdata user and PostgreSQL's unit: facts of the host
        if line.strip() and "rehabdata" in line and "user" not in line.lower() and "postgresql" not in line
    ]
    assert result.returncode == 0 or not problems, result.stderr
    assert problems == [], result.stderr


def _exec_start(unit: str, environment: dict[str, str]) -> list[str]:
    line = next(x for x in (DEPLOY / unit).read_text().splitlines() if x.startswith("ExecStart="))
    command = line.removeprefix("ExecStart=")
    for name, value in environment.items():
        command = command.replace(f"${{{name}}}", value)
    argv = shlex.split(command)
    assert argv[0] == f"{INSTALL_DIR}/.venv/bin/python"
    return [
        str(REPO_ROOT / ".venv/bin/python") if (REPO_ROOT / ".venv/bin/python").exists() else "python3",
        *argv[1:],
    ]


def test_the_backup_timers_command_makes_a_backup_that_restores(tmp_path):
    """Run the backup unit's ExecStart as systemd would (the env file's variables), then restore it."""
    url = f"sqlite:///{tmp_path / 'live.db'}"
    engine = make_engine(url)
    prepare_database(engine, load_demo_if_empty=False)
    env_file = dict(
        line.split("=", 1)
        for line in (DEPLOY / "rehabdata.env").read_text().splitlines()
        if "=" in line and not line.startswith("#")
    )
    assert {"REHAB_DATABASE_URL", "REHAB_BACKUP_DIR", "REHAB_TIMEZONE"} <= set(env_file)
    backups = tmp_path / "backups"
    env = {**os.environ, **env_file, "REHAB_DATABASE_URL": url, "REHAB_BACKUP_DIR": str(backups)}
    result = subprocess.run(
        _exec_start("rehabdata-backup.service", {"REHAB_BACKUP_DIR": str(backups)}),
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "restore drill passed" in result.stdout
    (daily,) = (backups / "daily").iterdir()
    assert (backups / "monthly").iterdir()
    with Session(engine) as session:
        facilities = session.exec(select(func.count()).select_from(Facility)).one()
        session.add(AuditLog(username="later", action="create", entity="region"))
        session.commit()
    engine.dispose()
    restore(url, daily)
    with Session(make_engine(url)) as session:
        assert session.exec(select(func.count()).select_from(Facility)).one() == facilities == 4
        assert session.exec(select(func.count()).select_from(AuditLog)).one() == 0


def test_retention_keeps_fourteen_daily_and_twelve_monthly(tmp_path):
    url = f"sqlite:///{tmp_path / 'live.db'}"
    prepare_database(make_engine(url), load_demo_if_empty=False)
    for month in range(1, 13):
        for day in (1, 10, 20):
            nightly(url, tmp_path / "b", today=date(2025, month, day), daily=14, monthly=12)
    night = nightly(url, tmp_path / "b", today=date(2026, 1, 5), daily=14, monthly=12)
    daily = sorted(p.name for p in (tmp_path / "b/daily").iterdir())
    monthly = sorted(p.name for p in (tmp_path / "b/monthly").iterdir())
    assert len(daily) == 14 and daily[-1] == "rehab-2026-01-05.db"
    assert len(monthly) == 12 and monthly[0] == "rehab-2025-02.db" and monthly[-1] == "rehab-2026-01.db"
    assert night.monthly is not None and night.drill.audit_rows == 0


def test_a_damaged_backup_fails_the_drill(tmp_path):
    damaged = tmp_path / "rehab-2026-01-01.db"
    damaged.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    with pytest.raises(Exception, match=r"not a readable|integrity"):
        drill(damaged)
