"""Validated writes: every create, update and delete checks role and facility scope, then writes
the row and its audit entry in the caller's transaction (``db.session_scope``), or nothing.

Pages and imports never write SQL; they call these functions with the acting ``Principal``.
"""

from typing import Any, TypeVar

from pydantic import BaseModel
from sqlmodel import Session, SQLModel, select

from rehabdata import audit, auth
from rehabdata.auth import Principal, ScopeError
from rehabdata.models import (
    Agreement,
    AgreementFacility,
    AgreementScopeItem,
    Assessment,
    Attendance,
    Enrollment,
    Facility,
    FacilityPopulation,
    FollowUp,
    MonevAction,
    MonevVisit,
    OutreachEvent,
    Participant,
    Partner,
    PeerCounsellor,
    PeerCounsellorTraining,
    ProgrammeSession,
    Region,
    Role,
    Screening,
    User,
    UserScope,
)

Row = TypeVar("Row", bound=SQLModel)

# Which roles may write which records (admin may write everything, within no facility limit).
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
    if principal.role not in WRITERS.get(model, frozenset({Role.ADMIN})):
        raise ScopeError(f"role {principal.role} may not change {entity_name(model)} records")


def _require_scope(session: Session, principal: Principal, row: SQLModel) -> int | None:
    facility_id = facility_of(session, row)
    if facility_id is None and not principal.all_facilities:
        raise ScopeError(f"only an admin may change {entity_name(type(row))} records without a facility")
    principal.require_facility(facility_id)
    return facility_id


def create(
    *, session: Session, principal: Principal, model: type[Row], data: BaseModel | dict[str, Any]
) -> Row:
    """Insert a record built from already-validated ``data``; audited as ``create``."""
    _require_writer(principal, model)
    values = data.model_dump() if isinstance(data, BaseModel) else dict(data)
    row = model.model_validate(values)
    facility_id = _require_scope(session, principal, row)
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
    facility_id = _require_scope(session, principal, row)  # a move to another facility needs scope too
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
    if principal.role != Role.ADMIN:
        raise ScopeError("only an admin may delete records")
    row = get_in_scope(session=session, principal=principal, model=model, row_id=row_id)
    facility_id = facility_of(session, row)
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
    audit.record(
        session,
        principal=principal,
        action="update",
        entity=entity_name(User),
        entity_id=user.id,
        changes=changes,
    )
    return user
