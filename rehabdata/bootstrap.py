"""First start: create or upgrade the schema, then start a new database as demo or as real.

A database is one of three things, and never two: *new* (nothing in it yet), *demo* (synthetic
records, marked ``demo=1``) or *real* (marked ``demo=0``; the programmes' reference data unless
started empty). Demo records never enter a real database, and ``discard_demo`` turns a demo
database into a real one keeping nothing synthetic.
"""

import os
from enum import StrEnum

from sqlalchemy import Engine
from sqlmodel import Session, SQLModel, select

from rehabdata.db import session_scope, upgrade_schema
from rehabdata.models import AppSetting, Facility, User
from rehabdata.reference import seed_reference_data

DEMO_KEY = "demo"  # AppSetting: "1" demo, "0" real


class DatabaseState(StrEnum):
    NEW = "new"
    DEMO = "demo"
    REAL = "real"


class NotADemoError(RuntimeError):
    """``discard_demo`` was asked to empty a database that is not a demo one."""


def demo_on_empty() -> bool:
    """Whether an empty database gets demo data on first start (``REHAB_DEMO_ON_EMPTY``, default on)."""
    return os.environ.get("REHAB_DEMO_ON_EMPTY", "1").strip().lower() not in {"0", "false", "no"}


def database_state(session: Session) -> DatabaseState:
    """New, demo or real. A database from before the marker counts as real once it has facilities."""
    flag = session.exec(select(AppSetting.value).where(AppSetting.key == DEMO_KEY)).first()
    if flag == "1":
        return DatabaseState.DEMO
    if flag == "0" or session.exec(select(Facility.id).limit(1)).first() is not None:
        return DatabaseState.REAL
    return DatabaseState.NEW


def start_real(session: Session, *, with_reference: bool = True) -> None:
    """Mark the database real and seed the programmes' reference data (``False``: none)."""
    session.merge(AppSetting(key=DEMO_KEY, value="0"))
    if with_reference:
        seed_reference_data(session)


def prepare_database(
    engine: Engine, *, load_demo_if_empty: bool, with_reference: bool = True
) -> DatabaseState:
    """Bring the schema to head and start a new database: as demo if asked (and nobody has an
    account yet), else as real. A demo or real database only migrates, so running it again changes
    nothing. Returns the database's state."""
    upgrade_schema(engine)
    with Session(engine) as session:
        state = database_state(session)
        has_users = session.exec(select(User.id).limit(1)).first() is not None
    if state != DatabaseState.NEW:
        return state
    if load_demo_if_empty and not has_users:
        from rehabdata.demo import load_demo  # imported lazily: only needed once

        load_demo(engine)
        return DatabaseState.DEMO
    with session_scope(engine) as session:
        start_real(session, with_reference=with_reference)
    return DatabaseState.REAL


def is_demo(engine: Engine) -> bool:
    """True when the database holds synthetic demo data (shown as a badge in the app)."""
    with Session(engine) as session:
        return database_state(session) == DatabaseState.DEMO


def discard_demo(engine: Engine) -> None:
    """Empty a demo database and start it real: every table dropped, the schema and reference data
    created again. Refuses a database that is not a demo one, so real records are never lost here."""
    with Session(engine) as session:
        if database_state(session) != DatabaseState.DEMO:
            raise NotADemoError("this database is not a demo database: nothing was removed")
    with engine.begin() as connection:
        SQLModel.metadata.drop_all(connection)
        connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    upgrade_schema(engine)
    with session_scope(engine) as session:
        start_real(session)
