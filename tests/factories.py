"""Factory helpers: build valid rows with sensible defaults, overriding only what a test cares about."""

from datetime import date
from itertools import count
from typing import Any

from sqlmodel import Session

from rehabdata.models import (
    Attendance,
    Enrollment,
    Facility,
    FacilityPopulation,
    FacilityType,
    LegalStatus,
    Modality,
    Participant,
    ProgrammeSession,
    ProgrammeType,
    Region,
    RiskLevel,
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
    values = {"facility_id": facility.id, "month": month, "wbp_total": wbp_total, "wbp_narcotics": wbp_total // 2}
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
    session: Session, facility: Facility, held_on: date, programme: ProgrammeType, attended: tuple[Participant, ...] = ()
) -> ProgrammeSession:
    row = _add(
        session,
        ProgrammeSession(facility_id=facility.id, programme=programme, held_on=held_on, session_type=SessionType.GROUP),
    )
    for participant in attended:
        _add(session, Attendance(session_id=row.id, participant_id=participant.id))
    return row
