"""Data-entry services: each valid write stores its row(s) with one audit row each; each refusal writes nothing."""

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine, func
from sqlmodel import Session, SQLModel, select

from rehabdata import auth, clock, services
from rehabdata.auth import Principal, ScopeError
from rehabdata.db import session_scope
from rehabdata.demo import create_demo_users
from rehabdata.models import (
    Attendance,
    AuditLog,
    Enrollment,
    Facility,
    FacilityPopulation,
    FollowUp,
    MonevAction,
    MonevVisit,
    OutreachEvent,
    Participant,
    ProgrammeSession,
    Screening,
    User,
)
from rehabdata.reference import seed_reference_data
from rehabdata.validation import Problem, ValidationFailed
from tests import factories as f

ADMITTED = date(2025, 8, 1)
EXITED = date(2025, 9, 30)
TOMORROW = clock.today() + timedelta(days=1)


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch):
    """Argon2id with minimal cost parameters: the same code path, milliseconds instead of seconds."""
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@dataclass(frozen=True)
class World:
    """Demo facilities and users; in Kabanjahe one present and one released participant, one in Pemalang."""

    engine: Engine
    kab: int
    pem: int
    karo_region: int
    pekalongan_region: int
    present: int  # KBJ-T-0001, admitted 2025-08-01, still present
    released: int  # KBJ-T-0002, admitted 2025-08-01, released 2025-09-30
    other: int  # PML-T-0001 in Pemalang
    principals: dict[str, Principal]

    def __getitem__(self, username: str) -> Principal:
        return self.principals[username]


def build_world(engine: Engine) -> World:
    with session_scope(engine) as s:
        seed_reference_data(s)
        create_demo_users(s)
        s.flush()
        facilities = {row.code: row for row in s.exec(select(Facility))}
        kab, pem = facilities["rutan-kabanjahe"], facilities["rutan-pemalang"]
        present = f.make_participant(s, kab, code="KBJ-T-0001", admitted_on=ADMITTED)
        released = f.make_participant(
            s, kab, code="KBJ-T-0002", admitted_on=ADMITTED, exited_on=EXITED, exit_reason="released"
        )
        other = f.make_participant(s, pem, code="PML-T-0001", admitted_on=ADMITTED)
        principals = {user.username: auth.principal_for(s, user) for user in s.exec(select(User))}
        return World(
            engine,
            kab.id,
            pem.id,
            kab.region_id,
            pem.region_id,
            present.id,
            released.id,
            other.id,
            principals,
        )


@pytest.fixture
def world(engine) -> World:
    """The world on SQLite."""
    return build_world(engine)


@pytest.fixture
def world_any(any_engine) -> World:
    """The world on SQLite and on PostgreSQL."""
    return build_world(any_engine)


def count(engine: Engine, model: type[SQLModel]) -> int:
    with Session(engine) as s:
        return s.exec(select(func.count()).select_from(model)).one()


def audit_rows(engine: Engine) -> list[AuditLog]:
    with Session(engine) as s:
        return list(s.exec(select(AuditLog).order_by(AuditLog.id)).all())


def write(engine: Engine, function, **kwargs):
    """Call a service in one transaction (as the pages do) and return the written row."""
    with session_scope(engine) as s:
        return function(session=s, **kwargs)


def refused(engine: Engine, function, **kwargs) -> list[Problem]:
    """Call a service that must refuse; return its problems after checking nothing was written."""
    before = count(engine, AuditLog)
    with pytest.raises(ValidationFailed) as error:
        write(engine, function, **kwargs)
    assert count(engine, AuditLog) == before, "a refused write leaves no audit row"
    return error.value.problems


def screening(participant_id: int, day: date, **extra) -> dict:
    return {"participant_id": participant_id, "screened_on": day, "screener": "Perawat klinik", **extra}


# --- participants --------------------------------------------------------------------------------


def test_create_participant_writes_row_and_audit(world_any):
    """A new participant is stored with its code normalised, and one audit row says who created it."""
    petugas = world_any["petugas.kabanjahe"]
    data = {
        "facility_id": world_any.kab,
        "code": " kbj-2026-0500 ",
        "sex": "f",
        "birth_year": 1995,
        "legal_status": "narapidana",
        "admitted_on": date(2025, 10, 2),
    }
    row = write(world_any.engine, services.create_participant, principal=petugas, data=data)
    with Session(world_any.engine) as s:
        stored = s.get(Participant, row.id)
    assert (stored.code, stored.facility_id, stored.admitted_on) == (
        "KBJ-2026-0500",
        world_any.kab,
        date(2025, 10, 2),
    )
    [entry] = audit_rows(world_any.engine)
    assert (entry.action, entry.entity, entry.entity_id, entry.facility_id, entry.username) == (
        "create",
        "participant",
        row.id,
        world_any.kab,
        "petugas.kabanjahe",
    )
    assert entry.changes["code"] == [None, "KBJ-2026-0500"]


def test_duplicate_participant_code_is_refused(world_any):
    """A code already used in the facility is refused, naming the code; another facility may use it."""
    data = {
        "facility_id": world_any.kab,
        "code": "kbj-t-0001",
        "sex": "m",
        "birth_year": 1990,
        "legal_status": "tahanan",
        "admitted_on": ADMITTED,
    }
    problems = refused(
        world_any.engine, services.create_participant, principal=world_any["petugas.kabanjahe"], data=data
    )
    assert problems == [Problem("code", "validation.duplicate_code", {"code": "KBJ-T-0001"})]
    assert problems[0].message("id") == "Kode KBJ-T-0001 sudah dipakai di UPT ini."
    assert count(world_any.engine, Participant) == 3
    write(
        world_any.engine,
        services.create_participant,
        principal=world_any["admin.demo"],
        data={**data, "facility_id": world_any.pem},
    )
    assert count(world_any.engine, Participant) == 4


def test_participant_field_problems_write_nothing(world):
    """Field rules (future admission, missing code) refuse the record before any write."""
    data = {
        "facility_id": world.kab,
        "code": "",
        "sex": "m",
        "birth_year": 1990,
        "legal_status": "tahanan",
        "admitted_on": TOMORROW,
    }
    problems = refused(
        world.engine, services.create_participant, principal=world["petugas.kabanjahe"], data=data
    )
    assert {(p.field, p.key) for p in problems} == {
        ("code", "validation.required"),
        ("admitted_on", "validation.future_date"),
    }
    assert count(world.engine, Participant) == 3


def test_petugas_cannot_register_in_another_facility(world):
    """Kabanjahe staff cannot register a participant in Pemalang."""
    data = {
        "facility_id": world.pem,
        "code": "PML-2026-0001",
        "sex": "m",
        "birth_year": 1990,
        "legal_status": "tahanan",
        "admitted_on": ADMITTED,
    }
    with pytest.raises(ScopeError):
        write(world.engine, services.create_participant, principal=world["petugas.kabanjahe"], data=data)
    assert count(world.engine, Participant) == 3
    assert audit_rows(world.engine) == []


def test_next_participant_code(world):
    """The next code continues the facility's highest number for the year, with its prefix."""
    with session_scope(world.engine) as s:
        empty = f.make_facility(s, f.make_region(s), code="lapas-x")
        assert services.next_participant_code(s, empty.id, 2026) == "LAP-2026-0001"
        kab = s.get(Facility, world.kab)
        for code in ("KBJ-2026-0007", "KBJ-2026-0003", "KBJ-2025-0099"):
            f.make_participant(s, kab, code=code)
        f.make_participant(s, s.get(Facility, world.pem), code="KBJ-2026-0050")  # another facility
        assert services.next_participant_code(s, world.kab, 2026) == "KBJ-2026-0008"
        assert services.next_participant_code(s, world.kab, 2027) == "KBJ-2027-0001"


# --- screenings ----------------------------------------------------------------------------------


def test_create_screening_scores_and_audits(world_any):
    """The stored screening holds the answers and the scores assist computes; one audit row."""
    data = screening(
        world_any.present,
        date(2025, 9, 10),
        answers={"cannabis": {"q2": 4}, "alcohol": {"q2": 6, "q3": 5}},
        injecting=1,
        urine_result="positive",
    )
    row = write(
        world_any.engine, services.create_screening, principal=world_any["petugas.kabanjahe"], data=data
    )
    with Session(world_any.engine) as s:
        stored = s.get(Screening, row.id)
    assert (stored.score_cannabis, stored.score_alcohol, stored.score_opioids) == (4, 11, None)
    assert (stored.max_score, stored.overall_risk, stored.recommendation) == (
        11,
        "moderate",
        "brief_intervention",
    )
    assert (stored.injecting, stored.urine_result, stored.facility_id) == (1, "positive", world_any.kab)
    assert stored.answers == {"cannabis": {"q2": 4}, "alcohol": {"q2": 6, "q3": 5}, "q8": 1}
    [entry] = audit_rows(world_any.engine)
    assert (entry.entity, entry.entity_id, entry.facility_id) == ("screening", row.id, world_any.kab)


def test_second_screening_same_day_is_refused(world_any):
    """A second screening of the same participant on the same day names the existing one."""
    petugas = world_any["petugas.kabanjahe"]
    write(
        world_any.engine,
        services.create_screening,
        principal=petugas,
        data=screening(world_any.present, date(2025, 9, 10)),
    )
    problems = refused(
        world_any.engine,
        services.create_screening,
        principal=petugas,
        data=screening(world_any.present, date(2025, 9, 10), answers={"cannabis": {"q2": 6}}),
    )
    assert problems == [
        Problem("screened_on", "validation.duplicate_screening", {"code": "KBJ-T-0001", "date": "2025-09-10"})
    ]
    assert problems[0].message("id") == "Peserta KBJ-T-0001 sudah diskrining pada 2025-09-10."
    assert count(world_any.engine, Screening) == 1
    write(
        world_any.engine,
        services.create_screening,
        principal=petugas,
        data=screening(world_any.present, date(2025, 9, 11)),
    )
    assert count(world_any.engine, Screening) == 2


@pytest.mark.parametrize(
    ("who", "day", "exited"),
    [("present", date(2025, 7, 31), "…"), ("released", date(2025, 10, 1), "2025-09-30")],
    ids=["before-admission", "after-exit"],
)
def test_screening_outside_stay_is_refused(world, who, day, exited):
    """A screening dated before admission or after release is refused with the stay in the message."""
    participant = getattr(world, who)
    code = "KBJ-T-0001" if who == "present" else "KBJ-T-0002"
    problems = refused(
        world.engine,
        services.create_screening,
        principal=world["petugas.kabanjahe"],
        data=screening(participant, day),
    )
    assert problems == [
        Problem(
            "screened_on",
            "validation.outside_stay",
            {"code": code, "admitted": "2025-08-01", "exited": exited},
        )
    ]
    assert f"(2025-08-01 – {exited})" in problems[0].message("id")


def test_screening_on_admission_and_exit_day_is_accepted(world):
    """The first and last day of a stay are inside it."""
    petugas = world["petugas.kabanjahe"]
    write(
        world.engine, services.create_screening, principal=petugas, data=screening(world.released, ADMITTED)
    )
    write(world.engine, services.create_screening, principal=petugas, data=screening(world.released, EXITED))
    assert count(world.engine, Screening) == 2


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {"screened_on": date(2025, 9, 10), "answers": {"cannabis": {"q2": 5}}},
            Problem(
                "answers",
                "validation.assist_scale",
                {"substance": "cannabis", "question": "Q2", "allowed": "0, 2, 3, 4, 6", "value": 5},
            ),
        ),
        ({"screened_on": TOMORROW}, Problem("screened_on", "validation.future_date")),
        (
            {"screened_on": date(2024, 12, 31)},
            Problem("screened_on", "validation.too_early", {"earliest": "2025-01-01"}),
        ),
    ],
    ids=["q2-off-scale", "future", "before-2025"],
)
def test_screening_field_problems_write_nothing(world, data, expected):
    """Off-scale answers and impossible dates are refused before anything is written."""
    problems = refused(
        world.engine,
        services.create_screening,
        principal=world["petugas.kabanjahe"],
        data={"participant_id": world.present, "screener": "Perawat klinik", **data},
    )
    assert problems == [expected]
    assert count(world.engine, Screening) == 0


def test_screening_of_unknown_or_foreign_participant(world):
    """An unknown participant and another facility's participant get the same answer: the caller
    learns nothing about records outside its scope."""
    petugas = world["petugas.kabanjahe"]
    for participant_id in (99_999, world.other):
        problems = refused(
            world.engine,
            services.create_screening,
            principal=petugas,
            data=screening(participant_id, date(2025, 9, 10)),
        )
        assert problems == [Problem("participant_id", "validation.unknown_participant")]
    assert count(world.engine, Screening) == 0


# --- population --------------------------------------------------------------------------------


def test_create_population_and_duplicate_month(world_any):
    """A month is stored on its first day with one audit row; the same month again is refused."""
    petugas = world_any["petugas.kabanjahe"]
    data = {"facility_id": world_any.kab, "month": date(2025, 9, 17), "wbp_total": 300, "wbp_narcotics": 180}
    row = write(world_any.engine, services.create_population, principal=petugas, data=data)
    assert row.month == date(2025, 9, 1)
    assert [(a.entity, a.entity_id) for a in audit_rows(world_any.engine)] == [
        ("facility_population", row.id)
    ]
    problems = refused(
        world_any.engine,
        services.create_population,
        principal=petugas,
        data={**data, "month": date(2025, 9, 2)},
    )
    assert problems == [Problem("month", "validation.duplicate_population", {"month": "2025-09"})]
    assert count(world_any.engine, FacilityPopulation) == 1


@pytest.mark.parametrize(
    ("numbers", "expected"),
    [
        ({"wbp_total": 0, "wbp_narcotics": 0}, Problem("wbp_total", "validation.greater_than", {"limit": 0})),
        (
            {"wbp_total": 100, "wbp_narcotics": 101},
            Problem("wbp_narcotics", "validation.narcotics_above_total"),
        ),
        (
            {"wbp_total": 100, "wbp_narcotics": 10, "admissions": -1},
            Problem("admissions", "validation.at_least", {"limit": 0}),
        ),
    ],
    ids=["population-zero", "narcotics-above-total", "negative-admissions"],
)
def test_population_numbers_out_of_range(world, numbers, expected):
    """Population 0, narcotics above the total and negative admissions are refused."""
    data = {"facility_id": world.kab, "month": date(2025, 9, 1), **numbers}
    problems = refused(
        world.engine, services.create_population, principal=world["petugas.kabanjahe"], data=data
    )
    assert problems == [expected]
    assert count(world.engine, FacilityPopulation) == 0


def test_population_of_another_facility_is_out_of_scope(world):
    """Kabanjahe staff cannot enter Pemalang's population."""
    data = {"facility_id": world.pem, "month": date(2025, 9, 1), "wbp_total": 100, "wbp_narcotics": 10}
    with pytest.raises(ScopeError):
        write(world.engine, services.create_population, principal=world["petugas.kabanjahe"], data=data)
    assert count(world.engine, FacilityPopulation) == 0


# --- enrolments ------------------------------------------------------------------------------------


def enrolment(participant_id: int, day: date, programme: str = "social") -> dict:
    return {
        "participant_id": participant_id,
        "programme": programme,
        "modality": "outpatient",
        "started_on": day,
    }


def test_enrolment_rules(world_any):
    """Enrolment within the stay is stored; outside it, or twice in one active programme, is refused."""
    petugas = world_any["petugas.kabanjahe"]
    row = write(
        world_any.engine,
        services.create_enrollment,
        principal=petugas,
        data=enrolment(world_any.present, date(2025, 9, 1)),
    )
    assert (row.facility_id, row.status) == (world_any.kab, "active")
    problems = refused(
        world_any.engine,
        services.create_enrollment,
        principal=petugas,
        data=enrolment(world_any.present, date(2025, 9, 5)),
    )
    assert problems == [
        Problem("programme", "validation.already_enrolled", {"code": "KBJ-T-0001", "programme": "social"})
    ]
    problems = refused(
        world_any.engine,
        services.create_enrollment,
        principal=petugas,
        data=enrolment(world_any.released, date(2025, 10, 1)),
    )
    assert [(p.field, p.key) for p in problems] == [("started_on", "validation.outside_stay")]
    write(
        world_any.engine,
        services.create_enrollment,
        principal=petugas,
        data=enrolment(world_any.present, date(2025, 9, 5), "medical"),
    )
    assert count(world_any.engine, Enrollment) == 2
    assert [a.entity for a in audit_rows(world_any.engine)] == ["enrollment", "enrollment"]


def test_end_enrolment(world):
    """Closing before the start is refused; closing properly is an audited update."""
    petugas = world["petugas.kabanjahe"]
    row = write(
        world.engine,
        services.create_enrollment,
        principal=petugas,
        data=enrolment(world.present, date(2025, 9, 1)),
    )
    problems = refused(
        world.engine,
        services.end_enrollment,
        principal=petugas,
        enrollment_id=row.id,
        data={"status": "completed", "ended_on": date(2025, 8, 31)},
    )
    assert problems == [Problem("ended_on", "validation.end_before_start")]
    problems = refused(
        world.engine,
        services.end_enrollment,
        principal=petugas,
        enrollment_id=row.id,
        data={"status": "active", "ended_on": date(2025, 9, 30)},
    )
    assert problems == [Problem("status", "validation.not_allowed")]
    write(
        world.engine,
        services.end_enrollment,
        principal=petugas,
        enrollment_id=row.id,
        data={"status": "completed", "ended_on": date(2025, 11, 30), "end_reason": "Selesai"},
    )
    with Session(world.engine) as s:
        stored = s.get(Enrollment, row.id)
    assert (stored.status, stored.ended_on, stored.end_reason) == ("completed", date(2025, 11, 30), "Selesai")
    last = audit_rows(world.engine)[-1]
    assert (last.action, last.entity_id, last.changes["status"]) == (
        "update",
        row.id,
        ["active", "completed"],
    )


# --- sessions and attendance -------------------------------------------------------------------


def session_data(world: World, day: date, programme: str = "social") -> dict:
    return {
        "facility_id": world.kab,
        "programme": programme,
        "held_on": day,
        "session_type": "group",
        "topic": "Pencegahan relaps",
    }


@pytest.fixture
def enrolled(request) -> tuple[int, int]:
    """Two Kabanjahe participants in the social programme: one from 2025-09-01, one 09-10 → 09-20."""
    world = request.getfixturevalue("world_any" if "world_any" in request.fixturenames else "world")
    with session_scope(world.engine) as s:
        kab = s.get(Facility, world.kab)
        second = f.make_participant(s, kab, code="KBJ-T-0003", admitted_on=ADMITTED)
        f.make_enrollment(s, s.get(Participant, world.present), date(2025, 9, 1), "social")
        f.make_enrollment(
            s, second, date(2025, 9, 10), "social", status="completed", ended_on=date(2025, 9, 20)
        )
        return world.present, second.id


def test_session_roster_is_who_is_enrolled_that_day(world, enrolled):
    """The roster holds participants whose enrolment in that programme covers the date."""
    first, second = enrolled
    with Session(world.engine) as s:

        def roster(day, programme="social"):
            return [
                p.id for p in services.session_roster(s, facility_id=world.kab, programme=programme, day=day)
            ]

        assert roster(date(2025, 8, 31)) == []
        assert roster(date(2025, 9, 10)) == [first, second]
        assert roster(date(2025, 9, 20)) == [first, second]
        assert roster(date(2025, 9, 21)) == [first]
        assert roster(date(2025, 9, 15), "medical") == []


def test_session_with_attendance_is_audited_per_row(world_any, enrolled):
    """A session with two present writes one session, two attendance rows and three audit rows."""
    row = write(
        world_any.engine,
        services.create_session_with_attendance,
        principal=world_any["petugas.kabanjahe"],
        data=session_data(world_any, date(2025, 9, 15)),
        attended=list(enrolled),
    )
    with Session(world_any.engine) as s:
        present = sorted(
            a.participant_id for a in s.exec(select(Attendance).where(Attendance.session_id == row.id))
        )
    assert present == sorted(enrolled)
    assert sorted(a.entity for a in audit_rows(world_any.engine)) == [
        "attendance",
        "attendance",
        "programme_session",
    ]
    assert {a.facility_id for a in audit_rows(world_any.engine)} == {world_any.kab}


def test_attendance_of_someone_not_enrolled_that_day_is_refused(world, enrolled):
    """Attendance for a participant whose enrolment ended before the session names them and the date."""
    first, second = enrolled
    problems = refused(
        world.engine,
        services.create_session_with_attendance,
        principal=world["petugas.kabanjahe"],
        data=session_data(world, date(2025, 9, 25)),
        attended=[first, second],
    )
    assert problems == [
        Problem("attended", "validation.not_enrolled", {"code": "KBJ-T-0003", "date": "2025-09-25"})
    ]
    assert "KBJ-T-0003" in problems[0].message("id")
    assert count(world.engine, ProgrammeSession) == 0
    assert count(world.engine, Attendance) == 0


def test_duplicate_attendance_is_refused(world_any, enrolled):
    """The same participant twice in the attendance list is refused, naming them; nothing is written."""
    first, _ = enrolled
    problems = refused(
        world_any.engine,
        services.create_session_with_attendance,
        principal=world_any["petugas.kabanjahe"],
        data=session_data(world_any, date(2025, 9, 15)),
        attended=[first, first],
    )
    assert problems == [Problem("attended", "validation.duplicate_attendance", {"code": "KBJ-T-0001"})]
    assert problems[0].message("id") == "Kehadiran KBJ-T-0001 pada sesi ini sudah tercatat."
    assert count(world_any.engine, ProgrammeSession) == 0
    assert count(world_any.engine, Attendance) == 0


def test_session_field_problems_and_scope(world):
    """An empty topic or a future date is refused; another facility's session is out of scope."""
    petugas = world["petugas.kabanjahe"]
    problems = refused(
        world.engine,
        services.create_session_with_attendance,
        principal=petugas,
        data={**session_data(world, TOMORROW), "topic": ""},
        attended=[],
    )
    assert {(p.field, p.key) for p in problems} == {
        ("topic", "validation.required"),
        ("held_on", "validation.future_date"),
    }
    with pytest.raises(ScopeError):
        write(
            world.engine,
            services.create_session_with_attendance,
            principal=petugas,
            data={**session_data(world, date(2025, 9, 15)), "facility_id": world.pem},
            attended=[],
        )
    assert count(world.engine, ProgrammeSession) == 0


def test_released_participant_cannot_attend_after_exit(world, enrolled):
    """After a release is recorded, the participant is no longer on the roster of later sessions."""
    first, _ = enrolled
    petugas = world["petugas.kabanjahe"]
    write(
        world.engine,
        services.record_exit,
        principal=petugas,
        participant_id=first,
        exited_on=date(2025, 10, 1),
        reason="released",
    )
    with pytest.raises(ValidationFailed):
        write(
            world.engine,
            services.create_session_with_attendance,
            principal=petugas,
            data=session_data(world, date(2025, 10, 10)),
            attended=[first],
        )


# --- exits, follow-ups, assessments ------------------------------------------------------------------


def test_record_exit(world_any):
    """Exit before admission or in the future is refused; a valid exit is an audited update."""
    petugas = world_any["petugas.kabanjahe"]
    kwargs = {"principal": petugas, "participant_id": world_any.present, "reason": "transferred"}
    problems = refused(world_any.engine, services.record_exit, exited_on=date(2025, 7, 31), **kwargs)
    assert problems == [Problem("exited_on", "validation.exit_before_admission")]
    problems = refused(world_any.engine, services.record_exit, exited_on=TOMORROW, **kwargs)
    assert problems == [Problem("exited_on", "validation.future_date")]
    write(world_any.engine, services.record_exit, exited_on=date(2025, 10, 15), **kwargs)
    with Session(world_any.engine) as s:
        stored = s.get(Participant, world_any.present)
    assert (stored.exited_on, stored.exit_reason) == (date(2025, 10, 15), "transferred")
    [entry] = audit_rows(world_any.engine)
    assert (entry.action, entry.changes["exited_on"]) == ("update", [None, "2025-10-15"])


def test_follow_up_rules(world):
    """A follow-up is stored and audited; the same day again and a date outside the stay are refused."""
    petugas = world["petugas.kabanjahe"]
    data = screening(
        world.present, date(2025, 10, 1), stage="during", answers={"amphetamines": {"q2": 6, "q3": 6}}
    )
    row = write(world.engine, services.create_follow_up, principal=petugas, data=data)
    with Session(world.engine) as s:
        stored = s.get(FollowUp, row.id)
    assert (stored.followed_on, stored.score_amphetamines, stored.overall_risk) == (
        date(2025, 10, 1),
        12,
        "moderate",
    )
    problems = refused(world.engine, services.create_follow_up, principal=petugas, data=data)
    assert problems == [
        Problem("screened_on", "validation.duplicate_follow_up", {"code": "KBJ-T-0001", "date": "2025-10-01"})
    ]
    problems = refused(
        world.engine,
        services.create_follow_up,
        principal=petugas,
        data=screening(world.released, date(2025, 10, 2), stage="post"),
    )
    assert [(p.field, p.key) for p in problems] == [("screened_on", "validation.outside_stay")]
    assert count(world.engine, FollowUp) == 1
    assert [a.entity for a in audit_rows(world.engine)] == ["follow_up"]


def test_assessment_within_stay_by_partner(world):
    """The partner (BNNK Karo) records an assessment in its facility; outside the stay is refused."""
    mitra = world["bnnk.karo"]
    data = {
        "participant_id": world.released,
        "assessed_on": date(2025, 9, 1),
        "assessor": "dr. Sinaga",
        "primary_substance": "amphetamines",
        "route_of_use": "smoked",
    }
    row = write(world.engine, services.create_assessment, principal=mitra, data=data)
    assert row.facility_id == world.kab
    problems = refused(
        world.engine,
        services.create_assessment,
        principal=mitra,
        data={**data, "assessed_on": date(2025, 10, 1)},
    )
    assert [(p.field, p.key) for p in problems] == [("assessed_on", "validation.outside_stay")]


# --- outreach and monev --------------------------------------------------------------------------


def outreach(world: World, **extra) -> dict:
    return {
        "region_id": world.karo_region,
        "facility_id": world.kab,
        "held_on": date(2025, 9, 12),
        "place": "Aula Rutan",
        "event_type": "penyuluhan",
        "audience": "wbp",
        "people_reached": 45,
        **extra,
    }


def test_outreach_rules(world_any):
    """Outreach is stored and audited; negative reach, a foreign facility or a foreign region are refused."""
    petugas = world_any["petugas.kabanjahe"]
    row = write(world_any.engine, services.create_outreach, principal=petugas, data=outreach(world_any))
    assert [(a.entity, a.entity_id) for a in audit_rows(world_any.engine)] == [("outreach_event", row.id)]
    problems = refused(
        world_any.engine,
        services.create_outreach,
        principal=petugas,
        data=outreach(world_any, people_reached=-1),
    )
    assert problems == [Problem("people_reached", "validation.at_least", {"limit": 0})]
    problems = refused(
        world_any.engine,
        services.create_outreach,
        principal=world_any["admin.demo"],
        data=outreach(world_any, facility_id=world_any.pem),
    )
    assert problems == [Problem("facility_id", "validation.not_allowed")]
    with pytest.raises(ScopeError):
        write(
            world_any.engine,
            services.create_outreach,
            principal=petugas,
            data=outreach(world_any, facility_id=None, region_id=world_any.pekalongan_region),
        )
    assert count(world_any.engine, OutreachEvent) == 1


def test_monev_visit_with_actions(world_any):
    """A visit with two actions writes three rows and three audit rows."""
    visit = write(
        world_any.engine,
        services.create_monev_visit,
        principal=world_any["bnnk.karo"],
        data={"facility_id": world_any.kab, "visited_on": date(2025, 9, 20), "team": "BNNK Karo"},
        actions=[
            {"description": "Lengkapi register", "due_on": date(2025, 10, 20)},
            {"description": "Jadwal sesi", "owner": "Kasubsi", "status": "in_progress"},
        ],
    )
    with Session(world_any.engine) as s:
        actions = s.exec(select(MonevAction).where(MonevAction.visit_id == visit.id)).all()
    assert sorted(a.description for a in actions) == ["Jadwal sesi", "Lengkapi register"]
    assert sorted(a.entity for a in audit_rows(world_any.engine)) == [
        "monev_action",
        "monev_action",
        "monev_visit",
    ]


def test_monev_invalid_action_writes_nothing(world):
    """An action without a description refuses the whole visit, located at its row."""
    problems = refused(
        world.engine,
        services.create_monev_visit,
        principal=world["bnnk.karo"],
        data={"facility_id": world.kab, "visited_on": date(2025, 9, 20), "team": "BNNK Karo"},
        actions=[{"description": "Lengkapi register"}, {"description": ""}],
    )
    assert problems == [Problem("actions.1.description", "validation.required")]
    assert count(world.engine, MonevVisit) == 0
    assert count(world.engine, MonevAction) == 0


def test_monev_by_petugas_is_refused(world):
    """Facility staff do not record monev visits (partner and admin only)."""
    with pytest.raises(ScopeError):
        write(
            world.engine,
            services.create_monev_visit,
            principal=world["petugas.kabanjahe"],
            data={"facility_id": world.kab, "visited_on": date(2025, 9, 20), "team": "Tim"},
        )
    assert count(world.engine, MonevVisit) == 0
