"""Command line: ``python -m rehabdata {init,demo,create-user,import,bench,rebuild-aggregates,…} …``."""

import argparse
import getpass
import os
import sys
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

from sqlmodel import Session

from rehabdata import audit, clock
from rehabdata.auth import Principal, ScopeError, UserError, create_user
from rehabdata.db import database_url, get_engine, session_scope, upgrade_schema
from rehabdata.models import Role

DEMO_WARNING = (
    "this database holds synthetic DEMO data: never enter real data into it. "
    "To start a real database from it (nothing synthetic is kept): python -m rehabdata discard-demo --yes"
)


def _init(args: argparse.Namespace) -> int:
    from sqlmodel import func, select

    from rehabdata.bootstrap import DatabaseState, demo_on_empty, prepare_database
    from rehabdata.models import Agreement, Facility, User

    engine = get_engine()
    state = prepare_database(
        engine, load_demo_if_empty=args.demo_if_empty and demo_on_empty(), with_reference=not args.empty
    )
    print(f"schema ready at {_safe_url()}")
    with Session(engine) as session:
        facilities = session.exec(select(func.count()).select_from(Facility)).one()
        agreements = session.exec(select(func.count()).select_from(Agreement)).one()
        admins = session.exec(select(func.count()).select_from(User).where(User.role == Role.ADMIN)).one()
    print(f"{state} database: {facilities} facilities, {agreements} agreements, {admins} admins")
    if state == DatabaseState.DEMO:
        print(f"warning: {DEMO_WARNING}", file=sys.stderr)
    elif not admins:
        print("next: python -m rehabdata create-user --role admin --username NAME (asks for a password)")
    return 0


def _discard_demo(args: argparse.Namespace) -> int:
    from rehabdata.bootstrap import NotADemoError, discard_demo

    if not args.yes:
        print("error: this removes every record of the demo database; add --yes to go ahead", file=sys.stderr)
        return 2
    try:
        discard_demo(get_engine())
    except NotADemoError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"{_safe_url()} is now a real database with the programmes' reference data and no accounts")
    print("next: python -m rehabdata create-user --role admin --username NAME (asks for a password)")
    return 0


def _demo(args: argparse.Namespace) -> int:
    from rehabdata.demo import DemoError, load_demo

    engine = get_engine()
    upgrade_schema(engine)
    today = date.fromisoformat(args.today) if args.today else None
    try:
        if getattr(args, "scale", "small") == "national":
            from rehabdata.national import load_national

            national = load_national(
                engine, seed=args.seed, years=args.years, scale_factor=args.scale_factor, today=today
            )
            counts = national.counts
            print(f"loaded in {national.seconds:,.1f} s")
        else:
            counts = load_demo(engine, seed=args.seed, months=args.months, today=today).counts
    except DemoError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for table, count in counts.items():
        print(f"{table:28} {count:>11,}")
    return 0


def _ask_password() -> str:
    password = os.environ.get("REHAB_ADMIN_PASSWORD")
    if password:
        return password
    if not sys.stdin.isatty():
        raise SystemExit("error: no terminal to ask for a password: set REHAB_ADMIN_PASSWORD")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Password (again): "):
        raise SystemExit("error: the two passwords differ")
    return first


def _create_user(args: argparse.Namespace) -> int:
    engine = get_engine()
    upgrade_schema(engine)
    try:
        with session_scope(engine) as session:
            user = create_user(
                session=session,
                username=args.username,
                role=Role(args.role),
                password=_ask_password(),
                full_name=args.full_name,
                email=args.email,
                facility_codes=tuple(args.facility),
                region_codes=tuple(args.region),
            )
            print(f"created {user.role} user {user.username!r}")
    except UserError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


def _import(args: argparse.Namespace) -> int:
    from pathlib import Path

    from sqlmodel import select

    from rehabdata import importer
    from rehabdata.auth import principal_for
    from rehabdata.bootstrap import is_demo
    from rehabdata.models import User

    engine = get_engine()
    upgrade_schema(engine)
    if is_demo(engine) and not args.into_demo:
        print(f"error: nothing imported: {DEMO_WARNING} (to try the importer on demo data: --into-demo)",
              file=sys.stderr)  # fmt: skip
        return 2
    try:
        data = Path(args.file).read_bytes()
    except OSError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    with session_scope(engine) as session:
        acting = select(User).where(User.is_active)
        if args.user:
            acting = acting.where(User.username == args.user.strip().lower())
        else:
            acting = acting.where(User.role == Role.ADMIN).order_by(User.id)
        user = session.exec(acting).first()
        if user is None:
            print(f"error: no active user {args.user or '(admin)'}", file=sys.stderr)
            return 2
        plan = importer.import_file(session, principal_for(session, user), args.kind, data, args.file)
        if not plan.ok:
            rows = importer.problem_rows(plan.problems, args.lang)
            print("\t".join(rows[0]))
            for row in rows[: args.max_problems]:
                print("\t".join(row.values()))
            if len(rows) > args.max_problems:
                print(f"… {len(rows) - args.max_problems} more")
            print(f"{len(rows)} problems: nothing imported", file=sys.stderr)
            return 2
        print(importer.summary(plan, args.lang))
        if plan.passwords:
            print("initial passwords (shown only once: hand them over in person now):")
            for username, password in plan.passwords.items():
                print(f"{username}\t{password}")
    return 0


def _acting_principal(session: Session, username: str | None) -> Principal | None:
    """The principal of the active user ``username``, or of the first active admin; None if none."""
    from sqlmodel import select

    from rehabdata.auth import principal_for
    from rehabdata.models import User

    acting = select(User).where(User.is_active)
    if username:
        acting = acting.where(User.username == username.strip().lower())
    else:
        acting = acting.where(User.role == Role.ADMIN).order_by(User.id)
    user = session.exec(acting).first()
    return principal_for(session, user) if user else None


def _write_deck(
    args: argparse.Namespace, kind: str, code: str, start: date, end: date, out: str | None
) -> int:
    """Build the meeting deck of one subject and period and write it to ``out`` (or its default name)."""
    from pathlib import Path

    from rehabdata.deck import close_renderer, render_deck
    from rehabdata.meeting import view_for

    if end < start:
        print(f"error: --to {end} is before --from {start}", file=sys.stderr)
        return 2
    engine = get_engine()
    upgrade_schema(engine)
    with session_scope(engine) as session:
        principal = _acting_principal(session, args.user)
        if principal is None:
            print(f"error: no active user {args.user or '(admin)'}", file=sys.stderr)
            return 2
        try:
            view = view_for(session, principal, kind, code, start, end, args.lang)
        except (LookupError, ScopeError) as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
    try:
        data = render_deck(view)
    finally:
        close_renderer()
    path = Path(out or view.file_name("pptx"))
    path.write_bytes(data)
    with session_scope(engine) as session:
        audit.record_export(session, principal=principal, kind="pptx", name=path.name)
    print(f"wrote {path} ({len(view.slides)} slides, {len(data) / 1024:,.0f} KB)")
    return 0


def _export_deck(args: argparse.Namespace) -> int:
    kind, code = next((k, c) for k, c in (("agreement", args.agreement), ("region", args.region),
                                          ("facility", args.facility)) if c)  # fmt: skip
    return _write_deck(args, kind, code, args.start, args.end, args.out)


def _report(args: argparse.Namespace) -> int:
    from rehabdata.periods import add_months

    end = min(add_months(args.month, 1) - timedelta(days=1), clock.today())
    out = args.out or f"laporan_{args.facility}_{args.month:%Y-%m}.pptx"
    return _write_deck(args, "facility", args.facility, args.month, end, out)


def _month(text: str) -> date:
    return date.fromisoformat(f"{text}-01")


def _positive(text: str) -> int:
    number = int(text)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {number}")
    return number


def _safe_url() -> str:
    from sqlalchemy.engine import make_url

    return make_url(database_url()).render_as_string(hide_password=True)


def _backup(args: argparse.Namespace) -> int:
    from rehabdata.backup import BackupError, backup

    try:
        path = backup(database_url(), Path(args.out))
    except BackupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    _audit_backup(path)
    print(f"backup of {_safe_url()} written to {path}")
    return 0


def _audit_backup(path: Path) -> None:
    """A backup is an export of everything: recorded in the audit trail (after the copy was made)."""
    with session_scope(get_engine()) as session:
        audit.record_export(session, principal=None, kind="backup", name=path.name)


def _backup_nightly(args: argparse.Namespace) -> int:
    from rehabdata.backup import BackupError
    from rehabdata.backup_schedule import nightly

    try:
        night = nightly(
            database_url(), Path(args.dir), today=clock.today(), daily=args.daily, monthly=args.monthly
        )
    except BackupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    _audit_backup(night.path)
    rows = "" if night.drill.audit_rows is None else f", {night.drill.audit_rows:,} audit rows"
    print(f"backup of {_safe_url()} written to {night.path} (restore drill passed{rows})")
    if night.monthly:
        print(f"kept as this month's backup: {night.monthly}")
    for path in night.removed:
        print(f"removed (retention): {path}")
    return 0


def _restore_drill(args: argparse.Namespace) -> int:
    from rehabdata.backup import BackupError
    from rehabdata.backup_schedule import drill

    try:
        result = drill(Path(args.file))
    except BackupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    rows = (
        "" if result.audit_rows is None else f": {result.audit_rows:,} audit rows, schema {result.revision}"
    )
    print(f"{args.file} opens{rows}")
    return 0


def _restore(args: argparse.Namespace) -> int:
    from rehabdata.backup import BackupError, restore

    try:
        restore(database_url(), Path(args.file))
    except BackupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"{_safe_url()} restored from {args.file}")
    return 0


def _rebuild_aggregates(_args: argparse.Namespace) -> int:
    import time

    from rehabdata import aggregates, audit

    engine = get_engine()
    upgrade_schema(engine)
    began = time.perf_counter()
    with session_scope(engine) as session:
        aggregates.rebuild(session)
        audit.bump_data_version(session)  # app processes drop KPIs cached before the rebuild
    print(f"aggregates of {_safe_url()} rebuilt in {time.perf_counter() - began:.1f} s")
    return 0


def _bench(args: argparse.Namespace) -> int:
    from rehabdata.bench.runner import main as run_benchmark

    return run_benchmark(args)


def _serve(args: argparse.Namespace) -> int:
    from rehabdata.bootstrap import demo_on_empty, prepare_database
    from rehabdata.serving import serve_forever

    # Once here, as `make run` does, rather than by every app process at its first script run.
    prepare_database(get_engine(), load_demo_if_empty=demo_on_empty())
    return serve_forever(os.environ, processes=args.processes, port=args.port, address=args.address)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, one sub-command per task."""
    parser = argparse.ArgumentParser(prog="python -m rehabdata", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    init = commands.add_parser(
        "init",
        help="create or upgrade the database; a new one starts real, with the programmes' reference data",
    )
    init.add_argument(
        "--demo-if-empty",
        action="store_true",
        help="load demo data into an empty database instead (unless REHAB_DEMO_ON_EMPTY=0)",
    )
    init.add_argument(
        "--empty",
        action="store_true",
        help="start a real database without the Karo and Pekalongan reference data (other programmes)",
    )
    init.set_defaults(run=_init)

    discard = commands.add_parser(
        "discard-demo", help="turn a demo database into a real one: every synthetic record is removed"
    )
    discard.add_argument("--yes", action="store_true", help="confirm: the demo data is deleted")
    discard.set_defaults(run=_discard_demo)

    saved = commands.add_parser("backup", help="back up the whole database (audit trail included)")
    saved.add_argument("--out", required=True, help="backup file to write")
    saved.set_defaults(run=_backup)
    night = commands.add_parser(
        "backup-nightly", help="the nightly backup: dated file, retention, and a restore drill of it"
    )
    night.add_argument("--dir", required=True, help="backup directory (daily/ and monthly/ inside)")
    night.add_argument("--daily", type=_positive, default=14, help="daily backups to keep (default 14)")
    night.add_argument("--monthly", type=int, default=12, help="monthly backups to keep (default 12)")
    night.set_defaults(run=_backup_nightly)
    drilled = commands.add_parser(
        "restore-drill", help="prove that a backup file opens (live data untouched)"
    )
    drilled.add_argument("file", help="backup file made by `backup` or `backup-nightly`")
    drilled.set_defaults(run=_restore_drill)
    restored = commands.add_parser("restore", help="replace the database with a backup")
    restored.add_argument("file", help="backup file made by `backup`")
    restored.set_defaults(run=_restore)

    rebuilt = commands.add_parser(
        "rebuild-aggregates",
        help="recompute the aggregate tables from the records (they are kept exact anyway)",
    )
    rebuilt.set_defaults(run=_rebuild_aggregates)

    bench = commands.add_parser(
        "bench", help="time each page's KPI set against naive pandas and DuckDB on the same rows"
    )
    bench.add_argument("--database", default=None, help="database URL (default: REHAB_DATABASE_URL)")
    bench.add_argument(
        "--scale",
        choices=["small", "national"],
        default=None,
        help="generate data into a fresh temporary SQLite file first (default: use the database as it is)",
    )
    bench.add_argument("--runs", type=int, default=5, help="timed runs per measure (median and max)")
    bench.add_argument(
        "--end", type=date.fromisoformat, default=None, help="period end (default: latest data)"
    )
    bench.set_defaults(run=_bench)

    serve = commands.add_parser(
        "serve", help="serve the app from several processes behind nginx (a Kanwil or national deployment)"
    )
    serve.add_argument(
        "--processes", type=_positive, default=2, help="app processes (default 2; about one per core)"
    )
    serve.add_argument("--port", type=int, default=8501, help="port browsers use (default 8501)")
    serve.add_argument(
        "--address", default="127.0.0.1", help="address to listen on (0.0.0.0: every interface)"
    )
    serve.set_defaults(run=_serve)

    demo = commands.add_parser("demo", help="load deterministic synthetic demo data into an empty database")
    demo.add_argument("--seed", type=int, default=2025)
    demo.add_argument(
        "--months", type=int, default=None, help="months of data from Aug 2025 (default: to today)"
    )
    demo.add_argument("--today", default=None, help="pretend today is YYYY-MM-DD (reproducible data)")
    demo.add_argument(
        "--scale", choices=["small", "national"], default="small", help="national: ~530 facilities"
    )
    demo.add_argument("--years", type=int, default=5, help="years of data at national scale")
    demo.add_argument("--scale-factor", type=float, default=1.0, help="shrink national volumes (e.g. 0.01)")
    demo.set_defaults(run=_demo)

    user = commands.add_parser(
        "create-user", help="create a user (password asked twice, or REHAB_ADMIN_PASSWORD)"
    )
    user.add_argument("--username", default="admin")
    user.add_argument("--role", choices=[r.value for r in Role], default=Role.ADMIN.value)
    user.add_argument("--full-name", default="")
    user.add_argument("--email", default=None)
    user.add_argument("--facility", action="append", default=[], help="facility code in scope (repeatable)")
    user.add_argument("--region", action="append", default=[], help="region code in scope (repeatable)")
    user.set_defaults(run=_create_user)

    bulk = commands.add_parser(
        "import", help="check a CSV/XLSX file and import all its rows, or none (prints the problems)"
    )
    bulk.add_argument("file")
    from rehabdata.importer import Kind  # here, not at the top: only this command needs openpyxl

    bulk.add_argument("--kind", required=True, choices=[kind.value for kind in Kind])
    bulk.add_argument("--user", default=None, help="act as this user (default: the first active admin)")
    bulk.add_argument("--lang", choices=["id", "en"], default="id")
    bulk.add_argument("--max-problems", type=int, default=200, help="problems to print (all are counted)")
    bulk.add_argument(
        "--into-demo", action="store_true", help="allow importing into a demo database (trials)"
    )
    bulk.set_defaults(run=_import)

    deck = commands.add_parser(
        "export-deck", help="write the Rapat Koordinasi deck (.pptx) of an agreement, region or facility"
    )
    subject = deck.add_mutually_exclusive_group(required=True)
    subject.add_argument("--agreement", help="agreement code, e.g. mou-karo-2025")
    subject.add_argument("--region", help="region code, e.g. karo")
    subject.add_argument("--facility", help="facility code, e.g. rutan-kabanjahe")
    deck.add_argument("--from", dest="start", type=date.fromisoformat, required=True, help="YYYY-MM-DD")
    deck.add_argument("--to", dest="end", type=date.fromisoformat, required=True, help="YYYY-MM-DD")
    deck.add_argument("--lang", choices=["id", "en"], default="id")
    deck.add_argument("--out", default=None, help="output .pptx (default: rapat_<code>_<from>_<to>.pptx)")
    deck.add_argument("--user", default=None, help="act as this user (default: the first active admin)")
    deck.set_defaults(run=_export_deck)

    report = commands.add_parser("report", help="write one facility's monthly report deck (.pptx)")
    report.add_argument("--facility", required=True, help="facility code, e.g. rutan-kabanjahe")
    report.add_argument("--month", type=_month, required=True, help="YYYY-MM")
    report.add_argument("--lang", choices=["id", "en"], default="id")
    report.add_argument("--out", default=None, help="output .pptx (default: laporan_<facility>_<month>.pptx)")
    report.add_argument("--user", default=None, help="act as this user (default: the first active admin)")
    report.set_defaults(run=_report)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the process exit code."""
    args = build_parser().parse_args(argv)
    return args.run(args)
