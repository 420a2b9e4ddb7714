"""Reference data, written by an admin: regions (Kanwil), partners, facilities (UPT), agreements and
their scope items with targets.

Every write is validated by its ``*Create`` model and the rules below, then goes through
``services.create``/``update`` (admin only, audited, one transaction). Codes are stable: set once,
unique, never changed, because imports, user scopes and links use them. A record is deactivated,
never deleted, so its history stays reportable.
"""

from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy import func
from sqlmodel import Session, SQLModel, select

from rehabdata import audit, services
from rehabdata.auth import Principal, ScopeError
from rehabdata.models import (
    Agreement,
    AgreementCreate,
    AgreementFacility,
    AgreementScopeItem,
    Facility,
    FacilityCreate,
    Partner,
    PartnerCreate,
    Region,
    RegionCreate,
    Role,
    ScopeItemCreate,
)
from rehabdata.validation import Problem, ValidationFailed, validated

Row = TypeVar("Row", bound=SQLModel)

# The records an admin keeps here, and the input model that validates each.
REFERENCE_MODELS: dict[type[SQLModel], type[SQLModel]] = {
    Region: RegionCreate,
    Partner: PartnerCreate,
    Facility: FacilityCreate,
    Agreement: AgreementCreate,
    AgreementScopeItem: ScopeItemCreate,
}


def _require_admin(principal: Principal) -> None:
    """Checked first, before any lookup: a refused caller learns nothing about the data."""
    if principal.role != Role.ADMIN:
        raise ScopeError("only an admin may change reference data")


def _code_problems(session: Session, model: type[SQLModel], code: str, row_id: int | None) -> list[Problem]:
    """A code already used by another record of ``model`` (codes are compared case-insensitively)."""
    if row_id is not None:
        current = session.get(model, row_id)
        if current is not None and current.code != code:  # type: ignore[attr-defined]
            return [Problem("code", "validation.code_fixed", {"code": current.code})]  # type: ignore[attr-defined]
        return []
    clash = session.exec(select(model.id).where(func.lower(model.code) == code)).first()  # type: ignore[attr-defined]
    return [Problem("code", "validation.duplicate_reference_code", {"code": code})] if clash else []


def _exists(session: Session, model: type[SQLModel], row_id: int | None, field: str) -> list[Problem]:
    """``row_id`` names an active record of ``model`` (None passes: optional links are checked by the model)."""
    if row_id is None:
        return []
    row = session.get(model, row_id)
    if row is None or not getattr(row, "active", True):
        return [Problem(field, "validation.unknown_choice")]
    return []


def _write(
    session: Session, principal: Principal, model: type[Row], row_id: int | None, values: dict[str, Any]
) -> Row:
    if row_id is None:
        return services.create(session=session, principal=principal, model=model, data=values)
    current = session.get(model, row_id)
    if current is None:
        raise services.NotFoundError(f"{services.entity_name(model)} {row_id} does not exist")
    changes = {k: v for k, v in values.items() if getattr(current, k) != v}
    if not changes:
        return current
    return services.update(session=session, principal=principal, model=model, row_id=row_id, changes=changes)


def _checked(model: type[SQLModel], data: BaseModel | dict[str, Any]) -> Any:
    return validated(REFERENCE_MODELS[model], data)


def _raise(problems: list[Problem]) -> None:
    if problems:
        raise ValidationFailed(problems)


def save_region(
    *,
    session: Session,
    principal: Principal,
    data: RegionCreate | dict[str, Any],
    region_id: int | None = None,
) -> Region:
    """Create a region (``region_id`` None) or change its name, province and Kanwil."""
    _require_admin(principal)
    region = _checked(Region, data)
    _raise(_code_problems(session, Region, region.code, region_id))
    return _write(session, principal, Region, region_id, region.model_dump())


def save_partner(
    *,
    session: Session,
    principal: Principal,
    data: PartnerCreate | dict[str, Any],
    partner_id: int | None = None,
) -> Partner:
    """Create a partner agency (a BNNK or another) or change its name and region."""
    _require_admin(principal)
    partner = _checked(Partner, data)
    _raise(
        _code_problems(session, Partner, partner.code, partner_id)
        + _exists(session, Region, partner.region_id, "region_id")
    )
    return _write(session, principal, Partner, partner_id, partner.model_dump())


def save_facility(
    *,
    session: Session,
    principal: Principal,
    data: FacilityCreate | dict[str, Any],
    facility_id: int | None = None,
) -> Facility:
    """Create a UPT or change it; a name is used by one facility only (users pick facilities by name)."""
    _require_admin(principal)
    facility = _checked(Facility, data)
    same_name = select(Facility.id).where(func.lower(Facility.name) == facility.name.lower())
    if facility_id is not None:
        same_name = same_name.where(Facility.id != facility_id)
    problems = (
        _code_problems(session, Facility, facility.code, facility_id)
        + _exists(session, Region, facility.region_id, "region_id")
        + _exists(session, Partner, facility.partner_id, "partner_id")
    )
    if session.exec(same_name).first() is not None:
        problems.append(Problem("name", "validation.duplicate_name", {"name": facility.name}))
    _raise(problems)
    return _write(session, principal, Facility, facility_id, facility.model_dump())


def _covered_facilities(session: Session, agreement_id: int) -> set[int]:
    links = select(AgreementFacility.facility_id).where(AgreementFacility.agreement_id == agreement_id)
    return set(session.exec(links).all())


def save_agreement(
    *,
    session: Session,
    principal: Principal,
    data: AgreementCreate | dict[str, Any],
    agreement_id: int | None = None,
) -> Agreement:
    """Create an MoU/PKS with the facilities it covers, or change it (the coverage is replaced)."""
    _require_admin(principal)
    agreement = _checked(Agreement, data)
    problems = (
        _code_problems(session, Agreement, agreement.code, agreement_id)
        + _exists(session, Partner, agreement.partner_id, "partner_id")
        + _exists(session, Region, agreement.region_id, "region_id")
    )
    known = set(session.exec(select(Facility.id).where(Facility.id.in_(agreement.facility_ids))).all())
    if known != set(agreement.facility_ids):
        problems.append(Problem("facility_ids", "validation.unknown_choice"))
    _raise(problems)
    row = _write(session, principal, Agreement, agreement_id, agreement.model_dump(exclude={"facility_ids"}))
    covered = _covered_facilities(session, row.id) if agreement_id is not None else set()
    wanted = set(agreement.facility_ids)
    for facility_id in sorted(wanted - covered):
        services.create(
            session=session,
            principal=principal,
            model=AgreementFacility,
            data={"agreement_id": row.id, "facility_id": facility_id},
        )
    for facility_id in sorted(covered - wanted):
        link = session.get(AgreementFacility, (row.id, facility_id))
        session.delete(link)
        audit.record(
            session,
            principal=principal,
            action="delete",
            entity=services.entity_name(AgreementFacility),
            entity_id=row.id,
            changes={"agreement_id": [row.id, None], "facility_id": [facility_id, None]},
            facility_id=facility_id,
        )
    return row


def save_scope_item(
    *,
    session: Session,
    principal: Principal,
    data: ScopeItemCreate | dict[str, Any],
    item_id: int | None = None,
) -> AgreementScopeItem:
    """Add a scope item with its target to an agreement, or change it; due on or after the signing."""
    _require_admin(principal)
    item = _checked(AgreementScopeItem, data)
    problems = _code_problems(session, AgreementScopeItem, item.code, item_id) if item_id else []
    agreement = session.get(Agreement, item.agreement_id)
    if agreement is None:
        problems.append(Problem("agreement_id", "validation.unknown_choice"))
    else:
        same_code = select(AgreementScopeItem.id).where(
            AgreementScopeItem.agreement_id == agreement.id, func.lower(AgreementScopeItem.code) == item.code
        )
        if item_id is None and session.exec(same_code).first() is not None:
            problems.append(Problem("code", "validation.duplicate_reference_code", {"code": item.code}))
        if item.due_on is not None and item.due_on < agreement.signed_on:
            problems.append(
                Problem(
                    "due_on", "validation.due_before_signed", {"signed_on": agreement.signed_on.isoformat()}
                )
            )
    _raise(problems)
    return _write(session, principal, AgreementScopeItem, item_id, item.model_dump())


def set_active(*, session: Session, principal: Principal, model: type[Row], row_id: int, active: bool) -> Row:
    """Deactivate (or reactivate) a region, partner, facility, agreement or scope item; audited.

    Deactivated records keep their history and stay in reports of past periods; they are no longer
    offered for new entries, users or agreements.
    """
    _require_admin(principal)
    if model not in REFERENCE_MODELS:
        raise ScopeError(f"{services.entity_name(model)} records cannot be deactivated here")
    if session.get(model, row_id) is None:
        raise services.NotFoundError(f"{services.entity_name(model)} {row_id} does not exist")
    return _write(session, principal, model, row_id, {"active": active})


def reference_rows(session: Session, model: type[SQLModel], **equal: Any) -> list[dict[str, Any]]:
    """Every record of ``model`` (active and not) as plain values, by name or code; an agreement's
    row also lists the facilities it covers (``facility_ids``)."""
    statement = select(model).where(*(getattr(model, k) == v for k, v in equal.items()))
    order = model.name if "name" in model.model_fields else model.code  # type: ignore[attr-defined]
    rows = [row.model_dump() for row in session.exec(statement.order_by(order)).all()]
    if model is Agreement:
        links = session.exec(select(AgreementFacility)).all()
        for row in rows:
            row["facility_ids"] = sorted(link.facility_id for link in links if link.agreement_id == row["id"])
    return rows
