"""Validated writes: every create, update and delete checks role and facility scope, then writes
the row and its audit entry in the caller's transaction (``db.session_scope``), or nothing.

Pages and imports never write SQL; they call these functions with the acting ``Principal``.
A write that touches a signed-off facility-month is refused here too (``signoff.require_open``).
"""

from datetime import date
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy import or_
from sqlmodel import Session, SQLModel, select

from rehabdata import assist, audit, auth, logins, signoff
from rehabdata.aggregates import active_on
from rehabdata.auth import Principal, ScopeError
from rehabdata.models import (
    CREATE_MODELS,
    Agreement,
    AgreementFacility,
    AgreementScopeItem,
    Assessment,
    AssessmentCreate,
    Attendance,
    Enrollment,
    EnrollmentCreate,
    EnrollmentEnd,
    EnrollmentStatus,
    Facility,
    FacilityPopulation,
    FollowUp,
    FollowUpCreate,
    MonevAction,
    MonevActionCreate,
    MonevVisit,
    MonevVisitCreate,
    OutreachCreate,
    OutreachEvent,
    Participant,
    ParticipantCreate,
    Partner,
    PeerCounsellor,
    PeerCounsellorTraining,
    PeerTrainingCreate,
    PopulationCreate,
    ProgrammeSession,
    Region,
    Role,
    Screening,
    ScreeningCreate,
    SessionCreate,
    User,
    UserScope,
)
from rehabdata.validation import Problem, ValidationFailed, check, validated

Row = TypeVar("Row", bound=SQLModel)

# Which roles may write which records through the generic create/update/delete. A table not listed
# is refused for every role: the audit trail (``audit`` only), sign-offs (``signoff``), users and
# logins (``create_user``/``update_user``, ``logins``).
_FACILITY_STAFF = frozenset({Role.ADMIN, Role.PETUGAS})
_STAFF_AND_PARTNER = frozenset({Role.ADMIN, Role.PETUGAS, Role.MITRA})
WRITERS: dict[type[SQLModel], frozenset[Role]] = {
    Participant: _FACILITY_STAFF,
    Screening: _FACILITY_STAFF,
    Enrollment: _FACILITY_STAFF,
    FollowUp: _FACILITY_STAFF,
    FacilityPopulation: _FACILITY_STAFF,
    PeerCounsellorTraining: _FACILITY_STAFF,
    PeerCounsellor: _FACILITY_STAFF,
    Assessment: _STAFF_AND_PARTNER,
    ProgrammeSession: _STAFF_AND_PARTNER,
    Attendance: _STAFF_AND_PARTNER,
    OutreachEvent: _STAFF_AND_PARTNER,
    MonevVisit: frozenset({Role.ADMIN, Role.MITRA}),
    MonevAction: frozenset({Role.ADMIN, Role.MITRA}),
    Region: frozenset({Role.ADMIN}),
    Partner: frozenset({Role.ADMIN}),
    Facility: frozenset({Role.ADMIN}),
    Agreement: frozenset({Role.ADMIN}),
    AgreementFacility: frozenset({Role.ADMIN}),
    AgreementScopeItem: frozenset({Role.ADMIN}),
}


# Records about one person: never shown to leadership (pimpinan), who see aggregates only.
PARTICIPANT_LEVEL: frozenset[type[SQLModel]] = frozenset(
    {Participant, Screening, Assessment, Enrollment, Attendance, FollowUp, PeerCounsellor}
)


class NotFoundError(LookupError):
    """The record to change does not exist (or was deleted meanwhile)."""


def entity_name(model: type[SQLModel]) -> str:
    """The audit trail's name for a table."""
    return str(model.__tablename__)


def facility_of(session: Session, row: SQLModel) -> int | None:
    """The facility a record belongs to, for scope checks (None: not facility-bound)."""
    if isinstance(row, Attendance):
        parent = session.get(ProgrammeSession, row.session_id)
        return parent.facility_id if parent else None
    if isinstance(row, MonevAction):
        visit = session.get(MonevVisit, row.visit_id)
        return visit.facility_id if visit else None
    if isinstance(row, PeerCounsellor):
        training = session.get(PeerCounsellorTraining, row.training_id)
        return training.facility_id if training else None
    return getattr(row, "facility_id", None)


def _require_writer(principal: Principal, model: type[SQLModel]) -> None:
    """Only the tables ``WRITERS`` lists, by the roles it lists: any other table (the audit trail,
    sign-offs, users, logins) is refused for every role here — each has its own module. Every write
    service calls this first, before validating or looking anything up, so a refused caller learns
    nothing about the data (not even that a record already exists)."""
    writers = WRITERS.get(model)
    if writers is None or principal.role not in writers:
        raise ScopeError(f"role {principal.role} may not change {entity_name(model)} records here")


def _require_scope(session: Session, principal: Principal, row: SQLModel) -> int | None:
    """The record's facility, after checking it, and the participant it refers to, are in scope,
    and the create or update touches no signed-off month."""
    facility_id = facility_of(session, row)
    if facility_id is None and not principal.all_facilities:
        region_id = getattr(row, "region_id", None)  # e.g. a public outreach event of a region
        in_region = session.exec(select(Facility.id).where(Facility.region_id == region_id)).all()
        if region_id is None or not principal.facility_ids.intersection(in_region):
            raise ScopeError(
                f"only an admin may change {entity_name(type(row))} records outside a facility in scope"
            )
    else:
        principal.require_facility(facility_id)
        participant_id = getattr(row, "participant_id", None)
        if participant_id is not None:
            participant = session.get(Participant, participant_id)
            if participant is None:
                raise NotFoundError(f"participant {participant_id} does not exist")
            principal.require_facility(participant.facility_id)
            if facility_id is not None and participant.facility_id != facility_id:
                raise ScopeError(f"participant {participant_id} belongs to another facility than this record")
    signoff.require_open(session, row)
    return facility_id


def _require_consistent(row: SQLModel) -> None:
    """Rules across fields that a generic write could break: an enrolment's status and its end date
    go together (every status change has its date, which the monthly lock then checks)."""
    if isinstance(row, Enrollment):
        ended = row.status != EnrollmentStatus.ACTIVE
        if ended and row.ended_on is None:
            raise ValidationFailed([Problem("ended_on", "validation.end_date_required")])
        if not ended and row.ended_on is not None:
            raise ValidationFailed([Problem("status", "validation.active_has_end")])
        if row.ended_on is not None and row.ended_on < row.started_on:
            raise ValidationFailed([Problem("ended_on", "validation.end_before_start")])


def create(
    *, session: Session, principal: Principal, model: type[Row], data: BaseModel | dict[str, Any]
) -> Row:
    """Insert a record built from already-validated ``data``; audited as ``create``."""
    _require_writer(principal, model)
    values = data.model_dump() if isinstance(data, BaseModel) else dict(data)
    row = model.model_validate(values)
    facility_id = _require_scope(session, principal, row)
    _require_consistent(row)
    session.add(row)
    session.flush()
    audit.record(
        session,
        principal=principal,
        action="create",
        entity=entity_name(model),
        entity_id=getattr(row, "id", None),
        changes=audit.diff({}, audit.snapshot(row)),
        facility_id=facility_id,
    )
    return row


def get_in_scope(*, session: Session, principal: Principal, model: type[Row], row_id: int) -> Row:
    """Load a record the principal may see, or raise ``NotFoundError``/``ScopeError``."""
    if not principal.sees_participants and model in PARTICIPANT_LEVEL:
        raise ScopeError("leadership sees aggregates only, not participant-level records")
    row = session.get(model, row_id)
    if row is None:
        raise NotFoundError(f"{entity_name(model)} {row_id} does not exist")
    if not principal.all_facilities:
        principal.require_facility(facility_of(session, row))
    return row


def update(
    *, session: Session, principal: Principal, model: type[Row], row_id: int, changes: dict[str, Any]
) -> Row:
    """Change fields of a record (validated by the caller); audited with before → after."""
    _require_writer(principal, model)
    row = get_in_scope(session=session, principal=principal, model=model, row_id=row_id)
    before = audit.snapshot(row)
    for field, value in changes.items():
        if field not in type(row).model_fields or field == "id":
            raise ValueError(f"{entity_name(model)} has no editable field {field!r}")
        setattr(row, field, value)
    with session.no_autoflush:  # the checks compare the values before and after (``signoff``)
        facility_id = _require_scope(session, principal, row)  # a move to another facility needs scope too
        _require_consistent(row)
    session.add(row)
    session.flush()
    audit.record(
        session,
        principal=principal,
        action="update",
        entity=entity_name(model),
        entity_id=row_id,
        changes=audit.diff(before, audit.snapshot(row)),
        facility_id=facility_id,
    )
    return row


def delete(*, session: Session, principal: Principal, model: type[SQLModel], row_id: int) -> None:
    """Delete a record (admin only); the audit row keeps what it held."""
    _require_writer(principal, model)
    if principal.role != Role.ADMIN:
        raise ScopeError("only an admin may delete records")
    row = get_in_scope(session=session, principal=principal, model=model, row_id=row_id)
    facility_id = facility_of(session, row)
    signoff.require_open(session, row, deleting=True)
    before = audit.snapshot(row)
    session.delete(row)
    session.flush()
    audit.record(
        session,
        principal=principal,
        action="delete",
        entity=entity_name(model),
        entity_id=row_id,
        changes=audit.diff(before, {}),
        facility_id=facility_id,
    )


# --- users (admin only) -----------------------------------------------------------------------


def _require_admin(principal: Principal) -> None:
    if principal.role != Role.ADMIN:
        raise ScopeError("only an admin may manage users")


def _user_snapshot(session: Session, user: User) -> dict[str, Any]:
    values = audit.snapshot(user)
    scopes = session.exec(select(UserScope).where(UserScope.user_id == user.id)).all()
    values["facility_ids"] = sorted(s.facility_id for s in scopes if s.facility_id is not None)
    values["region_ids"] = sorted(s.region_id for s in scopes if s.region_id is not None)
    return values


def create_user(
    *,
    session: Session,
    principal: Principal,
    username: str,
    role: Role,
    password: str,
    full_name: str = "",
    email: str | None = None,
    facility_codes: tuple[str, ...] = (),
    region_codes: tuple[str, ...] = (),
) -> User:
    """Create a user with role and scope; audited (the hash shows as "***")."""
    _require_admin(principal)
    user = auth.create_user(
        session=session,
        username=username,
        role=role,
        password=password,
        full_name=full_name,
        email=email,
        facility_codes=facility_codes,
        region_codes=region_codes,
    )
    audit.record(
        session,
        principal=principal,
        action="create",
        entity=entity_name(User),
        entity_id=user.id,
        changes=audit.diff({}, _user_snapshot(session, user)),
    )
    return user


def update_user(
    *,
    session: Session,
    principal: Principal,
    user_id: int,
    role: Role | None = None,
    is_active: bool | None = None,
    password: str | None = None,
    facility_ids: tuple[int, ...] | None = None,
    region_ids: tuple[int, ...] | None = None,
) -> User:
    """Change a user's role, active flag, password or scope; audited with before → after."""
    _require_admin(principal)
    user = session.get(User, user_id)
    if user is None:
        raise NotFoundError(f"user {user_id} does not exist")
    before = _user_snapshot(session, user)
    if role is not None:
        user.role = Role(role)
    if is_active is not None:
        user.is_active = is_active
        if is_active:
            user.failed_logins, user.locked_until = 0, None
    if password is not None:
        auth.refuse_demo_password(session, password)
        user.password_hash = auth.hash_password(password)
        user.failed_logins, user.locked_until = 0, None
    if facility_ids is not None or region_ids is not None:
        for scope in session.exec(select(UserScope).where(UserScope.user_id == user.id)).all():
            session.delete(scope)
        session.flush()
        session.add_all(UserScope(user_id=user.id, facility_id=f) for f in facility_ids or ())
        session.add_all(UserScope(user_id=user.id, region_id=r) for r in region_ids or ())
    session.add(user)
    session.flush()
    changes = audit.diff(before, _user_snapshot(session, user))
    if password is not None:
        changes["password"] = ["***", "***"]
    if password is not None or is_active is False:  # a new password or a disabled account: out everywhere
        ended = logins.end_all(session, user.id)
        if ended:
            changes["sessions_ended"] = [None, ended]
    audit.record(
        session,
        principal=principal,
        action="update",
        entity=entity_name(User),
        entity_id=user.id,
        changes=changes,
    )
    return user


def end_sessions(*, session: Session, principal: Principal, user_id: int) -> int:
    """End every login of a user in every browser ("end all sessions"): the user themself or an
    admin; audited. Returns how many logins ended."""
    if principal.user_id != user_id:
        _require_admin(principal)
    user = session.get(User, user_id)
    if user is None:
        raise NotFoundError(f"user {user_id} does not exist")
    ended = logins.end_all(session, user_id)
    audit.record_event(
        session,
        action="end_sessions",
        username=principal.username,
        user_id=principal.user_id,
        entity=entity_name(User),
        entity_id=user_id,
        changes={"sessions_ended": [None, ended]},
    )
    return ended


# --- participant-level records: field rules from the *Create models, context rules here ---------


def _participant(session: Session, principal: Principal, participant_id: int) -> Participant:
    """The participant, if in scope; one answer for missing and out of scope (nothing is revealed)."""
    if not principal.sees_participants:
        raise ScopeError("leadership sees aggregates only, not participant-level records")
    try:
        return get_in_scope(session=session, principal=principal, model=Participant, row_id=participant_id)
    except (NotFoundError, ScopeError):
        raise ValidationFailed([Problem("participant_id", "validation.unknown_participant")]) from None


def within_stay(participant: Participant, day: date, field: str) -> list[Problem]:
    """A record dated outside the participant's stay in the facility is refused."""
    if day < participant.admitted_on or (participant.exited_on is not None and day > participant.exited_on):
        exited = participant.exited_on.isoformat() if participant.exited_on else "…"
        params = {"code": participant.code, "admitted": participant.admitted_on.isoformat(), "exited": exited}
        return [Problem(field, "validation.outside_stay", params)]
    return []


def _refuse(problems: list[Problem]) -> None:
    if problems:
        raise ValidationFailed(problems)


def next_participant_code(session: Session, facility_id: int, year: int) -> str:
    """The next free pseudonymous code ``PREFIX-YYYY-NNNN`` for a facility (prefix from its codes)."""
    latest = session.exec(
        select(Participant.code)
        .where(Participant.facility_id == facility_id)
        .order_by(Participant.id.desc())
        .limit(1)
    ).first()
    if latest and "-" in latest:
        prefix = latest.split("-", 1)[0]
    else:
        facility = session.get(Facility, facility_id)
        prefix = "".join(ch for ch in (facility.code if facility else "UPT") if ch.isalnum())[:3].upper()
    pattern = f"{prefix}-{year}-"
    codes = session.exec(
        select(Participant.code).where(
            Participant.facility_id == facility_id, Participant.code.startswith(pattern)
        )
    ).all()
    numbers = [int(code[len(pattern) :]) for code in codes if code[len(pattern) :].isdigit()]
    return f"{pattern}{max(numbers, default=0) + 1:04d}"


def create_participant(
    *, session: Session, principal: Principal, data: ParticipantCreate | dict[str, Any]
) -> Participant:
    """Register a participant; refuses a code already used in the facility."""
    _require_writer(principal, Participant)
    payload = validated(ParticipantCreate, data)
    principal.require_facility(payload.facility_id)
    taken = session.exec(
        select(Participant.id).where(
            Participant.facility_id == payload.facility_id, Participant.code == payload.code
        )
    ).first()
    _refuse([Problem("code", "validation.duplicate_code", {"code": payload.code})] if taken else [])
    return create(session=session, principal=principal, model=Participant, data=payload)


def screening_row(participant: Participant, payload: ScreeningCreate) -> dict[str, Any]:
    """The stored screening: the answers and the scores ``assist`` computes from them, together."""
    result = assist.score_screening(payload.answers, payload.injecting)
    return {
        "participant_id": participant.id,
        "facility_id": participant.facility_id,
        "screened_on": payload.screened_on,
        "screener": payload.screener,
        "answers": {**payload.answers, "q8": payload.injecting},
        **{f"score_{s.substance}": s.score for s in result.substances},
        "injecting": payload.injecting,
        "max_score": max((s.score for s in result.substances), default=0),
        "overall_risk": result.overall_risk,
        "recommendation": result.recommendation,
        "urine_result": payload.urine_result,
    }


def _assist_problems(
    session: Session, participant: Participant, day: date, date_column: Any, duplicate_key: str
) -> list[Problem]:
    """Rules shared by screenings and follow-ups: within the stay, at most one per participant per day."""
    problems = within_stay(participant, day, "screened_on")
    table = date_column.class_
    taken = session.exec(
        select(table.id).where(table.participant_id == participant.id, date_column == day)
    ).first()
    if taken:
        problems.append(
            Problem("screened_on", duplicate_key, {"code": participant.code, "date": day.isoformat()})
        )
    return problems


def create_screening(
    *, session: Session, principal: Principal, data: ScreeningCreate | dict[str, Any]
) -> Screening:
    """Record a screening within the participant's stay; one per participant per day."""
    _require_writer(principal, Screening)
    payload = validated(ScreeningCreate, data)
    participant = _participant(session, principal, payload.participant_id)
    _refuse(
        _assist_problems(
            session, participant, payload.screened_on, Screening.screened_on, "validation.duplicate_screening"
        )
    )
    return create(
        session=session, principal=principal, model=Screening, data=screening_row(participant, payload)
    )


def create_population(
    *, session: Session, principal: Principal, data: PopulationCreate | dict[str, Any]
) -> FacilityPopulation:
    """Record a facility's monthly population; a month already entered must be edited instead."""
    _require_writer(principal, FacilityPopulation)
    payload = validated(PopulationCreate, data)
    principal.require_facility(payload.facility_id)
    existing = session.exec(
        select(FacilityPopulation.id).where(
            FacilityPopulation.facility_id == payload.facility_id, FacilityPopulation.month == payload.month
        )
    ).first()
    if existing:
        _refuse(
            [Problem("month", "validation.duplicate_population", {"month": payload.month.strftime("%Y-%m")})]
        )
    return create(session=session, principal=principal, model=FacilityPopulation, data=payload)


def create_enrollment(
    *, session: Session, principal: Principal, data: EnrollmentCreate | dict[str, Any]
) -> Enrollment:
    """Enrol a participant within their stay, unless already active in the same programme."""
    _require_writer(principal, Enrollment)
    payload = validated(EnrollmentCreate, data)
    participant = _participant(session, principal, payload.participant_id)
    problems = within_stay(participant, payload.started_on, "started_on")
    active = session.exec(
        select(Enrollment.id).where(
            Enrollment.participant_id == participant.id,
            Enrollment.programme == payload.programme,
            Enrollment.status == EnrollmentStatus.ACTIVE,
        )
    ).first()
    if active:
        problems.append(
            Problem(
                "programme",
                "validation.already_enrolled",
                {"code": participant.code, "programme": payload.programme},
            )
        )
    _refuse(problems)
    values = payload.model_dump() | {"facility_id": participant.facility_id}
    return create(session=session, principal=principal, model=Enrollment, data=values)


def end_enrollment(
    *, session: Session, principal: Principal, enrollment_id: int, data: EnrollmentEnd | dict[str, Any]
) -> Enrollment:
    """Close an enrolment (completed, dropped out, released, transferred) with date and reason."""
    _require_writer(principal, Enrollment)
    payload = validated(EnrollmentEnd, data)
    enrollment = get_in_scope(session=session, principal=principal, model=Enrollment, row_id=enrollment_id)
    if payload.ended_on < enrollment.started_on:
        _refuse([Problem("ended_on", "validation.end_before_start")])
    return update(
        session=session,
        principal=principal,
        model=Enrollment,
        row_id=enrollment_id,
        changes=payload.model_dump(),
    )


def session_roster(session: Session, *, facility_id: int, programme: str, day: date) -> list[Participant]:
    """Participants present on ``day`` whose enrolment in ``programme`` at the facility is active then."""
    statement = (
        select(Participant)
        .join(Enrollment, Enrollment.participant_id == Participant.id)
        .where(
            Enrollment.facility_id == facility_id,
            Enrollment.programme == programme,
            active_on(Enrollment, day),
            Participant.admitted_on <= day,
            or_(Participant.exited_on.is_(None), Participant.exited_on >= day),
        )
        .order_by(Participant.code)
        .distinct()
    )
    return list(session.exec(statement).all())


def create_session_with_attendance(
    *,
    session: Session,
    principal: Principal,
    data: SessionCreate | dict[str, Any],
    attended: list[int],
) -> ProgrammeSession:
    """Save a session and its attendance together; only participants enrolled on that day may attend."""
    _require_writer(principal, ProgrammeSession)
    payload = validated(SessionCreate, data)
    principal.require_facility(payload.facility_id)
    roster = {
        p.id: p
        for p in session_roster(
            session, facility_id=payload.facility_id, programme=payload.programme, day=payload.held_on
        )
    }
    problems = []
    for participant_id in dict.fromkeys(attended):
        if participant_id not in roster:
            participant = session.get(Participant, participant_id)
            if participant is None or not principal.can_see(participant.facility_id):
                # outside the caller's scope: say nothing about who it is, or whether it exists
                problems.append(Problem("attended", "validation.unknown_participant"))
                continue
            params = {"code": participant.code, "date": payload.held_on.isoformat()}
            problems.append(Problem("attended", "validation.not_enrolled", params))
    if len(set(attended)) != len(attended):
        duplicates = sorted({roster[i].code for i in attended if attended.count(i) > 1 and i in roster})
        problems += [
            Problem("attended", "validation.duplicate_attendance", {"code": code}) for code in duplicates
        ]
    _refuse(problems)
    row = create(session=session, principal=principal, model=ProgrammeSession, data=payload)
    for participant_id in attended:
        create(
            session=session,
            principal=principal,
            model=Attendance,
            data={"session_id": row.id, "participant_id": participant_id},
        )
    return row


def record_exit(
    *, session: Session, principal: Principal, participant_id: int, exited_on: date, reason: str
) -> Participant:
    """Record a participant's release or transfer; the date must fall after admission, not in the future."""
    _require_writer(principal, Participant)
    participant = _participant(session, principal, participant_id)
    values = participant.model_dump(include=set(ParticipantCreate.model_fields), warnings=False) | {
        "exited_on": exited_on,
        "exit_reason": reason,
    }
    payload = validated(ParticipantCreate, values)
    open_enrollments = session.exec(
        select(Enrollment.id).where(
            Enrollment.participant_id == participant_id, Enrollment.status == EnrollmentStatus.ACTIVE
        )
    ).all()
    for enrollment_id in open_enrollments:  # a released or transferred WBP leaves the programme too
        end_enrollment(
            session=session,
            principal=principal,
            enrollment_id=enrollment_id,
            data={"status": str(payload.exit_reason), "ended_on": payload.exited_on, "end_reason": "exit"},
        )
    return update(
        session=session,
        principal=principal,
        model=Participant,
        row_id=participant_id,
        changes={"exited_on": payload.exited_on, "exit_reason": payload.exit_reason},
    )


def create_outreach(
    *, session: Session, principal: Principal, data: OutreachCreate | dict[str, Any]
) -> OutreachEvent:
    """Record an outreach event; an event at a facility must be in scope and in that facility's region."""
    _require_writer(principal, OutreachEvent)
    payload = validated(OutreachCreate, data)
    if payload.facility_id is not None:
        facility = session.get(Facility, payload.facility_id)
        if facility is None or facility.region_id != payload.region_id:
            _refuse([Problem("facility_id", "validation.not_allowed")])
    return create(session=session, principal=principal, model=OutreachEvent, data=payload)


def create_assessment(
    *, session: Session, principal: Principal, data: AssessmentCreate | dict[str, Any]
) -> Assessment:
    """Record an assessment within the participant's stay."""
    _require_writer(principal, Assessment)
    payload = validated(AssessmentCreate, data)
    participant = _participant(session, principal, payload.participant_id)
    _refuse(within_stay(participant, payload.assessed_on, "assessed_on"))
    values = payload.model_dump() | {"facility_id": participant.facility_id}
    return create(session=session, principal=principal, model=Assessment, data=values)


def create_follow_up(
    *, session: Session, principal: Principal, data: FollowUpCreate | dict[str, Any]
) -> FollowUp:
    """Record a follow-up ASSIST re-score within the stay; one per participant per day."""
    _require_writer(principal, FollowUp)
    payload = validated(FollowUpCreate, data)
    participant = _participant(session, principal, payload.participant_id)
    _refuse(
        _assist_problems(
            session, participant, payload.screened_on, FollowUp.followed_on, "validation.duplicate_follow_up"
        )
    )
    values = screening_row(participant, payload)
    values.pop("screener")
    values["followed_on"] = values.pop("screened_on")
    values |= {"enrollment_id": payload.enrollment_id, "stage": payload.stage}
    return create(session=session, principal=principal, model=FollowUp, data=values)


def create_monev_visit(
    *,
    session: Session,
    principal: Principal,
    data: MonevVisitCreate | dict[str, Any],
    actions: list[dict[str, Any]] = (),
) -> MonevVisit:
    """Record a monev visit and its actions in one transaction."""
    _require_writer(principal, MonevVisit)
    payload = validated(MonevVisitCreate, data)
    visit = create(session=session, principal=principal, model=MonevVisit, data=payload)
    problems: list[Problem] = []
    checked = []
    for index, action in enumerate(actions):
        item, found = check(MonevActionCreate, {**action, "visit_id": visit.id})
        problems += [Problem(f"actions.{index}.{p.field}", p.key, p.params) for p in found]
        checked.append(item)
    _refuse(problems)
    for item in checked:
        create(session=session, principal=principal, model=MonevAction, data=item)
    return visit


def create_peer_training(
    *,
    session: Session,
    principal: Principal,
    data: PeerTrainingCreate | dict[str, Any],
    trainees: list[dict[str, Any]],
) -> PeerCounsellorTraining:
    """Record a peer-counsellor training and its trainees (completed, active) in one transaction."""
    _require_writer(principal, PeerCounsellorTraining)
    payload = validated(PeerTrainingCreate, data)
    problems = []
    for trainee in trainees:
        participant = _participant(session, principal, trainee["participant_id"])
        if participant.facility_id != payload.facility_id:
            problems.append(Problem("trainees", "validation.in_scope"))
        problems += within_stay(participant, payload.started_on, "trainees")
    _refuse(problems)
    training = create(session=session, principal=principal, model=PeerCounsellorTraining, data=payload)
    for trainee in trainees:
        values = {"training_id": training.id, "participant_id": trainee["participant_id"]}
        values |= {"completed": bool(trainee.get("completed")), "active": bool(trainee.get("active"))}
        create(session=session, principal=principal, model=PeerCounsellor, data=values)
    return training


def correct(
    *, session: Session, principal: Principal, model: type[Row], row_id: int, changes: dict[str, Any]
) -> Row:
    """Correct fields of a saved record: the whole corrected record must pass its input model's rules."""
    _require_writer(principal, model)
    row = get_in_scope(session=session, principal=principal, model=model, row_id=row_id)
    create_model = CREATE_MODELS[model]
    current = row.model_dump(include=set(create_model.model_fields), warnings=False)
    payload = validated(create_model, current | changes)
    fixed = payload.model_dump(include=set(changes))
    return update(session=session, principal=principal, model=model, row_id=row_id, changes=fixed)
