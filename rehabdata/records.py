"""Participant-level lists for the entry pages (latest entries, search), scoped to the principal.

Leadership (pimpinan) sees aggregates only: every function here refuses them.
"""

from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import case, func, select
from sqlmodel import Session

from rehabdata.auth import Principal, ScopeError
from rehabdata.frames import query_frame
from rehabdata.models import (
    Enrollment,
    Facility,
    FacilityPopulation,
    MonevVisit,
    OutreachEvent,
    Participant,
    PeerCounsellor,
    PeerCounsellorTraining,
    ProgrammeSession,
    Screening,
)

RECENT = 20


def _allowed(principal: Principal, facility_column: Any) -> Any:
    if not principal.sees_participants:
        raise ScopeError("leadership sees aggregates only, not participant-level records")
    return True if principal.all_facilities else facility_column.in_(principal.facility_ids)


def find_participants(
    session: Session, principal: Principal, *, text: str = "", limit: int = RECENT
) -> pd.DataFrame:
    """Participants whose code contains ``text`` (newest first) in the principal's facilities."""
    statement = (
        select(
            Participant.id,
            Participant.code,
            Facility.name.label("facility"),
            Participant.sex,
            Participant.birth_year,
            Participant.legal_status,
            Participant.admitted_on,
            Participant.exited_on,
            Participant.exit_reason,
        )
        .join(Facility, Facility.id == Participant.facility_id)
        .where(_allowed(principal, Participant.facility_id), Participant.code.contains(text.strip().upper()))
        .order_by(Participant.id.desc())
        .limit(limit)
    )
    return query_frame(session, statement)


def screened_on(session: Session, principal: Principal, facility_id: int, day: date) -> set[int]:
    """The participants of a facility in scope already screened on ``day`` (a second is refused)."""
    if not principal.can_see(facility_id):
        return set()
    statement = select(Screening.participant_id).where(
        Screening.facility_id == facility_id, Screening.screened_on == day
    )
    return set(session.execute(statement).scalars())


def recent_screenings(session: Session, principal: Principal, limit: int = RECENT) -> pd.DataFrame:
    """The latest screenings with their computed risk."""
    statement = (
        select(
            Screening.id,
            Participant.code,
            Screening.screened_on,
            Screening.max_score,
            Screening.overall_risk,
            Screening.urine_result,
            Screening.screener,
        )
        .join(Participant, Participant.id == Screening.participant_id)
        .where(_allowed(principal, Screening.facility_id))
        .order_by(Screening.id.desc())
        .limit(limit)
    )
    return query_frame(session, statement)


def recent_populations(session: Session, principal: Principal, limit: int = RECENT) -> pd.DataFrame:
    """The latest monthly population figures."""
    statement = (
        select(
            FacilityPopulation.id,
            Facility.name.label("facility"),
            FacilityPopulation.month,
            FacilityPopulation.wbp_total,
            FacilityPopulation.wbp_narcotics,
            FacilityPopulation.admissions,
        )
        .join(Facility, Facility.id == FacilityPopulation.facility_id)
        .where(_allowed(principal, FacilityPopulation.facility_id))
        .order_by(FacilityPopulation.month.desc(), Facility.name)
        .limit(limit)
    )
    return query_frame(session, statement)


def recent_enrollments(
    session: Session, principal: Principal, *, active_only: bool = False, limit: int = RECENT
) -> pd.DataFrame:
    """The latest enrolments (or only the active ones, to close them)."""
    statement = (
        select(
            Enrollment.id,
            Enrollment.participant_id,
            Participant.code,
            Enrollment.programme,
            Enrollment.modality,
            Enrollment.started_on,
            Enrollment.status,
            Enrollment.ended_on,
        )
        .join(Participant, Participant.id == Enrollment.participant_id)
        .where(_allowed(principal, Enrollment.facility_id))
        .order_by(Enrollment.id.desc())
        .limit(limit)
    )
    if active_only:
        statement = statement.where(Enrollment.status == "active")
    return query_frame(session, statement)


def recent_sessions(session: Session, principal: Principal, limit: int = RECENT) -> pd.DataFrame:
    """The latest sessions."""
    statement = (
        select(
            ProgrammeSession.id,
            Facility.name.label("facility"),
            ProgrammeSession.held_on,
            ProgrammeSession.programme,
            ProgrammeSession.session_type,
            ProgrammeSession.topic,
        )
        .join(Facility, Facility.id == ProgrammeSession.facility_id)
        .where(_allowed(principal, ProgrammeSession.facility_id))
        .order_by(ProgrammeSession.held_on.desc(), ProgrammeSession.id.desc())
        .limit(limit)
    )
    return query_frame(session, statement)


def recent_outreach(session: Session, principal: Principal, limit: int = RECENT) -> pd.DataFrame:
    """The latest outreach events at the principal's facilities."""
    statement = (
        select(
            OutreachEvent.id,
            Facility.name.label("facility"),
            OutreachEvent.held_on,
            OutreachEvent.event_type,
            OutreachEvent.audience,
            OutreachEvent.place,
            OutreachEvent.people_reached,
        )
        .join(Facility, Facility.id == OutreachEvent.facility_id)
        .where(_allowed(principal, OutreachEvent.facility_id))
        .order_by(OutreachEvent.held_on.desc(), OutreachEvent.id.desc())
        .limit(limit)
    )
    return query_frame(session, statement)


def recent_monev(session: Session, principal: Principal, limit: int = RECENT) -> pd.DataFrame:
    """The latest monev visits."""
    statement = (
        select(
            MonevVisit.id,
            Facility.name.label("facility"),
            MonevVisit.visited_on,
            MonevVisit.team,
            MonevVisit.findings,
        )
        .join(Facility, Facility.id == MonevVisit.facility_id)
        .where(_allowed(principal, MonevVisit.facility_id))
        .order_by(MonevVisit.visited_on.desc(), MonevVisit.id.desc())
        .limit(limit)
    )
    return query_frame(session, statement)


def recent_peer_trainings(session: Session, principal: Principal, limit: int = RECENT) -> pd.DataFrame:
    """The latest peer-counsellor trainings with their trained and active counts."""
    statement = (
        select(
            PeerCounsellorTraining.id,
            Facility.name.label("facility"),
            PeerCounsellorTraining.title,
            PeerCounsellorTraining.started_on,
            PeerCounsellorTraining.ended_on,
            func.sum(case((PeerCounsellor.completed, 1), else_=0)).label("trained"),
            func.sum(case((PeerCounsellor.active, 1), else_=0)).label("active"),
        )
        .join(Facility, Facility.id == PeerCounsellorTraining.facility_id)
        .outerjoin(PeerCounsellor, PeerCounsellor.training_id == PeerCounsellorTraining.id)
        .where(_allowed(principal, PeerCounsellorTraining.facility_id))
        .group_by(PeerCounsellorTraining.id, Facility.name)
        .order_by(PeerCounsellorTraining.started_on.desc())
        .limit(limit)
    )
    return query_frame(session, statement)
