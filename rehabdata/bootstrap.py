"""First start: create or upgrade the schema, and load demo data into an empty database."""

import os

from sqlalchemy import Engine
from sqlmodel import Session, select

from rehabdata.db import has_data, upgrade_schema
from rehabdata.models import AppSetting


def demo_on_empty() -> bool:
    """Whether an empty database gets demo data on first start (``REHAB_DEMO_ON_EMPTY``, default on)."""
    return os.environ.get("REHAB_DEMO_ON_EMPTY", "1").strip().lower() not in {"0", "false", "no"}


def prepare_database(engine: Engine, *, load_demo_if_empty: bool) -> None:
    """Bring the schema to head; fill an empty database with synthetic demo data if asked."""
    upgrade_schema(engine)
    if load_demo_if_empty and not has_data(engine):
        from rehabdata.demo import load_demo  # imported lazily: only needed once

        load_demo(engine)


def is_demo(engine: Engine) -> bool:
    """True when the database holds synthetic demo data (shown as a badge in the app)."""
    with Session(engine) as session:
        flag = session.exec(select(AppSetting.value).where(AppSetting.key == "demo")).first()
    return flag == "1"
