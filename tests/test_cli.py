"""The command line: init, demo and create-user."""

from sqlmodel import Session, select

from rehabdata.bootstrap import is_demo
from rehabdata.cli import main
from rehabdata.db import make_engine
from rehabdata.models import Agreement, AuditLog, Facility, Participant, Region, User


def test_demo_fills_a_new_database_once(tmp_path, monkeypatch, capsys):
    """demo fills a new database; a second demo, and a demo into a real database, exit with code 2."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("REHAB_DATABASE_URL", url)
    assert main(["demo", "--months", "2", "--today", "2025-09-30"]) == 0
    assert "participant" in capsys.readouterr().out
    assert main(["demo", "--months", "2", "--today", "2025-09-30"]) == 2
    assert "already has data" in capsys.readouterr().err
    with Session(make_engine(url)) as s:
        assert len(s.exec(select(Facility)).all()) == 4
    monkeypatch.setenv("REHAB_DATABASE_URL", f"sqlite:///{tmp_path / 'real.db'}")
    assert main(["init"]) == 0
    assert main(["demo", "--months", "2", "--today", "2025-09-30"]) == 2


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


def counts(url: str) -> tuple[int, int, int, int]:
    with Session(make_engine(url)) as s:
        return tuple(len(s.exec(select(model)).all()) for model in (Region, Facility, Agreement, Participant))


def test_init_starts_a_real_database_with_the_reference_data_once(tmp_path, monkeypatch, capsys):
    """`init` on a new database: the two programmes' regions, four UPT and two agreements, nothing
    synthetic; a second run changes nothing; the next step (create an admin) is printed."""
    url = f"sqlite:///{tmp_path / 'real.db'}"
    monkeypatch.setenv("REHAB_DATABASE_URL", url)
    assert main(["init"]) == 0
    out = capsys.readouterr().out
    assert "real database: 4 facilities, 2 agreements, 0 admins" in out
    assert "create-user --role admin" in out
    assert counts(url) == (2, 4, 2, 0)
    with Session(make_engine(url)) as s:
        assert {f.name for f in s.exec(select(Facility))} == {
            "Rutan Kelas IIB Kabanjahe", "Rutan Kelas IIB Pemalang", "Rutan Kelas IIA Pekalongan",
            "Lapas Kelas IIA Pekalongan",
        }  # fmt: skip
        assert s.exec(select(User)).all() == []
    assert main(["init", "--demo-if-empty"]) == 0  # a real database never becomes a demo one
    assert counts(url) == (2, 4, 2, 0)


def test_init_empty_has_no_reference_data(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'other.db'}"
    monkeypatch.setenv("REHAB_DATABASE_URL", url)
    assert main(["init", "--empty"]) == 0
    assert counts(url) == (0, 0, 0, 0)
    assert main(["init"]) == 0  # still real and empty: the reference data is only seeded at the start
    assert counts(url) == (0, 0, 0, 0)


def test_init_loads_demo_only_when_asked_and_allowed(tmp_path, monkeypatch, capsys):
    """`init --demo-if-empty` fills a new database with demo data unless REHAB_DEMO_ON_EMPTY=0 (then
    it starts real) and warns that a demo database is not for real data."""
    for name, allowed, participants in (("b", "0", 0), ("c", "1", 1)):
        url = f"sqlite:///{tmp_path / name}.db"
        monkeypatch.setenv("REHAB_DATABASE_URL", url)
        monkeypatch.setenv("REHAB_DEMO_ON_EMPTY", allowed)
        assert main(["init", "--demo-if-empty"]) == 0
        assert min(counts(url)[3], 1) == participants
    assert "DEMO data" in capsys.readouterr().err


def test_discard_demo_turns_a_demo_database_real(tmp_path, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    monkeypatch.setenv("REHAB_DATABASE_URL", url)
    assert main(["demo", "--months", "1", "--today", "2025-08-31"]) == 0
    assert main(["discard-demo"]) == 2  # asks for --yes
    assert counts(url)[3] > 0
    assert main(["discard-demo", "--yes"]) == 0
    assert counts(url) == (2, 4, 2, 0)
    engine = make_engine(url)
    assert not is_demo(engine)
    with Session(engine) as s:
        assert s.exec(select(User)).all() == []
    assert main(["discard-demo", "--yes"]) == 2  # a real database is never emptied
    assert "not a demo database" in capsys.readouterr().err


def test_import_refuses_a_demo_database(tmp_path, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    monkeypatch.setenv("REHAB_DATABASE_URL", url)
    assert main(["demo", "--months", "1", "--today", "2025-08-31"]) == 0
    before = counts(url)
    sheet = tmp_path / "population.csv"
    sheet.write_text(
        "kode_upt,bulan,jumlah_wbp,wbp_narkotika,wbp_masuk\nrutan-kabanjahe,2025-07,300,200,10\n"
    )
    assert main(["import", str(sheet), "--kind", "populations"]) == 2
    assert "DEMO data" in capsys.readouterr().err
    assert counts(url) == before


def test_backups_are_audited_as_exports(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'real.db'}"
    monkeypatch.setenv("REHAB_DATABASE_URL", url)
    assert main(["init"]) == 0
    assert main(["backup", "--out", str(tmp_path / "one.db")]) == 0
    assert main(["backup-nightly", "--dir", str(tmp_path / "nightly")]) == 0
    with Session(make_engine(url)) as s:
        exports = s.exec(select(AuditLog).where(AuditLog.action == "export")).all()
    assert [(e.username, e.changes["kind"], e.changes["file"][:9]) for e in exports] == [
        ("cli", "backup", "one.db"),
        ("cli", "backup", "rehab-202"),
    ]
