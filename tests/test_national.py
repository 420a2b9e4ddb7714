"""National-scale generator (``rehabdata.national``) at a tiny scale factor, on SQLite and PostgreSQL."""

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import text

from rehabdata.assist import risk_level, score_screening
from rehabdata.db import session_scope
from rehabdata.demo import DemoError
from rehabdata.models import Participant, Region
from rehabdata.national import load_national
from tests.conftest import sqlite_engine

TODAY = date(2026, 6, 30)
FACTOR = 0.004  # 530 x 0.004 -> 3, raised to the minimum of 4 facilities


def _load(engine, seed=7):
    return load_national(engine, seed=seed, years=1, scale_factor=FACTOR, today=TODAY)


def _fingerprint(engine) -> tuple:
    with engine.connect() as connection:
        return tuple(
            connection.exec_driver_sql(sql).scalar()
            for sql in (
                "SELECT sum(max_score) FROM screening",
                "SELECT sum(id * session_id + participant_id) FROM attendance",
                "SELECT sum(participant_id) FROM enrollment",
                "SELECT sum(wbp_total) FROM facility_population",
            )
        )


def test_deterministic_plausible_and_consistent(any_engine, tmp_path):
    summary = _load(any_engine)
    counts = summary.counts
    assert counts["facility"] == 4
    assert counts["region"] == 4
    assert counts["participant"] > 1000
    assert counts["participant"] * 1.02 < counts["screening"] < counts["participant"] * 1.2  # some again
    assert counts["enrollment"] > 20
    assert counts["attendance"] > 20 * counts["enrollment"]
    assert all(counts[table] > 0 for table in ("follow_up", "outreach_event", "monev_visit", "agreement"))

    # the same seed on another database gives the same rows
    (tmp_path / "second").mkdir()
    engine = sqlite_engine(tmp_path / "second")
    try:
        assert _load(engine).counts == counts
        assert _fingerprint(engine) == _fingerprint(any_engine)
    finally:
        engine.dispose()

    with any_engine.connect() as connection:
        sql = connection.exec_driver_sql
        # every attendance row has an enrolment of that participant, facility and programme active that day
        orphans = sql(
            """SELECT count(*) FROM attendance a JOIN programme_session s ON s.id = a.session_id
               WHERE NOT EXISTS (SELECT 1 FROM enrollment e
                   WHERE e.participant_id = a.participant_id AND e.facility_id = s.facility_id
                     AND e.programme = s.programme AND e.started_on <= s.held_on
                     AND (e.ended_on IS NULL OR s.held_on <= e.ended_on))"""
        ).scalar()
        assert orphans == 0
        # screenings within the stay, in the participant's facility
        outside = sql(
            """SELECT count(*) FROM screening s JOIN participant p ON p.id = s.participant_id
               WHERE s.screened_on < p.admitted_on OR (p.exited_on IS NOT NULL AND s.screened_on > p.exited_on)
                  OR s.facility_id <> p.facility_id OR s.screened_on > '2026-06-30'"""
        ).scalar()
        assert outside == 0
        # everyone is screened once on admission; a second screening comes half a year later or more
        per_participant = dict(
            sql(
                "SELECT n, count(*) FROM (SELECT count(*) AS n FROM screening GROUP BY participant_id) AS c"
                " GROUP BY n"
            ).all()
        )
        assert (
            set(per_participant) == {1, 2}
            and per_participant[1] + per_participant[2] == counts["participant"]
        )
        pairs = sql(
            """SELECT a.screened_on, b.screened_on, b.facility_id = a.facility_id FROM screening a
               JOIN screening b ON b.participant_id = a.participant_id AND b.id > a.id"""
        ).all()
        gaps = [date.fromisoformat(str(b)) - date.fromisoformat(str(a)) for a, b, _ in pairs]
        assert len(pairs) == per_participant[2] and min(gaps) >= timedelta(days=180)
        assert all(same_facility for *_, same_facility in pairs)
        # enrolments start after their assessment and end within the stay
        bad = sql(
            """SELECT count(*) FROM enrollment e JOIN assessment a ON a.id = e.assessment_id
               JOIN participant p ON p.id = e.participant_id
               WHERE e.started_on < a.assessed_on OR (p.exited_on IS NOT NULL AND
                     (e.ended_on IS NULL OR e.ended_on > p.exited_on))"""
        ).scalar()
        assert bad == 0
        # score columns agree with the answers and with overall_risk
        rows = sql(
            "SELECT answers, max_score, overall_risk, recommendation, score_amphetamines, score_tobacco"
            " FROM screening ORDER BY id LIMIT 300"
        ).all()
        for answers, max_score, overall, recommendation, amphetamines, tobacco in rows:
            answers = answers if isinstance(answers, dict) else json.loads(answers)
            injecting = answers.pop("q8")
            result = score_screening(answers, injecting)
            assert (result.overall_risk, result.recommendation) == (overall, recommendation)
            assert max_score == max(result.scores.values(), default=0)
            assert amphetamines == result.scores.get("amphetamines")
            assert tobacco == result.scores.get("tobacco")
        risks = dict(sql("SELECT overall_risk, count(*) FROM screening GROUP BY overall_risk").all())
        assert set(risks) == {"low", "moderate", "high"}
        assert risks["low"] > risks["moderate"] > risks["high"]
        high_rows = sql("SELECT max_score FROM screening WHERE overall_risk = 'high'").scalars().all()
        assert all(risk_level("amphetamines", min(score, 39)) == "high" for score in high_rows)


def test_refuses_non_empty_and_sequences_advance(any_engine):
    _load(any_engine, seed=3)
    with pytest.raises(DemoError):
        _load(any_engine, seed=3)
    with session_scope(any_engine) as session:  # ORM inserts after the explicit-id bulk load
        region = Region(code="new-region", name="New", province="X")
        session.add(region)
        session.flush()
        participant = Participant(
            facility_id=1, code="NEW-1", sex="m", birth_year=1990, legal_status="tahanan", admitted_on=TODAY
        )
        session.add(participant)
        session.flush()
        assert region.id == 5
    with any_engine.connect() as connection:
        assert connection.execute(text("SELECT max(id) FROM participant")).scalar() == participant.id
