"""The real reference data of the two programmes: regions, partners, facilities, agreements.

One definition, seeded by ``python -m rehabdata init`` into a real database and by the demo loader
under its synthetic records. These are facts from the programmes' documents (names, dates,
parties, scope); the targets are planning figures an admin confirms or changes in Administrasi.
Codes are stable identifiers used in imports, user scopes and links.
"""

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlmodel import Session, SQLModel, select

from rehabdata.models import (
    Agreement,
    AgreementFacility,
    AgreementKind,
    AgreementScopeItem,
    Facility,
    FacilityType,
    Partner,
    Region,
    ScopeMetric,
)

Row = dict[str, Any]

# What a target counts, in the agreements' own words (the scope item's ``unit``).
METRIC_UNITS: dict[ScopeMetric, str] = {
    ScopeMetric.SCREENINGS: "WBP",
    ScopeMetric.ASSESSMENTS: "WBP",
    ScopeMetric.ENROLLMENTS_MEDICAL: "WBP",
    ScopeMetric.ENROLLMENTS_SOCIAL: "WBP",
    ScopeMetric.SKILLS_SESSIONS: "sesi",
    ScopeMetric.PEER_COUNSELLORS_TRAINED: "konselor",
    ScopeMetric.MONEV_VISITS: "kunjungan",
    ScopeMetric.OUTREACH_EVENTS: "kegiatan",
    ScopeMetric.OUTREACH_PEOPLE: "orang",
}

REGIONS: tuple[Row, ...] = (
    {
        "code": "karo",
        "name": "Kabupaten Karo",
        "province": "Sumatera Utara",
        "kanwil": "Kanwil Ditjenpas Sumatera Utara",
    },
    {
        "code": "pekalongan",
        "name": "Ex-Karesidenan Pekalongan",
        "province": "Jawa Tengah",
        "kanwil": "Kanwil Ditjenpas Jawa Tengah",
    },
)

PARTNERS: tuple[Row, ...] = (
    {"code": "bnnk-karo", "name": "BNNK Karo", "region": "karo"},
    {"code": "bnnk-batang", "name": "BNNK Batang", "region": "pekalongan"},
)

FACILITIES: tuple[Row, ...] = (
    {
        "code": "rutan-kabanjahe",
        "name": "Rutan Kelas IIB Kabanjahe",
        "facility_type": FacilityType.RUTAN,
        "facility_class": "IIB",
        "region": "karo",
        "partner": "bnnk-karo",
        "regency": "Kabupaten Karo",
    },
    {
        "code": "rutan-pemalang",
        "name": "Rutan Kelas IIB Pemalang",
        "facility_type": FacilityType.RUTAN,
        "facility_class": "IIB",
        "region": "pekalongan",
        "partner": "bnnk-batang",
        "regency": "Kabupaten Pemalang",
    },
    {
        "code": "rutan-pekalongan",
        "name": "Rutan Kelas IIA Pekalongan",
        "facility_type": FacilityType.RUTAN,
        "facility_class": "IIA",
        "region": "pekalongan",
        "partner": "bnnk-batang",
        "regency": "Kota Pekalongan",
    },
    {
        "code": "lapas-pekalongan",
        "name": "Lapas Kelas IIA Pekalongan",
        "facility_type": FacilityType.LAPAS,
        "facility_class": "IIA",
        "region": "pekalongan",
        "partner": "bnnk-batang",
        "regency": "Kota Pekalongan",
    },
)

AGREEMENTS: tuple[Row, ...] = (
    {
        "code": "mou-karo-2025",
        "kind": AgreementKind.MOU,
        "title": "MoU Rutan Kabanjahe \u2013 BNNK Karo: rehabilitasi WBP",
        "partner": "bnnk-karo",
        "region": "karo",
        "discussed_on": date(2025, 8, 5),
        "signed_on": date(2025, 8, 5),
        "place_signed": "Kabanjahe",
        "facilities": ("rutan-kabanjahe",),
        "scope": (
            ("screening", "Skrining awal WBP", ScopeMetric.SCREENINGS, 800),
            (
                "rehab_medical",
                "Rehabilitasi medis berbasis komunitas terpadu",
                ScopeMetric.ENROLLMENTS_MEDICAL,
                60,
            ),
            ("rehab_social", "Rehabilitasi sosial", ScopeMetric.ENROLLMENTS_SOCIAL, 120),
            ("assessment", "Asesmen", ScopeMetric.ASSESSMENTS, 250),
            ("skills", "Pelatihan keterampilan", ScopeMetric.SKILLS_SESSIONS, 80),
            ("peer_training", "Pelatihan konselor sebaya", ScopeMetric.PEER_COUNSELLORS_TRAINED, 40),
            ("monev", "Monitoring dan evaluasi berkala", ScopeMetric.MONEV_VISITS, 12),
            ("outreach", "Penyuluhan, edukasi dan kampanye anti narkoba", ScopeMetric.OUTREACH_EVENTS, 40),
        ),
    },
    {
        "code": "pks-batang-2025",
        "kind": AgreementKind.PKS,
        "title": "PKS Rutan Pemalang, Rutan Pekalongan, Lapas Pekalongan \u2013 BNNK Batang",
        "partner": "bnnk-batang",
        "region": "pekalongan",
        "discussed_on": date(2025, 7, 29),
        "signed_on": date(2025, 8, 4),
        "place_signed": "Rutan Pekalongan",
        "facilities": ("rutan-pemalang", "rutan-pekalongan", "lapas-pekalongan"),
        "scope": (
            ("p4gn", "Pencegahan (P4GN)", ScopeMetric.OUTREACH_EVENTS, 80),
            (
                "rehab_social",
                "Rehabilitasi sosial bagi tahanan dan narapidana",
                ScopeMetric.ENROLLMENTS_SOCIAL,
                600,
            ),
            ("outreach", "Penyuluhan", ScopeMetric.OUTREACH_PEOPLE, 8000),
            ("screening", "Skrining", ScopeMetric.SCREENINGS, 2400),
            ("monev", "Monev", ScopeMetric.MONEV_VISITS, 24),
        ),
    },
)


def _ensure(session: Session, model: type[SQLModel], rows: Iterable[Row]) -> dict[str, int]:
    """Insert the rows whose code is new; return code -> id for all of them (existing rows win)."""
    ids: dict[str, int] = {}
    for row in rows:
        existing = session.exec(select(model).where(model.code == row["code"])).first()  # type: ignore[attr-defined]
        if existing is None:
            existing = model(**row)
            session.add(existing)
            session.flush()
        ids[row["code"]] = existing.id  # type: ignore[attr-defined]
    return ids


def seed_reference_data(session: Session) -> None:
    """Regions, partners, facilities, agreements (+facility links, scope items with targets for the term).

    Rows already present (matched by code) are left as an admin may have edited or deactivated them,
    so seeding twice changes nothing.
    """
    regions = _ensure(session, Region, REGIONS)
    partners = _ensure(
        session, Partner, [{**_without(p, "region"), "region_id": regions[p["region"]]} for p in PARTNERS]
    )
    facilities = _ensure(
        session,
        Facility,
        [
            {
                **_without(f, "region", "partner"),
                "region_id": regions[f["region"]],
                "partner_id": partners[f["partner"]],
            }
            for f in FACILITIES
        ],
    )
    for spec in AGREEMENTS:
        if session.exec(select(Agreement.id).where(Agreement.code == spec["code"])).first() is not None:
            continue  # its facilities and scope items are the admin's now
        row = {
            **_without(spec, "partner", "region", "facilities", "scope"),
            "partner_id": partners[spec["partner"]],
            "region_id": regions[spec["region"]],
        }
        agreement_id = _ensure(session, Agreement, [row])[spec["code"]]
        session.add_all(
            AgreementFacility(agreement_id=agreement_id, facility_id=facilities[code])
            for code in spec["facilities"]
        )
        session.add_all(
            AgreementScopeItem(
                agreement_id=agreement_id,
                code=code,
                description=description,
                metric=metric,
                target=target,
                unit=METRIC_UNITS[metric],
            )
            for code, description, metric, target in spec["scope"]
        )
    session.flush()


def _without(row: Row, *keys: str) -> Row:
    """A copy of ``row`` minus the keys that are not model columns."""
    return {k: v for k, v in row.items() if k not in keys}
