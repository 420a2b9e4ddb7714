"""Factory helpers: build valid rows with sensible defaults, overriding only what a test cares about."""

from datetime import date
from itertools import count
from typing import Any

from sqlmodel import Session

from rehabdata.models import (
    ActionStatus,
    Agreement,
    AgreementFacility,
    AgreementKind,
    AgreementScopeItem,
    Assessment,
    Attendance,
    Audience,
    Enrollment,
    Facility,
    FacilityPopulation,
    FacilityType,
    FollowUp,
    FollowUpStage,
    LegalStatus,
    Modality,
    MonevAction,
    MonevVisit,
    OutreachEvent,
    OutreachType,
    Participant,
    Partner,
    PeerCounsellor,
    PeerCounsellorTraining,
    ProgrammeSession,
    ProgrammeType,
    Region,
    RiskLevel,
    ScopeMetric,
    Screening,
    SessionType,
    Sex,
)

_sequence = count(1)


def _add(session: Session, row: Any) -> Any:
    session.add(row)
    session.flush()
    return row


def make_region(session: Session, **overrides: Any) -> Region:
    n = next(_sequence)
    values = {"code": f"region-{n}", "name": f"Region {n}", "province": "Jawa Tengah"} | overrides
    return _add(session, Region(**values))


def make_facility(session: Session, region: Region, **overrides: Any) -> Facility:
    n = next(_sequence)
    values = {
        "code": f"facility-{n}",
        "name": f"Rutan {n}",
        "facility_type": FacilityType.RUTAN,
        "facility_class": "IIB",
        "region_id": region.id,
    } | overrides
    return _add(session, Facility(**values))


def make_population(session: Session, facility: Facility, month: date, wbp_total: int, **overrides: Any):
    values = {
        "facility_id": facility.id,
        "month": month,
        "wbp_total": wbp_total,
        "wbp_narcotics": wbp_total // 2,
    }
    return _add(session, FacilityPopulation(**(values | overrides)))


def make_participant(session: Session, facility: Facility, **overrides: Any) -> Participant:
    n = next(_sequence)
    values = {
        "facility_id": facility.id,
        "code": f"T-{n:04d}",
        "sex": Sex.MALE,
        "birth_year": 1990,
        "legal_status": LegalStatus.TAHANAN,
        "admitted_on": date(2025, 8, 1),
    } | overrides
    return _add(session, Participant(**values))


def make_screening(
    session: Session, participant: Participant, screened_on: date, risk: RiskLevel, **overrides: Any
) -> Screening:
    score = {RiskLevel.LOW: 2, RiskLevel.MODERATE: 12, RiskLevel.HIGH: 30}[RiskLevel(risk)]
    values = {
        "participant_id": participant.id,
        "facility_id": participant.facility_id,
        "screened_on": screened_on,
        "score_amphetamines": score,
        "max_score": score,
        "overall_risk": risk,
    } | overrides
    return _add(session, Screening(**values))


def make_enrollment(
    session: Session, participant: Participant, started_on: date, programme: ProgrammeType, **overrides: Any
) -> Enrollment:
    values = {
        "participant_id": participant.id,
        "facility_id": participant.facility_id,
        "programme": programme,
        "modality": Modality.OUTPATIENT,
        "started_on": started_on,
    } | overrides
    return _add(session, Enrollment(**values))


def make_session(
    session: Session,
    facility: Facility,
    held_on: date,
    programme: ProgrammeType,
    attended: tuple[Participant, ...] = (),
    session_type: SessionType = SessionType.GROUP,
) -> ProgrammeSession:
    row = _add(
        session,
        ProgrammeSession(
            facility_id=facility.id, programme=programme, held_on=held_on, session_type=session_type
        ),
    )
    for participant in attended:
        _add(session, Attendance(session_id=row.id, participant_id=participant.id))
    return row


def make_partner(session: Session, region: Region, **overrides: Any) -> Partner:
    n = next(_sequence)
    values = {"code": f"bnnk-{n}", "name": f"BNNK {n}", "region_id": region.id} | overrides
    return _add(session, Partner(**values))


def make_assessment(
    session: Session, participant: Participant, assessed_on: date, **overrides: Any
) -> Assessment:
    values = {
        "participant_id": participant.id,
        "facility_id": participant.facility_id,
        "assessed_on": assessed_on,
    } | overrides
    return _add(session, Assessment(**values))


def make_follow_up(
    session: Session, participant: Participant, followed_on: date, risk: RiskLevel, **overrides: Any
) -> FollowUp:
    """A follow-up scored like ``make_screening`` (low 2, moderate 12, high 30); urine not done by default."""
    score = {RiskLevel.LOW: 2, RiskLevel.MODERATE: 12, RiskLevel.HIGH: 30}[RiskLevel(risk)]
    values = {
        "participant_id": participant.id,
        "facility_id": participant.facility_id,
        "followed_on": followed_on,
        "stage": FollowUpStage.DURING,
        "score_amphetamines": score,
        "max_score": score,
        "overall_risk": risk,
    } | overrides
    return _add(session, FollowUp(**values))


def make_outreach(
    session: Session, region: Region, held_on: date, people_reached: int, **overrides: Any
) -> OutreachEvent:
    values = {
        "region_id": region.id,
        "held_on": held_on,
        "place": "Aula",
        "event_type": OutreachType.PENYULUHAN,
        "audience": Audience.WBP,
        "people_reached": people_reached,
    } | overrides
    return _add(session, OutreachEvent(**values))


def make_monev_visit(
    session: Session,
    facility: Facility,
    visited_on: date,
    actions: tuple[tuple[ActionStatus, date | None], ...] = (),
    **overrides: Any,
) -> MonevVisit:
    """A monev visit with one action per (status, due date) pair."""
    visit = _add(session, MonevVisit(**({"facility_id": facility.id, "visited_on": visited_on} | overrides)))
    for status, due_on in actions:
        _add(
            session, MonevAction(visit_id=visit.id, description="Tindak lanjut", status=status, due_on=due_on)
        )
    return visit


def make_training(
    session: Session,
    facility: Facility,
    ended_on: date,
    counsellors: tuple[tuple[Participant, bool, bool], ...] = (),
    **overrides: Any,
) -> PeerCounsellorTraining:
    """A peer-counsellor training with one counsellor per (participant, completed, active) triple."""
    values = {
        "facility_id": facility.id,
        "title": "Pelatihan konselor sebaya",
        "started_on": ended_on,
        "ended_on": ended_on,
    } | overrides
    training = _add(session, PeerCounsellorTraining(**values))
    for participant, completed, active in counsellors:
        _add(
            session,
            PeerCounsellor(
                training_id=training.id, participant_id=participant.id, completed=completed, active=active
            ),
        )
    return training


def make_agreement(
    session: Session,
    partner: Partner,
    signed_on: date,
    facilities: tuple[Facility, ...],
    items: tuple[tuple[ScopeMetric, int], ...] = (),
    **overrides: Any,
) -> Agreement:
    """An agreement covering ``facilities`` with one scope item per (metric, target) pair."""
    n = next(_sequence)
    values = {
        "code": f"PKS-{n}",
        "kind": AgreementKind.PKS,
        "title": f"Perjanjian kerja sama {n}",
        "partner_id": partner.id,
        "region_id": partner.region_id,
        "signed_on": signed_on,
    } | overrides
    agreement = _add(session, Agreement(**values))
    for facility in facilities:
        _add(session, AgreementFacility(agreement_id=agreement.id, facility_id=facility.id))
    for number, (metric, target) in enumerate(items, start=1):
        _add(
            session,
            AgreementScopeItem(
                agreement_id=agreement.id,
                code=f"{number}",
                description=f"Target {metric}",
                metric=metric,
                target=target,
            ),
        )
    return agreement
