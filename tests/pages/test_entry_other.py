"""Tindak Lanjut, Input Penjangkauan and Input Monev under AppTest, each on a private demo copy."""

from datetime import date

from sqlalchemy import Engine
from sqlmodel import Session, select

from rehabdata import clock
from rehabdata.models import (
    Enrollment,
    Facility,
    FollowUp,
    MonevAction,
    MonevVisit,
    OutreachEvent,
    Participant,
)
from tests.pages.apptest import run_app
from tests.pages.entry_support import STAFF, audits_since, count, errors_under, last_audit_id

PARTNER = "bnnk.karo"
TODAY = clock.today()


# --- follow-up ----------------------------------------------------------------------------------


def kabanjahe_enrolment(engine: Engine, *, exited: bool) -> tuple[int, Participant]:
    """An enrolment in Kabanjahe whose participant is still inside (or has left)."""
    with Session(engine) as s:
        kab = s.exec(select(Facility.id).where(Facility.code == "rutan-kabanjahe")).one()
        stay = Participant.exited_on.is_not(None) if exited else Participant.exited_on.is_(None)
        enrolment, participant = s.exec(
            select(Enrollment, Participant)
            .join(Participant, Participant.id == Enrollment.participant_id)
            .where(Enrollment.facility_id == kab, stay)
            .order_by(Enrollment.id.desc())
        ).first()
        return enrolment.id, participant


def follow_up(at, enrolment_id: int) -> None:
    """Choose the enrolment, stage "end" and amphetamines Q2 and Q3 daily (score 12, moderate); save."""
    at.selectbox(key="follow_up_enrollment").set_value(enrolment_id).run()
    at.selectbox(key="follow_up_stage").set_value("end")
    at.multiselect(key="follow_up_used").set_value(["amphetamines"]).run()
    at.radio(key="follow_up_amphetamines_q2").set_value(6).run()
    at.radio(key="follow_up_amphetamines_q3").set_value(6).run()
    at.button(key="follow_up_submit").click().run()
    assert not at.exception


def test_follow_up_is_saved_then_refused_the_same_day(db):
    """A follow-up is stored with its score and one audit row; a second one that day is refused."""
    enrolment_id, participant = kabanjahe_enrolment(db, exited=False)
    last = last_audit_id(db)
    at = run_app({}, "pages/entry_followup.py", username=STAFF)
    follow_up(at, enrolment_id)
    assert at.success.values == ["Tindak lanjut tersimpan: risiko Sedang."]
    with Session(db) as s:
        row = s.exec(select(FollowUp).where(FollowUp.enrollment_id == enrolment_id)).one()
    assert (row.participant_id, row.followed_on, row.stage) == (participant.id, TODAY, "end")
    assert (row.score_amphetamines, row.overall_risk) == (12, "moderate")
    assert audits_since(db, last) == ["follow_up"]

    at.button(key="follow_up_submit").click().run()
    assert errors_under(at, "follow_up_stage") == [
        f"Tindak lanjut peserta {participant.code} pada {TODAY.isoformat()} sudah tercatat."
    ]
    assert count(db, FollowUp, FollowUp.enrollment_id == enrolment_id) == 1
    assert audits_since(db, last) == ["follow_up"]


def test_follow_up_after_release_is_refused(db):
    """A follow-up dated after the participant's release is refused, showing the stay."""
    enrolment_id, participant = kabanjahe_enrolment(db, exited=True)
    follow_ups = count(db, FollowUp)
    at = run_app({}, "pages/entry_followup.py", username=STAFF)
    follow_up(at, enrolment_id)
    stay = f"({participant.admitted_on.isoformat()} – {participant.exited_on.isoformat()})"
    assert errors_under(at, "follow_up_stage") == [
        f"Tanggal di luar masa tinggal peserta {participant.code} {stay}."
    ]
    assert at.success.values == []
    assert count(db, FollowUp) == follow_ups


# --- outreach -----------------------------------------------------------------------------------


def outreach(at, place: str) -> None:
    at.text_input(key="outreach_place").input(place)
    at.selectbox(key="outreach_type").set_value("kampanye")
    at.selectbox(key="outreach_audience").set_value("families")
    at.number_input(key="outreach_people").set_value(120)
    at.text_input(key="outreach_topic").input("Bahaya sabu")
    at.button(key="outreach_submit").click().run()
    assert not at.exception


def test_outreach_is_saved_for_the_own_facility_and_region(db):
    """Staff record an event at their (locked) facility; it is stored in its region with one audit row."""
    last = last_audit_id(db)
    at = run_app({}, "pages/entry_outreach.py", username=STAFF)
    facility = at.selectbox(key="outreach_facility")
    assert (len(facility.options), facility.disabled) == (1, True)
    outreach(at, "Aula Rutan Kabanjahe")
    assert at.success.values == ["Kegiatan tersimpan (120 orang)."]
    with Session(db) as s:
        row = s.exec(select(OutreachEvent).where(OutreachEvent.place == "Aula Rutan Kabanjahe")).one()
        region = s.get(Facility, facility.value).region_id
    assert (row.facility_id, row.region_id, row.held_on) == (facility.value, region, TODAY)
    assert (row.event_type, row.audience, row.people_reached, row.topic) == (
        "kampanye",
        "families",
        120,
        "Bahaya sabu",
    )
    assert audits_since(db, last) == ["outreach_event"]


def test_outreach_without_place_is_refused(db):
    """An event without a place is refused under the place; nothing is written."""
    events, last = count(db, OutreachEvent), last_audit_id(db)
    at = run_app({}, "pages/entry_outreach.py", username=STAFF)
    outreach(at, "")
    assert errors_under(at, "outreach_place") == ["Wajib diisi."]
    assert at.success.values == []
    assert (count(db, OutreachEvent), audits_since(db, last)) == (events, [])


# --- monev --------------------------------------------------------------------------------------


def add_actions(at, rows: list[dict]) -> None:
    """Add rows to the actions editor (its edit state, as the browser sends it) and rerun."""
    at.session_state["monev_actions"] = {"edited_rows": {}, "added_rows": rows, "deleted_rows": []}
    at.run()


def test_monev_visit_with_actions_is_saved(db):
    """The partner records a visit with two actions: three rows and three audit rows."""
    last = last_audit_id(db)
    at = run_app({}, "pages/entry_monev.py", username=PARTNER)
    assert not at.exception
    facility = at.selectbox(key="monev_facility")
    assert (len(facility.options), facility.disabled) == (1, True)
    at.text_input(key="monev_team").input("Tim BNNK Karo")
    at.text_area(key="monev_findings").input("Register belum lengkap.")
    add_actions(
        at,
        [
            {"description": "Lengkapi register", "due_on": "2026-12-31", "status": "in_progress"},
            {"description": "Jadwalkan sesi", "owner": "Kasubsi", "status": "open"},
        ],
    )
    at.button(key="monev_submit").click().run()
    assert not at.exception
    assert at.success.values == ["Kunjungan monev tersimpan dengan 2 tindak lanjut."]
    with Session(db) as s:
        visit = s.exec(select(MonevVisit).where(MonevVisit.team == "Tim BNNK Karo")).one()
        actions = s.exec(
            select(MonevAction).where(MonevAction.visit_id == visit.id).order_by(MonevAction.id)
        ).all()
    assert (visit.facility_id, visit.visited_on, visit.findings) == (
        facility.value,
        TODAY,
        "Register belum lengkap.",
    )
    assert [(a.description, a.owner, a.due_on, a.status) for a in actions] == [
        ("Lengkapi register", "", date(2026, 12, 31), "in_progress"),
        ("Jadwalkan sesi", "Kasubsi", None, "open"),
    ]
    assert audits_since(db, last) == ["monev_action", "monev_action", "monev_visit"]


def test_monev_without_team_is_refused(db):
    """A visit without a team is refused under the team field; neither visit nor actions are written."""
    visits, actions, last = count(db, MonevVisit), count(db, MonevAction), last_audit_id(db)
    at = run_app({}, "pages/entry_monev.py", username=PARTNER)
    add_actions(at, [{"description": "Lengkapi register", "status": "open"}])
    at.button(key="monev_submit").click().run()
    assert not at.exception
    assert errors_under(at, "monev_team") == ["Wajib diisi."]
    assert (count(db, MonevVisit), count(db, MonevAction), audits_since(db, last)) == (visits, actions, [])
