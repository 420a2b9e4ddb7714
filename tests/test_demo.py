"""Tests for the demo data: reproducible, internally consistent, believable, and safe to load."""

import re
from collections.abc import Iterator
from datetime import date, datetime

import pytest
from sqlalchemy import Date, DateTime, Engine, and_, exists, func, or_
from sqlmodel import Session, SQLModel, select

from rehabdata.assist import risk_rank, score_screening
from rehabdata.db import make_engine, session_scope, upgrade_schema
from rehabdata.demo import DemoError, load_demo
from rehabdata.models import (
    Agreement,
    AgreementFacility,
    AgreementScopeItem,
    AppSetting,
    Assessment,
    Attendance,
    Enrollment,
    Facility,
    FacilityPopulation,
    FollowUp,
    FollowUpStage,
    MonevAction,
    MonevVisit,
    OutreachEvent,
    Participant,
    PeerCounsellor,
    ProgrammeSession,
    Region,
    Screening,
)
from rehabdata.reference import seed_reference_data

TODAY = date(2026, 11, 23)
SMALL = {"months": 4, "today": date(2025, 11, 20)}
COMPARED = (
    FacilityPopulation,
    Participant,
    Screening,
    Assessment,
    Enrollment,
    FollowUp,
    ProgrammeSession,
    Attendance,
    PeerCounsellor,
    OutreachEvent,
    MonevAction,
)
TIMESTAMPS = {"created_at", "entered_at"}


def migrated(path) -> Engine:
    """A fresh, migrated SQLite database at ``path``."""
    engine = make_engine(f"sqlite:///{path}")
    upgrade_schema(engine)
    return engine


def table_rows(engine: Engine, model: type[SQLModel]) -> list[tuple]:
    """All rows of a table in id order, without the wall-clock timestamp columns."""
    columns = [c for c in model.__table__.columns if c.name not in TIMESTAMPS]  # type: ignore[attr-defined]
    with Session(engine) as session:
        return [
            tuple(row) for row in session.execute(select(*columns).order_by(*model.__table__.primary_key))
        ]  # type: ignore[attr-defined]


def count(engine: Engine, model: type[SQLModel]) -> int:
    """Rows in one table."""
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def full(tmp_path_factory) -> Iterator[Engine]:
    """The default-size demo (16 months up to TODAY) on SQLite."""
    engine = migrated(tmp_path_factory.mktemp("demo") / "full.db")
    load_demo(engine, today=TODAY)
    yield engine
    engine.dispose()


@pytest.fixture
def session(full) -> Iterator[Session]:
    """A read-only session on the full demo database."""
    with Session(full) as session:
        yield session


def facility_ids(session: Session) -> dict[str, int]:
    """Facility id by code, since ids are only known after loading."""
    return {f.code: f.id for f in session.exec(select(Facility))}  # type: ignore[misc]


def test_same_seed_gives_identical_rows(tmp_path):
    """Two empty databases loaded with the same seed, months and today hold the same rows."""
    first, second = migrated(tmp_path / "a.db"), migrated(tmp_path / "b.db")
    load_demo(first, seed=7, **SMALL)
    load_demo(second, seed=7, **SMALL)
    for model in COMPARED:
        rows = table_rows(first, model)
        assert rows, model.__name__
        assert rows == table_rows(second, model), model.__name__


def test_other_seed_gives_other_rows(tmp_path):
    """A different seed changes the synthetic activity but not the reference data."""
    first, second = migrated(tmp_path / "a.db"), migrated(tmp_path / "b.db")
    load_demo(first, seed=7, **SMALL)
    load_demo(second, seed=8, **SMALL)
    assert table_rows(first, Facility) == table_rows(second, Facility)
    assert table_rows(first, Participant) != table_rows(second, Participant)
    assert table_rows(first, Screening) != table_rows(second, Screening)


def test_summary_counts_match_database(tmp_path):
    """The returned counts are the tables' row counts, and the demo flag is set."""
    engine = migrated(tmp_path / "d.db")
    summary = load_demo(engine, **SMALL)
    for model in (Facility, AgreementScopeItem, Participant, Screening, Attendance, MonevAction):
        assert summary.counts[model.__tablename__] == count(engine, model) > 0
    with Session(engine) as session:
        assert session.get(AppSetting, "demo").value == "1"  # type: ignore[union-attr]


def test_reference_data_is_the_real_programmes(session):
    """The four facilities and two agreements carry their real names, classes and dates."""
    facilities = {f.code: (f.name, f.facility_type, f.facility_class) for f in session.exec(select(Facility))}
    assert facilities == {
        "rutan-kabanjahe": ("Rutan Kelas IIB Kabanjahe", "rutan", "IIB"),
        "rutan-pemalang": ("Rutan Kelas IIB Pemalang", "rutan", "IIB"),
        "rutan-pekalongan": ("Rutan Kelas IIA Pekalongan", "rutan", "IIA"),
        "lapas-pekalongan": ("Lapas Kelas IIA Pekalongan", "lapas", "IIA"),
    }
    agreements = {a.code: a for a in session.exec(select(Agreement))}
    assert (agreements["mou-karo-2025"].discussed_on, agreements["mou-karo-2025"].signed_on) == (
        date(2025, 8, 5),
        date(2025, 8, 5),
    )
    assert (agreements["pks-batang-2025"].discussed_on, agreements["pks-batang-2025"].signed_on) == (
        date(2025, 7, 29),
        date(2025, 8, 4),
    )
    links = session.exec(
        select(Agreement.code, Facility.code)
        .join(AgreementFacility, AgreementFacility.agreement_id == Agreement.id)
        .join(Facility, Facility.id == AgreementFacility.facility_id)
    ).all()
    assert sorted(links) == [
        ("mou-karo-2025", "rutan-kabanjahe"),
        ("pks-batang-2025", "lapas-pekalongan"),
        ("pks-batang-2025", "rutan-pekalongan"),
        ("pks-batang-2025", "rutan-pemalang"),
    ]
    targets = dict(
        session.exec(
            select(AgreementScopeItem.code, AgreementScopeItem.target).where(
                AgreementScopeItem.agreement_id == agreements["pks-batang-2025"].id
            )
        ).all()
    )
    assert targets == {"p4gn": 80, "rehab_social": 600, "outreach": 8000, "screening": 2400, "monev": 24}


def test_seed_reference_data_twice_adds_nothing(engine):
    """Seeding again keeps one row per code."""
    for _ in range(2):
        with session_scope(engine) as session:
            seed_reference_data(session)
    assert (count(engine, Region), count(engine, Facility), count(engine, AgreementScopeItem)) == (2, 4, 13)


@pytest.mark.parametrize(
    "model",
    [
        FacilityPopulation,
        Participant,
        Screening,
        Assessment,
        Enrollment,
        FollowUp,
        ProgrammeSession,
        MonevVisit,
    ],
)
def test_every_facility_has_activity(session, model):
    """Each of the four facilities has rows of every participant-level kind."""
    per_facility = dict(
        session.exec(select(model.facility_id, func.count()).group_by(model.facility_id)).all()
    )  # type: ignore[attr-defined]
    assert set(per_facility) == set(facility_ids(session).values())


def test_every_facility_has_sessions_with_attendance(session):
    """Sessions are attended in each facility, by most of the enrolled."""
    attended = session.exec(
        select(ProgrammeSession.facility_id, func.count(func.distinct(ProgrammeSession.id)), func.count())
        .join(Attendance, Attendance.session_id == ProgrammeSession.id)
        .group_by(ProgrammeSession.facility_id)
    ).all()
    assert len(attended) == 4
    for _, sessions, attendances in attended:
        assert sessions >= 50 and attendances / sessions >= 3


def test_risk_mix_is_plausible(session):
    """Between a quarter and a half of screenings are moderate or high risk; high stays the smallest."""
    risks = dict(
        session.exec(select(Screening.overall_risk, func.count()).group_by(Screening.overall_risk)).all()
    )
    total = sum(risks.values())
    assert 0.25 <= (risks["moderate"] + risks["high"]) / total <= 0.50
    assert 0.05 <= risks["high"] / total <= 0.15


@pytest.mark.parametrize("model", [Screening, FollowUp])
def test_stored_scores_equal_the_scorer(session, model):
    """Every score column is what assist.score_screening makes of the stored answers."""
    for row in session.exec(select(model)):
        answers = {k: v for k, v in row.answers.items() if k != "q8"}
        result = score_screening(answers, row.answers["q8"])
        assert row.injecting == result.injecting
        assert row.overall_risk == result.overall_risk
        assert row.recommendation == result.recommendation
        assert row.max_score == max(result.scores.values(), default=0)
        for substance in ("tobacco", "alcohol", "cannabis", "amphetamines", "sedatives", "opioids"):
            assert getattr(row, f"score_{substance}") == result.scores.get(substance)


def test_follow_ups_mostly_show_lower_risk(session):
    """At completion most participants score at a lower risk level than at screening."""
    pairs = session.exec(
        select(Screening.overall_risk, FollowUp.overall_risk)
        .join(FollowUp, FollowUp.participant_id == Screening.participant_id)
        .where(FollowUp.stage == FollowUpStage.END)
    ).all()
    fell = sum(risk_rank(after) < risk_rank(before) for before, after in pairs)
    assert len(pairs) > 100 and fell / len(pairs) > 0.5


def test_no_date_after_today(session):
    """No date or timestamp column of any table lies after ``today``."""
    for table in SQLModel.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, Date | DateTime):
                latest = session.execute(select(func.max(column))).scalar()
                if isinstance(latest, datetime):
                    latest = latest.date()
                assert latest is None or latest <= TODAY, column


def test_activity_starts_with_the_programme(session):
    """Screenings, sessions, outreach and monev all fall on or after 2025-08-01."""
    for column in (
        Screening.screened_on,
        ProgrammeSession.held_on,
        OutreachEvent.held_on,
        MonevVisit.visited_on,
    ):
        assert session.exec(select(func.min(column))).one() >= date(2025, 8, 1)


@pytest.mark.parametrize(
    ("model", "day"),
    [
        (Screening, Screening.screened_on),
        (Assessment, Assessment.assessed_on),
        (Enrollment, Enrollment.started_on),
        (FollowUp, FollowUp.followed_on),
    ],
)
def test_records_fall_within_the_stay(session, model, day):
    """Nothing happens to a participant before admission, after exit, or in another facility."""
    outside = session.exec(
        select(func.count())
        .select_from(model)
        .join(Participant, Participant.id == model.participant_id)
        .where(
            or_(
                day < Participant.admitted_on,
                and_(Participant.exited_on.is_not(None), day > Participant.exited_on),  # type: ignore[union-attr]
                model.facility_id != Participant.facility_id,
            )
        )
    ).one()
    assert outside == 0


def test_enrollments_end_after_they_start(session):
    """Ended enrolments end on or after their start, and only active ones are open."""
    rows = session.exec(select(Enrollment.status, Enrollment.started_on, Enrollment.ended_on)).all()
    assert all((ended is None) == (status == "active") for status, _, ended in rows)
    assert all(ended is None or ended >= started for _, started, ended in rows)


def test_attendance_only_by_active_enrollees(session):
    """Every attendance is by someone enrolled in that facility's programme on the session date."""
    active = exists().where(
        Enrollment.participant_id == Attendance.participant_id,
        Enrollment.facility_id == ProgrammeSession.facility_id,
        Enrollment.programme == ProgrammeSession.programme,
        Enrollment.started_on <= ProgrammeSession.held_on,
        or_(Enrollment.ended_on.is_(None), Enrollment.ended_on >= ProgrammeSession.held_on),  # type: ignore[union-attr]
    )
    stray = session.exec(
        select(func.count()).select_from(Attendance).join(ProgrammeSession).where(~active)
    ).one()
    assert count(session.get_bind(), Attendance) > 1000 and stray == 0  # type: ignore[arg-type]


def test_participant_codes_are_pseudonymous(session):
    """Codes are PREFIX-YEAR-NUMBER only: the facility's prefix and the admission year."""
    prefixes = {
        "rutan-kabanjahe": "KBJ",
        "rutan-pemalang": "PML",
        "rutan-pekalongan": "PKL",
        "lapas-pekalongan": "LPK",
    }
    by_id = {v: prefixes[k] for k, v in facility_ids(session).items()}
    for code, facility_id, admitted_on in session.exec(
        select(Participant.code, Participant.facility_id, Participant.admitted_on)
    ):
        assert re.fullmatch(r"(KBJ|PML|PKL|LPK)-\d{4}-\d{4}", code), code
        assert code.startswith(f"{by_id[facility_id]}-{admitted_on.year}-"), code


def test_current_month_lacks_one_population(session):
    """Today's month has no population for lapas-pekalongan (so completeness views have a gap)."""
    ids = facility_ids(session)
    reported = set(
        session.exec(
            select(FacilityPopulation.facility_id).where(FacilityPopulation.month == date(2026, 11, 1))
        )
    )
    assert reported == set(ids.values()) - {ids["lapas-pekalongan"]}
    assert session.exec(select(func.count()).where(FacilityPopulation.month == date(2026, 10, 1))).one() == 4


def test_months_limit_the_data(tmp_path):
    """With ``months`` ending before today, nothing is dated after that last month."""
    engine = migrated(tmp_path / "d.db")
    load_demo(engine, months=2, today=date(2026, 1, 10))
    with Session(engine) as session:
        months = session.exec(
            select(FacilityPopulation.month).distinct().order_by(FacilityPopulation.month)
        ).all()
        latest = session.exec(select(func.max(ProgrammeSession.held_on))).one()
    assert months == [date(2025, 8, 1), date(2025, 9, 1)]
    assert date(2025, 9, 20) <= latest <= date(2025, 9, 30)


def test_refuses_a_database_with_data(engine):
    """A second load raises DemoError and writes nothing."""
    load_demo(engine, **SMALL)
    before = {model: count(engine, model) for model in (Region, Participant, Screening, Attendance)}
    with pytest.raises(DemoError, match="already has data"):
        load_demo(engine, **SMALL)
    assert {model: count(engine, model) for model in before} == before


def test_refuses_a_database_with_only_facilities(engine):
    """Facilities alone count as data: the load is refused and no activity is written."""
    with session_scope(engine) as session:
        seed_reference_data(session)
    with pytest.raises(DemoError):
        load_demo(engine, **SMALL)
    assert count(engine, Participant) == count(engine, AppSetting) == 0


def test_orm_inserts_work_after_loading(any_engine):
    """On SQLite and PostgreSQL, rows added through the ORM after a load get fresh ids."""
    load_demo(any_engine, **SMALL)
    with session_scope(any_engine) as session:
        highest = session.exec(select(func.max(Participant.id))).one()
        facility_id = session.exec(select(Facility.id)).first()
        region = Region(code="kanwil-jateng", name="Kanwil Jawa Tengah", province="Jawa Tengah")
        participant = Participant(
            facility_id=facility_id,  # type: ignore[arg-type]
            code="PKL-2025-9999",
            sex="m",  # type: ignore[arg-type]
            birth_year=1990,
            legal_status="tahanan",  # type: ignore[arg-type]
            admitted_on=date(2025, 11, 1),
        )
        session.add_all([region, participant])
    assert region.id == 3
    assert participant.id == highest + 1
