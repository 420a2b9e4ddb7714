"""The data version: bumped by every write, so caches in every app process stay current."""

import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import Session

from rehabdata import audit, services
from rehabdata.auth import Principal, create_user, principal_for
from rehabdata.db import session_scope
from rehabdata.kpis import Filters, scope_filters
from rehabdata.models import Region, Role
from tests import factories as f
from tests.conftest import EVERYONE

ROOT = Path(__file__).resolve().parents[1]


def make_admin(engine) -> Principal:
    """An admin user (audit rows name a real user)."""
    with session_scope(engine) as session:
        user = create_user(
            session=session, username="admin", role=Role.ADMIN, password="x", password_hash="unused"
        )
        return principal_for(session, user)


def version(engine) -> int:
    with Session(engine) as session:
        return audit.data_version(session)


def test_each_write_bumps_the_version_once(any_engine):
    """A service write adds exactly 1 to the version; a failed write adds nothing."""
    admin = make_admin(any_engine)
    before = version(any_engine)
    with session_scope(any_engine) as session:
        services.create(
            session=session, principal=admin, model=Region, data={"code": "r1", "name": "R1", "province": "P"}
        )
    assert version(any_engine) == before + 1
    with pytest.raises(Exception), session_scope(any_engine) as session:  # noqa: B017 - any failure rolls back
        services.create(
            session=session,
            principal=admin,
            model=Region,
            data={"code": "r1", "name": "dup", "province": "P"},
        )
    assert version(any_engine) == before + 1


def test_another_process_write_reaches_this_process_cache(engine):
    """A write by a second process changes the version, so this process's cached KPI is recomputed."""
    from rehabdata.ui.data import current_data_version, kpi_frame

    make_admin(engine)
    with session_scope(engine) as session:
        participant = f.make_participant(session, f.make_facility(session, f.make_region(session)))
        participant_id = participant.id
    url = engine.url.render_as_string(hide_password=False)
    september = scope_filters(EVERYONE, Filters(start=date(2025, 9, 1), end=date(2025, 9, 30)))
    seen = current_data_version(url)
    assert kpi_frame("risk_distribution", url, september, (), seen)["denominator"].iloc[0] == 0

    writer = textwrap.dedent(f"""
        from datetime import date
        from rehabdata import services
        from rehabdata.auth import Principal, create_user, principal_for
        from rehabdata.db import make_engine, session_scope
        from rehabdata.models import Role
        admin = Principal(1, "admin", "Admin", Role.ADMIN, frozenset(), all_facilities=True)
        with session_scope(make_engine({url!r})) as session:
            services.create_screening(session=session, principal=admin, data={{
                "participant_id": {participant_id}, "screened_on": date(2025, 9, 10), "screener": "Perawat",
                "answers": {{"cannabis": {{"q2": 4, "q3": 4, "q4": 4}}}}}})
    """)
    subprocess.run([sys.executable, "-c", writer], cwd=ROOT, check=True, timeout=60)

    fresh = current_data_version(url)
    assert fresh == seen + 1
    assert kpi_frame("risk_distribution", url, september, (), fresh)["denominator"].iloc[0] == 1
    assert (
        kpi_frame("risk_distribution", url, september, (), seen)["denominator"].iloc[0] == 0
    )  # the stale key
