"""Onboarding a Kanwil in bulk: its UPT and their users from the same all-or-nothing importer."""

import pytest
from argon2 import PasswordHasher
from sqlmodel import Session, select

from rehabdata import auth, importer
from rehabdata.cli import main
from rehabdata.importer import Kind
from rehabdata.models import AuditLog, Facility, Role, User, UserScope
from tests.test_importer import build_site, count, csv_file, found, run


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch):
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def site(any_engine):
    return build_site(any_engine)


def facility_row(number: int, **overrides) -> dict:
    return {
        "kode_upt": f"rutan-baru-{number:02d}",
        "nama": f"Rutan Baru {number:02d}",
        "jenis_upt": "rutan",
        "kelas": "IIB",
        "kode_wilayah": "wil-a",
        "kode_mitra": "mitra-a",
        "kabupaten_kota": f"Kabupaten {number:02d}",
        "kapasitas": 100 + number,
        **overrides,
    }


def user_row(name: str, **overrides) -> dict:
    row = {"nama_pengguna": name, "nama_lengkap": name.title(), "email": "", "peran": "petugas"}
    return row | {"kode_upt": "rutan-baru-01", "kode_wilayah": ""} | overrides


def test_a_kanwil_with_thirty_upt_and_their_users_is_onboarded(site):
    facilities = csv_file([facility_row(n) for n in range(1, 31)])
    plan = run(site, site.admin, Kind.FACILITIES, facilities)
    assert plan.ok and plan.counts() == {"facility": (30, 0)}
    users = csv_file(
        [user_row(f"petugas.baru{n:02d}", kode_upt=f"rutan-baru-{n:02d}") for n in range(1, 31)]
        + [user_row("kanwil.a", peran="pimpinan", kode_upt="", kode_wilayah="wil-a")]
    )
    plan = run(site, site.admin, Kind.USERS, users)
    assert plan.ok, found(plan)
    assert plan.counts() == {"app_user": (31, 0), "user_scope": (31, 0)}
    assert len(plan.passwords) == 31 and len(set(plan.passwords.values())) == 31
    with Session(site.engine) as session:
        user = session.exec(select(User).where(User.username == "petugas.baru07")).one()
        facility = session.exec(select(Facility).where(Facility.code == "rutan-baru-07")).one()
        scope = session.exec(select(UserScope).where(UserScope.user_id == user.id)).one()
        kanwil = auth.authenticate(session, "kanwil.a", plan.passwords["kanwil.a"])
        audited = session.exec(select(AuditLog).where(AuditLog.entity == "app_user")).all()
    assert (facility.capacity, facility.regency, facility.facility_class) == (107, "Kabupaten 07", "IIB")
    assert scope.facility_id == facility.id and user.role == Role.PETUGAS
    assert auth.verify_password(user.password_hash, plan.passwords["petugas.baru07"])
    assert len(kanwil.facility_ids) == 31  # upt-satu and the thirty new ones of region wil-a
    assert len(audited) == 31 and all(row.changes["password_hash"] == [None, "***"] for row in audited)
    again = run(site, site.admin, Kind.USERS, users)
    assert again.counts() == {"app_user": (0, 31), "user_scope": (0, 0)} and again.passwords == {}


@pytest.mark.parametrize(
    ("kind", "rows", "problem"),
    [
        (
            Kind.FACILITIES,
            [facility_row(1, kode_upt="Rutan Baru!")],
            (2, "kode_upt", "validation.reference_code"),
        ),
        (
            Kind.FACILITIES,
            [facility_row(1, kode_wilayah="tidak-ada")],
            (2, "kode_wilayah", "import.unknown_region"),
        ),
        (Kind.FACILITIES, [facility_row(1, jenis_upt="penjara")], (2, "jenis_upt", "import.choice")),
        (Kind.FACILITIES, [facility_row(1, kapasitas=0)], (2, "kapasitas", "validation.at_least")),
        (
            Kind.FACILITIES,
            [facility_row(1), facility_row(2, nama="Rutan Baru 01")],
            (3, "nama", "import.duplicate_row"),
        ),
        (
            Kind.USERS,
            [user_row("petugas.x", kode_upt="tidak-ada")],
            (2, "kode_upt", "import.unknown_facility"),
        ),
        (Kind.USERS, [user_row("petugas.x", kode_upt="")], (2, "kode_wilayah", "validation.scope_required")),
        (Kind.USERS, [user_row("Petugas X")], (2, "nama_pengguna", "validation.username")),
        (Kind.USERS, [user_row("petugas.x", peran="raja")], (2, "peran", "import.choice")),
        (Kind.USERS, [user_row("petugas.x", email="bukan-email")], (2, "email", "validation.email")),
    ],
)
def test_bad_rows_are_refused_and_nothing_is_written(site, kind, rows, problem):
    if kind == Kind.USERS:
        assert run(site, site.admin, Kind.FACILITIES, csv_file([facility_row(1)])).ok
    before = (count(site.engine, Facility), count(site.engine, User), count(site.engine, AuditLog))
    good = user_row("petugas.baik") if kind == Kind.USERS else facility_row(9)
    plan = run(site, site.admin, kind, csv_file([*rows, good]))
    assert problem in found(plan)
    assert (count(site.engine, Facility), count(site.engine, User), count(site.engine, AuditLog)) == before
    assert not plan.written


def test_only_an_admin_onboards(site):
    for principal in (site.petugas, site.mitra, site.pimpinan):
        assert Kind.FACILITIES not in importer.kinds_for(principal)
        assert Kind.USERS not in importer.kinds_for(principal)
        plan = run(site, principal, Kind.USERS, csv_file([user_row("x.y")]))
        assert found(plan) == {(None, "", "import.role_denied")}


def test_the_cli_prints_the_passwords_once(site, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("REHAB_DATABASE_URL", site.engine.url.render_as_string(hide_password=False))
    (tmp_path / "upt.csv").write_bytes(csv_file([facility_row(1)]))
    (tmp_path / "users.csv").write_bytes(csv_file([user_row("petugas.cli")]))
    assert main(["import", str(tmp_path / "upt.csv"), "--kind", "facilities"]) == 0
    assert main(["import", str(tmp_path / "users.csv"), "--kind", "users"]) == 0
    out = capsys.readouterr().out
    password = out.split("petugas.cli\t")[1].split()[0]
    with Session(site.engine) as session:
        assert auth.authenticate(session, "petugas.cli", password) is not None
