"""Correcting and deleting saved entries from the entry pages, and the peer-counsellor form."""

from datetime import date

from sqlmodel import Session, select

from rehabdata import clock
from rehabdata.models import AuditLog, FacilityPopulation, Participant, PeerCounsellor, PeerCounsellorTraining
from tests.pages.apptest import ADMIN, run_app
from tests.pages.entry_support import STAFF, count


def latest_participant(engine) -> Participant:
    with Session(engine) as session:
        return session.exec(
            select(Participant).where(Participant.code.startswith("KBJ")).order_by(Participant.id.desc())
        ).first()


def test_staff_correct_a_participant_with_an_audited_diff(db):
    """Picking the newest participant and changing the birth year saves it with a before → after audit row."""
    participant = latest_participant(db)
    at = run_app({}, "pages/entry_participants.py", username=STAFF)
    at.selectbox(key="recent_participants_pick").select_index(1).run()
    new_year = 1977 if participant.birth_year != 1977 else 1978
    at.number_input(key="participants_correct_birth_year").set_value(new_year)
    at.button(key="participants_correct_submit").click().run()
    assert not at.exception
    assert at.success.values == ["Koreksi tersimpan (tercatat di jejak audit)."]
    assert latest_participant(db).birth_year == new_year
    with Session(db) as session:
        entry = session.exec(
            select(AuditLog).where(AuditLog.entity == "participant", AuditLog.action == "update")
        ).one()
    assert entry.entity_id == participant.id
    assert entry.changes == {"birth_year": [participant.birth_year, new_year]}


def test_an_impossible_correction_is_refused_and_changes_nothing(db):
    """A birth year that makes the participant 14 is refused with the form's message; nothing is written."""
    participant = latest_participant(db)
    audits = count(db, AuditLog)
    at = run_app({}, "pages/entry_participants.py", username=STAFF)
    at.selectbox(key="recent_participants_pick").select_index(1).run()
    at.number_input(key="participants_correct_birth_year").set_value(clock.today().year - 14)
    at.button(key="participants_correct_submit").click().run()
    assert any("Tahun lahir harus antara" in message for message in at.error.values)
    assert latest_participant(db).birth_year == participant.birth_year
    assert count(db, AuditLog) == audits


def test_only_an_admin_deletes_and_the_deletion_is_audited(db):
    """Staff see no delete button; an admin who confirms deletes a population row with a 'delete' audit row."""
    staff = run_app({}, "pages/entry_population.py", username=STAFF)
    staff.selectbox(key="recent_populations_pick").select_index(1).run()
    assert "populations_correct_delete" not in [b.key for b in staff.button]
    rows = count(db, FacilityPopulation)
    at = run_app({}, "pages/entry_population.py", username=ADMIN)
    at.selectbox(key="recent_populations_pick").select_index(1).run()
    at.checkbox(key="populations_correct_sure").check().run()
    at.button(key="populations_correct_delete").click().run()
    assert not at.exception
    assert count(db, FacilityPopulation) == rows - 1
    assert count(db, AuditLog, AuditLog.entity == "facility_population", AuditLog.action == "delete") == 1


def test_peer_training_with_trainees_is_saved_in_one_transaction(db):
    """A training with two trainees writes the training, two counsellor rows and three audit rows."""
    with Session(db) as session:
        present = session.exec(
            select(Participant.id)
            .where(
                Participant.code.startswith("KBJ"),
                Participant.admitted_on <= date(2025, 10, 1),
                Participant.exited_on.is_(None),
            )
            .order_by(Participant.id)
            .limit(2)
        ).all()
    at = run_app({}, "pages/entry_peer.py", username=STAFF)
    at.text_input(key="peer_title").input("Pelatihan konselor sebaya angkatan 3")
    at.date_input(key="peer_started_on").set_value(date(2025, 10, 20))
    at.date_input(key="peer_ended_on").set_value(date(2025, 10, 22))
    at.multiselect(key="peer_trainees").set_value(list(present)).run()
    audits = count(db, AuditLog)
    at.button(key="peer_submit").click().run()
    assert not at.exception
    assert at.success.values == ["Pelatihan tersimpan dengan 2 peserta."]
    with Session(db) as session:
        training = session.exec(
            select(PeerCounsellorTraining).where(
                PeerCounsellorTraining.title == "Pelatihan konselor sebaya angkatan 3"
            )
        ).one()
        trainees = session.exec(select(PeerCounsellor).where(PeerCounsellor.training_id == training.id)).all()
    assert sorted(t.participant_id for t in trainees) == sorted(present)
    assert all(t.completed and t.active for t in trainees)
    assert count(db, AuditLog) == audits + 3


def test_a_training_ending_before_it_starts_is_refused(db):
    """An end date before the start date is refused with its message and nothing is written."""
    at = run_app({}, "pages/entry_peer.py", username=STAFF)
    at.text_input(key="peer_title").input("Pelatihan terbalik")
    at.date_input(key="peer_started_on").set_value(date(2025, 10, 22))
    at.date_input(key="peer_ended_on").set_value(date(2025, 10, 20))
    trainings = count(db, PeerCounsellorTraining)
    at.button(key="peer_submit").click().run()
    assert "Tanggal selesai tidak boleh sebelum tanggal mulai." in at.error.values
    assert count(db, PeerCounsellorTraining) == trainings
