"""``python -m rehabdata bench``: each page's KPI set on rehabdata, naive pandas and DuckDB, same rows.

- **rehabdata cold**: the page's KPI calls through the app's cache layer (``ui.data.kpi_frame``,
  ``st.cache_data`` keyed on the data version) right after clearing it: SQL over the aggregate
  tables; **warm**: the same calls again, answered from the cache (one data-version read per page run).
  **1st**: the first cold run, reported apart: it finds the database's pages wherever the machine left
  them (on disk after a big program such as a previous benchmark pushed them out of memory), which a
  running server's working set is not; the cold median and max are of the runs after it.
- **naive pandas**: ``pandas.read_sql`` of the whole tables, then the KPIs in pandas
  (``bench.naive``); reported as compute only and as read + compute (what each page load costs).
- **DuckDB**: the same rows in an in-memory DuckDB (load excluded), the same KPI SQL: on the same
  tables, aggregate tables included (the ``rehabdata/DuckDB`` ratio), and **DuckDB raw**, over views
  that compute the aggregates from the raw rows at query time (``bench.duck``).

DuckDB raw and pandas run at most three times per page (each run takes seconds at national scale).

Every figure of every engine must agree (``bench.compare.same_result``), else the run fails.
"""

import argparse
import gc
import logging
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from rehabdata import aggregates, clock, kpis
from rehabdata.auth import Principal
from rehabdata.bench.compare import same_result
from rehabdata.bench.sets import KpiCall, page_sets
from rehabdata.db import database_url, get_engine, has_data, upgrade_schema
from rehabdata.kpis import Filters
from rehabdata.models import Attendance, Facility, Role, Screening
from rehabdata.periods import preset_range

BENCH_USER = Principal(0, "bench", "", Role.ADMIN, frozenset(), all_facilities=True)  # what an admin sees

TARGETS = (
    "targets (at national scale): cold <= 1 s, warm <= 50 ms, rehabdata/DuckDB <= 2, pandas/rehabdata >= 50"
)


@dataclass
class Timing:
    """Seconds of several runs of one measure."""

    runs: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    @property
    def max(self) -> float:
        return max(self.runs)


def _timed(action: Callable[[], object], runs: int) -> Timing:
    seconds = []
    for _ in range(runs):
        began = time.perf_counter()
        action()
        seconds.append(time.perf_counter() - began)
    return Timing(seconds)


def _prepare(url: str | None, scale: str | None) -> str:
    """The database to measure; with ``scale``, filled with that dataset first when empty."""
    if url is None and scale is None:
        return database_url()
    if url is None:
        url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='rehab-bench-')) / 'bench.db'}"
    engine = get_engine(url)
    upgrade_schema(engine)
    if scale and not has_data(engine):
        began = time.perf_counter()
        print(f"generating {scale} data (national: a few minutes) ...", flush=True)
        if scale == "national":
            from rehabdata.national import load_national

            load_national(engine)
        else:
            from rehabdata.demo import load_demo

            load_demo(engine)
        print(f"generated in {time.perf_counter() - began:.0f} s", flush=True)
    return url


def _selection(engine: Engine, end: date | None) -> tuple[Filters, date]:
    """The pages' default filter (last three months to the latest screening) and the earliest signing."""
    with Session(engine) as session:
        latest = session.execute(select(func.max(Screening.screened_on))).scalar()
        end = end or latest or clock.today()
        start, end = preset_range("last_3_months", end)
        selection = Filters(start=start, end=end)
        signed = kpis.agreement_start(session, selection)
    return selection, signed or start


def _describe(engine: Engine, url: str, selection: Filters) -> None:
    with Session(engine) as session:
        counts = {
            name: session.execute(select(func.count()).select_from(model)).scalar()
            for name, model in (
                ("facilities", Facility),
                ("screenings", Screening),
                ("attendance", Attendance),
            )
        }
    shown = url.split("@")[-1] if "@" in url else url
    print(f"database: {engine.dialect.name} {shown}")
    print(", ".join(f"{count:,} {name}" for name, count in counts.items()))
    print(f"period: {selection.start} to {selection.end} (last 3 months), every facility, as admin")


def _run_set(session: Session, calls: list[KpiCall]) -> list[pd.DataFrame]:
    return [kpis.run_kpi(session, BENCH_USER, c.name, c.filters, c.by) for c in calls]


def _rehabdata(
    url: str, calls: list[KpiCall], runs: int
) -> tuple[Timing, Timing, Timing, list[pd.DataFrame]]:
    """First, cold (cache cleared before each run) and warm (cached) times through the app's cache layer."""
    # No Streamlit runtime here: st.cache_data still works, and warns so for each cached function as
    # the module defines it (a level would not hold: Streamlit sets its loggers' levels on import).
    logging.getLogger("streamlit.runtime.caching.cache_data_api").disabled = True
    from rehabdata.ui.data import current_data_version, kpi_frame

    def through_cache() -> list[pd.DataFrame]:  # as a page run: one data-version read, then the frames
        version = current_data_version(url)
        return [
            kpi_frame(c.name, url, kpis.scope_filters(BENCH_USER, c.filters), c.by, version) for c in calls
        ]

    def cold() -> None:
        kpi_frame.clear()
        through_cache()

    first_timing = _timed(cold, 1)
    cold_timing = _timed(cold, runs)
    results = through_cache()
    warm_timing = _timed(through_cache, runs)
    return first_timing, cold_timing, warm_timing, results


def _duckdb(duck: Engine, calls: list[KpiCall], runs: int) -> tuple[Timing, list[pd.DataFrame]]:
    """A page's KPI set on DuckDB: its results, then ``runs`` timed runs."""
    with Session(duck) as session:
        results = _run_set(session, calls)
        return _timed(lambda: _run_set(session, calls), runs), results


def _mismatches(page: str, calls: list[KpiCall], *engines: tuple[str, list[pd.DataFrame]]) -> list[str]:
    (reference_name, reference), *others = engines
    problems = []
    for name, results in others:
        for call, expected, actual in zip(calls, reference, results, strict=True):
            difference = same_result(expected, actual)
            if difference:
                problems.append(
                    f"{page}: {call.name} by {call.by or '-'}: {name} != {reference_name}: {difference}"
                )
    return problems


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f}" if seconds < 10 else f"{seconds * 1000:,.0f}"


def main(args: argparse.Namespace) -> int:
    """Run the benchmark; exit code 1 when any engine's figures differ from rehabdata's."""
    try:
        from rehabdata.bench.duck import load_duckdb
        from rehabdata.bench.naive import NaiveData, compute
    except ImportError as error:  # duckdb is a dev/benchmark dependency
        print(f"error: {error}; install the dev requirements: pip install -r requirements-dev.txt")
        return 2
    url = _prepare(args.database, args.scale)
    engine = get_engine(url)
    if not has_data(engine):
        print("error: the database is empty; pass --scale small or --scale national to generate data")
        return 2
    selection, signed = _selection(engine, args.end)
    sets = page_sets(selection, signed)
    _describe(engine, url, selection)
    runs = max(1, args.runs)
    # rehabdata first, in a process as lean as an app server's: the frames loaded below for pandas
    # and DuckDB hold tens of millions of Python objects that slow every allocation after them.
    ours = {page: _rehabdata(url, calls, runs) for page, calls in sets.items()}

    began = time.perf_counter()
    data = NaiveData.load(engine)
    read_seconds = time.perf_counter() - began
    with Session(engine) as session:
        duck = load_duckdb(data, aggregates.snapshot(session))
    duck_raw = load_duckdb(data)
    gc.freeze()  # the loaded frames' objects out of the collector's way: DuckDB and pandas timed fairly
    print(f"naive pandas read of the tables: {read_seconds:.1f} s; DuckDB load (excluded): done\n")

    header = (
        f"{'page':20} {'1st':>7} {'cold med':>9} {'cold max':>9} {'warm med':>9} {'warm max':>9} {'DuckDB med':>10} "
        f"{'DuckDB max':>10} {'Duck raw':>9} {'pandas':>9} {'pd+read':>9} {'rd/Duck':>8} {'pd/rd':>7}"
    )
    print(
        "times in ms; 1st = first cold run (database pages possibly on disk), cold = the runs after it;\n"
        "DuckDB = same tables and SQL, Duck raw = aggregates computed from raw rows;\n"
        "pandas = compute on loaded frames, pd+read = read_sql of the tables + compute"
    )
    print(header)
    problems: list[str] = []
    missed: list[str] = []
    for page, calls in sets.items():
        first, cold, warm, results = ours[page]
        duck_timing, duck_results = _duckdb(duck, calls, runs)
        raw_timing, raw_results = _duckdb(duck_raw, calls, min(runs, 3))
        naive_results = [compute(data, c.name, c.filters, c.by) for c in calls]
        naive_timing = _timed(
            lambda cs=calls: [compute(data, c.name, c.filters, c.by) for c in cs], min(runs, 3)
        )
        naive_total = read_seconds + naive_timing.median
        problems += _mismatches(
            page,
            calls,
            ("rehabdata", results),
            ("DuckDB", duck_results),
            ("DuckDB raw", raw_results),
            ("pandas", naive_results),
        )
        versus_duck = cold.median / duck_timing.median
        versus_pandas = naive_total / cold.median
        print(
            f"{page:20} {_ms(first.median):>7} {_ms(cold.median):>9} {_ms(cold.max):>9} {_ms(warm.median):>9} {_ms(warm.max):>9} "
            f"{_ms(duck_timing.median):>10} {_ms(duck_timing.max):>10} {_ms(raw_timing.median):>9} "
            f"{_ms(naive_timing.median):>9} "
            f"{_ms(naive_total):>9} {versus_duck:>8.2f} {versus_pandas:>7.0f}"
        )
        for missed_target, text in (
            (cold.max > 1.0, "cold > 1 s"),
            (warm.max > 0.05, "warm > 50 ms"),
            (versus_duck > 2, "more than 2x DuckDB"),
            (versus_pandas < 50, "less than 50x pandas"),
        ):
            if missed_target:
                missed.append(f"{page}: {text}")
    print(f"\n{TARGETS}")
    print("all targets met" if not missed else "targets missed: " + "; ".join(missed))
    if problems:
        print("\nMISMATCH: engines disagree (the benchmark fails):")
        print("\n".join(f"  {problem}" for problem in problems))
        return 1
    print("every engine gave the same figures for every KPI call")
    return 0
