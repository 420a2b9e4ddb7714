"""Sesi & Kehadiran under AppTest: a session and its attendance saved together, on a private demo copy."""

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from rehabdata import clock, services
from rehabdata.models import Attendance, ProgrammeSession
from tests.pages.apptest import run_app
from tests.pages.entry_support import STAFF, audits_since, count, errors_under, last_audit_id

PAGE = "pages/entry_sessions.py"
TODAY = clock.today()


def open_social(db: Engine):
    """The page as Kabanjahe staff with the social programme chosen for today; returns it and the roster."""
    at = run_app({}, PAGE, username=STAFF)
    assert not at.exception
    at.selectbox(key="session_programme").set_value("social").run()
    facility_id = at.selectbox(key="session_facility").value
    with Session(db) as s:
        roster = services.session_roster(s, facility_id=facility_id, programme="social", day=TODAY)
    assert len(roster) >= 2, "the demo data should leave active social enrolments"
    return at, [(p.id, p.code) for p in roster]


def tick(at, rows: list[int]) -> None:
    """Tick "Hadir" for the roster rows ``rows`` (the editor's edit state, as the browser sends it)."""
    [editor] = at.data_editor
    at.session_state[editor.key] = {
        "edited_rows": {row: {"attended": True} for row in rows},
        "added_rows": [],
        "deleted_rows": [],
    }


def test_session_with_attendance_is_saved_and_audited(db):
    """Locked facility, roster of the day; two ticked: one session, two attendance rows, three audit rows."""
    last = last_audit_id(db)
    at, roster = open_social(db)
    facility = at.selectbox(key="session_facility")
    assert (len(facility.options), facility.disabled) == (1, True)
    assert f"**Peserta aktif pada tanggal ini: {len(roster)}. Centang yang hadir.**" in at.markdown.values
    assert list(at.data_editor[0].value["code"]) == [code for _, code in roster]
    at.selectbox(key="session_type").set_value("skills")
    at.text_input(key="session_topic").input("Keterampilan menjahit")
    at.number_input(key="session_duration").set_value(90)
    tick(at, [0, 1])
    at.run()
    at.button(key="session_submit").click().run()
    assert not at.exception
    assert at.success.values == [f"Sesi {TODAY:%d/%m/%Y} tersimpan dengan 2 peserta hadir."]
    with Session(db) as s:
        row = s.exec(select(ProgrammeSession).where(ProgrammeSession.held_on == TODAY)).one()
        present = s.exec(select(Attendance.participant_id).where(Attendance.session_id == row.id)).all()
    assert (row.programme, row.session_type, row.topic, row.duration_minutes) == (
        "social",
        "skills",
        "Keterampilan menjahit",
        90,
    )
    assert sorted(present) == sorted(pid for pid, _ in roster[:2])
    assert audits_since(db, last) == ["attendance", "attendance", "programme_session"]


def test_missing_topic_is_refused_and_nothing_written(db):
    """A session without a topic is refused under the topic row; no session, no attendance."""
    sessions, attendance, last = count(db, ProgrammeSession), count(db, Attendance), last_audit_id(db)
    at, _ = open_social(db)
    tick(at, [0])
    at.run()
    at.button(key="session_submit").click().run()
    assert not at.exception
    assert errors_under(at, "session_duration") == ["Wajib diisi."]
    assert at.success.values == []
    assert (count(db, ProgrammeSession), count(db, Attendance)) == (sessions, attendance)
    assert audits_since(db, last) == []


def test_database_error_keeps_the_entries(db, monkeypatch):
    """A database failure shows "Data belum tersimpan", writes nothing and keeps topic and ticks."""
    sessions = count(db, ProgrammeSession)

    def unreachable(**_):
        raise OperationalError("INSERT INTO programme_session", {}, Exception("database is locked"))

    at, _ = open_social(db)
    at.text_input(key="session_topic").input("Pencegahan relaps")
    at.text_input(key="session_facilitator").input("Konselor BNNK")
    tick(at, [1])
    at.run()
    monkeypatch.setattr(services, "create", unreachable)
    at.button(key="session_submit").click().run()
    assert not at.exception
    [message] = at.error.values
    assert message.startswith("Data belum tersimpan")
    assert at.text_input(key="session_topic").value == "Pencegahan relaps"
    assert at.text_input(key="session_facilitator").value == "Konselor BNNK"
    assert at.session_state[at.data_editor[0].key]["edited_rows"] == {1: {"attended": True}}
    assert count(db, ProgrammeSession) == sessions


def test_ticks_sent_with_the_click_are_saved(db):
    """Attendance ticked in the same rerun as the Save click is stored."""
    at, _ = open_social(db)
    at.text_input(key="session_topic").input("Relaps")
    tick(at, [0, 1])
    at.button(key="session_submit").click().run()
    assert at.success.values == [f"Sesi {TODAY:%d/%m/%Y} tersimpan dengan 2 peserta hadir."]
