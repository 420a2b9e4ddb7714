"""Constraints the database itself enforces, on SQLite and PostgreSQL."""

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from rehabdata.db import session_scope
from rehabdata.models import Attendance, FacilityPopulation, Participant
from tests import factories as f


def test_duplicate_attendance_is_refused(any_engine):
    """The same participant cannot be marked present twice at one session."""
    with session_scope(any_engine) as s:
        facility = f.make_facility(s, f.make_region(s))
        participant = f.make_participant(s, facility)
        f.make_enrollment(s, participant, date(2025, 9, 1), "social")
        session_row = f.make_session(s, facility, date(2025, 9, 8), "social", attended=(participant,))
        ids = (session_row.id, participant.id)
    with pytest.raises(IntegrityError), session_scope(any_engine) as s:
        s.add(Attendance(session_id=ids[0], participant_id=ids[1]))
    with session_scope(any_engine) as s:
        assert s.execute(select(func.count()).select_from(Attendance)).scalar() == 1


def test_foreign_keys_are_enforced(any_engine):
    """A participant of a facility that does not exist is refused (SQLite too: PRAGMA foreign_keys)."""
    with pytest.raises(IntegrityError), session_scope(any_engine) as s:
        s.add(
            Participant(
                facility_id=9999,
                code="X-1",
                sex="m",
                birth_year=1990,
                legal_status="tahanan",
                admitted_on=date(2025, 8, 1),
            )
        )
        s.flush()


def test_participant_code_unique_per_facility(any_engine):
    """A code may repeat across facilities but not within one."""
    with session_scope(any_engine) as s:
        region = f.make_region(s)
        first, second = f.make_facility(s, region), f.make_facility(s, region)
        f.make_participant(s, first, code="KBJ-2025-0001")
        f.make_participant(s, second, code="KBJ-2025-0001")
        first_id = first.id
    with pytest.raises(IntegrityError), session_scope(any_engine) as s:
        f.make_participant(s, s.get(type(first), first_id), code="KBJ-2025-0001")


def test_one_screening_per_participant_per_day(any_engine):
    """A second screening of the same participant on the same day is refused."""
    with session_scope(any_engine) as s:
        participant = f.make_participant(s, f.make_facility(s, f.make_region(s)))
        f.make_screening(s, participant, date(2025, 9, 1), "low")
        participant_id = participant.id
    with pytest.raises(IntegrityError), session_scope(any_engine) as s:
        f.make_screening(s, s.get(Participant, participant_id), date(2025, 9, 1), "high")


@pytest.mark.parametrize(("total", "narcotics"), [(0, 0), (100, 101), (100, -1)])
def test_population_checks(any_engine, total, narcotics):
    """Population must be positive and narcotics cases between 0 and the total."""
    with session_scope(any_engine) as s:
        facility_id = f.make_facility(s, f.make_region(s)).id
    with pytest.raises(IntegrityError), session_scope(any_engine) as s:
        s.add(
            FacilityPopulation(
                facility_id=facility_id, month=date(2025, 9, 1), wbp_total=total, wbp_narcotics=narcotics
            )
        )
        s.flush()


def test_enrollment_cannot_end_before_it_starts(any_engine):
    """The database refuses an enrolment whose end precedes its start."""
    with session_scope(any_engine) as s:
        participant = f.make_participant(s, f.make_facility(s, f.make_region(s)))
        participant_id = participant.id
    with pytest.raises(IntegrityError), session_scope(any_engine) as s:
        f.make_enrollment(
            s,
            s.get(Participant, participant_id),
            date(2025, 9, 10),
            "social",
            status="completed",
            ended_on=date(2025, 9, 1),
        )
