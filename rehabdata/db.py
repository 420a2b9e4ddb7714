"""Engine, sessions and schema migrations.

``REHAB_DATABASE_URL`` picks the database: SQLite (embedded default, ``data/rehabdata.db``) or
PostgreSQL (``postgresql+psycopg://user@host/db``, the shared multi-facility deployment).
The schema is owned by Alembic (``migrations/``), so an existing database is upgraded in place.
"""

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, create_engine, select

from rehabdata import aggregates  # noqa: F401  (registers the flush hook that keeps aggregates exact)
from rehabdata.models import Facility

T = TypeVar("T")
PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_PATH = PROJECT_ROOT / "data" / "rehabdata.db"
SQLITE_BUSY_TIMEOUT_MS = 30_000


def database_url() -> str:
    """The configured database URL; plain ``postgresql://`` is routed to psycopg 3."""
    url = os.environ.get("REHAB_DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{DEFAULT_SQLITE_PATH}"
    if url.startswith(("postgresql://", "postgres://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _configure_sqlite(dbapi_connection, _record) -> None:
    """Foreign keys are off by default in SQLite; WAL lets readers run beside one writer."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str) -> Engine:
    """Create an engine with the per-backend settings this app relies on."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        )
        event.listen(engine, "connect", _configure_sqlite)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)


def get_engine(url: str | None = None) -> Engine:
    """The engine for ``url`` (default: the configured database), one per URL per process."""
    return _engine_for(url or database_url())


@cache
def _engine_for(url: str) -> Engine:
    """Engines hold the connection pool: create one per URL and reuse it."""
    return make_engine(url)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error: one unit of work."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def alembic_config(engine: Engine) -> Config:
    """Alembic configuration that runs the repo's migrations on ``engine``."""
    config = Config()
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return config


UPGRADE_LOCK = 8802  # pg_advisory_xact_lock key: "the schema is being upgraded"


def upgrade_schema(engine: Engine, revision: str = "head") -> None:
    """Create the schema or upgrade an existing database to ``revision``, keeping its rows.

    App processes starting at once (several behind a load balancer) take turns: on PostgreSQL under
    a transaction-scoped advisory lock, on SQLite under its write lock; each then reads the
    revision the previous one left.
    """
    config = alembic_config(engine)
    with engine.begin() as connection:
        if connection.dialect.name == "sqlite":
            # Python's sqlite3 runs DDL outside any transaction unless one is open: without this, an
            # upgrade that fails or is killed half-way would keep its CREATE/DROP statements.
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        elif connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({UPGRADE_LOCK})")
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def current_revision(engine: Engine) -> str | None:
    """The Alembic revision the database is at, or None for an empty database."""
    if not inspect(engine).has_table("alembic_version"):
        return None
    with engine.connect() as connection:
        return connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


def has_data(engine: Engine) -> bool:
    """True when the database already holds facilities (demo or real)."""
    with Session(engine) as session:
        return session.exec(select(Facility.id).limit(1)).first() is not None


TRANSIENT_ERRORS = ("database is locked", "deadlock detected", "could not serialize access")


def is_transient(error: OperationalError) -> bool:
    """A lock, deadlock or serialisation conflict that a retry of the whole transaction can resolve."""
    return any(text in str(error).lower() for text in TRANSIENT_ERRORS)


def run_in_transaction(
    engine: Engine, action: Callable[[Session], T], *, attempts: int = 4, backoff: float = 0.2
) -> T:
    """Run ``action`` in one transaction, retrying it (bounded, with backoff) after a transient conflict.

    Each attempt is a fresh transaction, so a retried write is never applied twice.
    """
    for attempt in range(1, attempts + 1):
        try:
            with session_scope(engine) as session:
                return action(session)
        except OperationalError as error:
            if attempt == attempts or not is_transient(error):
                raise
            time.sleep(backoff * 2 ** (attempt - 1))
    raise AssertionError("unreachable")  # the loop returns or raises
