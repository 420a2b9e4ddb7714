"""Monthly sign-off: who may sign and reopen, the lock on services and imports, signed-only KPIs, meetings."""

import io
from dataclasses import dataclass, replace
from datetime import date

import pandas as pd
import pytest
from pptx import Presentation
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from rehabdata import audit, auth, clock, db, importer, kpis, meeting, services, signoff
from rehabdata import deck as deck_module
from rehabdata.auth import Principal, ScopeError
from rehabdata.db import session_scope
from rehabdata.i18n import format_day, format_month
from rehabdata.models import (
    Attendance,
    AuditLog,
    Enrollment,
    Facility,
    FacilityPopulation,
    MonthSignoff,
    Participant,
    ProgrammeSession,
    Region,
    Role,
    Screening,
)
from rehabdata.validation import ValidationFailed
from tests import factories as f
from tests.conftest import EVERYONE, KnownData, build_known_data

SEP, OCT = date(2025, 9, 1), date(2025, 10, 1)
SEP_OCT = kpis.Filters(start=SEP, end=date(2025, 10, 31))


@dataclass(frozen=True)
class People:
    """The known dataset's facilities and one principal per role: F1's head, F2's head, F1's staff, admin."""

    data: KnownData
    head: Principal
    other_head: Principal
    staff: Principal
    partner: Principal
    admin: Principal

    @property
    def engine(self) -> Engine:
        return self.data.engine


def _user(session: Session, username: str, role: Role, *facilities: int) -> Principal:
    codes = tuple(session.get(Facility, facility_id).code for facility_id in facilities)
    user = auth.create_user(
        session=session,
        username=username,
        role=role,
        password="",
        password_hash="unused",
        facility_codes=codes,
    )
    return auth.principal_for(session, user)


def _people(data: KnownData) -> People:
    with session_scope(data.engine) as s:
        return People(
            data,
            head=_user(s, "karutan.f1", Role.PIMPINAN, data.f1),
            other_head=_user(s, "karutan.f2", Role.PIMPINAN, data.f2),
            staff=_user(s, "petugas.f1", Role.PETUGAS, data.f1),
            partner=_user(s, "bnnk.f1", Role.MITRA, data.f1),
            admin=_user(s, "admin", Role.ADMIN),
        )


@pytest.fixture
def people(engine) -> People:
    """The known dataset on SQLite with its users."""
    return _people(build_known_data(engine))


def sign(people: People, facility_id: int, month: date, principal: Principal | None = None) -> MonthSignoff:
    with session_scope(people.engine) as s:
        return signoff.sign_off(
            session=s, principal=principal or people.head, facility_id=facility_id, month=month
        )


def first(engine: Engine, model, *where):
    with Session(engine) as s:
        return s.exec(select(model).where(*where).order_by(model.id)).first()


def refusal(error: pytest.ExceptionInfo, lang: str = "id") -> str:
    [problem] = error.value.problems
    return problem.message(lang)


# --- who signs and reopens ---------------------------------------------------------------------


def test_head_of_the_facility_or_admin_signs_off_an_ended_month(people):
    """F1's head and the admin may sign; F1's staff, partner and another facility's head may not."""
    for principal, facility_id in (
        (people.staff, people.data.f1),
        (people.partner, people.data.f1),
        (people.other_head, people.data.f1),
    ):
        with pytest.raises(ScopeError), session_scope(people.engine) as s:
            signoff.sign_off(session=s, principal=principal, facility_id=facility_id, month=SEP)
    row = sign(people, people.data.f1, date(2025, 9, 17))
    assert (row.month, row.signed_by, row.reopened_at) == (SEP, "karutan.f1", None)
    assert sign(people, people.data.f2, SEP, people.admin).signed_by == "admin"


def test_a_month_is_signed_once_and_only_after_it_ends(people):
    """Signing the current month or an already signed one is refused with a readable message."""
    with pytest.raises(ValidationFailed) as current, session_scope(people.engine) as s:
        signoff.sign_off(session=s, principal=people.head, facility_id=people.data.f1, month=clock.today())
    this_month = format_month(clock.today(), "id")
    assert (
        refusal(current) == f"Bulan {this_month} belum berakhir; pengesahan dilakukan setelah bulan selesai."
    )
    sign(people, people.data.f1, SEP)
    with pytest.raises(ValidationFailed) as again:
        sign(people, people.data.f1, SEP)
    assert refusal(again, "en").startswith("F1's data for Sept 2025 was already signed off by karutan.f1")


def test_reopen_needs_an_admin_and_a_reason_and_both_actions_are_audited(people):
    """Only an admin reopens, with a written reason; sign-off and reopening each write one audit row."""
    with Session(people.engine) as s:
        version = audit.data_version(s)
    signed = sign(people, people.data.f1, SEP)
    with pytest.raises(ScopeError), session_scope(people.engine) as s:
        signoff.reopen(
            session=s, principal=people.head, facility_id=people.data.f1, month=SEP, reason="salah"
        )
    with pytest.raises(ValidationFailed) as blank, session_scope(people.engine) as s:
        signoff.reopen(session=s, principal=people.admin, facility_id=people.data.f1, month=SEP, reason="  ")
    assert [(p.field, p.key) for p in blank.value.problems] == [("reason", "validation.required")]
    reason = "Populasi September salah ketik"
    with session_scope(people.engine) as s:
        signoff.reopen(
            session=s, principal=people.admin, facility_id=people.data.f1, month=SEP, reason=reason
        )
    with Session(people.engine) as s:
        rows = s.exec(select(AuditLog).where(AuditLog.entity == "month_signoff").order_by(AuditLog.id)).all()
        assert audit.data_version(s) == version + 2
        assert signoff.standing(s, people.data.f1, SEP) is None
    assert [(r.action, r.username, r.entity_id, r.facility_id) for r in rows] == [
        ("signoff", "karutan.f1", signed.id, people.data.f1),
        ("reopen", "admin", signed.id, people.data.f1),
    ]
    assert rows[0].changes["signed_by"] == [None, "karutan.f1"]
    assert rows[1].changes["reopen_reason"] == ["", reason]
    with pytest.raises(ValidationFailed) as twice, session_scope(people.engine) as s:
        signoff.reopen(
            session=s, principal=people.admin, facility_id=people.data.f1, month=SEP, reason=reason
        )
    assert "belum disahkan" in refusal(twice)
    assert sign(people, people.data.f1, SEP).id == signed.id  # signed again: the same row, locked again


# --- the lock ------------------------------------------------------------------------------------


def screening_data(participant_id: int, day: date) -> dict:
    return {
        "participant_id": participant_id,
        "screened_on": day,
        "screener": "Perawat",
        "answers": {"cannabis": {"q2": 0}},
    }


def test_lock_refuses_service_creates_updates_and_deletes_naming_who_and_when(people):
    """In a signed month, create, update and delete through services are refused; the open month is not."""
    signed = sign(people, people.data.f1, SEP)
    screening = first(
        people.engine, Screening, Screening.facility_id == people.data.f1, Screening.screened_on < OCT
    )
    when = format_day(signoff.local_time(signed.signed_at).date(), "id")
    calls = [
        lambda s: services.create_screening(
            session=s,
            principal=people.staff,
            data=screening_data(screening.participant_id, date(2025, 9, 28)),
        ),
        lambda s: services.update(
            session=s, principal=people.staff, model=Screening, row_id=screening.id, changes={"screener": "X"}
        ),
        lambda s: services.delete(session=s, principal=people.admin, model=Screening, row_id=screening.id),
    ]
    for call in calls:
        with pytest.raises(signoff.MonthLocked) as locked, session_scope(people.engine) as s:
            call(s)
        assert refusal(locked) == (
            f"Data F1 bulan Sep 2025 sudah disahkan oleh karutan.f1 pada {when} dan terkunci. "
            "Minta admin membuka kembali bulan itu untuk mengubahnya."
        )
    assert first(people.engine, Screening, Screening.id == screening.id).screener == ""
    with session_scope(people.engine) as s:  # October is open
        services.create_screening(
            session=s,
            principal=people.staff,
            data=screening_data(screening.participant_id, date(2025, 10, 28)),
        )


def test_update_moving_a_record_into_or_out_of_a_locked_month_is_refused(people):
    """Re-dating an October screening into September, or a September one out of it, is refused."""
    sign(people, people.data.f1, SEP)
    september = first(
        people.engine, Screening, Screening.facility_id == people.data.f1, Screening.screened_on < OCT
    )
    october = first(
        people.engine, Screening, Screening.facility_id == people.data.f1, Screening.screened_on >= OCT
    )
    for row, day in ((october, date(2025, 9, 29)), (september, date(2025, 10, 29))):
        with pytest.raises(signoff.MonthLocked), session_scope(people.engine) as s:
            services.update(
                session=s,
                principal=people.staff,
                model=Screening,
                row_id=row.id,
                changes={"screened_on": day},
            )
    with Session(people.engine) as s:
        assert s.get(Screening, october.id).screened_on == october.screened_on
        assert s.get(Screening, september.id).screened_on == september.screened_on


def test_enrolment_begun_in_a_locked_month_closes_in_an_open_one_but_keeps_its_details(people):
    """The start month holds an enrolment's details; its end is judged by the end month alone."""
    sign(people, people.data.f1, SEP)
    enrolment = first(people.engine, Enrollment, Enrollment.started_on == date(2025, 9, 20))
    with pytest.raises(signoff.MonthLocked), session_scope(people.engine) as s:
        services.update(
            session=s,
            principal=people.staff,
            model=Enrollment,
            row_id=enrolment.id,
            changes={"modality": "residential"},
        )
    with pytest.raises(signoff.MonthLocked), session_scope(people.engine) as s:  # ending it in September
        services.end_enrollment(
            session=s, principal=people.staff, enrollment_id=enrolment.id,
            data={"status": "completed", "ended_on": date(2025, 9, 30)},
        )  # fmt: skip
    with session_scope(people.engine) as s:
        services.end_enrollment(
            session=s, principal=people.staff, enrollment_id=enrolment.id,
            data={"status": "completed", "ended_on": date(2025, 10, 30)},
        )  # fmt: skip
    assert first(people.engine, Enrollment, Enrollment.id == enrolment.id).status == "completed"


def test_attendance_is_locked_by_its_session_date(people):
    """A session (with attendance) in a signed month cannot be added, nor attendance added to one there."""
    sign(people, people.data.f1, SEP)
    with Session(people.engine) as s:
        held = s.exec(select(ProgrammeSession).where(ProgrammeSession.held_on == date(2025, 9, 25))).one()
        outsider = s.exec(select(Participant.id).where(Participant.facility_id == people.data.f1)).first()
        sessions = s.exec(select(func.count()).select_from(ProgrammeSession)).one()
    with pytest.raises(signoff.MonthLocked) as locked, session_scope(people.engine) as s:
        services.create_session_with_attendance(
            session=s, principal=people.staff, attended=[],
            data={"facility_id": people.data.f1, "programme": "social", "held_on": date(2025, 9, 26),
                  "session_type": "group", "topic": "Relaps"},
        )  # fmt: skip
    assert locked.value.problems[0].field == "held_on"
    with pytest.raises(signoff.MonthLocked), session_scope(people.engine) as s:
        services.create(
            session=s,
            principal=people.admin,
            model=Attendance,
            data={"session_id": held.id, "participant_id": outsider},
        )
    with Session(people.engine) as s:
        assert s.exec(select(func.count()).select_from(ProgrammeSession)).one() == sessions


def population_csv(rows: list[tuple[str, str, int]]) -> bytes:
    lines = [
        "kode_upt,bulan,jumlah_wbp,wbp_narkotika",
        *(f"{code},{month},{total},{total // 2}" for code, month, total in rows),
    ]
    return "\n".join(lines).encode()


def test_import_refuses_new_rows_of_a_locked_month_per_row_and_writes_nothing(people):
    """A new population in a signed month is a problem on its row's month; rows already present pass."""
    sign(people, people.data.f2, OCT, people.other_head)
    sign(people, people.data.f2, SEP, people.other_head)
    with Session(people.engine) as s:
        f1, f2 = (s.get(Facility, i).code for i in (people.data.f1, people.data.f2))
    data = population_csv([(f1, "2025-11", 130), (f2, "2025-10", 60), (f2, "2025-09", 50)])
    with Session(people.engine) as s:
        before = s.exec(select(func.count()).select_from(FacilityPopulation)).one()
    with session_scope(people.engine) as s:
        plan = importer.import_file(s, people.admin, "populations", data, "populasi.csv")
    assert not plan.written
    assert [(p.row, p.column, p.problem.key) for p in plan.problems] == [
        (3, "bulan", "validation.month_locked")
    ]
    assert "sudah disahkan oleh karutan.f2" in plan.problems[0].message("id")
    with Session(people.engine) as s:
        assert s.exec(select(func.count()).select_from(FacilityPopulation)).one() == before
    with session_scope(people.engine) as s:  # the present September row alone imports as "already present"
        plan = importer.import_file(s, people.admin, "populations", population_csv([(f2, "2025-09", 50)]))
    assert plan.ok and plan.counts() == {"facility_population": (0, 1)}


def test_reopened_month_accepts_writes_again(people):
    """After an admin reopens the month, the refused screening saves."""
    sign(people, people.data.f1, SEP)
    participant = first(people.engine, Participant, Participant.facility_id == people.data.f1)
    with session_scope(people.engine) as s:
        signoff.reopen(
            session=s, principal=people.admin, facility_id=people.data.f1, month=SEP, reason="koreksi"
        )
    with session_scope(people.engine) as s:
        row = services.create_screening(
            session=s, principal=people.staff, data=screening_data(participant.id, date(2025, 9, 27))
        )
    assert row.id is not None


# --- signed-off data only ------------------------------------------------------------------------

KPIS_BY_MONTH = (
    "screening_coverage",
    "risk_distribution",
    "attendance_rate",
    "substances_reported",
    "referral_funnel",
    "enrollments_by_status",
    "programme_outcomes",
    "progress",
    "outreach_reach",
    "monev_summary",
)
"""KPIs whose rows each fall in one facility-month (peer capacity's stock carries over months)."""


def add_monthly_records(data: KnownData) -> None:
    """Follow-ups, outreach and monev visits in both months at both facilities, and a region-wide event."""
    with session_scope(data.engine) as s:
        f1, f2 = s.get(Facility, data.f1), s.get(Facility, data.f2)
        p1, p2 = s.exec(
            select(Participant).where(Participant.facility_id == data.f1).order_by(Participant.id)
        ).all()[:2]
        f.make_follow_up(s, p1, date(2025, 9, 20), "low", urine_result="negative")
        f.make_follow_up(s, p2, date(2025, 10, 22), "low")
        for facility, day in ((f1, date(2025, 9, 12)), (f1, date(2025, 10, 12)), (f2, date(2025, 10, 14))):
            f.make_monev_visit(s, facility, day)
            f.make_outreach(s, s.get(Region, facility.region_id), day, 40, facility_id=facility.id)
        f.make_outreach(s, s.get(Region, f1.region_id), date(2025, 9, 13), 300)


def test_signed_off_only_kpis_equal_the_kpis_of_the_signed_months(any_engine):
    """With F1 September and F2 October signed (and F1 October reopened), every KPI by facility and month
    keeps exactly the signed cells, and the ungrouped total adds up only those."""
    people = _people(build_known_data(any_engine))
    add_monthly_records(people.data)
    f1, f2 = people.data.f1, people.data.f2
    sign(people, f1, SEP)
    sign(people, f2, OCT, people.other_head)
    sign(people, f1, OCT)
    with session_scope(any_engine) as s:
        signoff.reopen(session=s, principal=people.admin, facility_id=f1, month=OCT, reason="koreksi")
    signed_cells = {(f1, "2025-09"), (f2, "2025-10")}
    only = replace(SEP_OCT, signed_off_only=True)
    by = ("facility", "period")
    with Session(any_engine) as s:
        for name in KPIS_BY_MONTH:
            everything = kpis.run_kpi(s, EVERYONE, name, SEP_OCT, by)
            cells = list(zip(everything["facility_id"], everything["period"], strict=True))
            keep = [
                pd.notna(facility) and (int(facility), period) in signed_cells for facility, period in cells
            ]
            expected = everything[keep].reset_index(drop=True)
            signed = kpis.run_kpi(s, EVERYONE, name, only, by).reset_index(drop=True)
            pd.testing.assert_frame_equal(signed, expected, check_dtype=False, obj=name)
        risk = kpis.run_kpi(s, EVERYONE, "risk_distribution", only).iloc[0]
        assert (risk["numerator"], risk["denominator"]) == (3, 4)  # F1 September 2 of 3, F2 October 1 of 1
        assert kpis.run_kpi(
            s, EVERYONE, "active_enrollments", only
        ).empty  # October, the period's last month, is signed by F2 only
        assert kpis.run_kpi(s, EVERYONE, "signed_off_months", only)["months"].iloc[0] == 2


# --- migration and meetings ----------------------------------------------------------------------


def test_migration_0003_upgrades_a_populated_database(tmp_path):
    """A database at 0002 with rows upgrades to 0003, keeps them and gets an empty sign-off table."""
    engine = db.make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    db.upgrade_schema(engine, "0002")
    with engine.begin() as connection:  # in 0002's columns: the models of today have more
        connection.exec_driver_sql("INSERT INTO region (code, name, province) VALUES ('lama', 'Lama', 'P')")
        connection.exec_driver_sql(
            "INSERT INTO facility (code, name, facility_type, facility_class, region_id, active)"
            " VALUES ('upt-lama', 'UPT', 'rutan', 'IIB', 1, 1)"
        )
    db.upgrade_schema(engine, "0003")
    assert db.current_revision(engine) == "0003"
    with Session(engine) as s:
        assert s.exec(select(Region.code)).all() == ["lama"]
        assert s.exec(select(func.count()).select_from(MonthSignoff)).one() == 0


def test_meeting_view_and_deck_state_the_signed_months(people, monkeypatch):
    """Title slide and every source line (page and deck) list the signed months; partly signed ones say so."""
    sign(people, people.data.f1, SEP)
    sign(people, people.data.f1, OCT)
    sign(people, people.data.f2, OCT, people.other_head)
    subject = meeting.Subject(
        "agreement", "pks-x", "PKS X", (people.data.f1, people.data.f2), ("F1", "F2"), ("BNNK",)
    )
    with Session(people.engine) as s:
        read = meeting.reader(s, people.admin)
        view = meeting.build_view(read, subject, SEP, date(2025, 10, 31), "id")
        english = meeting.build_view(read, subject, SEP, date(2025, 10, 31), "en")
        single = replace(subject, facility_ids=(people.data.f2,), facilities=("F2",))
        none = meeting.build_view(read, single, SEP, date(2025, 9, 30), "id")
    sentence = "Bulan yang sudah disahkan: Sep 2025 (sebagian UPT), Okt 2025."
    assert view.signoff == sentence
    assert english.signoff == "Months signed off: Sept 2025 (some facilities), Oct 2025."
    assert none.signoff == "Belum ada bulan yang disahkan pada periode ini."
    assert sentence in view.slides[0].points and sentence in view.source
    monkeypatch.setattr(deck_module, "chart_png", lambda *args: None)  # no Chromium needed for text
    slides = Presentation(io.BytesIO(deck_module.render_deck(view))).slides
    texts = [[shape.text_frame.text for shape in slide.shapes if shape.has_text_frame] for slide in slides]
    assert all(any(sentence in text for text in slide) for slide in texts)


def test_summary_counts_months_per_facility_in_the_grid_order():
    """Per facility: ended unsigned months, signed months, incomplete months and quality errors."""
    grid = pd.DataFrame(
        {
            "facility_id": [2, 2, 2, 1, 1],
            "facility": ["B", "B", "B", "A", "A"],
            "ended": [True, True, False, True, True],
            "signed": [True, False, False, False, False],
            "state": ["complete", "incomplete", None, "incomplete", "incomplete"],
            "errors": [0, 3, 1, 2, 0],
        }
    )
    summary = signoff.summary(grid)
    assert summary.to_dict("records") == [
        {"facility_id": 2, "facility": "B", "to_sign": 1, "signed": 1, "incomplete": 1, "errors": 4},
        {"facility_id": 1, "facility": "A", "to_sign": 2, "signed": 0, "incomplete": 2, "errors": 2},
    ]


# --- a signed-off month's figures do not move -----------------------------------------------------


def october_attendance(people: People) -> tuple[int, int]:
    with Session(people.engine) as s:
        row = kpis.run_kpi(s, EVERYONE, "attendance_rate", kpis.Filters(start=OCT, end=date(2025, 10, 31)))
    return int(row["numerator"].iloc[0]), int(row["denominator"].iloc[0])


def test_an_enrolment_reaching_a_signed_month_is_refused_and_its_figures_stay(people):
    """October signed: an enrolment started on 30 September (open) would count as expected in
    October's sessions; so would moving an end date out of October or deleting one spanning it."""
    sign(people, people.data.f1, OCT)
    before = october_attendance(people)
    p1 = first(people.engine, Participant, Participant.facility_id == people.data.f1)
    with pytest.raises(signoff.MonthLocked) as refused, session_scope(people.engine) as s:
        services.create_enrollment(
            session=s,
            principal=people.staff,
            data={
                "participant_id": p1.id,
                "programme": "social",
                "modality": "outpatient",
                "started_on": date(2025, 9, 30),
            },
        )
    assert "Okt 2025" in refusal(refused) and "karutan.f1" in refusal(refused)
    completed = first(people.engine, Enrollment, Enrollment.status == "completed")  # P3: 09-15 → 10-10
    spanning = first(people.engine, Enrollment, Enrollment.started_on == date(2025, 9, 20))  # P2, active
    for write in (
        lambda s: services.update(
            session=s, principal=people.admin, model=Enrollment, row_id=completed.id,
            changes={"ended_on": date(2025, 9, 30)},
        ),
        lambda s: services.delete(session=s, principal=people.admin, model=Enrollment, row_id=spanning.id),
        lambda s: services.update(
            session=s, principal=people.admin, model=Enrollment, row_id=spanning.id,
            changes={"started_on": date(2025, 9, 21)},
        ),
    ):  # fmt: skip
        with pytest.raises(signoff.MonthLocked), session_scope(people.engine) as s:
            write(s)
    assert october_attendance(people) == before
    with session_scope(people.engine) as s:  # closing it in an open month leaves October as it was
        services.end_enrollment(
            session=s, principal=people.staff, enrollment_id=spanning.id,
            data={"status": "completed", "ended_on": date(2025, 11, 5)},
        )  # fmt: skip
    assert october_attendance(people) == before


def test_every_status_change_of_an_enrolment_needs_its_date(people):
    """A generic update cannot end an enrolment without an end date, nor reactivate one keeping it;
    a dated change in a signed month is refused."""
    active = first(people.engine, Enrollment, Enrollment.started_on == date(2025, 9, 20))
    completed = first(people.engine, Enrollment, Enrollment.status == "completed")
    for row_id, changes, field in (
        (active.id, {"status": "dropped_out"}, "ended_on"),
        (completed.id, {"status": "active"}, "status"),
    ):
        with pytest.raises(ValidationFailed) as refused, session_scope(people.engine) as s:
            services.update(
                session=s, principal=people.admin, model=Enrollment, row_id=row_id, changes=changes
            )
        assert [p.field for p in refused.value.problems] == [field]
    sign(people, people.data.f1, OCT)
    with pytest.raises(signoff.MonthLocked), session_scope(people.engine) as s:  # dated in October
        services.update(
            session=s, principal=people.admin, model=Enrollment, row_id=active.id,
            changes={"status": "dropped_out", "ended_on": date(2025, 10, 15)},
        )  # fmt: skip
    assert first(people.engine, Enrollment, Enrollment.id == active.id).status == "active"
