"""Concurrent writers against one database, then a check of what they left (issue "national scale").

    python scripts/load_writers.py                  # fresh temp SQLite file with demo data, 10 writers × 60 s
    python scripts/load_writers.py --database postgresql+psycopg://postgres@127.0.0.1:5432/load --prepare
    python scripts/load_writers.py --database URL [--writers N] [--seconds S] [--seed N] [--max-writes N]

Each writer is a process acting as a facility's petugas, alternating screenings and sessions with
attendance through the services (``rehabdata.loadtest``). ``--prepare`` creates or upgrades the
schema and loads the demo data, refusing a database that already holds data; without it the
database must already hold the demo data (its petugas accounts and participants). Prints the
figures, then every problem ``verify`` finds, and exits 1 if there is one.
"""

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy.engine import make_url

from rehabdata import db, demo, loadtest


def prepare(url: str) -> str | None:
    """Schema at head plus demo data; the reason for refusing when the database already holds data."""
    engine = db.make_engine(url)
    try:
        db.upgrade_schema(engine)
        if db.has_data(engine):
            return "the database already holds data; --prepare needs an empty one"
        demo.load_demo(engine)
    finally:
        engine.dispose()
    return None


def figures(report: loadtest.WriterReport, aggregates: str) -> str:
    rows = [
        ("backend", report.backend),
        ("writers", report.writers),
        ("seconds", f"{report.seconds:g} (measured {report.elapsed:.1f})"),
        (
            "acknowledged",
            f"{report.acknowledged} ({report.screenings} screenings, {report.sessions} sessions"
            f" with {report.attendance} attendance rows)",
        ),
        ("refused", sum(report.refused.values())),
        ("failed", report.failed),
        ("retries", report.retries),
        ("writes/s", f"{report.writes_per_second:.1f}"),
        ("latency p50 ms", f"{report.p50_ms:.0f}"),
        ("latency p95 ms", f"{report.p95_ms:.0f}"),
        ("latency max ms", f"{report.max_ms:.0f}"),
        ("aggregates", aggregates),
    ]
    return "\n".join(f"{name:<16}{value}" for name, value in rows)


def run(url: str, args: argparse.Namespace) -> int:
    backend = make_url(url).get_backend_name()
    shown = make_url(url).render_as_string(hide_password=True)
    if args.prepare:
        refusal = prepare(url)
        if refusal:
            print(f"{shown}: {refusal}", file=sys.stderr)
            return 2
    else:
        engine = db.make_engine(url)
        try:
            ready = db.current_revision(engine) is not None and db.has_data(engine)
        finally:
            engine.dispose()
        if not ready:
            print(f"{shown}: no schema or no data; run with --prepare on an empty database", file=sys.stderr)
            return 2
    writers = args.writers or (20 if backend == "postgresql" else 10)
    print(f"{writers} writers for {args.seconds:g} s against {shown} …", flush=True)
    report = loadtest.run_writers(
        url, writers=writers, seconds=args.seconds, seed=args.seed, max_writes=args.max_writes
    )
    problems = loadtest.verify(url, report)
    engine = db.make_engine(url)
    try:
        checked = loadtest.aggregates_present(engine)
    finally:
        engine.dispose()
    aggregates = "not checked (no aggregate tables)"
    if checked:
        aggregates = "differ from a rebuild" if any("aggregate" in p for p in problems) else "equal a rebuild"
    print(figures(report, aggregates))
    if report.refused:
        print("refusals:", ", ".join(f"{key} {count}×" for key, count in sorted(report.refused.items())))
    if problems:
        print(f"\n{len(problems)} problem(s):")
        for problem in problems[:50]:
            print(f"- {problem}")
        return 1
    print("\nverify: every acknowledged write stored exactly once, nothing else; no problems")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", help="database URL (default: a fresh temp SQLite file with demo data)")
    parser.add_argument("--writers", type=int, help="writer processes (default 20 PostgreSQL, 10 SQLite)")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-writes", type=int, help="stop each writer after this many writes")
    parser.add_argument(
        "--prepare", action="store_true", help="fresh schema + demo data (empty database only)"
    )
    args = parser.parse_args()
    if args.database:
        url = args.database
        if url.startswith(("postgresql://", "postgres://")):  # psycopg 3, as ``db.database_url`` does
            url = "postgresql+psycopg://" + url.split("://", 1)[1]
        return run(url, args)
    with tempfile.TemporaryDirectory(prefix="rehab-load-") as directory:
        args.prepare = True
        return run(f"sqlite:///{Path(directory) / 'load.db'}", args)


if __name__ == "__main__":
    sys.exit(main())
