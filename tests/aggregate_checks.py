"""The aggregate tables against a rebuild from scratch (shared by tests that write in different ways)."""

import pandas as pd
from sqlalchemy import Engine
from sqlmodel import Session

from rehabdata import aggregates


def rebuilt_differences(engine: Engine) -> dict[str, str]:
    """Table → what differs between the stored aggregates and a rebuild (rolled back); empty = exact."""
    with Session(engine) as session:
        stored = aggregates.snapshot(session)
        aggregates.rebuild(session)
        rebuilt = aggregates.snapshot(session)
        session.rollback()
    differences = {}
    for table, frame in stored.items():
        try:
            pd.testing.assert_frame_equal(frame, rebuilt[table], check_dtype=False)
        except AssertionError as error:
            differences[table] = str(error)
    return differences


def assert_aggregates_exact(engine: Engine, *, require_rows: bool = True) -> None:
    differences = rebuilt_differences(engine)
    assert not differences, differences
    if require_rows:
        with Session(engine) as session:
            assert any(len(frame) for frame in aggregates.snapshot(session).values())
