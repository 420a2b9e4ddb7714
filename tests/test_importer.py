"""Bulk import: every kind, all-or-nothing validation with row numbers, re-import, encodings, scope."""

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import Engine, func
from sqlmodel import Session, SQLModel, select

from rehabdata import assist, importer
from rehabdata.auth import Principal, ScopeError, principal_for
from rehabdata.cli import main
from rehabdata.db import session_scope
from rehabdata.importer import Kind
from rehabdata.models import (
    Attendance,
    AuditLog,
    Facility,
    FacilityPopulation,
    OutreachEvent,
    Participant,
    ProgrammeSession,
    Role,
    Screening,
    ScreeningCreate,
    User,
    UserScope,
)
from rehabdata.validation import check
from tests import factories as f
from tests.aggregate_checks import assert_aggregates_exact


@dataclass(frozen=True)
class Site:
    """Two facilities in two regions; in upt-satu T1-0001 (social, active), T1-0002 (social, ended
    2025-10-31 with their stay) and T1-0003 (not enrolled); one principal per role."""

    engine: Engine
    f1: int
    f2: int
    partner: int
    p1: int
    admin: Principal
    petugas: Principal  # upt-satu only
    mitra: Principal  # upt-satu only
    pimpinan: Principal


def build_site(engine: Engine) -> Site:
    with session_scope(engine) as s:
        region_a = f.make_region(s, code="wil-a")
        region_b = f.make_region(s, code="wil-b")
        f1 = f.make_facility(s, region_a, code="upt-satu")
        f2 = f.make_facility(s, region_b, code="upt-dua")
        partner = f.make_partner(s, region_a, code="mitra-a")
        p1 = f.make_participant(s, f1, code="T1-0001")
        p2 = f.make_participant(s, f1, code="T1-0002", exited_on=date(2025, 10, 31), exit_reason="released")
        f.make_participant(s, f1, code="T1-0003")
        f.make_enrollment(s, p1, date(2025, 9, 1), "social")
        f.make_enrollment(s, p2, date(2025, 9, 1), "social", status="completed", ended_on=date(2025, 10, 31))
        principals = {}
        for username, role, facility in (
            ("admin", Role.ADMIN, None),
            ("petugas", Role.PETUGAS, f1.id),
            ("mitra", Role.MITRA, f1.id),
            ("pimpinan", Role.PIMPINAN, f1.id),
        ):
            user = User(username=username, role=role)
            s.add(user)
            s.flush()
            if facility:
                s.add(UserScope(user_id=user.id, facility_id=facility))
                s.flush()
            principals[username] = principal_for(s, user)
        return Site(engine, f1.id, f2.id, partner.id, p1.id, **principals)


@pytest.fixture
def site(any_engine) -> Site:
    """``build_site`` on SQLite and on PostgreSQL."""
    return build_site(any_engine)


@pytest.fixture
def sqlite_site(engine) -> Site:
    """``build_site`` on SQLite only (for checks that do not depend on the database)."""
    return build_site(engine)


def csv_file(rows: list[dict], encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    """A CSV of ``rows`` (header: the keys of every row, in first-seen order)."""
    header = list(dict.fromkeys(key for row in rows for key in row))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, header, delimiter=delimiter, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def run(site: Site, principal: Principal, kind: Kind, data: bytes, filename: str = "data.csv"):
    """``import_file`` in one transaction, as the page and the CLI call it."""
    with session_scope(site.engine) as session:
        return importer.import_file(session, principal, kind, data, filename)


def found(plan) -> set[tuple]:
    """The plan's problems as (row, column, message key)."""
    return {(p.row, p.column, p.problem.key) for p in plan.problems}


def count(engine: Engine, model: type[SQLModel]) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def imported(engine: Engine, entity: str) -> list[AuditLog]:
    """The audit rows the importer wrote for ``entity``."""
    with Session(engine) as session:
        statement = select(AuditLog).where(AuditLog.action == "import", AuditLog.entity == entity)
        return list(session.exec(statement.order_by(AuditLog.entity_id)).all())


def participant(code: str, **overrides) -> dict:
    row = {
        "kode_upt": "upt-satu",
        "kode_peserta": code,
        "jenis_kelamin": "L",
        "tahun_lahir": "1990",
        "status_hukum": "tahanan",
        "kasus_narkotika": "",
        "tanggal_masuk": "2025-08-01",
        "tanggal_keluar": "",
        "alasan_keluar": "",
    }
    return row | overrides


def session_row(code: str, **overrides) -> dict:
    row = {
        "kode_upt": "upt-satu",
        "tanggal_sesi": "2025-09-10",
        "program": "sosial",
        "jenis_sesi": "kelompok",
        "topik": "Pencegahan kekambuhan",
        "fasilitator": "Konselor",
        "durasi_menit": "90",
        "kode_mitra": "mitra-a",
        "kode_peserta": code,
    }
    return row | overrides


def outreach(place: str, **overrides) -> dict:
    row = {
        "kode_wilayah": "wil-a",
        "kode_upt": "upt-satu",
        "kode_mitra": "",
        "tanggal": "2025-09-10",
        "tempat": place,
        "jenis_kegiatan": "penyuluhan",
        "sasaran": "keluarga",
        "jumlah_orang": "45",
        "topik": "Bahaya narkoba",
    }
    return row | overrides


# --- each kind ------------------------------------------------------------------------------------


def test_participants_file_imports_rows_and_audit(site):
    """Three valid participant rows become three participants and three 'import' audit rows like services'."""
    rows = [
        participant("new-0001", kasus_narkotika="ya"),
        participant(
            "NEW-0002",
            jenis_kelamin="p",
            status_hukum="Narapidana",
            kasus_narkotika="tidak",
            tanggal_masuk="04/08/2025",
            tanggal_keluar="2025-10-01",
            alasan_keluar="bebas",
        ),
        participant("NEW-0001", kode_upt="upt-dua", tanggal_masuk="2025-09-01"),
    ]
    plan = run(site, site.admin, Kind.PARTICIPANTS, csv_file(rows))
    assert plan.ok and plan.written
    assert importer.summary(plan, "id") == "Peserta: 3 baru, 0 sudah ada."
    with Session(site.engine) as s:
        new = {
            (p.facility_id, p.code): p
            for p in s.exec(select(Participant).where(Participant.code.like("NEW-%")))
        }
    assert set(new) == {(site.f1, "NEW-0001"), (site.f1, "NEW-0002"), (site.f2, "NEW-0001")}
    second = new[(site.f1, "NEW-0002")]
    assert (second.sex, second.legal_status, second.narcotics_case) == ("f", "narapidana", False)
    assert (second.admitted_on, second.exited_on, second.exit_reason) == (
        date(2025, 8, 4),
        date(2025, 10, 1),
        "released",
    )
    audit = imported(site.engine, "participant")
    assert [a.entity_id for a in audit] == sorted(p.id for p in new.values())
    by_id = {p.id: p for p in new.values()}
    for row in audit:
        assert row.username == "admin" and row.facility_id == by_id[row.entity_id].facility_id
        assert row.changes["code"] == [None, by_id[row.entity_id].code]
        assert row.changes["id"] == [None, row.entity_id]
    assert "exited_on" in next(a for a in audit if a.entity_id == second.id).changes
    assert "exited_on" not in audit[0].changes  # None values are left out, as in services' diff


def test_screenings_file_scores_like_the_form(site):
    """Screening rows are scored by assist; Q3–Q5 are skipped when Q2 is 0; no substances means low risk."""
    rows = [
        {
            "kode_upt": "upt-satu",
            "kode_peserta": "t1-0001",
            "tanggal_skrining": "2025-09-05",
            "petugas_skrining": "Perawat",
            "zat": "sabu, ganja",
            "q8_suntik": "2",
            "tes_urine": "positif",
            **{f"amfetamin_q{n}": points for n, points in zip(range(2, 8), "667866", strict=True)},
            "ganja_q2": "0",
            "ganja_q3": "",
            "ganja_q6": "3",
            "ganja_q7": "0",
        },
        {
            "kode_upt": "upt-satu",
            "kode_peserta": "T1-0002",
            "tanggal_skrining": "2025-09-06",
            "petugas_skrining": "Perawat",
            "zat": "",
        },
    ]
    plan = run(site, site.petugas, Kind.SCREENINGS, csv_file(rows))
    assert plan.ok, found(plan)
    assert importer.summary(plan, "en") == "Screenings: 2 new, 0 already present."
    with Session(site.engine) as s:
        first, second = s.exec(select(Screening).order_by(Screening.screened_on)).all()
    answers = {"amphetamines": dict(zip(assist.SCORED_QUESTIONS, (6, 6, 7, 8, 6, 6), strict=True))}
    answers["cannabis"] = {"q2": 0, "q6": 3, "q7": 0}
    expected = assist.score_screening(answers, 2)
    assert first.answers == {**answers, "q8": 2}
    assert (first.score_amphetamines, first.score_cannabis) == (39, 3)
    assert expected.scores == {"cannabis": 3, "amphetamines": 39}
    assert (first.overall_risk, first.recommendation) == ("high", expected.recommendation)
    assert (first.injecting, first.urine_result, first.facility_id) == (2, "positive", site.f1)
    assert (second.overall_risk, second.max_score, second.urine_result) == ("low", 0, "not_done")
    audit = imported(site.engine, "screening")
    assert [a.entity_id for a in audit] == [first.id, second.id]
    assert audit[0].changes["score_amphetamines"] == [None, 39]
    assert_aggregates_exact(site.engine)  # bulk inserts refresh the aggregates they touch


def test_sessions_file_groups_rows_into_sessions_with_attendance(site):
    """Rows with the same session columns are one session; a blank participant is a session without attendance."""
    rows = [
        session_row("T1-0001"),
        session_row("T1-0002"),
        session_row(
            "", tanggal_sesi="11/09/2025", jenis_sesi="edukasi", topik="HIV", durasi_menit="", kode_mitra=""
        ),
    ]
    plan = run(site, site.mitra, Kind.SESSIONS, csv_file(rows))
    assert plan.ok, found(plan)
    assert plan.counts() == {"programme_session": (2, 0), "attendance": (2, 0)}
    with Session(site.engine) as s:
        group, education = s.exec(select(ProgrammeSession).order_by(ProgrammeSession.held_on)).all()
        attendance = s.exec(select(Attendance.session_id, Attendance.participant_id)).all()
    assert (group.session_type, group.duration_minutes, group.partner_id) == ("group", 90, site.partner)
    assert (education.held_on, education.duration_minutes, education.partner_id) == (
        date(2025, 9, 11),
        60,
        None,
    )
    assert {session_id for session_id, _ in attendance} == {group.id}
    assert len(attendance) == 2
    assert [a.facility_id for a in imported(site.engine, "attendance")] == [site.f1, site.f1]
    assert [a.entity_id for a in imported(site.engine, "programme_session")] == [group.id, education.id]
    assert_aggregates_exact(site.engine)


def test_outreach_and_population_files(site):
    """Outreach events and monthly populations import with codes resolved and months normalised."""
    events = [outreach("Aula Rutan"), outreach("Balai desa", kode_upt="", sasaran="masyarakat")]
    plan = run(site, site.admin, Kind.OUTREACH, csv_file(events))
    assert plan.ok, found(plan)
    with Session(site.engine) as s:
        stored = {e.place: e for e in s.exec(select(OutreachEvent))}
    assert (stored["Aula Rutan"].facility_id, stored["Aula Rutan"].audience) == (site.f1, "families")
    assert (stored["Balai desa"].facility_id, stored["Balai desa"].audience) == (None, "public")
    populations = [
        {"kode_upt": "upt-satu", "bulan": "09/2025", "jumlah_wbp": "400", "wbp_narkotika": "300"},
        {"kode_upt": "upt-satu", "bulan": "2025-10-15", "jumlah_wbp": "410", "wbp_narkotika": "305"},
    ]
    plan = run(site, site.petugas, Kind.POPULATIONS, csv_file(populations, delimiter=";"))
    assert plan.ok, found(plan)
    with Session(site.engine) as s:
        months = s.exec(select(FacilityPopulation.month, FacilityPopulation.wbp_total)).all()
    assert sorted(months) == [(date(2025, 9, 1), 400), (date(2025, 10, 1), 410)]
    assert len(imported(site.engine, "facility_population")) == 2


def test_xlsx_file_with_date_and_number_cells(sqlite_site):
    """An XLSX sheet with real date cells and float numbers imports like the CSV."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(
        ["kode_upt", "kode_peserta", "jenis_kelamin", "tahun_lahir", "status_hukum", "tanggal_masuk"]
    )
    sheet.append(["upt-satu", "X-0001", "L", 1990.0, "tahanan", datetime(2025, 8, 4)])
    sheet.append([None] * 6)  # an empty row, as Excel leaves them, is skipped
    sheet.append(["upt-satu", "X-0002", "P", 1991, "narapidana", date(2025, 8, 5)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    plan = run(sqlite_site, sqlite_site.admin, Kind.PARTICIPANTS, buffer.getvalue(), "peserta.xlsx")
    assert plan.ok, found(plan)
    with Session(sqlite_site.engine) as s:
        admitted = s.exec(
            select(Participant.code, Participant.admitted_on).where(Participant.code.like("X-%"))
        )
        assert sorted(admitted) == [("X-0001", date(2025, 8, 4)), ("X-0002", date(2025, 8, 5))]


# --- all or nothing -------------------------------------------------------------------------------


def test_errors_in_several_rows_write_nothing_and_are_all_reported(site):
    """Every wrong row is reported by row number, column and message; no row of the file is written."""
    rows = [
        participant("OK-0001"),
        participant("OK-0002", jenis_kelamin="X"),
        participant("OK-0003", tahun_lahir="", tanggal_masuk="2099-01-01"),
        participant("OK-0004", kode_upt="upt-tiga"),
        participant("ok-0001"),
        participant("OK-0005", tanggal_keluar="2025-09-01"),
        participant("OK-0006", tanggal_masuk="31/02/2025", tahun_lahir="abc"),
    ]
    before = count(site.engine, Participant)
    plan = run(site, site.admin, Kind.PARTICIPANTS, csv_file(rows))
    assert not plan.ok and not plan.written
    assert found(plan) == {
        (3, "jenis_kelamin", "import.choice"),
        (4, "tahun_lahir", "validation.required"),
        (4, "tanggal_masuk", "validation.future_date"),
        (5, "kode_upt", "import.unknown_facility"),
        (6, "kode_peserta", "import.duplicate_row"),
        (7, "alasan_keluar", "validation.exit_reason_required"),
        (8, "tanggal_masuk", "validation.not_a_date"),
        (8, "tahun_lahir", "validation.not_a_number"),
    }
    messages = {(p.row, p.column): (p.message("id"), p.message("en")) for p in plan.problems}
    assert messages[(6, "kode_peserta")][1] == "Same as row 2 (the same record twice in the file)."
    assert messages[(3, "jenis_kelamin")][0] == "Nilai “X” tidak diizinkan; pilih salah satu: L, P."
    assert count(site.engine, Participant) == before
    assert imported(site.engine, "participant") == []


def test_screening_rows_follow_the_form_and_stay_rules(sqlite_site):
    """Unknown participant, date outside the stay, unlisted or unknown substances and bad answers are refused."""

    def screening(**cells: str) -> dict:
        answers = {"amfetamin_q2": "0", "amfetamin_q6": "0", "amfetamin_q7": "0"}
        base = {
            "kode_upt": "upt-satu",
            "kode_peserta": "T1-0001",
            "tanggal_skrining": "2025-09-05",
            "petugas_skrining": "Perawat",
        }
        return base | {"zat": "amfetamin"} | answers | cells

    rows = [
        screening(kode_peserta="T1-9999"),
        screening(kode_peserta="T1-0002", tanggal_skrining="2025-11-05"),
        screening(amfetamin_q2=""),
        screening(
            tanggal_skrining="2025-09-06",
            amfetamin_q2="2",
            amfetamin_q3="2",
            amfetamin_q4="0",
            amfetamin_q5="0",
        ),
        screening(tanggal_skrining="2025-09-07", ganja_q2="4"),
        screening(tanggal_skrining="2025-09-08", zat="heroin"),
        screening(tanggal_skrining="2025-09-09", amfetamin_q4="5"),
        screening(tanggal_skrining="2025-09-10", q8_suntik="3"),
        screening(tanggal_skrining="2025-09-11"),
        screening(tanggal_skrining="11/09/2025"),
    ]
    plan = run(sqlite_site, sqlite_site.petugas, Kind.SCREENINGS, csv_file(rows))
    _, (q8_problem,) = check(
        ScreeningCreate, {"participant_id": 1, "screened_on": "2025-09-10", "screener": "P", "injecting": 3}
    )
    q8_rule = q8_problem.key  # the form's own rule for Q8
    assert found(plan) == {
        (2, "kode_peserta", "import.unknown_participant"),
        (3, "tanggal_skrining", "validation.outside_stay"),
        (4, "amfetamin_q2", "validation.required"),
        (5, "amfetamin_q3", "validation.assist_scale"),
        (6, "ganja_q2", "import.substance_not_listed"),
        (7, "zat", "import.unknown_substance"),
        (8, "amfetamin_q4", "import.assist_skipped"),
        (9, "q8_suntik", q8_rule),
        (11, "tanggal_skrining", "import.duplicate_row"),
    }
    assert count(sqlite_site.engine, Screening) == 0


def test_reimport_adds_nothing_and_says_already_present(site):
    """The same sessions file twice adds nothing the second time; a new attendee joins the existing session."""
    rows = [session_row("T1-0001"), session_row("T1-0002"), session_row("", tanggal_sesi="2025-09-11")]
    assert run(site, site.admin, Kind.SESSIONS, csv_file(rows)).ok
    counts = (
        count(site.engine, ProgrammeSession),
        count(site.engine, Attendance),
        count(site.engine, AuditLog),
    )
    again = run(site, site.admin, Kind.SESSIONS, csv_file(rows))
    assert again.ok and again.counts() == {"programme_session": (0, 2), "attendance": (0, 2)}
    assert importer.summary(again, "id") == "Sesi: 0 baru, 2 sudah ada. Kehadiran: 0 baru, 2 sudah ada."
    assert (
        count(site.engine, ProgrammeSession),
        count(site.engine, Attendance),
        count(site.engine, AuditLog),
    ) == counts
    more = run(
        site, site.admin, Kind.SESSIONS, csv_file([*rows, session_row("T1-0001", tanggal_sesi="2025-09-11")])
    )
    assert more.counts() == {"programme_session": (0, 2), "attendance": (1, 2)}
    with Session(site.engine) as s:
        later = s.exec(select(ProgrammeSession.id).where(ProgrammeSession.held_on == date(2025, 9, 11))).one()
        assert s.exec(select(Attendance.session_id).where(Attendance.participant_id == site.p1)).all() == [
            s.exec(select(ProgrammeSession.id).where(ProgrammeSession.held_on == date(2025, 9, 10))).one(),
            later,
        ]
    known = run(
        site, site.admin, Kind.PARTICIPANTS, csv_file([participant("T1-0001"), participant("T1-0009")])
    )
    assert importer.summary(known, "en") == "Participants: 1 new, 1 already present."


# --- files ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("place", "encoding", "delimiter"),
    [
        ("Aula Lapas – Pekalongan", "cp1252", ","),
        ("Café Sehat", "cp1252", ";"),
        ("Aula Lapas – Pekalongan", "utf-8-sig", ";"),
        ("Café Sehat", "utf-8", ","),
        ("Aula Lapas – Pekalongan", "utf-16", "\t"),
    ],
)
def test_excel_encodings_and_delimiters(sqlite_site, place, encoding, delimiter):
    """Windows-1252, UTF-8 with or without BOM and UTF-16 files, comma/semicolon/tab separated, keep accents."""
    data = csv_file([outreach(place), outreach("Aula, lantai 2")], encoding=encoding, delimiter=delimiter)
    plan = run(sqlite_site, sqlite_site.admin, Kind.OUTREACH, data)
    assert plan.ok, found(plan)
    with Session(sqlite_site.engine) as s:
        assert sorted(s.exec(select(OutreachEvent.place))) == sorted([place, "Aula, lantai 2"])


@pytest.mark.parametrize(
    ("data", "filename", "key"),
    [
        (b"", "a.csv", "import.empty"),
        (b"kode_upt,kode_peserta\r\n\r\n,\r\n", "a.csv", "import.empty"),
        (b"kode_wilayah,tempat\n\x81\x8d,\x8f\n", "a.csv", "import.encoding"),
        (b"kode_wilayah,tempat\n\x00\x00,x\n", "a.csv", "import.encoding"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "a.xls", "import.old_excel"),
        (b"PK\x03\x04 not really a workbook", "a.xlsx", "import.xlsx_unreadable"),
        (b"kode_upt\n" + b"x" * (20 * 1024 * 1024), "a.csv", "import.too_large"),
        (b"a,b\n" + b"1,2\n" * 50_001, "a.csv", "import.too_many_rows"),
        (b"kode_upt,tempat\nupt-satu," + b"x" * 1024 * 1024 + b"\n", "a.csv", "import.cell_too_long"),
    ],
)
def test_unreadable_files_get_one_clear_message(data, filename, key):
    """Empty, undecodable, binary, .xls, damaged .xlsx, over 20 MB and over 50,000 rows are refused by name."""
    with pytest.raises(importer.FileRefused) as refused:
        importer.read_table(data, filename)
    assert refused.value.problem.key == key
    assert "import." not in refused.value.problem.message("id")  # a real text, not the bare key


def test_fifty_thousand_rows_are_read():
    """Exactly 50,000 data rows is within the limit."""
    assert len(importer.read_table(b"a,b\n" + b"1,2\n" * 50_000).rows) == 50_000


def test_wrong_kind_names_missing_and_unknown_columns(sqlite_site):
    """A participants file chosen as screenings names the missing and unknown columns and the likely kind."""
    plan = run(sqlite_site, sqlite_site.admin, Kind.SCREENINGS, csv_file([participant("Z-0001")]))
    assert found(plan) == {
        (1, "", "import.missing_columns"),
        (1, "", "import.unknown_columns"),
        (1, "", "import.looks_like.participants"),
    }
    messages = [p.message("en") for p in plan.problems]
    assert "tanggal_skrining, petugas_skrining, zat" in messages[0]
    assert "jenis_kelamin" in messages[1] and "kode_upt" not in messages[1]
    assert count(sqlite_site.engine, Participant) == 3


def test_templates_carry_every_column_and_a_guide():
    """The CSV and XLSX templates have the same header and example; the XLSX guide sheet names every column."""
    for kind in Kind:
        names = [column.name for column in importer.SPECS[kind]]
        header = importer.template_csv(kind).decode("utf-8-sig").splitlines()[0]
        assert header.split(",") == names
        workbook = load_workbook(io.BytesIO(importer.template_xlsx(kind)))
        assert workbook.sheetnames == ["Data", "Petunjuk"]
        assert [cell.value for cell in workbook["Data"][1]] == names
        guided = {row[0] for row in workbook["Petunjuk"].iter_rows(min_row=2, values_only=True)}
        assert {n for n in names if n not in importer.ANSWER_COLUMNS} <= guided
        assert not any(
            text.startswith("import.") for text in (r["description"] for r in importer.guide(kind, "en"))
        )


# --- role and scope -------------------------------------------------------------------------------


def test_out_of_scope_facility_is_refused_for_petugas(site):
    """A petugas of upt-satu cannot import rows of upt-dua; nothing of the file is written."""
    rows = [participant("S-0001"), participant("S-0002", kode_upt="upt-dua")]
    plan = run(site, site.petugas, Kind.PARTICIPANTS, csv_file(rows))
    assert found(plan) == {(3, "kode_upt", "validation.in_scope")}
    assert count(site.engine, Participant) == 3
    events = [outreach("Aula"), outreach("Pasar", kode_upt=""), outreach("Alun-alun", kode_wilayah="wil-b")]
    plan = run(site, site.mitra, Kind.OUTREACH, csv_file(events))
    assert found(plan) == {
        (3, "kode_upt", "import.facility_required"),
        (4, "kode_upt", "import.facility_not_in_region"),
    }


def test_roles_that_may_not_write_are_refused(sqlite_site):
    """Pimpinan imports nothing; a mitra may import sessions and outreach but not participants."""
    data = csv_file([participant("R-0001")])
    for principal in (sqlite_site.pimpinan, sqlite_site.mitra):
        plan = run(sqlite_site, principal, Kind.PARTICIPANTS, data)
        assert found(plan) == {(None, "", "import.role_denied")}
    assert importer.kinds_for(sqlite_site.mitra) == [Kind.SESSIONS, Kind.OUTREACH]
    assert importer.kinds_for(sqlite_site.pimpinan) == []
    with Session(sqlite_site.engine) as session:
        admin_plan = importer.plan(
            session, sqlite_site.admin, Kind.PARTICIPANTS, csv_file([participant("R-2", kode_upt="upt-dua")])
        )
        with pytest.raises(ScopeError):
            importer.write(session, sqlite_site.petugas, admin_plan)


def test_attendance_for_not_enrolled_participant_is_refused(site):
    """Attendance needs an enrolment in that programme at that facility active on the session date, within the stay."""
    with session_scope(site.engine) as s:
        released = f.make_participant(
            s, s.get(Facility, site.f1), code="T1-0004", exited_on=date(2025, 10, 15), exit_reason="released"
        )
        f.make_enrollment(s, released, date(2025, 9, 1), "social")  # left open at release
    rows = [
        session_row("T1-0003"),  # never enrolled
        session_row("T1-0001", program="medis"),  # enrolled in social, not medical
        session_row("T1-0002", tanggal_sesi="2025-10-31"),  # last day of the enrolment: still fine
        session_row("T1-0002", tanggal_sesi="2025-11-01"),  # after it ended, with the stay
        session_row("T1-0001", tanggal_sesi="2025-08-31"),  # before it started
        session_row("T1-0001", fasilitator="Orang lain"),  # same session, different facilitator
        session_row("T1-0004", tanggal_sesi="2025-10-20"),  # released before the session
    ]
    plan = run(site, site.admin, Kind.SESSIONS, csv_file(rows))
    assert found(plan) == {
        (2, "kode_peserta", "validation.not_enrolled"),
        (3, "kode_peserta", "validation.not_enrolled"),
        (5, "kode_peserta", "validation.outside_stay"),
        (6, "kode_peserta", "validation.not_enrolled"),
        (7, "fasilitator", "import.session_conflict"),
        (8, "kode_peserta", "validation.outside_stay"),
    }
    assert count(site.engine, ProgrammeSession) == count(site.engine, Attendance) == 0


# --- command line ---------------------------------------------------------------------------------


def test_cli_prints_problems_or_counts(sqlite_site, tmp_path, monkeypatch, capsys):
    """`import` prints a row/column/message table and exits 2, or prints the counts and exits 0."""
    monkeypatch.setenv("REHAB_DATABASE_URL", sqlite_site.engine.url.render_as_string(hide_password=False))
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_file([participant("C-0001", kode_upt="upt-dua")]))
    assert main(["import", str(bad), "--kind", "participants", "--user", "petugas"]) == 2
    out = capsys.readouterr().out.splitlines()
    assert out == ["Baris\tKolom\tMasalah", "2\tkode_upt\tAnda tidak memiliki akses ke UPT ini."]
    assert main(["import", str(bad), "--kind", "participants", "--lang", "en"]) == 0  # default: the admin
    assert capsys.readouterr().out.strip() == "Participants: 1 new, 0 already present."
    assert imported(sqlite_site.engine, "participant")[0].username == "admin"
