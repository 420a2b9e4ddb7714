"""Aggregate tables: refreshed in each write's transaction, identical to a rebuild from scratch."""

import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from sqlalchemy import event, func, select
from sqlmodel import Session

from rehabdata import aggregates
from rehabdata.cli import main
from rehabdata.db import session_scope
from rehabdata.models import (
    AggCoverageDay,
    AggEnrollmentDay,
    AggEnrollmentMonth,
    AggFollowUp,
    AggScreeningDay,
    AggScreeningMonth,
    AggSessionDay,
    AggSessionMonth,
    Assessment,
    Attendance,
    Enrollment,
    EnrollmentStatus,
    FollowUp,
    ProgrammeSession,
    ProgrammeType,
    RiskLevel,
    Screening,
    SessionType,
    UrineResult,
)
from tests import factories as f
from tests.aggregate_checks import assert_aggregates_exact, rebuilt_differences

START = date(2025, 8, 1)
DAYS = 75


def _day(rng: random.Random) -> date:
    return START + timedelta(days=rng.randrange(DAYS))


def _pick(session: Session, rng: random.Random, model: type):
    ids = session.execute(select(model.id)).scalars().all()
    return session.get(model, rng.choice(ids)) if ids else None


def _random_change(session: Session, rng: random.Random, facilities, participants) -> None:
    """One random insert, edit or delete of a row the aggregates derive from (through the ORM)."""
    kind = rng.choice(
        [
            "screening",
            "screening",
            "enrolment",
            "session",
            "session",
            "assessment",
            "follow-up",
            "edit",
            "edit",
            "delete",
        ]
    )
    participant = rng.choice(participants)
    if kind == "screening":
        day = _day(rng)
        taken = session.execute(
            select(Screening.id).where(
                Screening.participant_id == participant.id, Screening.screened_on == day
            )
        ).first()
        if taken is None:
            f.make_screening(session, participant, day, rng.choice(list(RiskLevel)))
    elif kind == "enrolment":
        started = _day(rng)
        ended = started + timedelta(days=rng.randrange(40)) if rng.random() < 0.5 else None
        f.make_enrollment(
            session,
            participant,
            started,
            rng.choice(list(ProgrammeType)),
            ended_on=ended,
            status=EnrollmentStatus.COMPLETED if ended else EnrollmentStatus.ACTIVE,
        )
    elif kind == "session":
        present = tuple(rng.sample(participants, rng.randrange(4)))
        facility = rng.choice(facilities)
        f.make_session(
            session,
            facility,
            _day(rng),
            rng.choice(list(ProgrammeType)),
            attended=present,
            session_type=rng.choice([SessionType.GROUP, SessionType.SKILLS]),
        )
    elif kind == "assessment":
        f.make_assessment(session, participant, _day(rng))
    elif kind == "follow-up":
        day = _day(rng)
        taken = session.execute(
            select(FollowUp.id).where(FollowUp.participant_id == participant.id, FollowUp.followed_on == day)
        ).first()
        enrolments = session.execute(
            select(Enrollment.id).where(Enrollment.participant_id == participant.id)
        ).scalars()
        if taken is None:
            f.make_follow_up(
                session,
                participant,
                day,
                rng.choice(list(RiskLevel)),
                enrollment_id=rng.choice([None, *enrolments]),
                urine_result=rng.choice(list(UrineResult)),
            )
    elif kind == "edit":
        _random_edit(session, rng, facilities)
    else:
        model = rng.choice([Screening, Enrollment, ProgrammeSession, Attendance, Assessment, FollowUp])
        row = _pick(session, rng, model)
        if model is Enrollment and row is not None:  # its follow-ups keep their record, unlinked
            for linked in session.execute(select(FollowUp).where(FollowUp.enrollment_id == row.id)).scalars():
                linked.enrollment_id = None
            session.flush()
        if row is not None:
            session.delete(row)
    session.flush()


def _random_edit(session: Session, rng: random.Random, facilities) -> None:
    """Move a row in time, between facilities or programmes, or change what it counts."""
    model = rng.choice([Screening, Enrollment, ProgrammeSession, Assessment, FollowUp])
    row = _pick(session, rng, model)
    if row is None:
        return
    if model is Screening:
        row.overall_risk = rng.choice([*RiskLevel, None])
        row.score_cannabis = rng.choice([None, 4])
        row.max_score = rng.choice([2, 12, 30])
        if rng.random() < 0.5:
            row.facility_id = rng.choice(facilities).id
        if rng.random() < 0.3:  # another date: it may stop or start being a follow-up's baseline
            day = _day(rng)
            if (
                session.execute(
                    select(Screening.id).where(
                        Screening.participant_id == row.participant_id, Screening.screened_on == day
                    )
                ).first()
                is None
            ):
                row.screened_on = day
    elif model is FollowUp:
        row.overall_risk = rng.choice([*RiskLevel, None])
        row.max_score = rng.choice([2, 12, 30])
        row.urine_result = rng.choice(list(UrineResult))
        if rng.random() < 0.5:
            row.facility_id = rng.choice(facilities).id
    elif model is Enrollment:
        row.started_on = _day(rng)
        row.ended_on = row.started_on + timedelta(days=rng.randrange(30)) if rng.random() < 0.7 else None
        row.programme = rng.choice(list(ProgrammeType))
        row.status = rng.choice(list(EnrollmentStatus))
        if rng.random() < 0.3:
            row.facility_id = rng.choice(facilities).id
    elif model is ProgrammeSession:
        row.held_on = _day(rng)
        row.programme = rng.choice(list(ProgrammeType))
        row.session_type = rng.choice([SessionType.GROUP, SessionType.SKILLS])
    else:
        row.assessed_on = _day(rng)
    session.add(row)


@pytest.mark.parametrize("seed", [1, 2])
def test_incremental_aggregates_equal_a_rebuild_after_random_writes_edits_and_deletes(any_engine, seed):
    """After every transaction of random changes, the stored aggregates are exactly a rebuild's."""
    rng = random.Random(seed)
    with session_scope(any_engine) as s:
        region = f.make_region(s)
        facilities = [f.make_facility(s, region) for _ in range(2)]
        participant_ids = [f.make_participant(s, rng.choice(facilities)).id for _ in range(10)]
    for _ in range(12):
        with session_scope(any_engine) as s:
            participants = [s.get(f.Participant, pid) for pid in participant_ids]
            local = [s.merge(facility) for facility in facilities]
            for _ in range(rng.randrange(1, 8)):
                try:
                    with s.begin_nested():
                        _random_change(s, rng, local, participants)
                except Exception as error:  # a constraint refusal (e.g. a duplicate) is fine
                    assert "UNIQUE" in str(error).upper() or "duplicate" in str(error).lower(), error
        assert rebuilt_differences(any_engine) == {}
    with Session(any_engine) as s:
        sessions, screenings = (
            s.execute(select(func.sum(column))).scalar()
            for column in (AggSessionMonth.sessions, AggScreeningMonth.screenings)
        )
        assert (sessions, screenings) == (
            s.execute(select(func.count()).select_from(ProgrammeSession)).scalar(),
            s.execute(select(func.count()).select_from(Screening)).scalar(),
        )


def test_a_follow_up_row_follows_its_baseline_screening_and_its_enrolment(engine):
    """``agg_follow_up`` compares a follow-up with the latest screening on or before it, wherever the
    screening was, and carries its enrolment's programme: each changes with later writes."""
    start = date(2025, 9, 1)
    with session_scope(engine) as s:
        region = f.make_region(s)
        here, there = f.make_facility(s, region), f.make_facility(s, region)
        participant = f.make_participant(s, here)
        first = f.make_screening(s, participant, start, RiskLevel.HIGH)  # max_score 30
        enrolment = f.make_enrollment(s, participant, start + timedelta(days=5), ProgrammeType.SOCIAL)
        f.make_follow_up(
            s, participant, start + timedelta(days=40), RiskLevel.LOW, enrollment_id=enrolment.id
        )

    def row() -> tuple:
        with Session(engine) as s:
            cell = s.execute(select(AggFollowUp)).scalar_one()
            return cell.programme, cell.compared, cell.score_change, cell.risk_fell

    assert row() == (ProgrammeType.SOCIAL, 1, 2 - 30, 1)
    with session_scope(engine) as s:
        s.get(Enrollment, enrolment.id).programme = ProgrammeType.MEDICAL
    assert row() == (ProgrammeType.MEDICAL, 1, 2 - 30, 1)
    with session_scope(engine) as s:  # a later screening at another facility becomes the baseline
        later = f.make_screening(
            s, s.get(f.Participant, participant.id), start + timedelta(days=20), RiskLevel.LOW
        )
        later.facility_id = there.id
    assert row() == (ProgrammeType.MEDICAL, 1, 0, 0)
    with session_scope(engine) as s:  # a screening after the follow-up is no baseline of it
        f.make_screening(s, s.get(f.Participant, participant.id), start + timedelta(days=60), RiskLevel.HIGH)
    assert row() == (ProgrammeType.MEDICAL, 1, 0, 0)
    with session_scope(engine) as s:
        s.delete(s.get(Screening, later.id))
    assert row() == (ProgrammeType.MEDICAL, 1, 2 - 30, 1)
    with session_scope(engine) as s:
        s.delete(s.get(Screening, first.id))
    assert row() == (ProgrammeType.MEDICAL, 0, None, 0)
    assert_aggregates_exact(engine)


def test_later_enrolment_and_assessment_update_the_screening_day(engine):
    """A referral is counted on the screening's day when the enrolment comes days later."""
    with session_scope(engine) as s:
        facility = f.make_facility(s, f.make_region(s))
        person = f.make_participant(s, facility)
        f.make_screening(s, person, date(2025, 9, 1), RiskLevel.HIGH)
    with session_scope(engine) as s:
        f.make_assessment(s, s.merge(person), date(2025, 9, 20))
        f.make_enrollment(s, s.merge(person), date(2025, 10, 1), ProgrammeType.SOCIAL)  # day 30: counts
    with Session(engine) as s:
        cell = s.get(AggScreeningDay, (facility.id, date(2025, 9, 1)))
        assert (cell.risk_high, cell.assessed_30d, cell.enrolled_30d) == (1, 1, 1)
        assert (cell.enrolled_30d_social, cell.enrolled_30d_medical) == (1, 0)
    with session_scope(engine) as s:
        enrolment = s.execute(select(Enrollment)).scalar_one()
        enrolment.started_on = date(2025, 10, 2)  # day 31: no longer a referral
    with Session(engine) as s:
        assert s.get(AggScreeningDay, (facility.id, date(2025, 9, 1))).enrolled_30d == 0
    assert_aggregates_exact(engine)


def test_expected_attendance_follows_enrolment_dates(engine):
    """A session expects the participants enrolled on its day; ending an enrolment earlier removes one."""
    with session_scope(engine) as s:
        facility = f.make_facility(s, f.make_region(s))
        people = [f.make_participant(s, facility) for _ in range(3)]
        for person in people:
            f.make_enrollment(s, person, date(2025, 9, 1), ProgrammeType.MEDICAL)
        f.make_session(s, facility, date(2025, 9, 10), ProgrammeType.MEDICAL, attended=tuple(people[:2]))
    key = (facility.id, date(2025, 9, 10), ProgrammeType.MEDICAL)
    with Session(engine) as s:
        cell = s.get(AggSessionDay, key)
        assert (cell.sessions, cell.attended, cell.expected) == (1, 2, 3)
    with session_scope(engine) as s:
        enrolment = s.execute(
            select(Enrollment).where(Enrollment.participant_id == people[2].id)
        ).scalar_one()
        enrolment.ended_on, enrolment.status = date(2025, 9, 5), EnrollmentStatus.DROPPED_OUT
    with Session(engine) as s:
        assert s.get(AggSessionDay, key).expected == 2
    with session_scope(engine) as s:
        s.delete(s.execute(select(ProgrammeSession)).scalar_one())
    with Session(engine) as s:
        assert s.get(AggSessionDay, key) is None


def test_enrolment_cells_follow_status_programme_and_start_edits(engine):
    """An enrolment counts in the cell of its start day, programme and current status, day and month."""
    with session_scope(engine) as s:
        facility = f.make_facility(s, f.make_region(s))
        people = [f.make_participant(s, facility) for _ in range(2)]
        for person in people:
            f.make_enrollment(s, person, date(2025, 9, 3), ProgrammeType.MEDICAL)

    def cells(model: type) -> dict[tuple[date, str, str], int]:
        with Session(engine) as s:
            rows = s.execute(select(model).where(model.facility_id == facility.id)).scalars()
            return {(r.day, str(r.programme), str(r.status)): r.enrollments for r in rows}

    assert cells(AggEnrollmentDay) == {(date(2025, 9, 3), "medical", "active"): 2}
    assert cells(AggEnrollmentMonth) == {(date(2025, 9, 1), "medical", "active"): 2}
    with session_scope(engine) as s:
        first, second = s.execute(select(Enrollment).order_by(Enrollment.id)).scalars()
        first.status, first.ended_on = EnrollmentStatus.COMPLETED, date(2025, 11, 30)
        second.started_on, second.programme = date(2025, 10, 1), ProgrammeType.SOCIAL
    assert cells(AggEnrollmentDay) == {
        (date(2025, 9, 3), "medical", "completed"): 1,
        (date(2025, 10, 1), "social", "active"): 1,
    }
    assert cells(AggEnrollmentMonth) == {
        (date(2025, 9, 1), "medical", "completed"): 1,
        (date(2025, 10, 1), "social", "active"): 1,
    }
    with session_scope(engine) as s:
        s.delete(s.execute(select(Enrollment).order_by(Enrollment.id)).scalars().first())
    assert cells(AggEnrollmentDay) == {(date(2025, 10, 1), "social", "active"): 1}
    assert_aggregates_exact(engine)


def test_a_status_change_refreshes_only_the_enrolment_cells(engine):
    """Expected attendance and referrals do not depend on an enrolment's status: no session cell is noted."""
    with session_scope(engine) as s:
        facility = f.make_facility(s, f.make_region(s))
        f.make_enrollment(s, f.make_participant(s, facility), date(2025, 9, 3), ProgrammeType.MEDICAL)
    with session_scope(engine) as s:
        enrolment = s.execute(select(Enrollment)).scalar_one()
        enrolment.status = EnrollmentStatus.DROPPED_OUT
        s.flush()
        pending = s.info[aggregates.PENDING]
        assert pending.sessions == {} and pending.screenings == {}
        assert pending.enrollments == {facility.id: (date(2025, 9, 3), date(2025, 9, 3))}
        enrolment.ended_on = date(2025, 9, 30)  # an end date moves the expected attendance: noted
        s.flush()
        assert pending.sessions == {(facility.id, "medical"): (date(2025, 9, 3), None)}  # it was open-ended
    assert_aggregates_exact(engine)


@contextmanager
def selects_from(engine, table: str) -> Iterator[list[str]]:
    """The SELECT statements reading ``table`` that ``engine`` runs inside the block."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and f"FROM {table}" in statement:
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_attendance_rows_are_mapped_to_their_sessions_in_one_lookup(engine):
    """A flush of many attendance rows looks their sessions up together, not one query per row."""
    with session_scope(engine) as s:
        facility = f.make_facility(s, f.make_region(s))
        people = [f.make_participant(s, facility) for _ in range(30)]
        sessions = [f.make_session(s, facility, date(2025, 9, day), ProgrammeType.SOCIAL) for day in (1, 8)]
    with selects_from(engine, "programme_session") as lookups:
        with session_scope(engine) as s:
            s.add_all(
                Attendance(session_id=held.id, participant_id=p.id) for held in sessions for p in people
            )
            s.flush()
            assert len(lookups) == 1
            assert s.info[aggregates.PENDING].sessions == {
                (facility.id, "social"): (date(2025, 9, 1), date(2025, 9, 8))
            }
    with Session(engine) as s:
        assert s.get(AggSessionDay, (facility.id, date(2025, 9, 8), ProgrammeType.SOCIAL)).attended == 30
    assert_aggregates_exact(engine)


def test_referrals_find_their_screenings_in_one_lookup(engine):
    """A flush of many assessments looks the participants' screenings up together, and the
    screenings 0-30 days before each assessment count it (those earlier do not)."""
    with session_scope(engine) as s:
        facility = f.make_facility(s, f.make_region(s))
        people = [f.make_participant(s, facility) for _ in range(40)]
        for person in people:
            f.make_screening(s, person, date(2025, 9, 1), RiskLevel.HIGH)
            f.make_screening(s, person, date(2025, 6, 1), RiskLevel.MODERATE)
    with selects_from(engine, "screening") as lookups:
        with session_scope(engine) as s:
            s.add_all(
                Assessment(participant_id=p.id, facility_id=facility.id, assessed_on=date(2025, 9, 20))
                for p in people
            )
            s.flush()
            assert len(lookups) == 1
            assert s.info[aggregates.PENDING].screenings == {
                facility.id: (date(2025, 9, 1), date(2025, 9, 1))
            }
    with Session(engine) as s:
        assert s.get(AggScreeningDay, (facility.id, date(2025, 9, 1))).assessed_30d == 40
        assert s.get(AggScreeningDay, (facility.id, date(2025, 6, 1))).assessed_30d == 0
    assert_aggregates_exact(engine)


def test_rebuild_command_repairs_tampered_aggregates(engine, monkeypatch, capsys):
    """``python -m rehabdata rebuild-aggregates`` recomputes the tables from the records."""
    with session_scope(engine) as s:
        facility = f.make_facility(s, f.make_region(s))
        f.make_screening(s, f.make_participant(s, facility), date(2025, 9, 1), RiskLevel.LOW)
    with session_scope(engine) as s:
        s.get(AggScreeningDay, (facility.id, date(2025, 9, 1))).screenings = 7  # not through the hook
    assert set(rebuilt_differences(engine)) == {"agg_screening_day"}
    monkeypatch.setenv("REHAB_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    assert main(["rebuild-aggregates"]) == 0
    assert "rebuilt" in capsys.readouterr().out
    assert rebuilt_differences(engine) == {}


def test_a_rebuild_stores_every_aggregate_table_in_day_order(any_engine):
    """Rows written by a rebuild lie in (day, facility) order on disk, so a range of days is a few
    neighbouring pages (rowid on SQLite, ctid on PostgreSQL), whatever order the records came in."""
    with session_scope(any_engine) as s:
        region = f.make_region(s)
        facilities = [f.make_facility(s, region) for _ in range(3)]
        for offset in (40, 3, 75, 0, 31):  # records entered out of date order, facility by facility
            for facility in reversed(facilities):
                participant = f.make_participant(s, facility)
                day = date(2025, 9, 1) + timedelta(days=offset)
                f.make_screening(s, participant, day, RiskLevel.LOW)
                f.make_follow_up(s, participant, day + timedelta(days=30), RiskLevel.LOW)
    with session_scope(any_engine) as s:
        aggregates.rebuild(s)
    position = "ctid" if any_engine.dialect.name == "postgresql" else "rowid"
    with any_engine.connect() as connection:
        for model in aggregates.TABLES:
            name = model.__tablename__
            stored = connection.exec_driver_sql(f"SELECT day, facility_id FROM {name} ORDER BY {position}")
            rows = [tuple(row) for row in stored]
            assert rows == sorted(rows), name
            if model in (AggScreeningDay, AggCoverageDay, AggFollowUp):
                assert len(rows) == 15, name


def test_snapshot_lists_every_aggregate_table_in_key_order(known_data):
    """``snapshot`` gives each table's rows ordered by its key (what comparisons rely on)."""
    with Session(known_data.engine) as s:
        frames = aggregates.snapshot(s)
    assert set(frames) == {
        f"agg_{kind}_{grain}"
        for kind in ("session", "screening", "enrollment", "coverage")
        for grain in ("day", "month")
    } | {"agg_follow_up"}
    screening = frames["agg_screening_day"]
    assert list(screening[["facility_id", "day"]].itertuples(index=False)) == sorted(
        screening[["facility_id", "day"]].itertuples(index=False)
    )


def test_add_days_goes_backwards_too(any_engine):
    """``add_days`` with a negative count (SQLite spells it '-1 days', not '+-1 days')."""
    from sqlalchemy import literal

    from rehabdata.sqlfunctions import add_days

    with Session(any_engine) as s:
        day = literal(date(2025, 9, 1))
        assert s.execute(select(add_days(day, -1), add_days(day, 30))).one() == (
            date(2025, 8, 31),
            date(2025, 10, 1),
        )
