"""Fixtures for the page tests: the deterministic demo dataset, built once per session."""

import shutil
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from rehabdata import clock, kpis
from rehabdata.db import make_engine, upgrade_schema
from rehabdata.demo import load_demo
from rehabdata.kpis import Dimension, Filters
from rehabdata.periods import preset_range
from tests.conftest import EVERYONE
from tests.pages.entry_support import DEMO_END

DEMO_TODAY = date(2026, 11, 23)
"""The ``today`` the demo data is generated for: the same rows on every run."""


@pytest.fixture(scope="session")
def demo_db_template(tmp_path_factory) -> Path:
    """A migrated SQLite file filled by ``load_demo(today=DEMO_TODAY)``, built once per session."""
    path = tmp_path_factory.mktemp("demo-template") / "demo.db"
    engine = make_engine(f"sqlite:///{path}")
    try:
        upgrade_schema(engine)
        load_demo(engine, today=DEMO_TODAY)
    finally:
        engine.dispose()
    return path


@pytest.fixture
def demo_env(monkeypatch, demo_db_template) -> Iterator[Engine]:
    """The app (under AppTest) pointed at the shared demo database, without auto-demo; returns its engine.

    The page tests only read, so they share one file: Streamlit's URL-keyed caches then serve the
    Ringkasan page (run on the way to every page) once per filter instead of once per test. A test
    that writes must build its own database.
    """
    url = f"sqlite:///{demo_db_template}"
    engine = make_engine(url)
    monkeypatch.setenv("REHAB_DATABASE_URL", url)
    monkeypatch.setenv("REHAB_DEMO_ON_EMPTY", "0")
    yield engine
    engine.dispose()


@pytest.fixture
def demo_kpi(demo_env) -> Callable[..., pd.DataFrame]:
    """``demo_kpi(name, filters, by=())``: the KPI function's own output on the demo copy (the oracle)."""

    def compute(name: str, filters: Filters, by: tuple[Dimension, ...] = ()) -> pd.DataFrame:
        with Session(demo_env) as session:
            return kpis.run_kpi(session, EVERYONE, name, filters, by)

    return compute


@pytest.fixture
def demo_codes(demo_env) -> Callable[[str, str], int]:
    """``demo_codes("region" | "facility", code)``: the id behind a filter-bar code of the demo data."""
    with Session(demo_env) as session:
        labels = kpis.facility_labels(session)

    def lookup(kind: str, code: str) -> int:
        rows = labels[labels[f"{kind}_code"] == code]
        assert len(rows), f"no {kind} {code!r} in the demo data"
        return int(rows[f"{kind}_id"].iloc[0])

    return lookup


@pytest.fixture
def facility_names(demo_env) -> dict[int, str]:
    """Facility id → name, as the pages label their tables."""
    with Session(demo_env) as session:
        labels = kpis.facility_labels(session)
    return dict(zip(labels["facility_id"].astype(int), labels["facility"], strict=True))


@pytest.fixture
def default_filters() -> Filters:
    """What the filter bar selects with no state and no link parameters: the last 3 months, everywhere."""
    start, end = preset_range("last_3_months", clock.today())
    return Filters(start=start, end=end)


@pytest.fixture(scope="session")
def entry_template(tmp_path_factory) -> Path:
    """A small demo database (Aug–Oct 2025), built once and copied for each writing test."""
    path = tmp_path_factory.mktemp("entry-template") / "rehab.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade_schema(engine)
    load_demo(engine, months=3, today=DEMO_END)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture
def db(entry_template, tmp_path, monkeypatch) -> Iterator[Engine]:
    """A private copy of the demo database that the app under AppTest writes into."""
    path = tmp_path / "rehab.db"
    shutil.copy(entry_template, path)
    url = f"sqlite:///{path}"
    monkeypatch.setenv("REHAB_DATABASE_URL", url)
    monkeypatch.setenv("REHAB_DEMO_ON_EMPTY", "0")
    engine = make_engine(url)
    yield engine
    engine.dispose()
