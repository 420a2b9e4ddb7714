"""Audit trail: one append-only row per write, in the same transaction as the write.

A row says who, when, what (action, entity, id, facility) and which fields changed from what to
what. Besides writes it records logins, failed logins, lockouts and logouts (``logins``) and every
export or download (``record_export``). Secrets never enter it: a password hash is recorded as
"***" (a reset shows as a ``password`` change with no values). Only this module writes audit rows;
no service may change or delete one, and the database refuses UPDATE and DELETE on the table
(triggers of migration 0014).
"""

from typing import Any

from pydantic import BaseModel
from sqlalchemy import Connection, event, update
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, SQLModel, select

from rehabdata.auth import Principal, ScopeError
from rehabdata.models import AuditLog, DataVersion, Role

SECRET_FIELDS = frozenset({"password_hash"})
REDACTED = "***"


def snapshot(row: SQLModel) -> dict[str, Any]:
    """A row's fields as JSON-ready values, secrets redacted."""
    values = row.model_dump(mode="json", warnings=False)  # enum columns hold plain strings
    return {key: (REDACTED if key in SECRET_FIELDS and value else value) for key, value in values.items()}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Fields whose value differs, as ``{field: [before, after]}``."""
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def record(
    session: Session,
    *,
    principal: Principal,
    action: str,
    entity: str,
    entity_id: int | None,
    changes: dict[str, Any],
    facility_id: int | None = None,
) -> AuditLog:
    """Add the audit row for a write; it commits or rolls back together with the write, and bumps
    the data version (the write changes figures)."""
    bump_data_version(session)
    return record_event(
        session,
        action=action,
        username=principal.username,
        user_id=principal.user_id,
        entity=entity,
        entity_id=entity_id,
        changes=changes,
        facility_id=facility_id,
    )


def record_event(
    session: Session,
    *,
    action: str,
    username: str,
    user_id: int | None,
    entity: str = "login_session",
    entity_id: int | None = None,
    changes: dict[str, Any] | None = None,
    facility_id: int | None = None,
) -> AuditLog:
    """Add the audit row of an event that changes no figures (a login, a logout, an export): unlike
    ``record`` it leaves the data version alone, so no cached KPI is recomputed because of it."""
    row = AuditLog(
        user_id=user_id,
        username=username,
        action=action,
        entity=entity,
        entity_id=entity_id,
        facility_id=facility_id,
        changes=changes or {},
    )
    session.add(row)
    return row


def record_export(
    session: Session,
    *,
    principal: Principal | None,
    kind: str,
    name: str,
    detail: dict[str, Any] | None = None,
) -> AuditLog:
    """Record that data left the app: a CSV, XLSX, PPTX download or a backup (``kind``) named
    ``name``; from the command line without a user (``principal`` None) as ``cli``."""
    return record_event(
        session,
        action="export",
        username=principal.username if principal else "cli",
        user_id=principal.user_id if principal else None,
        entity="export",
        changes={"kind": kind, "file": name, **(detail or {})},
    )


PENDING_VERSIONS = "rehabdata.pending_versions"  # session.info key: writes counted, not yet applied


def bump_data_version(session: Session) -> None:
    """Count a write so every app process drops stale caches; applied in the write's transaction.

    The shared counter row is updated once, just before commit (``_apply_version_bumps``), so
    concurrent writers hold its row lock for the commit only, not for their whole transaction.
    """
    session.info[PENDING_VERSIONS] = session.info.get(PENDING_VERSIONS, 0) + 1


@event.listens_for(OrmSession, "before_commit")
def _apply_version_bumps(session: OrmSession) -> None:
    pending = session.info.pop(PENDING_VERSIONS, 0)
    if pending:
        session.execute(
            update(DataVersion).where(DataVersion.id == 1).values(version=DataVersion.version + pending)
        )


@event.listens_for(OrmSession, "after_transaction_end")
def _forget_version_bumps(session: OrmSession, transaction: Any) -> None:
    if transaction.parent is None:  # committed (already applied) or rolled back (nothing to count)
        session.info.pop(PENDING_VERSIONS, None)


def data_version(session: Session | Connection) -> int:
    """The number of write transactions so far (cache key for KPI results)."""
    return session.execute(select(DataVersion.version).where(DataVersion.id == 1)).scalar() or 0


class AuditQuery(BaseModel):
    """Filters for listing the trail."""

    username: str | None = None
    entity: str | None = None
    action: str | None = None
    limit: int = 500


def list_entries(session: Session, principal: Principal, query: AuditQuery) -> list[AuditLog]:
    """The newest audit rows matching ``query``; the trail is for admins only."""
    if principal.role != Role.ADMIN:
        raise ScopeError("only an admin may read the audit trail")
    statement = select(AuditLog).order_by(AuditLog.at.desc(), AuditLog.id.desc()).limit(query.limit)
    if query.username:
        statement = statement.where(AuditLog.username == query.username)
    if query.entity:
        statement = statement.where(AuditLog.entity == query.entity)
    if query.action:
        statement = statement.where(AuditLog.action == query.action)
    return list(session.exec(statement).all())
