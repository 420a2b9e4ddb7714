"""The benchmark's state-of-the-art reference: the same raw rows in an in-memory DuckDB.

The KPI functions of ``rehabdata.kpis`` run unchanged on DuckDB (through ``duckdb_engine``); the two
aggregate tables they read are *views* there (the monthly ones list the daily rows), defined by the very statements that fill them
(``aggregates.session_rows``/``screening_rows``), so DuckDB computes every figure from the raw
screenings, sessions, attendance and enrolments at query time, as an analytical engine would.
"""

from dataclasses import fields
from typing import Any

import pandas as pd
from sqlalchemy import JSON, Boolean, Date, DateTime, Engine, Float, Integer, create_engine, text, true
from sqlalchemy.pool import StaticPool
from sqlmodel import SQLModel

from rehabdata import aggregates
from rehabdata.bench.naive import NaiveData


def _duck_type(column: Any) -> str | None:
    """DuckDB's type for a model column; None for JSON (no KPI reads it)."""
    kind = column.type
    if isinstance(kind, JSON):
        return None
    if isinstance(kind, Date):
        return "DATE"
    if isinstance(kind, DateTime):
        return "TIMESTAMP"
    if isinstance(kind, Boolean):
        return "BOOLEAN"
    if isinstance(kind, Integer):
        return "BIGINT"
    if isinstance(kind, Float):
        return "DOUBLE"
    return "VARCHAR"


def load_duckdb(data: NaiveData) -> Engine:
    """An in-memory DuckDB holding ``data``'s tables (typed as the models say) and the aggregate views."""
    engine = create_engine("duckdb:///:memory:", poolclass=StaticPool)
    with engine.connect() as connection:
        raw = connection.connection.driver_connection
        for field in fields(data):
            frame: pd.DataFrame = getattr(data, field.name)
            typed = [
                (column.name, kind)
                for column in SQLModel.metadata.tables[field.name].columns
                if (kind := _duck_type(column)) is not None
            ]
            declared = ", ".join(f'"{name}" {kind}' for name, kind in typed)
            connection.execute(text(f'CREATE TABLE "{field.name}" ({declared})'))
            raw.register("incoming", frame)
            selected = ", ".join(f'CAST("{name}" AS {kind})' for name, kind in typed)
            connection.execute(text(f'INSERT INTO "{field.name}" SELECT {selected} FROM incoming'))
            raw.unregister("incoming")
        for name, statement in (
            ("agg_session_day", aggregates.session_rows(true())),
            ("agg_screening_day", aggregates.screening_rows(true())),
        ):
            sql = statement.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True})
            connection.execute(text(f"CREATE VIEW {name} AS {sql}"))
        # Summing day rows of whole months gives what month rows give; keeping them as days lets
        # DuckDB push the period filter down to the raw rows (no rollup needed at its speed).
        for daily, monthly in aggregates.ROLLUPS:
            connection.execute(
                text(f"CREATE VIEW {monthly.__tablename__} AS SELECT * FROM {daily.__tablename__}")
            )
        connection.commit()
    return engine
