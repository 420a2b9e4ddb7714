"""Date functions SQL needs and dialects spell differently: SQLite, PostgreSQL and DuckDB.

Written once as SQLAlchemy function elements so KPI and aggregate statements stay portable; DuckDB
(``duckdb_engine``, the benchmark's reference engine) shares PostgreSQL's date arithmetic but not
``to_char``.
"""

from typing import Any

from sqlalchemy import Date, Integer, String, literal_column
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class month_label(FunctionElement):
    """``YYYY-MM`` of a date column, on SQLite and PostgreSQL alike."""

    inherit_cache = True
    type = String()


class quarter_label(FunctionElement):
    """``YYYY-Qn`` of a date column, on SQLite and PostgreSQL alike."""

    inherit_cache = True
    type = String()


@compiles(month_label, "sqlite")
def _month_sqlite(element: month_label, compiler: Any, **kw: Any) -> str:
    return f"strftime('%Y-%m', {compiler.process(element.clauses, **kw)})"


@compiles(quarter_label, "sqlite")
def _quarter_sqlite(element: quarter_label, compiler: Any, **kw: Any) -> str:
    column = compiler.process(element.clauses, **kw)
    return f"(strftime('%Y', {column}) || '-Q' || ((CAST(strftime('%m', {column}) AS INTEGER) + 2) / 3))"


@compiles(month_label, "postgresql")
def _month_postgresql(element: month_label, compiler: Any, **kw: Any) -> str:
    return f"to_char({compiler.process(element.clauses, **kw)}, 'YYYY-MM')"


@compiles(quarter_label, "postgresql")
def _quarter_postgresql(element: quarter_label, compiler: Any, **kw: Any) -> str:
    return f"to_char({compiler.process(element.clauses, **kw)}, 'YYYY-\"Q\"Q')"


class add_days(FunctionElement):
    """A date column plus a fixed number of days, on SQLite and PostgreSQL alike."""

    inherit_cache = True
    type = Date()

    def __init__(self, column: Any, days: int) -> None:
        super().__init__(column, literal_column(str(int(days))))


class days_between(FunctionElement):
    """Whole days from the second date column to the first (``later - earlier``)."""

    inherit_cache = True
    type = Integer()


class first_of_month(FunctionElement):
    """The first day of a date column's month, on SQLite and PostgreSQL alike."""

    inherit_cache = True
    type = Date()


@compiles(first_of_month, "sqlite")
def _first_of_month_sqlite(element: first_of_month, compiler: Any, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)}, 'start of month')"


@compiles(first_of_month, "postgresql")
@compiles(first_of_month, "duckdb")  # PostgreSQL's spelling works in DuckDB
def _first_of_month_postgresql(element: first_of_month, compiler: Any, **kw: Any) -> str:
    return f"CAST(date_trunc('month', {compiler.process(element.clauses, **kw)}) AS DATE)"


@compiles(add_days, "sqlite")
def _add_days_sqlite(element: add_days, compiler: Any, **kw: Any) -> str:
    column, days = (compiler.process(clause, **kw) for clause in element.clauses)
    sign = "" if days.startswith("-") else "+"  # SQLite reads '+-1 days' as NULL
    return f"date({column}, '{sign}{days} days')"


@compiles(add_days, "postgresql")
@compiles(add_days, "duckdb")  # PostgreSQL's spelling works in DuckDB
def _add_days_postgresql(element: add_days, compiler: Any, **kw: Any) -> str:
    column, days = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"({column} + {days})"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element: days_between, compiler: Any, **kw: Any) -> str:
    later, earlier = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


@compiles(days_between, "postgresql")
@compiles(days_between, "duckdb")  # PostgreSQL's spelling works in DuckDB
def _days_between_postgresql(element: days_between, compiler: Any, **kw: Any) -> str:
    later, earlier = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"({later} - {earlier})"


@compiles(month_label, "duckdb")
def _month_duckdb(element: month_label, compiler: Any, **kw: Any) -> str:
    return f"strftime({compiler.process(element.clauses, **kw)}, '%Y-%m')"


@compiles(quarter_label, "duckdb")
def _quarter_duckdb(element: quarter_label, compiler: Any, **kw: Any) -> str:
    column = compiler.process(element.clauses, **kw)
    return f"(strftime({column}, '%Y') || '-Q' || CAST(quarter({column}) AS VARCHAR))"
