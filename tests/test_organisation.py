"""Reference data written by an admin: validated, audited, codes fixed, deactivated not deleted."""

from datetime import date

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from rehabdata import kpis, organisation
from rehabdata.auth import Principal, ScopeError
from rehabdata.db import session_scope
from rehabdata.kpis import Filters
from rehabdata.models import (
    Agreement,
    AgreementFacility,
    AgreementScopeItem,
    AuditLog,
    Facility,
    Partner,
    Region,
    Role,
    User,
)
from rehabdata.reference import seed_reference_data
from rehabdata.validation import ValidationFailed
from tests.conftest import EVERYONE

ADMIN = Principal(1, "admin", "", Role.ADMIN, frozenset(), all_facilities=True)


@pytest.fixture
def reference(any_engine) -> Engine:
    """The programmes' reference data and one admin (user id 1, as ``ADMIN``)."""
    with session_scope(any_engine) as session:
        seed_reference_data(session)
        session.add(User(id=1, username="admin", role=Role.ADMIN, password_hash="-"))
    return any_engine


def ids(engine: Engine, model) -> dict[str, int]:
    with Session(engine) as session:
        return {row.code: row.id for row in session.exec(select(model))}


def counts(engine: Engine) -> tuple[int, ...]:
    with Session(engine) as session:
        return tuple(
            session.exec(select(func.count()).select_from(model)).one()
            for model in (
                Region,
                Partner,
                Facility,
                Agreement,
                AgreementFacility,
                AgreementScopeItem,
                AuditLog,
            )
        )


def refused(engine: Engine, save, principal: Principal = ADMIN, **kwargs) -> dict[str, str]:
    """Run a save expected to fail validation; the problems as field → Indonesian message."""
    before = counts(engine)
    with pytest.raises(ValidationFailed) as failure, session_scope(engine) as session:
        save(session=session, principal=principal, **kwargs)
    assert counts(engine) == before, "a refused save wrote something"
    return {problem.field: problem.message("id") for problem in failure.value.problems}


def new_facility(engine: Engine, **changes) -> dict:
    regions, partners = ids(engine, Region), ids(engine, Partner)
    return {
        "code": "rutan-batang",
        "name": "Rutan Kelas IIB Batang",
        "facility_type": "rutan",
        "facility_class": "IIB",
        "region_id": regions["pekalongan"],
        "partner_id": partners["bnnk-batang"],
        "regency": "Kabupaten Batang",
        "capacity": 180,
        **changes,
    }


def test_a_new_facility_is_audited_and_offered_at_once(reference):
    with session_scope(reference) as session:
        facility = organisation.save_facility(session=session, principal=ADMIN, data=new_facility(reference))
        new_id = facility.id
    with Session(reference) as session:
        labels = kpis.facility_labels(session)
        entry = session.exec(select(AuditLog).where(AuditLog.entity == "facility")).one()
    assert "Rutan Kelas IIB Batang" in set(labels["facility"])
    assert (entry.action, entry.entity_id, entry.username) == ("create", new_id, "admin")
    assert entry.changes["capacity"] == [None, 180]
    assert entry.changes["regency"] == [None, "Kabupaten Batang"]


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"code": "Rutan Batang!"}, "code", "huruf kecil"),
        ({"code": "rutan-kabanjahe"}, "code", "sudah dipakai"),
        ({"name": "rutan kelas iib kabanjahe"}, "name", "sudah dipakai"),
        ({"name": "   "}, "name", "Wajib"),
        ({"capacity": 0}, "capacity", "Minimal 1"),
        ({"facility_type": "penjara"}, "facility_type", ""),
        ({"region_id": 9999}, "region_id", "tidak ditemukan atau sudah nonaktif"),
    ],
)
def test_a_bad_facility_is_refused_in_indonesian(reference, changes, field, words):
    problems = refused(reference, organisation.save_facility, data=new_facility(reference, **changes))
    assert field in problems
    assert words in problems[field]


def test_a_code_never_changes_but_the_rest_does(reference):
    kabanjahe = ids(reference, Facility)["rutan-kabanjahe"]
    with Session(reference) as session:
        current = session.get(Facility, kabanjahe).model_dump()
    data = {k: current[k] for k in new_facility(reference)}
    problems = refused(
        reference, organisation.save_facility, data={**data, "code": "kabanjahe-baru"}, facility_id=kabanjahe
    )
    assert "tidak bisa diubah" in problems["code"]
    with session_scope(reference) as session:
        organisation.save_facility(
            session=session, principal=ADMIN, data={**data, "capacity": 350}, facility_id=kabanjahe
        )
    with Session(reference) as session:
        assert session.get(Facility, kabanjahe).capacity == 350
        change = session.exec(select(AuditLog).where(AuditLog.action == "update")).one()
    assert change.changes == {"capacity": [None, 350]}


@pytest.mark.parametrize("role", [Role.PETUGAS, Role.PIMPINAN, Role.MITRA])
def test_only_an_admin_writes_reference_data_and_others_learn_nothing(reference, role):
    facility = ids(reference, Facility)["rutan-kabanjahe"]
    staff = Principal(2, "staff", "", role, frozenset({facility}))
    before = counts(reference)
    # a duplicate code would be a validation problem: the role is refused before anything is looked up
    with pytest.raises(ScopeError), session_scope(reference) as session:
        organisation.save_facility(
            session=session, principal=staff, data=new_facility(reference, code="rutan-kabanjahe")
        )
    with pytest.raises(ScopeError), session_scope(reference) as session:
        organisation.set_active(
            session=session, principal=staff, model=Facility, row_id=facility, active=False
        )
    assert counts(reference) == before


def agreement_data(engine: Engine, **changes) -> dict:
    partners, regions, facilities = ids(engine, Partner), ids(engine, Region), ids(engine, Facility)
    return {
        "code": "pks-batang-2026",
        "kind": "pks",
        "number": "PKS/12/XI/2026",
        "title": "PKS Rehabilitasi Sosial Rutan Pemalang 2026",
        "partner_id": partners["bnnk-batang"],
        "region_id": regions["pekalongan"],
        "signed_on": date(2026, 11, 2),
        "ends_on": date(2027, 12, 31),
        "facility_ids": [facilities["rutan-pemalang"], facilities["lapas-pekalongan"]],
        **changes,
    }


def test_an_agreement_with_two_scope_items_reaches_the_delivery_kpi(reference):
    with session_scope(reference) as session:
        agreement = organisation.save_agreement(
            session=session, principal=ADMIN, data=agreement_data(reference)
        )
        for code, metric, target in (("skrining", "screenings", 300), ("sosial", "enrollments_social", 40)):
            organisation.save_scope_item(
                session=session,
                principal=ADMIN,
                data={
                    "agreement_id": agreement.id,
                    "code": code,
                    "description": f"Target {code}",
                    "metric": metric,
                    "target": target,
                    "unit": "WBP",
                    "due_on": date(2027, 6, 30),
                },
            )
        agreement_id = agreement.id
    with Session(reference) as session:
        delivery = kpis.run_kpi(
            session, EVERYONE, "agreement_delivery", Filters(start=date(2026, 11, 1), end=date(2026, 11, 30))
        )
        links = session.exec(select(AuditLog).where(AuditLog.entity == "agreement_facility")).all()
    mine = delivery[delivery["agreement_id"] == agreement_id]
    assert sorted(mine["item_code"]) == ["skrining", "sosial"]
    assert sorted(mine["target"]) == [40, 300]
    assert len(links) == 2


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"ends_on": date(2026, 1, 1)}, "ends_on", ""),
        ({"facility_ids": []}, "facility_ids", ""),
        ({"facility_ids": [9999]}, "facility_ids", "tidak ditemukan atau sudah nonaktif"),
        ({"signed_on": date(2099, 1, 1)}, "signed_on", ""),
        ({"kind": "surat"}, "kind", ""),
        ({"code": "mou-karo-2025"}, "code", "sudah dipakai"),
    ],
)
def test_a_bad_agreement_is_refused(reference, changes, field, words):
    problems = refused(reference, organisation.save_agreement, data=agreement_data(reference, **changes))
    assert field in problems
    assert words in problems[field]


def test_scope_items_are_checked_against_their_agreement(reference):
    agreement = ids(reference, Agreement)["mou-karo-2025"]
    with Session(reference) as session:
        taken = session.exec(
            select(AgreementScopeItem.code).where(AgreementScopeItem.agreement_id == agreement)
        ).first()
    item = {
        "agreement_id": agreement,
        "code": "baru",
        "description": "x",
        "metric": "screenings",
        "target": 5,
    }
    assert (
        "sebelum penandatanganan"
        in refused(reference, organisation.save_scope_item, data={**item, "due_on": date(2025, 1, 1)})[
            "due_on"
        ]
    )
    assert (
        "sudah dipakai"
        in refused(reference, organisation.save_scope_item, data={**item, "code": taken})["code"]
    )
    assert "target" in refused(reference, organisation.save_scope_item, data={**item, "target": 0})


def test_changing_coverage_replaces_the_links_and_audits_the_removal(reference):
    facilities = ids(reference, Facility)
    with session_scope(reference) as session:
        agreement = organisation.save_agreement(
            session=session, principal=ADMIN, data=agreement_data(reference)
        )
        agreement_id = agreement.id
    with session_scope(reference) as session:
        organisation.save_agreement(
            session=session,
            principal=ADMIN,
            data=agreement_data(reference, facility_ids=[facilities["rutan-pemalang"]]),
            agreement_id=agreement_id,
        )
    with Session(reference) as session:
        covered = session.exec(
            select(AgreementFacility.facility_id).where(AgreementFacility.agreement_id == agreement_id)
        ).all()
        removal = session.exec(
            select(AuditLog).where(AuditLog.entity == "agreement_facility", AuditLog.action == "delete")
        ).one()
    assert covered == [facilities["rutan-pemalang"]]
    assert removal.changes["facility_id"] == [facilities["lapas-pekalongan"], None]


def test_deactivating_keeps_the_record_and_hides_an_agreement_from_reports(reference):
    agreement = ids(reference, Agreement)["mou-karo-2025"]
    september = Filters(start=date(2025, 9, 1), end=date(2025, 9, 30))
    with Session(reference) as session:
        assert agreement in set(
            kpis.run_kpi(session, EVERYONE, "agreement_delivery", september)["agreement_id"]
        )
    with session_scope(reference) as session:
        organisation.set_active(
            session=session, principal=ADMIN, model=Agreement, row_id=agreement, active=False
        )
    with Session(reference) as session:
        assert session.get(Agreement, agreement).active is False
        assert agreement not in set(
            kpis.run_kpi(session, EVERYONE, "agreement_delivery", september)["agreement_id"]
        )
        assert agreement not in set(kpis.agreement_list(session, september)["agreement_id"])
        entry = session.exec(select(AuditLog).where(AuditLog.entity == "agreement")).one()
    assert entry.changes == {"active": [True, False]}


def test_a_new_facility_cannot_join_an_inactive_region(reference):
    region = ids(reference, Region)["pekalongan"]
    with session_scope(reference) as session:
        organisation.set_active(session=session, principal=ADMIN, model=Region, row_id=region, active=False)
    assert "region_id" in refused(reference, organisation.save_facility, data=new_facility(reference))


def test_reference_rows_list_every_record_and_an_agreements_facilities(reference):
    with Session(reference) as session:
        agreements = organisation.reference_rows(session, Agreement)
        facilities = organisation.reference_rows(session, Facility)
    assert len(facilities) == 4
    coverage = {row["code"]: len(row["facility_ids"]) for row in agreements}
    assert coverage == {"mou-karo-2025": 1, "pks-batang-2025": 3}
