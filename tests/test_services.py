"""Scope and role checks of direct data-layer calls: KPI reads, record reads and writes per role."""

from dataclasses import dataclass
from datetime import date

import pandas as pd
import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from rehabdata import auth, kpis, services
from rehabdata.auth import Principal, ScopeError
from rehabdata.db import session_scope
from rehabdata.demo import create_demo_users
from rehabdata.kpis import Filters, run_kpi
from rehabdata.models import (
    Assessment,
    AuditLog,
    Facility,
    OutreachEvent,
    Participant,
    Role,
    Screening,
    User,
)
from rehabdata.reference import seed_reference_data
from rehabdata.validation import ValidationFailed
from tests import factories as f
from tests.conftest import EVERYONE

SEPTEMBER = Filters(start=date(2025, 9, 1), end=date(2025, 9, 30))


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch):
    """Argon2id with minimal cost parameters: the same code path, milliseconds instead of seconds."""
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@dataclass(frozen=True)
class World:
    """The demo facilities and demo users, with a few participants and September 2025 screenings."""

    engine: Engine
    facility: dict[str, int]  # facility code -> id
    principal: dict[str, Principal]  # demo username -> principal
    kab_participant: int
    pem_participant: int
    kab_screening: int
    pem_screening: int

    @property
    def kab(self) -> int:
        return self.facility["rutan-kabanjahe"]

    @property
    def pem(self) -> int:
        return self.facility["rutan-pemalang"]


def build_world(engine: Engine) -> World:
    """Reference data and demo users as ``load_demo`` creates them, plus hand-made activity.

    Screenings in September 2025: Kabanjahe 3 (2 moderate/high), Pemalang 2 (1 high),
    Rutan Pekalongan 1 (moderate).
    """
    with session_scope(engine) as s:
        seed_reference_data(s)
        create_demo_users(s)
        s.flush()
        facilities = {row.code: s.get(Facility, row.id) for row in s.exec(select(Facility))}
        kab, pem, rpk = (facilities[c] for c in ("rutan-kabanjahe", "rutan-pemalang", "rutan-pekalongan"))
        kab_people = [f.make_participant(s, kab) for _ in range(3)]
        pem_people = [f.make_participant(s, pem) for _ in range(2)]
        rpk_person = f.make_participant(s, rpk)
        kab_screenings = [
            f.make_screening(s, person, date(2025, 9, 3 + n), risk)
            for n, (person, risk) in enumerate(zip(kab_people, ("low", "moderate", "high"), strict=True))
        ]
        pem_screenings = [
            f.make_screening(s, person, date(2025, 9, 10 + n), risk)
            for n, (person, risk) in enumerate(zip(pem_people, ("low", "high"), strict=True))
        ]
        f.make_screening(s, rpk_person, date(2025, 9, 20), "moderate")
        principals = {user.username: auth.principal_for(s, user) for user in s.exec(select(User))}
        return World(
            engine=engine,
            facility={code: row.id for code, row in facilities.items()},
            principal=principals,
            kab_participant=kab_people[0].id,
            pem_participant=pem_people[0].id,
            kab_screening=kab_screenings[0].id,
            pem_screening=pem_screenings[0].id,
        )


@pytest.fixture
def world(engine) -> World:
    """The world on SQLite."""
    return build_world(engine)


@pytest.fixture
def world_any(any_engine) -> World:
    """The world on SQLite and on PostgreSQL."""
    return build_world(any_engine)


def audit_count(engine: Engine) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(AuditLog)).one()


def count(engine: Engine, model) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def kpi(engine: Engine, principal: Principal, filters: Filters, by=()) -> pd.DataFrame:
    with Session(engine) as session:
        return run_kpi(session, principal, "risk_distribution", filters, by)


def unscoped(engine: Engine, filters: Filters, by=()) -> pd.DataFrame:
    with Session(engine) as session:
        return kpis.run_kpi(session, EVERYONE, "risk_distribution", filters, by)


def new_participant(facility_id: int, code: str = "T-NEW") -> dict:
    return {
        "facility_id": facility_id,
        "code": code,
        "sex": "m",
        "birth_year": 1991,
        "legal_status": "tahanan",
        "admitted_on": date(2025, 9, 1),
    }


# --- reads -------------------------------------------------------------------------------------


def test_petugas_cannot_read_another_facility(world_any):
    """petugas.pemalang asking for Kabanjahe KPIs or a Kabanjahe record gets ScopeError; own data works."""
    w, petugas = world_any, world_any.principal["petugas.pemalang"]
    for facility_ids in ((w.kab,), (w.pem, w.kab)):
        with pytest.raises(ScopeError):
            kpi(w.engine, petugas, Filters(SEPTEMBER.start, SEPTEMBER.end, facility_ids=facility_ids))
    with Session(w.engine) as session:
        for model, row_id in ((Participant, w.kab_participant), (Screening, w.kab_screening)):
            with pytest.raises(ScopeError):
                services.get_in_scope(session=session, principal=petugas, model=model, row_id=row_id)
        own = services.get_in_scope(
            session=session, principal=petugas, model=Participant, row_id=w.pem_participant
        )
        assert own.facility_id == w.pem
    own_kpi = kpi(w.engine, petugas, Filters(SEPTEMBER.start, SEPTEMBER.end, facility_ids=(w.pem,)))
    assert int(own_kpi["denominator"].iloc[0]) == 2


def test_empty_facility_filter_means_own_facilities_only(world_any):
    """With no facility chosen, staff and leaders get their facilities' numbers, never everyone's."""
    w = world_any
    everyone = unscoped(w.engine, SEPTEMBER)
    assert int(everyone["denominator"].iloc[0]) == 6

    petugas = kpi(w.engine, w.principal["petugas.pemalang"], SEPTEMBER)
    pemalang_only = unscoped(w.engine, Filters(SEPTEMBER.start, SEPTEMBER.end, facility_ids=(w.pem,)))
    pd.testing.assert_frame_equal(petugas, pemalang_only)
    assert (int(petugas["numerator"].iloc[0]), int(petugas["denominator"].iloc[0])) == (1, 2)

    jateng = kpi(w.engine, w.principal["kanwil.jateng"], SEPTEMBER)  # region ex-Karesidenan Pekalongan
    assert (int(jateng["numerator"].iloc[0]), int(jateng["denominator"].iloc[0])) == (2, 3)
    by_facility = kpi(w.engine, w.principal["kanwil.jateng"], SEPTEMBER, by=("facility",))
    assert set(by_facility["facility_id"]) <= {
        w.facility[c] for c in ("rutan-pemalang", "rutan-pekalongan", "lapas-pekalongan")
    }
    assert w.kab not in set(by_facility["facility_id"])


def test_region_filter_outside_scope_gives_no_foreign_rows(world):
    """A petugas choosing another region gets no Kabanjahe figures (the scope still applies)."""
    with Session(world.engine) as session:
        karo = session.exec(select(Facility.region_id).where(Facility.id == world.kab)).one()
    frame = kpi(
        world.engine,
        world.principal["petugas.pemalang"],
        Filters(SEPTEMBER.start, SEPTEMBER.end, region_ids=(karo,)),
    )
    assert frame.empty or int(frame["denominator"].fillna(0).sum()) == 0


def test_principal_without_any_scope_sees_nothing(world):
    """A non-admin with no facility or region assigned gets ScopeError, not every facility."""
    nobody = Principal(999, "kosong", "", Role.PIMPINAN, frozenset())
    with pytest.raises(ScopeError):
        kpi(world.engine, nobody, SEPTEMBER)


def test_admin_sees_everything(world):
    """admin.demo gets the unscoped numbers and may open any facility's records."""
    admin = world.principal["admin.demo"]
    pd.testing.assert_frame_equal(kpi(world.engine, admin, SEPTEMBER), unscoped(world.engine, SEPTEMBER))
    by_facility = kpi(world.engine, admin, SEPTEMBER, by=("facility",))
    assert {world.kab, world.pem} <= set(by_facility["facility_id"])
    with Session(world.engine) as session:
        for row_id in (world.kab_participant, world.pem_participant):
            services.get_in_scope(session=session, principal=admin, model=Participant, row_id=row_id)


def test_missing_record_is_not_found(world):
    """get_in_scope on an id that does not exist raises NotFoundError."""
    with Session(world.engine) as session, pytest.raises(services.NotFoundError):
        services.get_in_scope(
            session=session, principal=world.principal["admin.demo"], model=Participant, row_id=10_000
        )


# --- writes ------------------------------------------------------------------------------------


def test_petugas_cannot_change_another_facility(world_any):
    """petugas.pemalang updating or creating a Kabanjahe record gets ScopeError; nothing changes, no audit."""
    w, petugas = world_any, world_any.principal["petugas.pemalang"]
    participants = count(w.engine, Participant)
    with pytest.raises(ScopeError), session_scope(w.engine) as session:
        services.update(
            session=session, principal=petugas, model=Participant, row_id=w.kab_participant,
            changes={"birth_year": 1970},
        )  # fmt: skip
    with pytest.raises(ScopeError), session_scope(w.engine) as session:
        services.create(session=session, principal=petugas, model=Participant, data=new_participant(w.kab))
    with Session(w.engine) as session:
        assert session.get(Participant, w.kab_participant).birth_year == 1990
    assert count(w.engine, Participant) == participants
    assert audit_count(w.engine) == 0

    with session_scope(w.engine) as session:
        services.update(
            session=session, principal=petugas, model=Participant, row_id=w.pem_participant,
            changes={"birth_year": 1970},
        )  # fmt: skip
        services.create(session=session, principal=petugas, model=Participant, data=new_participant(w.pem))
    with Session(w.engine) as session:
        assert session.get(Participant, w.pem_participant).birth_year == 1970
    assert count(w.engine, Participant) == participants + 1
    assert audit_count(w.engine) == 2


def test_moving_own_record_to_another_facility_is_refused(world):
    """Changing an own participant's facility to Kabanjahe is refused and leaves the row where it was."""
    with pytest.raises(ScopeError), session_scope(world.engine) as session:
        services.update(
            session=session, principal=world.principal["petugas.pemalang"], model=Participant,
            row_id=world.pem_participant, changes={"facility_id": world.kab},
        )  # fmt: skip
    with Session(world.engine) as session:
        assert session.get(Participant, world.pem_participant).facility_id == world.pem
    assert audit_count(world.engine) == 0


def test_pimpinan_cannot_write_anything(world):
    """Leaders (region and facility level) get ScopeError for create, update and delete, even in scope."""
    w = world
    assert all(Role.PIMPINAN not in roles for roles in services.WRITERS.values())
    for username in ("kanwil.jateng", "karutan.pemalang"):
        leader = w.principal[username]
        assert leader.can_see(w.pem)
        with pytest.raises(ScopeError), session_scope(w.engine) as session:
            services.create(session=session, principal=leader, model=Participant, data=new_participant(w.pem))
        with pytest.raises(ScopeError), session_scope(w.engine) as session:
            services.create(
                session=session, principal=leader, model=Assessment,
                data={"participant_id": w.pem_participant, "facility_id": w.pem, "assessed_on": date(2025, 9, 20)},
            )  # fmt: skip
        with pytest.raises(ScopeError), session_scope(w.engine) as session:
            services.update(
                session=session, principal=leader, model=Participant, row_id=w.pem_participant,
                changes={"birth_year": 1970},
            )  # fmt: skip
        with pytest.raises(ScopeError), session_scope(w.engine) as session:
            services.delete(session=session, principal=leader, model=Screening, row_id=w.pem_screening)
    with Session(w.engine) as session:
        assert session.get(Participant, w.pem_participant).birth_year == 1990
        assert session.get(Screening, w.pem_screening) is not None
    assert count(w.engine, Assessment) == 0
    assert audit_count(w.engine) == 0


def test_pimpinan_is_refused_by_role_for_every_table():
    """For every writable table a leader's create, update and delete are refused by role, before any lookup."""
    leader = Principal(1, "kanwil.x", "", Role.PIMPINAN, frozenset({1, 2, 3}))
    for model in services.WRITERS:
        with pytest.raises(ScopeError):
            services.create(session=None, principal=leader, model=model, data={})  # type: ignore[arg-type]
        with pytest.raises(ScopeError):
            services.update(session=None, principal=leader, model=model, row_id=1, changes={})  # type: ignore[arg-type]
        with pytest.raises(ScopeError):
            services.delete(session=None, principal=leader, model=model, row_id=1)  # type: ignore[arg-type]


def test_mitra_creates_assessment_in_scope_but_no_participant(world):
    """bnnk.karo may add an Assessment at Kabanjahe, but not a Participant, and nothing at Pemalang."""
    w, mitra = world, world.principal["bnnk.karo"]
    with session_scope(w.engine) as session:
        created = services.create(
            session=session, principal=mitra, model=Assessment,
            data={"participant_id": w.kab_participant, "facility_id": w.kab, "assessed_on": date(2025, 9, 20)},
        )  # fmt: skip
    with Session(w.engine) as session:
        stored = session.get(Assessment, created.id)
        assert (stored.participant_id, stored.facility_id) == (w.kab_participant, w.kab)
        entry = session.exec(select(AuditLog)).one()
    assert (entry.username, entry.action, entry.entity, entry.entity_id) == (
        "bnnk.karo", "create", "assessment", created.id,
    )  # fmt: skip

    with pytest.raises(ScopeError), session_scope(w.engine) as session:
        services.create(session=session, principal=mitra, model=Participant, data=new_participant(w.kab))
    with pytest.raises(ScopeError), session_scope(w.engine) as session:
        services.create(
            session=session, principal=mitra, model=Assessment,
            data={"participant_id": w.pem_participant, "facility_id": w.pem, "assessed_on": date(2025, 9, 20)},
        )  # fmt: skip
    with pytest.raises(ScopeError), session_scope(w.engine) as session:
        services.update(
            session=session, principal=mitra, model=Screening, row_id=w.kab_screening,
            changes={"screener": "x"},
        )  # fmt: skip
    assert count(w.engine, Assessment) == 1
    assert audit_count(w.engine) == 1


def test_records_of_out_of_scope_participants_are_refused(world):
    """A record must belong to an in-scope participant of the same facility, on create and on update."""
    batang, karo = world.principal["bnnk.batang"], world.principal["bnnk.karo"]
    cases = (
        (batang, {"participant_id": world.kab_participant, "facility_id": world.pem}),  # foreign participant
        (karo, {"participant_id": world.pem_participant, "facility_id": world.kab}),  # same, other way round
        (
            batang,
            {"participant_id": world.pem_participant, "facility_id": world.facility["lapas-pekalongan"]},
        ),
    )
    for principal, ids in cases:
        with pytest.raises(ScopeError), session_scope(world.engine) as session:
            services.create(
                session=session,
                principal=principal,
                model=Assessment,
                data={**ids, "assessed_on": date(2025, 9, 20)},
            )
    with session_scope(world.engine) as session:
        own = services.create(
            session=session, principal=karo, model=Assessment,
            data={"participant_id": world.kab_participant, "facility_id": world.kab, "assessed_on": date(2025, 9, 20)},
        )  # fmt: skip
    with pytest.raises(ScopeError), session_scope(world.engine) as session:
        services.update(
            session=session, principal=karo, model=Assessment, row_id=own.id,
            changes={"participant_id": world.pem_participant},
        )  # fmt: skip
    with Session(world.engine) as session:
        assert session.get(Assessment, own.id).participant_id == world.kab_participant
    assert count(world.engine, Assessment) == 1
    assert audit_count(world.engine) == 1


def test_only_admin_deletes(world):
    """A petugas cannot delete even an own-facility record; the admin can, with one audit row."""
    with pytest.raises(ScopeError), session_scope(world.engine) as session:
        services.delete(
            session=session, principal=world.principal["petugas.pemalang"], model=Screening,
            row_id=world.pem_screening,
        )  # fmt: skip
    assert audit_count(world.engine) == 0
    with session_scope(world.engine) as session:
        services.delete(
            session=session,
            principal=world.principal["admin.demo"],
            model=Screening,
            row_id=world.kab_screening,
        )
    with Session(world.engine) as session:
        assert session.get(Screening, world.kab_screening) is None
        assert session.get(Screening, world.pem_screening) is not None
    assert audit_count(world.engine) == 1


def test_admin_changes_any_facility(world):
    """admin.demo updates a Kabanjahe and a Pemalang record."""
    admin = world.principal["admin.demo"]
    with session_scope(world.engine) as session:
        for row_id in (world.kab_participant, world.pem_participant):
            services.update(
                session=session,
                principal=admin,
                model=Participant,
                row_id=row_id,
                changes={"birth_year": 1980},
            )
    with Session(world.engine) as session:
        assert {
            session.get(Participant, i).birth_year for i in (world.kab_participant, world.pem_participant)
        } == {1980}


def test_region_level_records_need_a_facility_of_that_region_in_scope(world):
    """A public outreach event without a facility may be written by staff of that region, not of another."""
    with Session(world.engine) as session:
        pekalongan = session.get(Facility, world.pem).region_id
        karo = session.get(Facility, world.kab).region_id
    event = {
        "held_on": date(2025, 9, 5), "place": "Alun-alun", "event_type": "kampanye",
        "audience": "public", "people_reached": 250,
    }  # fmt: skip
    petugas = world.principal["petugas.pemalang"]
    with pytest.raises(ScopeError), session_scope(world.engine) as session:
        services.create(
            session=session, principal=petugas, model=OutreachEvent, data={**event, "region_id": karo}
        )
    with session_scope(world.engine) as session:
        services.create(
            session=session, principal=petugas, model=OutreachEvent, data={**event, "region_id": pekalongan}
        )
        services.create(
            session=session,
            principal=world.principal["admin.demo"],
            model=OutreachEvent,
            data={**event, "region_id": karo},
        )
    assert count(world.engine, OutreachEvent) == 2


def test_leadership_cannot_open_participant_records(world):
    """A pimpinan in scope still gets ScopeError for a participant-level record: aggregates only."""
    with pytest.raises(ScopeError), Session(world.engine) as session:
        services.get_in_scope(
            session=session,
            principal=world.principal["karutan.pemalang"],
            model=Participant,
            row_id=world.pem_participant,
        )


def test_unknown_field_is_refused(world):
    """An update naming a field the table does not have raises ValueError and changes nothing."""
    with pytest.raises(ValueError), session_scope(world.engine) as session:
        services.update(
            session=session, principal=world.principal["admin.demo"], model=Participant,
            row_id=world.pem_participant, changes={"birth_year": 1970, "password": "x"},
        )  # fmt: skip
    with Session(world.engine) as session:
        assert session.get(Participant, world.pem_participant).birth_year == 1990
    assert audit_count(world.engine) == 0


# --- a refused caller learns nothing -----------------------------------------------------------


def test_a_session_with_other_facilities_participants_names_none_of_them(world_any):
    """Petugas of Kabanjahe listing Pemalang's participants as present: refused, and the message
    says neither their codes nor whether they exist."""
    with Session(world_any.engine) as session:
        foreign = session.get(Participant, world_any.pem_participant).code
    staff = world_any.principal["petugas.kabanjahe"]
    data = {
        "facility_id": world_any.kab, "programme": "social", "held_on": date(2025, 9, 15),
        "session_type": "group", "topic": "Pencegahan kekambuhan",
    }  # fmt: skip
    with pytest.raises(ValidationFailed) as refused, session_scope(world_any.engine) as session:
        services.create_session_with_attendance(
            session=session, principal=staff, data=data, attended=[world_any.pem_participant, 987654]
        )
    messages = [p.message(lang) for p in refused.value.problems for lang in ("id", "en")]
    assert {p.key for p in refused.value.problems} == {"validation.unknown_participant"}
    assert not any(foreign in message for message in messages)


@pytest.mark.parametrize("username", ["karutan.kabanjahe", "bnnk.karo"])
def test_roles_that_may_not_write_are_refused_before_any_check(world, username):
    """A leader or a partner entering a population for a month already entered is told "not
    allowed", never "already exists" (which would tell them about data)."""
    with session_scope(world.engine) as session:
        services.create_population(
            session=session,
            principal=world.principal["admin.demo"],
            data={
                "facility_id": world.kab,
                "month": date(2025, 9, 1),
                "wbp_total": 300,
                "wbp_narcotics": 200,
            },
        )
    principal = world.principal[username]
    attempts = [
        lambda s: services.create_population(
            session=s, principal=principal,
            data={"facility_id": world.kab, "month": date(2025, 9, 1), "wbp_total": 300, "wbp_narcotics": 200},
        ),
        lambda s: services.create_participant(session=s, principal=principal, data={"facility_id": world.kab}),
        lambda s: services.create_screening(session=s, principal=principal, data={}),
    ]  # fmt: skip
    for attempt in attempts:
        with pytest.raises(ScopeError), session_scope(world.engine) as session:
            attempt(session)
