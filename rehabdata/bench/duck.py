"""The benchmark's state-of-the-art reference: the same rows in an in-memory DuckDB, the same KPI SQL.

The KPI functions of ``rehabdata.kpis`` run unchanged on DuckDB (through ``duckdb_engine``). Two
variants differ only in the aggregate tables those functions read:

- **stored** (``load_duckdb(data, stored)``): the database's aggregate tables, row for row, as
  tables: every table rehabdata reads, so the comparison is engine against engine on equal terms;
- **raw** (``load_duckdb(data)``): views defined by the very statements that fill the tables
  (``aggregates.DEFINITIONS``), so DuckDB computes every figure from the raw screenings,
  sessions, attendance and enrolments at query time, as an analytical engine used
  without precomputation would; it shows what the aggregate tables buy.
"""

from collections.abc import Mapping
from dataclasses import fields
from typing import Any

import pandas as pd
from sqlalchemy import (
    JSON,
    Boolean,
    Connection,
    Date,
    DateTime,
    Engine,
    Float,
    Integer,
    create_engine,
    text,
    true,
)
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


def _create_table(connection: Connection, name: str, frame: pd.DataFrame) -> None:
    """Table ``name`` typed as its model says, filled with ``frame``'s rows."""
    typed = [
        (column.name, kind)
        for column in SQLModel.metadata.tables[name].columns
        if (kind := _duck_type(column)) is not None
    ]
    declared = ", ".join(f'"{column}" {kind}' for column, kind in typed)
    connection.execute(text(f'CREATE TABLE "{name}" ({declared})'))
    raw = connection.connection.driver_connection
    raw.register("incoming", frame)
    selected = ", ".join(f'CAST("{column}" AS {kind})' for column, kind in typed)
    connection.execute(text(f'INSERT INTO "{name}" SELECT {selected} FROM incoming'))
    raw.unregister("incoming")


def _create_raw_views(engine: Engine, connection: Connection) -> None:
    """The aggregate tables as views computing them from the raw rows at query time."""
    for daily, define in aggregates.DEFINITIONS.items():
        sql = define(true()).compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True})
        connection.execute(text(f"CREATE VIEW {daily.__tablename__} AS {sql}"))
    # Summing day rows of whole months gives what month rows give; keeping them as days lets
    # DuckDB push the period filter down to the raw rows (no rollup needed at its speed).
    for daily, monthly in aggregates.ROLLUPS:
        connection.execute(
            text(f"CREATE VIEW {monthly.__tablename__} AS SELECT * FROM {daily.__tablename__}")
        )


def load_duckdb(data: NaiveData, stored: Mapping[str, pd.DataFrame] | None = None) -> Engine:
    """An in-memory DuckDB holding ``data``'s tables and the aggregates: ``stored``'s rows as tables
    (``aggregates.snapshot`` of the database), or without it views over the raw rows."""
    engine = create_engine("duckdb:///:memory:", poolclass=StaticPool)
    with engine.connect() as connection:
        for field in fields(data):
            _create_table(connection, field.name, getattr(data, field.name))
        if stored is None:
            _create_raw_views(engine, connection)
        else:
            for name, frame in stored.items():
                _create_table(connection, name, frame)
        connection.commit()
    return engine
