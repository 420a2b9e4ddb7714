"""Command line: ``python -m rehabdata {init,demo,create-user} …``."""

import argparse
import getpass
import os
import sys
from collections.abc import Sequence
from datetime import date

from rehabdata.auth import UserError, create_user
from rehabdata.db import database_url, get_engine, session_scope, upgrade_schema
from rehabdata.models import Role


def _init(_args: argparse.Namespace) -> int:
    upgrade_schema(get_engine())
    print(f"schema ready at {_safe_url()}")
    return 0


def _demo(args: argparse.Namespace) -> int:
    from rehabdata.demo import DemoError, load_demo

    engine = get_engine()
    upgrade_schema(engine)
    today = date.fromisoformat(args.today) if args.today else None
    try:
        summary = load_demo(engine, seed=args.seed, months=args.months, today=today)
    except DemoError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for table, count in summary.counts.items():
        print(f"{table:28} {count:>9,}")
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


def _safe_url() -> str:
    from sqlalchemy.engine import make_url

    return make_url(database_url()).render_as_string(hide_password=True)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, one sub-command per task."""
    parser = argparse.ArgumentParser(prog="python -m rehabdata", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    commands.add_parser("init", help="create or upgrade the database schema").set_defaults(run=_init)

    demo = commands.add_parser("demo", help="load deterministic synthetic demo data into an empty database")
    demo.add_argument("--seed", type=int, default=2025)
    demo.add_argument(
        "--months", type=int, default=None, help="months of data from Aug 2025 (default: to today)"
    )
    demo.add_argument("--today", default=None, help="pretend today is YYYY-MM-DD (reproducible data)")
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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the process exit code."""
    args = build_parser().parse_args(argv)
    return args.run(args)
