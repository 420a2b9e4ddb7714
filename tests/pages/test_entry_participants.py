"""Peserta page under AppTest: registering and releasing participants on a private copy of demo data."""

from datetime import date, timedelta

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from rehabdata import clock, services
from rehabdata.models import AuditLog, Facility, Participant
from tests.pages.apptest import run_app
from tests.pages.entry_support import STAFF, count, errors_under

PAGE = "pages/entry_participants.py"
TODAY = clock.today()
KABANJAHE = "Rutan Kelas IIB Kabanjahe"


def kabanjahe(engine: Engine) -> int:
    with Session(engine) as s:
        return s.exec(select(Facility.id).where(Facility.code == "rutan-kabanjahe")).one()


def fill_new(at, code: str, birth_year: int = 1985, admitted_on: date = TODAY - timedelta(days=10)):
    at.text_input(key="participant_code").input(code)
    at.selectbox(key="participant_sex").set_value("f")
    at.number_input(key="participant_birth_year").set_value(birth_year)
    at.selectbox(key="participant_legal_status").set_value("narapidana")
    at.date_input(key="participant_admitted_on").set_value(admitted_on)
    return at


def test_valid_participant_is_saved_with_one_audit_row(db):
    """Staff's own facility is locked in; a valid entry is stored, audited once, and the next code offered."""
    audits = count(db, AuditLog)
    at = run_app({}, PAGE, username=STAFF)
    assert not at.exception
    facility = at.selectbox(key="participant_facility")
    assert (facility.options, facility.disabled, facility.value) == ([KABANJAHE], True, kabanjahe(db))
    with Session(db) as s:
        suggestion = services.next_participant_code(s, kabanjahe(db), TODAY.year)
    assert at.text_input(key="participant_code").value == suggestion
    fill_new(at, f"kbj-{TODAY.year}-0500")
    at.button(key="participant_submit").click().run()
    assert not at.exception
    code = f"KBJ-{TODAY.year}-0500"
    assert [s.value for s in at.success] == [f"Peserta {code} tersimpan."]
    assert at.error.values == []
    with Session(db) as s:
        row = s.exec(select(Participant).where(Participant.code == code)).one()
    assert (row.facility_id, row.sex, row.birth_year, row.legal_status, row.admitted_on) == (
        kabanjahe(db),
        "f",
        1985,
        "narapidana",
        TODAY - timedelta(days=10),
    )
    assert count(db, AuditLog) == audits + 1
    assert count(db, AuditLog, AuditLog.entity == "participant", AuditLog.entity_id == row.id) == 1
    assert at.text_input(key="participant_code").value == f"KBJ-{TODAY.year}-0501"


def test_duplicate_code_is_refused_under_the_field(db):
    """A code already used in the facility is refused with its message under the code field."""
    participants, audits = count(db, Participant), count(db, AuditLog)
    at = run_app({}, PAGE, username=STAFF)
    fill_new(at, "KBJ-2025-0001")
    at.button(key="participant_submit").click().run()
    assert not at.exception
    assert errors_under(at, "participant_code") == ["Kode KBJ-2025-0001 sudah dipakai di UPT ini."]
    assert at.success.values == []
    assert (count(db, Participant), count(db, AuditLog)) == (participants, audits)
    assert at.text_input(key="participant_code").value == "KBJ-2025-0001"


def test_field_problems_are_shown_under_their_fields(db):
    """A bad code and a too recent birth year are both refused, each under its own field."""
    participants = count(db, Participant)
    at = run_app({}, PAGE, username=STAFF)
    fill_new(at, "kode salah!", birth_year=TODAY.year - 5)
    at.button(key="participant_submit").click().run()
    assert not at.exception
    [code_error] = errors_under(at, "participant_code")
    assert code_error.startswith("Kode peserta hanya huruf besar, angka dan tanda hubung")
    assert errors_under(at, "participant_birth_year") == [
        f"Tahun lahir harus antara 1930 dan {TODAY.year - 15}."
    ]
    assert count(db, Participant) == participants


def test_database_error_is_readable_and_keeps_the_input(db, monkeypatch):
    """A database failure shows "Data belum tersimpan", writes nothing and keeps what was typed."""
    participants, audits = count(db, Participant), count(db, AuditLog)

    def unreachable(**_):
        raise OperationalError("INSERT INTO participant", {}, Exception("database is locked"))

    create = services.create
    at = run_app({}, PAGE, username=STAFF)
    monkeypatch.setattr(services, "create", unreachable)
    fill_new(at, f"KBJ-{TODAY.year}-0777", birth_year=1979)
    at.button(key="participant_submit").click().run()
    assert not at.exception
    [message] = at.error.values
    assert message.startswith("Data belum tersimpan")
    assert at.text_input(key="participant_code").value == f"KBJ-{TODAY.year}-0777"
    assert at.number_input(key="participant_birth_year").value == 1979
    assert at.date_input(key="participant_admitted_on").value == TODAY - timedelta(days=10)
    assert (count(db, Participant), count(db, AuditLog)) == (participants, audits)

    monkeypatch.setattr(services, "create", create)  # the database is back: the same entry now saves
    at.button(key="participant_submit").click().run()
    assert [s.value for s in at.success] == [f"Peserta KBJ-{TODAY.year}-0777 tersimpan."]
    assert count(db, Participant) == participants + 1


def test_exit_before_admission_then_valid_exit(db):
    """An exit before admission is refused under the exit fields; a valid one is saved and audited once."""
    at = run_app({}, PAGE, username=STAFF)
    participant_id = at.selectbox(key="exit_participant").value
    with Session(db) as s:
        participant = s.get(Participant, participant_id)
    at.date_input(key="exit_date").set_value(participant.admitted_on - timedelta(days=1))
    at.button(key="exit_submit").click().run()
    assert not at.exception
    assert errors_under(at, "exit_reason") == ["Tanggal keluar tidak boleh sebelum tanggal masuk."]
    with Session(db) as s:
        assert s.get(Participant, participant_id).exited_on is None

    audits = count(db, AuditLog)
    at.selectbox(key="exit_participant").set_value(participant_id)
    at.date_input(key="exit_date").set_value(TODAY)
    at.selectbox(key="exit_reason").set_value("transferred")
    at.button(key="exit_submit").click().run()
    assert [s.value for s in at.success] == [f"Keluarnya peserta {participant.code} tersimpan."]
    with Session(db) as s:
        stored = s.get(Participant, participant_id)
    assert (stored.exited_on, stored.exit_reason) == (TODAY, "transferred")
    assert count(db, AuditLog) == audits + 1
    assert count(db, AuditLog, AuditLog.action == "update", AuditLog.entity_id == participant_id) == 1
