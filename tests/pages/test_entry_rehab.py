"""Asesmen & Rehabilitasi under AppTest: assessments, enrolments and closing them, on a private demo copy."""

from datetime import date, timedelta

from sqlalchemy import Engine
from sqlmodel import Session, select

from rehabdata import clock
from rehabdata.models import Assessment, AuditLog, Enrollment, Facility, Participant
from tests.pages.apptest import run_app
from tests.pages.entry_support import STAFF, count, errors_under

PAGE = "pages/entry_rehab.py"
TODAY = clock.today()


def kabanjahe_present(engine: Engine, *, enrolled: bool) -> Participant:
    """A Kabanjahe participant still inside, with (or without) an active social enrolment."""
    with Session(engine) as s:
        kab = s.exec(select(Facility.id).where(Facility.code == "rutan-kabanjahe")).one()
        active = select(Enrollment.participant_id).where(
            Enrollment.status == "active", Enrollment.programme == "social"
        )
        condition = (
            Participant.id.in_(active)
            if enrolled
            else Participant.id.not_in(select(Enrollment.participant_id).where(Enrollment.status == "active"))
        )
        return s.exec(
            select(Participant)
            .where(Participant.facility_id == kab, Participant.exited_on.is_(None), condition)
            .order_by(Participant.admitted_on.desc())
        ).first()


def enrol(at, participant_id: int, started_on: date, programme: str = "social") -> None:
    at.selectbox(key="enrol_participant").set_value(participant_id)
    at.selectbox(key="enrol_programme").set_value(programme)
    at.selectbox(key="enrol_modality").set_value("residential")
    at.date_input(key="enrol_started_on").set_value(started_on)
    at.button(key="enrol_submit").click().run()
    assert not at.exception


def test_valid_enrolment_is_saved_with_one_audit_row(db):
    """Only own-facility participants are offered; enrolling one stores it with one audit row."""
    participant = kabanjahe_present(db, enrolled=False)
    audits = count(db, AuditLog)
    at = run_app({}, PAGE, username=STAFF)
    assert not at.exception
    offered = at.selectbox(key="enrol_participant").options
    assert offered and all(label.endswith(" · Rutan Kelas IIB Kabanjahe") for label in offered)
    enrol(at, participant.id, TODAY)
    [saved] = at.success.values
    assert saved.startswith(f"Peserta {participant.code}") and saved.endswith(" terdaftar.")
    with Session(db) as s:
        row = s.exec(select(Enrollment).where(Enrollment.participant_id == participant.id)).one()
    assert (row.programme, row.modality, row.started_on, row.status) == (
        "social",
        "residential",
        TODAY,
        "active",
    )
    assert count(db, AuditLog) == audits + 1
    assert count(db, AuditLog, AuditLog.entity == "enrollment", AuditLog.entity_id == row.id) == 1


def test_enrolment_before_admission_or_twice_is_refused(db):
    """A start before admission shows the stay; a second active enrolment names the participant."""
    newcomer = kabanjahe_present(db, enrolled=False)
    enrolments, audits = count(db, Enrollment), count(db, AuditLog)
    at = run_app({}, PAGE, username=STAFF)
    enrol(at, newcomer.id, newcomer.admitted_on - timedelta(days=1))
    admitted = newcomer.admitted_on.isoformat()
    assert errors_under(at, "enrol_started_on") == [
        f"Tanggal di luar masa tinggal peserta {newcomer.code} ({admitted} – …)."
    ]
    assert (count(db, Enrollment), count(db, AuditLog)) == (enrolments, audits)

    participant = kabanjahe_present(db, enrolled=True)
    enrol(at, participant.id, TODAY)
    [message] = errors_under(at, "enrol_started_on")
    assert message.startswith(f"Peserta {participant.code} sudah terdaftar aktif dalam program")
    assert (count(db, Enrollment), count(db, AuditLog)) == (enrolments, audits)


def test_already_enrolled_message_names_the_programme_in_indonesian(db):
    """The refusal names the programme as the page does ("Rehabilitasi sosial"), not its code."""
    participant = kabanjahe_present(db, enrolled=True)
    at = run_app({}, PAGE, username=STAFF)
    enrol(at, participant.id, TODAY)
    assert errors_under(at, "enrol_started_on") == [
        f"Peserta {participant.code} sudah terdaftar aktif dalam program Rehabilitasi sosial."
    ]


def test_closing_an_enrolment(db):
    """An end date before the start is refused; a valid closing updates the enrolment, audited once."""
    at = run_app({}, PAGE, username=STAFF)
    enrolment_id = at.selectbox(key="end_enrollment").value
    with Session(db) as s:
        started = s.get(Enrollment, enrolment_id).started_on
    at.selectbox(key="end_status").set_value("completed")
    at.date_input(key="end_date").set_value(started - timedelta(days=1))
    at.button(key="end_submit").click().run()
    assert not at.exception
    assert errors_under(at, "end_date") == ["Tanggal selesai tidak boleh sebelum tanggal mulai."]
    with Session(db) as s:
        assert s.get(Enrollment, enrolment_id).status == "active"

    audits = count(db, AuditLog)
    at.selectbox(key="end_enrollment").set_value(enrolment_id)
    at.selectbox(key="end_status").set_value("completed")
    at.date_input(key="end_date").set_value(TODAY)
    at.text_input(key="end_reason").input("Program tuntas")
    at.button(key="end_submit").click().run()
    assert at.success.values == ["Status pendaftaran diubah: Selesai."]
    with Session(db) as s:
        row = s.get(Enrollment, enrolment_id)
    assert (row.status, row.ended_on, row.end_reason) == ("completed", TODAY, "Program tuntas")
    assert count(db, AuditLog) == audits + 1
    assert count(db, AuditLog, AuditLog.action == "update", AuditLog.entity_id == enrolment_id) == 1


def test_assessment_needs_an_assessor_then_saves(db):
    """Without an assessor the assessment is refused under that field; with one it is saved and audited."""
    participant = kabanjahe_present(db, enrolled=False)
    assessments, audits = count(db, Assessment), count(db, AuditLog)
    at = run_app({}, PAGE, username=STAFF)
    at.selectbox(key="assessment_participant").set_value(participant.id)
    at.selectbox(key="assessment_route").set_value("injected")
    at.number_input(key="assessment_duration").set_value(18)
    at.button(key="assessment_submit").click().run()
    assert not at.exception
    assert errors_under(at, "assessment_assessor") == ["Wajib diisi."]
    assert (count(db, Assessment), count(db, AuditLog)) == (assessments, audits)

    at.text_input(key="assessment_assessor").input("dr. Sembiring")
    at.selectbox(key="assessment_programme").set_value("medical")
    at.button(key="assessment_submit").click().run()
    [saved] = at.success.values
    assert saved.startswith(f"Asesmen {participant.code}") and saved.endswith(" tersimpan.")
    with Session(db) as s:
        row = s.exec(select(Assessment).where(Assessment.participant_id == participant.id)).one()
    assert (row.assessor, row.primary_substance, row.route_of_use, row.use_duration_months) == (
        "dr. Sembiring",
        "amphetamines",
        "injected",
        18,
    )
    assert (row.recommended_programme, row.assessed_on) == ("medical", TODAY)
    assert count(db, AuditLog) == audits + 1
