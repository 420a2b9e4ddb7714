"""The admin's first-hour checklist ("Mulai di sini"), each step ticked from the data itself."""

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, select

from rehabdata.models import (
    Agreement,
    AgreementScopeItem,
    Facility,
    FacilityPopulation,
    Role,
    Screening,
    User,
    UserScope,
)


@dataclass(frozen=True)
class Step:
    """One line of the checklist: ``done`` of ``total`` (a step is complete when done == total > 0)."""

    key: str  # message key suffix: onboarding.<key>
    done: int
    total: int

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.done >= self.total


def _count(session: Session, statement) -> int:
    return int(session.exec(statement).one() or 0)


def has_admin(session: Session) -> bool:
    """Whether an active admin exists: without one nobody can log in to set anything up."""
    admin = select(User.id).where(User.role == Role.ADMIN, User.is_active).limit(1)
    return session.exec(admin).first() is not None


def checklist(session: Session) -> list[Step]:
    """Facilities, agreements with targets, staff accounts, monthly population, first screening.

    Counted over active facilities: a facility is set up when it has an agreement, a staff account
    scoped to it and a monthly population.
    """
    active = select(Facility.id).where(Facility.active)
    facilities = _count(session, select(func.count()).select_from(active.subquery()))
    with_targets = _count(
        session,
        select(func.count(func.distinct(Agreement.id)))
        .join(AgreementScopeItem, AgreementScopeItem.agreement_id == Agreement.id)
        .where(Agreement.active, AgreementScopeItem.active),
    )
    agreements = _count(session, select(func.count()).select_from(Agreement).where(Agreement.active))
    staffed = _count(
        session,
        select(func.count(func.distinct(UserScope.facility_id)))
        .join(User, User.id == UserScope.user_id)
        .where(User.is_active, User.role != Role.ADMIN, UserScope.facility_id.in_(active)),
    )
    with_population = _count(
        session,
        select(func.count(func.distinct(FacilityPopulation.facility_id))).where(
            FacilityPopulation.facility_id.in_(active)
        ),
    )
    screened = session.exec(select(Screening.id).limit(1)).first() is not None  # an index probe
    return [
        Step("facilities", facilities, max(facilities, 1)),
        Step("agreements", with_targets, max(agreements, 1)),
        Step("users", staffed, facilities),
        Step("population", with_population, facilities),
        Step("screening", int(screened), 1),
    ]
