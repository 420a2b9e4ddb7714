"""The command line: init, demo and create-user."""

from sqlmodel import Session, select

from rehabdata.cli import main
from rehabdata.db import make_engine
from rehabdata.models import Facility, Region, User


def test_init_demo_and_refusal(tmp_path, monkeypatch, capsys):
    """init creates the schema, demo fills it once, a second demo is refused with exit code 2."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("REHAB_DATABASE_URL", url)
    assert main(["init"]) == 0
    assert main(["demo", "--months", "2", "--today", "2025-09-30"]) == 0
    assert "participant" in capsys.readouterr().out
    assert main(["demo", "--months", "2", "--today", "2025-09-30"]) == 2
    assert "already has data" in capsys.readouterr().err
    with Session(make_engine(url)) as s:
        assert len(s.exec(select(Facility)).all()) == 4


def test_create_admin_from_environment(tmp_path, monkeypatch, capsys):
    """create-user --role admin hashes the password from REHAB_ADMIN_PASSWORD (argon2id, never plain)."""
    url = f"sqlite:///{tmp_path / 'users.db'}"
    monkeypatch.setenv("REHAB_DATABASE_URL", url)
    monkeypatch.setenv("REHAB_ADMIN_PASSWORD", "correct-horse-battery")
    assert main(["create-user", "--role", "admin", "--username", "Kepala"]) == 0
    with Session(make_engine(url)) as s:
        user = s.exec(select(User)).one()
    assert (user.username, user.role) == ("kepala", "admin")
    assert user.password_hash.startswith("$argon2id$") and "correct-horse" not in user.password_hash
    assert main(["create-user", "--role", "admin", "--username", "kepala"]) == 2
    assert "already exists" in capsys.readouterr().err


def test_short_password_is_refused(tmp_path, monkeypatch, capsys):
    """A password under 10 characters is refused and no user is written."""
    url = f"sqlite:///{tmp_path / 'short.db'}"
    monkeypatch.setenv("REHAB_DATABASE_URL", url)
    monkeypatch.setenv("REHAB_ADMIN_PASSWORD", "short")
    assert main(["create-user", "--role", "admin"]) == 2
    assert "at least 10" in capsys.readouterr().err
    with Session(make_engine(url)) as s:
        assert s.exec(select(User)).all() == []


def test_backup_and_restore_commands(tmp_path, monkeypatch, capsys):
    """`backup --out` then `restore FILE` undo a later change; a missing backup file exits with code 2."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("REHAB_DATABASE_URL", url)
    assert main(["demo", "--months", "1", "--today", "2025-08-31"]) == 0
    assert main(["backup", "--out", str(tmp_path / "saved.db")]) == 0
    engine = make_engine(url)
    with Session(engine) as s:
        s.add(Region(code="after-backup", name="Later", province="X"))
        s.commit()
        assert len(s.exec(select(Region)).all()) == 3
    engine.dispose()
    assert main(["restore", str(tmp_path / "saved.db")]) == 0
    with Session(engine) as s:
        assert [r.code for r in s.exec(select(Region).order_by(Region.code)).all()] == ["karo", "pekalongan"]
    assert main(["restore", str(tmp_path / "missing.db")]) == 2
    assert "no backup file" in capsys.readouterr().err


def test_init_loads_demo_only_when_asked_and_allowed(tmp_path, monkeypatch):
    """`init` only migrates; `init --demo-if-empty` fills an empty database unless REHAB_DEMO_ON_EMPTY=0."""
    for name, flag, allowed, facilities in (
        ("a", [], "1", 0),
        ("b", ["--demo-if-empty"], "0", 0),
        ("c", ["--demo-if-empty"], "1", 4),
    ):
        url = f"sqlite:///{tmp_path / name}.db"
        monkeypatch.setenv("REHAB_DATABASE_URL", url)
        monkeypatch.setenv("REHAB_DEMO_ON_EMPTY", allowed)
        assert main(["init", *flag]) == 0
        with Session(make_engine(url)) as s:
            assert len(s.exec(select(Facility)).all()) == facilities
