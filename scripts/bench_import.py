"""Time the bulk import on 50,000-row files against a fresh demo database.

    python scripts/bench_import.py [--rows 50000] [--url postgresql+psycopg://…/empty_db]

Builds a participants file (new codes spread over the four demo facilities) and a screenings file
(one screening per new participant, two substances each), then times, for each: reading and
validating every row (``importer.plan``), writing (``importer.write``: bulk insert + audit rows,
committed), and checking the same file again (all rows already present). Default database: a
fresh SQLite file in a temp directory; ``--url`` must name an empty database.
"""

import argparse
import csv
import io
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlmodel import Session, select

from rehabdata import importer
from rehabdata.auth import principal_for
from rehabdata.db import make_engine, upgrade_schema
from rehabdata.demo import load_demo
from rehabdata.reference import FACILITIES
from rehabdata.models import User

TODAY = date(2026, 6, 30)  # demo data up to here; imported records dated before it


def csv_bytes(header: list[str], rows: list[list[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def participants_file(count: int) -> tuple[bytes, list[tuple[str, str, date]]]:
    """``count`` new participants round-robin over the demo facilities; returns the file and who is in it."""
    facilities = [f["code"] for f in FACILITIES]
    people = [
        (facilities[n % len(facilities)], f"BENCH-{n:06d}", date(2025, 8, 1) + timedelta(days=n % 300))
        for n in range(count)
    ]
    rows = [
        [fac, code, "LP"[n % 2], 1970 + n % 35, "tahanan", "ya", admitted.isoformat()]
        for n, (fac, code, admitted) in enumerate(people)
    ]
    header = [
        "kode_upt",
        "kode_peserta",
        "jenis_kelamin",
        "tahun_lahir",
        "status_hukum",
        "kasus_narkotika",
        "tanggal_masuk",
    ]
    return csv_bytes(header, rows), people


def screenings_file(people: list[tuple[str, str, date]]) -> bytes:
    """One screening per participant, 10 days after admission, sabu and tobacco answered."""
    answers = ["amfetamin tembakau", 0, "negatif", 4, 4, 5, 6, 3, 0, 6, 3, 0, 0, 3]
    header = [
        "kode_upt",
        "kode_peserta",
        "tanggal_skrining",
        "petugas_skrining",
        "zat",
        "q8_suntik",
        "tes_urine",
    ]
    header += [f"amfetamin_q{n}" for n in range(2, 8)] + [f"tembakau_q{n}" for n in (2, 3, 4, 6, 7)]
    rows = [
        [fac, code, (admitted + timedelta(days=10)).isoformat(), "Perawat klinik", *answers]
        for fac, code, admitted in people
    ]
    return csv_bytes(header, rows)


class Clock:
    """Wall-clock and CPU seconds of a block (CPU time is steadier on a shared machine)."""

    def __enter__(self) -> "Clock":
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *_exc) -> None:
        self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu

    def __str__(self) -> str:
        return f"{self.wall:6.2f} s  (cpu {self.cpu:5.2f} s)"


def bench(engine, principal, kind: importer.Kind, data: bytes) -> None:
    """Check, write and commit one file in one transaction, then check the same file again."""
    with Session(engine) as session:
        with Clock() as check:
            plan = importer.plan(session, principal, kind, data, "bench.csv")
        assert plan.ok, [(p.row, p.column, p.message("en")) for p in plan.problems[:5]]
        with Clock() as write:
            importer.write(session, principal, plan)
        with Clock() as commit:
            session.commit()
    with Session(engine) as session, Clock() as again:
        second = importer.plan(session, principal, kind, data, "bench.csv")
    wall = check.wall + write.wall + commit.wall
    cpu = check.cpu + write.cpu + commit.cpu
    print(
        f"{kind}: {plan.rows:,} rows, {len(data) / 1024 / 1024:.1f} MB\n"
        f"  read + validate      {check}\n"
        f"  insert + audit rows  {write}\n"
        f"  commit               {commit}\n"
        f"  total                {wall:6.2f} s  (cpu {cpu:5.2f} s)   {importer.summary(plan, 'en')}\n"
        f"  same file again      {again}   {importer.summary(second, 'en')}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--url", default=None, help="an empty database (default: a fresh SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        url = args.url or f"sqlite:///{Path(directory) / 'bench.db'}"
        engine = make_engine(url)
        upgrade_schema(engine)
        load_demo(engine, today=TODAY)
        with Session(engine) as session:
            principal = principal_for(
                session, session.exec(select(User).where(User.username == "admin.demo")).one()
            )
        print(f"database: {engine.dialect.name}, demo data to {TODAY}")
        participants, people = participants_file(args.rows)
        bench(engine, principal, importer.Kind.PARTICIPANTS, participants)
        bench(engine, principal, importer.Kind.SCREENINGS, screenings_file(people))
        engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
