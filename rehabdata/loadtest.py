"""Concurrent-writers load test: many staff entering screenings and sessions at once, then a check.

``run_writers`` starts one OS process per writer (each with its own engine, so they really contend
for SQLite's write lock or PostgreSQL's row locks). Every writer acts as a facility's petugas and
alternates a screening and a session with attendance, through ``services`` inside
``db.run_in_transaction`` — the path a form takes. Each write carries a marker (the screener of a
screening, the topic of a session) so ``verify`` can find it afterwards and check that every
acknowledged write is stored exactly once, nothing unacknowledged was stored, the audit trail and
data version counted each write once, no lock error reached a writer, and the aggregate tables equal
a rebuild. Runs stop by themselves: at a deadline, or after ``max_writes`` per writer.

The database must be prepared beforehand (schema at head, ``demo.load_demo``); the writers take
disjoint slices of their facility's participants and only dates without a screening, so no write
is refused by the one-screening-per-day rule.
"""

import importlib.util
import math
import multiprocessing
import queue
import random
import sys
import time
import types
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Engine, func, inspect
from sqlmodel import Session, select

from rehabdata import assist, auth, clock, db, services
from rehabdata.demo import DEMO_USERS
from rehabdata.models import (
    Attendance,
    AuditLog,
    DataVersion,
    Enrollment,
    MonthSignoff,
    Participant,
    ProgrammeSession,
    Role,
    Screening,
    SessionType,
    UrineResult,
    User,
)
from rehabdata.validation import EARLIEST_EVENT, ValidationFailed

TRANSIENT_TEXT = ("database is locked", "deadlock", "could not serialize")
"""Failure texts that ``db.run_in_transaction`` must have retried away before any user saw them."""

READY_TIMEOUT = 180.0  # seconds for every writer to start and plan (20 processes on 2 cores)
FINISH_GRACE = 90.0  # seconds past the deadline for the last write to end (SQLite busy timeout: 30 s)
MAX_ATTENDEES = 12


@dataclass(frozen=True)
class Write:
    """One acknowledged write: its committed id, its marker and, for a session, who attended."""

    kind: str  # "screening" or "session"
    row_id: int
    marker: str
    latency_ms: float
    attended: tuple[int, ...] = ()


@dataclass
class WriterResult:
    """What one writer process hands back to the parent."""

    writer: int
    username: str
    writes: list[Write] = field(default_factory=list)
    refused: Counter[str] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)
    in_doubt: list[str] = field(default_factory=list)
    retries: int = 0
    error: str | None = None


@dataclass
class WriterReport:
    """Figures of one run plus what ``verify`` needs to check it (markers, ids, starting counters)."""

    backend: str
    run_id: str
    writers: int
    seconds: float  # asked for
    elapsed: float  # from the start signal until the last writer reported
    acknowledged: int  # committed and returned to the writer
    screenings: int
    sessions: int
    attendance: int
    failed: int  # errors a user would have seen, by reason in ``failures``
    failures: dict[str, int]
    refused: dict[str, int]  # validation refusals by message key: the rules working, not failures
    retries: int  # extra attempts ``db.run_in_transaction`` made after transient conflicts
    writes_per_second: float
    p50_ms: float
    p95_ms: float
    max_ms: float
    writes: list[Write]
    in_doubt: list[str]  # markers of writes whose commit raised: stored or not, but at most once
    writer_errors: list[str]
    data_version_before: int
    audit_id_before: int


# --- one writer ------------------------------------------------------------------------------


@dataclass
class _Plan:
    """A writer's principal and the rows it may write about, read once before the clock starts."""

    principal: auth.Principal
    facility_id: int
    stays: dict[int, tuple[date, date]]  # participant (of this writer's slice) -> first, last day
    screened: dict[int, set[date]]  # participant -> days that already have a screening
    enrolments: list[tuple[str, date, date]]  # programme, first and last day a session may be held
    locked_months: set[date]


def staff_usernames() -> list[str]:
    """The demo petugas accounts, one per facility: writer ``i`` acts as the ``i % 4``-th."""
    return [username for username, role, facilities, _ in DEMO_USERS if role == Role.PETUGAS and facilities]


def _plan(engine: Engine, writer: int, writers: int) -> _Plan:
    """Writers of one facility split its participants, so no two can screen one person on one day."""
    staff = staff_usernames()
    slot, share = writer % len(staff), writer // len(staff)
    sharing = len(range(slot, writers, len(staff)))  # writers acting for the same facility
    today = clock.today()
    with Session(engine) as session:
        user = session.exec(select(User).where(User.username == staff[slot])).one()
        principal = auth.principal_for(session, user)
        (facility_id,) = principal.facility_ids
        people = session.exec(
            select(Participant).where(Participant.facility_id == facility_id).order_by(Participant.id)
        ).all()
        stays = {}
        for person in people[share::sharing]:
            first, last = max(person.admitted_on, EARLIEST_EVENT), min(person.exited_on or today, today)
            if first <= last:
                stays[person.id] = (first, last)
        screened: dict[int, set[date]] = defaultdict(set)
        for participant_id, day in session.exec(
            select(Screening.participant_id, Screening.screened_on).where(
                Screening.facility_id == facility_id
            )
        ):
            screened[participant_id].add(day)
        enrolments = []
        for enrolment, person in session.exec(
            select(Enrollment, Participant)
            .join(Participant, Participant.id == Enrollment.participant_id)
            .where(Enrollment.facility_id == facility_id)
        ):
            first = max(enrolment.started_on, person.admitted_on, EARLIEST_EVENT)
            last = min(d for d in (enrolment.ended_on, person.exited_on, today) if d is not None)
            if first <= last:
                enrolments.append((str(enrolment.programme), first, last))
        locked = set(
            session.exec(
                select(MonthSignoff.month).where(
                    MonthSignoff.facility_id == facility_id, MonthSignoff.reopened_at.is_(None)
                )
            )
        )
    if not stays or not enrolments:
        raise RuntimeError(f"{staff[slot]}: no participants or enrolments to write about (demo loaded?)")
    return _Plan(principal, facility_id, stays, screened, sorted(enrolments), locked)


def _random_day(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, (last - first).days))


def _open_day(rng: random.Random, plan: _Plan, first: date, last: date, taken: set[date]) -> date | None:
    """A day in [first, last] outside signed-off months and not in ``taken`` (a few tries)."""
    for _ in range(20):
        day = _random_day(rng, first, last)
        if day not in taken and day.replace(day=1) not in plan.locked_months:
            return day
    return None


def _screening_data(rng: random.Random, plan: _Plan, marker: str) -> dict[str, Any] | None:
    """A screening of one of the writer's participants on a day that has none yet."""
    participants = list(plan.stays)
    for _ in range(50):
        participant_id = rng.choice(participants)
        taken = plan.screened[participant_id]
        day = _open_day(rng, plan, *plan.stays[participant_id], taken)
        if day is None:
            continue
        taken.add(day)  # reserved even if the write fails: a retry by the user would pick anew
        substances = rng.sample(assist.SUBSTANCES, rng.randint(1, 3))
        answers = {
            s: {q: rng.choice(assist.QUESTION_SCALES[q]) for q in assist.questions_for(s)} for s in substances
        }
        return {
            "participant_id": participant_id,
            "screened_on": day,
            "screener": marker,
            "answers": answers,
            "injecting": rng.choice(assist.QUESTION_SCALES["q8"]),
            "urine_result": rng.choice(list(UrineResult)),
        }
    return None


def _session_data(
    rng: random.Random, plan: _Plan, engine: Engine, marker: str
) -> tuple[dict[str, Any], list[int]] | None:
    """A session on a day some enrolment is active, attended by part of that day's roster.

    The roster is read before the write transaction, as the form shows it before saving.
    """
    for _ in range(20):
        programme, first, last = rng.choice(plan.enrolments)
        day = _open_day(rng, plan, first, last, set())
        if day is None:
            continue
        with Session(engine) as session:
            roster = [
                p.id
                for p in services.session_roster(
                    session, facility_id=plan.facility_id, programme=programme, day=day
                )
            ]
        if not roster:
            continue
        attended = sorted(rng.sample(roster, rng.randint(1, min(len(roster), MAX_ATTENDEES))))
        data = {
            "facility_id": plan.facility_id,
            "programme": programme,
            "held_on": day,
            "session_type": rng.choice(list(SessionType)),
            "topic": marker,
            "facilitator": "load test",
            "duration_minutes": rng.choice((45, 60, 90)),
        }
        return data, attended
    return None


def _reason(error: BaseException) -> str:
    """A failure as a user would see it, short enough to count: type and first line."""
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0][:200] if text else ''}"


def _write_loop(
    engine: Engine, plan: _Plan, result: WriterResult, *, run_id: str, seed: int, deadline: float, limit: int
) -> None:
    """Alternate screenings and sessions until the deadline or ``limit`` writes."""
    rng = random.Random(f"{seed}:{result.writer}")
    for number in range(limit):
        if time.monotonic() >= deadline:
            return
        marker = f"lt-{run_id}-w{result.writer:02d}-{number:06d}"
        if number % 2 == 0:
            kind, data, attended = "screening", _screening_data(rng, plan, marker), []
        else:
            kind, planned = "session", _session_data(rng, plan, engine, marker)
            data, attended = planned if planned else (None, [])
        if data is None:
            result.error = f"no {kind} left to write after {number} writes"
            return
        _write(engine, plan, result, kind, marker, data, attended)


def _write(
    engine: Engine,
    plan: _Plan,
    result: WriterResult,
    kind: str,
    marker: str,
    data: dict[str, Any],
    attended: list[int],
) -> None:
    """One write as a form saves it (``db.run_in_transaction``), counted as acknowledged, refused or failed."""
    attempts, body_done = 0, False

    def action(session: Session) -> int:
        nonlocal attempts, body_done
        attempts, body_done = attempts + 1, False
        if kind == "screening":
            row = services.create_screening(session=session, principal=plan.principal, data=data)
        else:
            row = services.create_session_with_attendance(
                session=session, principal=plan.principal, data=data, attended=attended
            )
        body_done = True  # an error from here on comes from the commit: the outcome is unknown
        return row.id

    started = time.perf_counter()
    try:
        row_id = db.run_in_transaction(engine, action)
    except ValidationFailed as refusal:
        result.refused.update(problem.key for problem in refusal.problems)
    except Exception as error:
        result.failures[_reason(error)] += 1
        if body_done:
            result.in_doubt.append(marker)
    else:
        latency = (time.perf_counter() - started) * 1000
        result.writes.append(Write(kind, row_id, marker, latency, tuple(attended)))
    finally:
        result.retries += max(attempts - 1, 0)


def _writer_main(
    url: str,
    writer: int,
    writers: int,
    seed: int,
    seconds: float,
    limit: int,
    run_id: str,
    messages: Any,
    go: Any,
) -> None:
    """Body of a writer process: plan, report ready, wait for the start, write, hand back the result."""
    staff = staff_usernames()
    result = WriterResult(writer, staff[writer % len(staff)])
    engine = db.make_engine(url)
    try:
        plan = _plan(engine, writer, writers)
        messages.put(("ready", writer))
        if go.wait(READY_TIMEOUT):
            deadline = time.monotonic() + seconds
            _write_loop(engine, plan, result, run_id=run_id, seed=seed, deadline=deadline, limit=limit)
    except Exception as error:
        result.error = _reason(error)
    finally:
        engine.dispose()
        messages.put(("done", result))


# --- the run ---------------------------------------------------------------------------------


def _context() -> multiprocessing.context.BaseContext:
    """Fresh interpreters for the writers: forkserver (imports once, then forks) where available.

    Neither inherits the parent's engines or connections, unlike a plain fork.
    """
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__])
        return context
    return multiprocessing.get_context("spawn")


@contextmanager
def _bare_main() -> Iterator[None]:
    """Start writers without re-running the parent's ``__main__`` in them.

    Spawned and forkserver children import the parent's main script again; under a test runner that
    has run a Streamlit script (AppTest leaves it as ``__main__``) that would run the dashboard.
    The writers need only this module, so they get an empty ``__main__``.
    """
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = main


def _counters(engine: Engine) -> tuple[int, int]:
    """Data version and highest audit id now: ``verify`` compares what the run added to them."""
    with Session(engine) as session:
        version = session.exec(select(DataVersion.version).where(DataVersion.id == 1)).first() or 0
        audit_id = session.exec(select(func.max(AuditLog.id))).one() or 0
    return version, audit_id


def _collect(
    messages: Any, processes: list[Any], until: float, settled: Callable[[], bool], keep: Callable
) -> None:
    """Hand messages to ``keep`` until ``settled()``, the time is up, or every writer has ended.

    A writer sends its messages before it exits, so an empty queue after all exited means no more.
    """
    while not settled() and time.monotonic() < until:
        try:
            keep(*messages.get(timeout=0.5))
        except queue.Empty:
            if all(process.exitcode is not None for process in processes):
                return


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(math.ceil(share * len(ordered)) - 1, 0)]


def run_writers(
    database_url: str, *, writers: int, seconds: float, seed: int = 0, max_writes: int | None = None
) -> WriterReport:
    """Run ``writers`` processes against a prepared database for ``seconds`` (or ``max_writes`` each).

    Writers are started as fresh interpreters, so a calling script needs the usual
    ``if __name__ == "__main__":`` guard.
    """
    if writers < 1 or seconds <= 0:
        raise ValueError("need at least one writer and a positive duration")
    engine = db.make_engine(database_url)
    try:
        version_before, audit_before = _counters(engine)
        backend = engine.dialect.name
    finally:
        engine.dispose()
    run_id = uuid.uuid4().hex[:10]
    context = _context()
    messages, go = context.Queue(), context.Event()
    limit = max_writes if max_writes is not None else 10**9
    processes = [
        context.Process(
            target=_writer_main,
            args=(database_url, n, writers, seed, seconds, limit, run_id, messages, go),
            name=f"loadtest-writer-{n}",
            daemon=True,
        )
        for n in range(writers)
    ]
    ready: set[int] = set()
    results: dict[int, WriterResult] = {}

    def keep(kind: str, payload: Any) -> None:
        if kind == "ready":
            ready.add(payload)
        else:
            results[payload.writer] = payload

    with _bare_main():
        for process in processes:
            process.start()
    try:
        until = time.monotonic() + READY_TIMEOUT
        _collect(messages, processes, until, lambda: len(ready | set(results)) == writers, keep)
        started = time.monotonic()
        go.set()
        until = started + seconds + FINISH_GRACE
        _collect(messages, processes, until, lambda: len(results) == writers, keep)
        elapsed = time.monotonic() - started
    finally:
        go.set()  # a writer still waiting must not wait for ever
        for process in processes:
            process.join(timeout=5)
            if process.is_alive():
                process.terminate()
                process.join(timeout=5)
        messages.close()
    return _report(backend, run_id, writers, seconds, elapsed, results, version_before, audit_before)


def _report(
    backend: str,
    run_id: str,
    writers: int,
    seconds: float,
    elapsed: float,
    results: dict[int, WriterResult],
    version_before: int,
    audit_before: int,
) -> WriterReport:
    writes = [w for r in results.values() for w in r.writes]
    failures: Counter[str] = Counter()
    refused: Counter[str] = Counter()
    for result in results.values():
        failures.update(result.failures)
        refused.update(result.refused)
    errors = [f"writer {r.writer} ({r.username}): {r.error}" for r in results.values() if r.error]
    errors += [f"writer {n}: no result (killed or hung)" for n in range(writers) if n not in results]
    latencies = [w.latency_ms for w in writes]
    return WriterReport(
        backend=backend,
        run_id=run_id,
        writers=writers,
        seconds=seconds,
        elapsed=round(elapsed, 2),
        acknowledged=len(writes),
        screenings=sum(w.kind == "screening" for w in writes),
        sessions=sum(w.kind == "session" for w in writes),
        attendance=sum(len(w.attended) for w in writes),
        failed=sum(failures.values()),
        failures=dict(failures),
        refused=dict(refused),
        retries=sum(r.retries for r in results.values()),
        writes_per_second=round(len(writes) / elapsed, 1) if elapsed else 0.0,
        p50_ms=round(_percentile(latencies, 0.50), 1),
        p95_ms=round(_percentile(latencies, 0.95), 1),
        max_ms=round(max(latencies, default=0.0), 1),
        writes=writes,
        in_doubt=[m for r in results.values() for m in r.in_doubt],
        writer_errors=errors,
        data_version_before=version_before,
        audit_id_before=audit_before,
    )


# --- the check -------------------------------------------------------------------------------


def verify(database_url: str, report: WriterReport) -> list[str]:
    """Problems with the run and the database it left (empty: all good).

    Assumes nothing else wrote to the database since the run (the data-version check counts all).
    """
    problems = list(report.writer_errors)
    for reason, count in sorted(report.failures.items()):
        transient = any(text in reason.lower() for text in TRANSIENT_TEXT)
        label = "transient error reached a writer (not retried away)" if transient else "write failed"
        problems.append(f"{label}: {count}× {reason}")
    engine = db.make_engine(database_url)
    try:
        with Session(engine) as session:
            problems += _row_problems(session, report)
            problems += _audit_problems(session, report)
        problems += aggregate_problems(engine) or []
    finally:
        engine.dispose()
    return problems


def _marker_problems(kind: str, found: dict[str, list[int]], report: WriterReport) -> list[str]:
    """Each acknowledged marker once with its id; no other marker of the run except in-doubt ones."""
    problems = []
    acknowledged = {w.marker: w.row_id for w in report.writes if w.kind == kind}
    for marker, row_id in sorted(acknowledged.items()):
        ids = sorted(found.get(marker, []))
        if ids != [row_id]:
            problems.append(f"acknowledged {kind} {marker} (id {row_id}) stored {len(ids)}× (ids {ids})")
    in_doubt = set(report.in_doubt)
    for marker, ids in sorted(found.items()):
        if marker in acknowledged:
            continue
        if marker not in in_doubt:
            problems.append(f"{kind} {marker} (ids {sorted(ids)}) stored but never acknowledged")
        elif len(ids) > 1:
            problems.append(f"in-doubt {kind} {marker} stored {len(ids)}× (ids {sorted(ids)})")
    return problems


def _row_problems(session: Session, report: WriterReport) -> list[str]:
    prefix = f"lt-{report.run_id}-"
    screenings: dict[str, list[int]] = defaultdict(list)
    for row_id, marker in session.exec(
        select(Screening.id, Screening.screener).where(Screening.screener.startswith(prefix))
    ):
        screenings[marker].append(row_id)
    sessions: dict[str, list[int]] = defaultdict(list)
    for row_id, marker in session.exec(
        select(ProgrammeSession.id, ProgrammeSession.topic).where(ProgrammeSession.topic.startswith(prefix))
    ):
        sessions[marker].append(row_id)
    problems = _marker_problems("screening", screenings, report)
    problems += _marker_problems("session", sessions, report)
    present: dict[int, list[int]] = defaultdict(list)
    for session_id, participant_id in session.exec(
        select(Attendance.session_id, Attendance.participant_id)
        .join(ProgrammeSession, ProgrammeSession.id == Attendance.session_id)
        .where(ProgrammeSession.topic.startswith(prefix))
    ):
        present[session_id].append(participant_id)
    for write in report.writes:
        if write.kind == "session" and sorted(present.get(write.row_id, [])) != list(write.attended):
            problems.append(
                f"session {write.marker} (id {write.row_id}): attendance "
                f"{sorted(present.get(write.row_id, []))}, acknowledged {list(write.attended)}"
            )
    return problems


def _audit_problems(session: Session, report: WriterReport) -> list[str]:
    """One create entry per acknowledged row; the data version grew by one per audit entry."""
    entries = Counter(
        (name, row_id)
        for name, row_id in session.exec(
            select(AuditLog.entity, AuditLog.entity_id).where(
                AuditLog.id > report.audit_id_before, AuditLog.action == "create"
            )
        )
    )
    entity = {"screening": services.entity_name(Screening), "session": services.entity_name(ProgrammeSession)}
    problems = [
        f"acknowledged {w.kind} {w.marker} (id {w.row_id}) has {n} audit entries"
        for w in report.writes
        if (n := entries[(entity[w.kind], w.row_id)]) != 1
    ]
    attendance = sum(n for (name, _), n in entries.items() if name == services.entity_name(Attendance))
    if attendance < report.attendance or (attendance > report.attendance and not report.in_doubt):
        problems.append(f"{attendance} attendance audit entries for {report.attendance} acknowledged rows")
    version = session.exec(select(DataVersion.version).where(DataVersion.id == 1)).first() or 0
    logged = session.exec(
        select(func.count()).select_from(AuditLog).where(AuditLog.id > report.audit_id_before)
    ).one()
    if version - report.data_version_before != logged:
        problems.append(
            f"data version grew by {version - report.data_version_before} for {logged} audited writes"
        )
    return problems


def aggregates_present(engine: Engine) -> bool:
    """Whether this code base and database have aggregate tables to compare with a rebuild."""
    return importlib.util.find_spec("rehabdata.aggregates") is not None and inspect(engine).has_table(
        "agg_session_day"
    )


def aggregate_problems(engine: Engine) -> list[str] | None:
    """Aggregate tables that differ from a rebuild; None where the aggregates do not exist yet.

    The rebuild runs in a transaction that is rolled back, so checking changes nothing.
    """
    if not aggregates_present(engine):
        return None
    from rehabdata import aggregates

    with Session(engine) as session:
        stored = aggregates.snapshot(session)
        session.rollback()
        aggregates.rebuild(session)
        rebuilt = aggregates.snapshot(session)
        session.rollback()
    problems = []
    for name in sorted(set(stored) | set(rebuilt)):
        if name not in stored or name not in rebuilt:
            problems.append(f"aggregate {name}: only in the {'rebuilt' if name in rebuilt else 'stored'} set")
            continue
        before, after = stored[name].reset_index(drop=True), rebuilt[name].reset_index(drop=True)
        if before.equals(after):
            continue
        keys = inspect(engine).get_pk_constraint(name)["constrained_columns"]
        merged = before.merge(after, how="outer", indicator=True)
        cells = merged.loc[merged["_merge"] != "both", keys].drop_duplicates()
        examples = ", ".join(str(cell) for cell in cells.head(3).to_dict("records"))
        problems.append(
            f"aggregate {name}: {len(cells)} of {len(after)} rows differ from a rebuild (e.g. {examples})"
            if len(cells)
            else f"aggregate {name}: same rows as a rebuild but other types or order"
        )
    return problems
