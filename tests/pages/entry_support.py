"""Shared by the entry-page tests: a private demo database per test and element lookups."""

from datetime import date

from sqlalchemy import Engine, func
from sqlmodel import Session, select
from streamlit.testing.v1.element_tree import Block

from rehabdata.models import AuditLog

STAFF = "petugas.kabanjahe"
DEMO_END = date(2025, 10, 31)


# Audit rows of writes: the logins and logouts of the test's own session are audited too.
WRITES = AuditLog.entity != "login_session"


def count(engine: Engine, model, *where) -> int:
    """Rows of ``model`` (for the audit trail: of writes only, see ``WRITES``)."""
    if model is AuditLog:
        where = (*where, WRITES)
    with Session(engine) as s:
        return s.exec(select(func.count()).select_from(model).where(*where)).one()


def last_audit_id(engine: Engine) -> int:
    with Session(engine) as s:
        return s.exec(select(func.max(AuditLog.id))).one() or 0


def audits_since(engine: Engine, last_id: int) -> list[str]:
    """The entities of the audit rows written after ``last_id``, sorted."""
    with Session(engine) as s:
        return sorted(s.exec(select(AuditLog.entity).where(AuditLog.id > last_id, WRITES)).all())


def flat(node) -> list:
    """Every element below ``node`` in page order (containers included)."""
    out = []
    for child in getattr(node, "children", {}).values():
        out.append(child)
        out.extend(flat(child))
    return out


def errors_under(at, key: str) -> list[str]:
    """The error messages shown right below the widget ``key`` (before any other element)."""
    elements = [e for e in flat(at.main) if not isinstance(e, Block)]
    position = next(i for i, e in enumerate(elements) if getattr(e, "key", None) == key)
    shown = []
    for element in elements[position + 1 :]:
        if element.type != "error":
            break
        shown.append(element.value)
    return shown
