"""Demo data: the programmes' real reference data (``reference``) plus believable, synthetic activity.

A fresh install shows working dashboards instead of empty charts. Reference rows (regions,
partners, facilities, agreements) are real facts; everything about WBP is invented, carries no
names (pseudonymous codes, staff as roles) and is reproducible from a seed, so screenshots, tests
and meetings see the same numbers.
"""

import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, NamedTuple

from sqlalchemy import Engine, func, insert, text
from sqlmodel import Session, SQLModel, select

from rehabdata import aggregates, clock
from rehabdata.assist import QUESTION_SCALES, SUBSTANCES, questions_for, risk_level, score_screening
from rehabdata.auth import create_user, hash_password
from rehabdata.bootstrap import DEMO_KEY, DatabaseState, database_state
from rehabdata.db import session_scope
from rehabdata.models import (
    ActionStatus,
    Agreement,
    AgreementFacility,
    AgreementScopeItem,
    AppSetting,
    Assessment,
    Attendance,
    Audience,
    Enrollment,
    EnrollmentStatus,
    ExitReason,
    Facility,
    FacilityPopulation,
    FacilityType,
    FollowUp,
    FollowUpStage,
    LegalStatus,
    Modality,
    MonevAction,
    MonevVisit,
    OutreachEvent,
    OutreachType,
    Participant,
    Partner,
    PeerCounsellor,
    PeerCounsellorTraining,
    ProgrammeSession,
    ProgrammeType,
    Region,
    RiskLevel,
    Role,
    Screening,
    SessionType,
    Sex,
    UrineResult,
    User,
)
from rehabdata.periods import add_months, month_start, months_between
from rehabdata.reference import AGREEMENTS, seed_reference_data

PROGRAMME_START = date(2025, 8, 1)

Row = dict[str, Any]


class DemoError(Exception):
    """Demo data cannot be loaded here (e.g. the database already holds data)."""


@dataclass(frozen=True)
class DemoSummary:
    """Row counts per table name after loading, for the CLI to print."""

    counts: dict[str, int]


# --- synthetic activity: parameters ------------------------------------------------------------


@dataclass(frozen=True)
class _SiteParams:
    """Demo-only facts about a facility: code prefix, typical WBP count, weekly session day."""

    prefix: str
    short: str
    wbp_total: int
    weekday: int  # 0 = Monday
    programmes: tuple[ProgrammeType, ...]


_SITE_PARAMS: dict[str, _SiteParams] = {
    "rutan-kabanjahe": _SiteParams(
        "KBJ", "Rutan Kabanjahe", 420, 1, (ProgrammeType.MEDICAL, ProgrammeType.SOCIAL)
    ),
    "rutan-pemalang": _SiteParams("PML", "Rutan Pemalang", 260, 2, (ProgrammeType.SOCIAL,)),
    "rutan-pekalongan": _SiteParams("PKL", "Rutan Pekalongan", 330, 3, (ProgrammeType.SOCIAL,)),
    "lapas-pekalongan": _SiteParams("LPK", "Lapas Pekalongan", 640, 0, (ProgrammeType.SOCIAL,)),
}

# lapas-pekalongan has not yet entered the current month's population: something for
# the completeness view to show.
_LATE_REPORTER = "lapas-pekalongan"

_RISK_WEIGHTS = ((RiskLevel.LOW, 60), (RiskLevel.MODERATE, 30), (RiskLevel.HIGH, 10))
# Karo lies on the cannabis route from Aceh; elsewhere sabu dominates even more.
_PRIMARY_WEIGHTS: dict[str, tuple[tuple[str, int], ...]] = {
    "karo": (("amphetamines", 60), ("cannabis", 30), ("alcohol", 4), ("sedatives", 4), ("opioids", 2)),
    "pekalongan": (
        ("amphetamines", 75),
        ("cannabis", 13),
        ("alcohol", 5),
        ("sedatives", 5),
        ("inhalants", 2),
    ),
}
# Per-question answer pools by intended risk; draws are kept only when the scorer agrees.
_ANSWER_POOLS: dict[RiskLevel, dict[str, tuple[int, ...]]] = {
    RiskLevel.LOW: {
        "q2": (0, 0, 2, 3),
        "q3": (0, 0, 3),
        "q4": (0,),
        "q5": (0,),
        "q6": (0, 0, 3),
        "q7": (0, 0, 3),
    },
    RiskLevel.MODERATE: {
        "q2": (2, 3, 4, 6),
        "q3": (0, 3, 4, 5),
        "q4": (0, 4, 5),
        "q5": (0, 5, 6),
        "q6": (0, 0, 0, 3, 6),
        "q7": (0, 0, 0, 3),
    },
    RiskLevel.HIGH: {
        "q2": (4, 6, 6),
        "q3": (4, 5, 6),
        "q4": (5, 6, 7),
        "q5": (5, 6, 7, 8),
        "q6": (3, 6, 6),
        "q7": (3, 6, 6),
    },
}
_URINE_WEIGHTS: dict[RiskLevel, tuple[int, int, int]] = {  # positive, negative, not done
    RiskLevel.LOW: (5, 75, 20),
    RiskLevel.MODERATE: (30, 55, 15),
    RiskLevel.HIGH: (55, 35, 10),
}
_URINE = (UrineResult.POSITIVE, UrineResult.NEGATIVE, UrineResult.NOT_DONE)
_DIAGNOSES: dict[str, tuple[str, str]] = {
    "amphetamines": ("stimulan", "F15"),
    "cannabis": ("kanabinoid", "F12"),
    "alcohol": ("alkohol", "F10"),
    "sedatives": ("sedatif/hipnotik", "F13"),
    "opioids": ("opioida", "F11"),
    "inhalants": ("inhalansia", "F18"),
}
_TREATMENT_HISTORY = (
    ("Belum pernah", 80),
    ("Pernah rehabilitasi rawat jalan", 12),
    ("Pernah rehabilitasi rawat inap", 5),
    ("Pernah detoksifikasi", 3),
)
_GROUP_TOPICS = (
    "Konseling kelompok: mengenali pemicu",
    "Pencegahan kekambuhan (relapse prevention)",
    "Manajemen emosi dan stres",
    "Keterampilan menolak tawaran narkoba",
    "Morning meeting dan static group (TC)",
    "Membangun kembali hubungan dengan keluarga",
    "Bimbingan spiritual dan motivasi",
    "Perencanaan hidup setelah bebas",
)
_SKILLS_TOPICS = (
    "Pelatihan keterampilan: pertukangan kayu",
    "Pelatihan keterampilan: menjahit",
    "Pelatihan keterampilan: budidaya hidroponik",
    "Pelatihan keterampilan: pangkas rambut",
    "Pelatihan keterampilan: sablon",
)
_EDUCATION_TOPICS = (
    "Edukasi bahaya narkoba, HIV dan hepatitis",
    "Edukasi hukum narkotika dan hak rehabilitasi",
    "Edukasi pola hidup sehat",
)
_MEDICAL_TOPICS = (
    "Pemeriksaan kesehatan dan konseling adiksi",
    "Terapi simtomatik dan pemantauan gejala putus zat",
    "Evaluasi kondisi fisik dan psikis",
)
_INSTRUCTOR = "Instruktur Pelatihan Kerja"
_PEER_TOPICS = ("Pertemuan konselor sebaya", "Pendampingan sebaya bagi WBP baru")
_DROP_REASONS = ("Tidak mengikuti sesi berturut-turut", "Mengundurkan diri")

# (facility, first day, days, batch) of the peer-counsellor trainings.
_TRAININGS = (
    ("rutan-pekalongan", date(2025, 9, 23), 2, "I"),
    ("rutan-kabanjahe", date(2025, 10, 14), 3, "I"),
    ("lapas-pekalongan", date(2026, 2, 10), 3, "I"),
    ("rutan-kabanjahe", date(2026, 4, 21), 3, "II"),
    ("rutan-pemalang", date(2026, 7, 14), 2, "I"),
)

_OUTREACH_PLACES: dict[str, dict[Audience, tuple[str, ...]]] = {
    "karo": {
        Audience.PUBLIC: (
            "Car Free Day Kabanjahe",
            "Pasar tradisional Berastagi",
            "Balai desa di Kecamatan Kabanjahe",
        ),
        Audience.SCHOOLS: ("SMA Negeri di Kabanjahe", "SMK Negeri di Berastagi", "SMP Negeri di Kabanjahe"),
    },
    "pekalongan": {
        Audience.PUBLIC: ("Alun-alun Kota Pekalongan", "Alun-alun Batang", "Alun-alun Pemalang"),
        Audience.SCHOOLS: ("SMA Negeri di Kota Pekalongan", "SMK Negeri di Batang", "SMP Negeri di Pemalang"),
    },
}
_AUDIENCE_WEIGHTS = (
    (Audience.WBP, 35),
    (Audience.FAMILIES, 20),
    (Audience.PUBLIC, 25),
    (Audience.SCHOOLS, 20),
)
_OUTREACH_TYPE_WEIGHTS = (
    (OutreachType.PENYULUHAN, 50),
    (OutreachType.EDUKASI, 30),
    (OutreachType.KAMPANYE, 20),
)
_OUTREACH_REACH: dict[Audience, tuple[int, int]] = {
    Audience.WBP: (30, 150),
    Audience.FAMILIES: (20, 80),
    Audience.PUBLIC: (100, 400),
    Audience.SCHOOLS: (80, 400),
}
_OUTREACH_TOPICS = (
    "Bahaya narkoba bagi generasi muda",
    "Sosialisasi layanan rehabilitasi bagi WBP",
    "Peran keluarga dalam pemulihan",
    "Kampanye Bersinar (Bersih Narkoba)",
    "Pencegahan peredaran narkoba di lingkungan",
)

_MONEV_FINDINGS = (
    "Skrining WBP baru berjalan sesuai jadwal.",
    "Sebagian WBP baru belum diskrining lebih dari dua minggu setelah masuk.",
    "Daftar hadir sesi kelompok lengkap dan rapi.",
    "Ruang konseling masih digunakan bersama kegiatan lain.",
    "Rujukan asesmen untuk hasil skrining sedang/tinggi sebagian terlambat.",
    "Konselor sebaya aktif mendampingi WBP baru.",
    "Data populasi bulanan belum selalu diisi tepat waktu.",
    "Stok alat tes urine mencukupi sampai bulan depan.",
)
_RECENT_ACTION_WEIGHTS = ((ActionStatus.OPEN, 45), (ActionStatus.IN_PROGRESS, 40), (ActionStatus.DONE, 15))
_MONEV_ACTIONS = (
    ("Menjadwalkan skrining WBP baru paling lambat 14 hari setelah masuk", "Petugas Klinik"),
    ("Menyediakan ruang konseling khusus", "Kepala Rutan/Lapas"),
    ("Mempercepat rujukan asesmen hasil skrining sedang/tinggi", "Konselor BNNK"),
    ("Melengkapi pengisian data populasi bulanan", "Petugas Registrasi"),
    ("Menambah jadwal sesi kelompok", "Petugas Pembinaan"),
    ("Mengajukan pengadaan alat tes urine", "Petugas Klinik"),
)


# --- synthetic activity: generation ------------------------------------------------------------


@dataclass
class _Site:
    """A facility as the generator sees it: database ids plus demo parameters."""

    code: str
    id: int
    name: str
    facility_type: FacilityType
    region_code: str
    region_id: int
    partner_id: int
    partner_name: str
    agreement_id: int
    signed_on: date
    params: _SiteParams
    participants: list[Row] = field(default_factory=list)
    initial_cohort: set[int] = field(default_factory=set)  # participant ids inside before the start
    cases: list["_Case"] = field(default_factory=list)


class _Series(NamedTuple):
    """A recurring kind of session at one facility, held only when someone is enrolled."""

    programme: ProgrammeType
    kind: SessionType
    first: date
    every_days: int
    topics: tuple[str, ...]
    facilitators: tuple[str, ...]


@dataclass
class _Case:
    """One screened participant carried through assessment, enrolment and follow-up."""

    participant: Row
    screening: Row
    primary: str
    risk: RiskLevel
    enrollment: Row | None = None
    propensity: float = 0.8  # chance of attending any one session


def _data_end(today: date, months: int | None) -> date:
    """Last day with data: today, or the end of the ``months``-th month if that is earlier."""
    if today < PROGRAMME_START:
        raise ValueError(f"today ({today}) is before the programme start {PROGRAMME_START}")
    if months is None:
        return today
    if months < 1:
        raise ValueError(f"months must be at least 1 (got {months})")
    return min(today, add_months(PROGRAMME_START, months) - timedelta(days=1))


def _month_end(month: date) -> date:
    """Last day of ``month``'s month."""
    return add_months(month, 1) - timedelta(days=1)


def _days_in_month(month: date) -> int:
    """Scales a month's counts to the part of it that has data."""
    return _month_end(month).day


def _weighted(rng: random.Random, options: Iterable[tuple[Any, int]]) -> Any:
    """One option drawn by weight, from an ordered sequence (deterministic)."""
    values, weights = zip(*options, strict=True)
    return rng.choices(values, weights)[0]


def _active_on(enrollment: Row, day: date) -> bool:
    """The KPI's definition of an enrolment active on a day."""
    return enrollment["started_on"] <= day and (
        enrollment["ended_on"] is None or day <= enrollment["ended_on"]
    )


def _draw_answers(rng: random.Random, substance: str, risk: RiskLevel) -> dict[str, int]:
    """ASSIST answers for one substance whose score falls in ``risk`` (q3-q5 skipped if q2 is 0)."""
    pools = _ANSWER_POOLS[risk]
    while True:
        answers = {q: rng.choice(pools[q]) for q in questions_for(substance)}
        if answers["q2"] == 0:
            answers = {q: v for q, v in answers.items() if q not in {"q3", "q4", "q5"}}
        if risk_level(substance, sum(answers.values())) == risk:
            return answers


def _improved(rng: random.Random, answers: dict[str, int], strength: float) -> dict[str, int]:
    """Answers some time into a programme: each one falls to a lower point value with ``strength``."""
    result = {}
    for question, value in answers.items():
        lower = [v for v in QUESTION_SCALES[question] if v < value]
        if question in {"q6", "q7"}:
            lower = [3] if value == 6 else []  # lifetime questions: a "yes" never goes back to "no"
        # Inside, most stop using: an answer that falls goes to the bottom of its scale.
        result[question] = lower[0] if lower and rng.random() < strength else value
    if result["q2"] == 0:
        result = {q: v for q, v in result.items() if q not in {"q3", "q4", "q5"}}
    return result


def _score_columns(answers: dict[str, dict[str, int]], injecting: int) -> Row:
    """Every AssistScores column, computed by the one scorer so stored rows always agree with it."""
    result = score_screening(answers, injecting)
    scores = result.scores
    return {
        "answers": {**answers, "q8": injecting},
        **{f"score_{s}": scores.get(s) for s in SUBSTANCES},
        "injecting": injecting,
        "max_score": max(scores.values(), default=0),
        "overall_risk": RiskLevel(result.overall_risk),
        "recommendation": result.recommendation,
    }


class _DemoBuilder:
    """Builds every demo row as a plain dict with explicit ids, table by table."""

    # Foreign-key order, which is also the insert order.
    TABLES: tuple[type[SQLModel], ...] = (
        FacilityPopulation,
        Participant,
        Screening,
        Assessment,
        Enrollment,
        FollowUp,
        PeerCounsellorTraining,
        PeerCounsellor,
        ProgrammeSession,
        Attendance,
        OutreachEvent,
        MonevVisit,
        MonevAction,
    )

    def __init__(self, session: Session, *, seed: int, end: date, today: date) -> None:
        self.session = session
        self.seed = seed
        self.end = end
        self.today = today
        self.now = datetime.now(UTC)
        self.rows: dict[type[SQLModel], list[Row]] = {model: [] for model in self.TABLES}
        self.last_id: dict[type[SQLModel], int] = {}
        self.sites = self._sites()

    # -- plumbing

    def _rng(self, *parts: object) -> random.Random:
        """An independent stream per part, so adding one kind of row does not reshuffle the others."""
        return random.Random("|".join(str(p) for p in (self.seed, *parts)))

    def _add(self, model: type[SQLModel], **values: Any) -> Row:
        """Queue a row with the next explicit id (continuing after any rows already stored)."""
        if model not in self.last_id:
            self.last_id[model] = self.session.exec(select(func.max(model.id))).one() or 0  # type: ignore[attr-defined]
        self.last_id[model] += 1
        row = {"id": self.last_id[model], **values}
        self.rows[model].append(row)
        return row

    def _stamp(self, rng: random.Random, day: date, max_delay_days: int) -> datetime:
        """When a row was typed in: a few days after the event, in WIB office hours, never in the future."""
        typed = min(day + timedelta(days=rng.randint(0, max_delay_days)), self.end)
        moment = datetime.combine(typed, time(rng.randint(1, 9), rng.randint(0, 59)), tzinfo=UTC)
        return min(moment, self.now)

    def _sites(self) -> list[_Site]:
        """The seeded facilities with the ids and names the generated rows refer to."""
        facilities = {f.code: f for f in self.session.exec(select(Facility))}
        partners = {p.id: p for p in self.session.exec(select(Partner))}
        regions = {r.id: r for r in self.session.exec(select(Region))}
        agreements = {a.code: a for a in self.session.exec(select(Agreement))}
        sites = []
        for spec in AGREEMENTS:
            agreement = agreements[spec["code"]]
            for code in spec["facilities"]:
                facility = facilities[code]
                partner = partners[facility.partner_id]
                sites.append(
                    _Site(
                        code=code,
                        id=facility.id,  # type: ignore[arg-type]
                        name=facility.name,
                        facility_type=facility.facility_type,
                        region_code=regions[facility.region_id].code,
                        region_id=facility.region_id,
                        partner_id=partner.id,  # type: ignore[arg-type]
                        partner_name=partner.name,
                        agreement_id=agreement.id,  # type: ignore[arg-type]
                        signed_on=agreement.signed_on,
                        params=_SITE_PARAMS[code],
                    )
                )
        return sites

    def build(self) -> None:
        """Generate every table; facility by facility so each stage can use the one before."""
        for site in self.sites:
            admissions = self._populations(site)
            self._participants(site, admissions)
            self._screenings(site)
            self._assessments_and_enrollments(site)
            self._follow_ups(site)
            trainings = self._peer_trainings(site)
            self._sessions(site, trainings)
            self._monev(site)
        self._outreach()

    def insert(self) -> None:
        """Bulk-insert every table (executemany) and move PostgreSQL's id sequences past the new ids."""
        connection = self.session.connection()
        for model in self.TABLES:
            if self.rows[model]:
                connection.execute(insert(model), self.rows[model])
        sync_id_sequences(self.session, self.TABLES)
        aggregates.rebuild(self.session)  # bulk inserts bypass the flush hook

    # -- facility activity

    def _populations(self, site: _Site) -> dict[date, int]:
        """Monthly WBP counts (a ±4% random walk); returns admissions per month for the participants."""
        rng = self._rng("population", site.code)
        total = site.params.wbp_total
        admissions: dict[date, int] = {}
        for month in months_between(PROGRAMME_START, self.end):
            total = round(total * (1 + rng.uniform(-0.04, 0.04)))
            narcotics = round(total * rng.uniform(0.50, 0.60))
            admissions[month] = round(total * rng.uniform(0.08, 0.12))
            late_days = rng.randint(10, 25) if rng.random() < 0.1 else rng.randint(0, 9)
            if site.code == _LATE_REPORTER and month == month_start(self.today):
                continue
            self._add(
                FacilityPopulation,
                facility_id=site.id,
                month=month,
                wbp_total=total,
                wbp_narcotics=narcotics,
                admissions=admissions[month],
                entered_at=self._stamp(rng, month + timedelta(days=late_days), 0),
            )
        return admissions

    def _participants(self, site: _Site, admissions: dict[date, int]) -> None:
        """An initial cohort already inside at the start, then each month's admissions."""
        rng = self._rng("participants", site.code)
        is_lapas = site.facility_type == FacilityType.LAPAS
        days_inside = 540 if is_lapas else 180
        arrivals = [
            (PROGRAMME_START - timedelta(days=rng.randint(1, days_inside)), True)
            for _ in range(round(site.params.wbp_total * rng.uniform(0.30, 0.40)))
        ]
        for month, count in admissions.items():
            days = self._days_with_data(month)
            arrivals += [
                (month + timedelta(days=rng.randrange(days)), False)
                for _ in range(round(count * days / _days_in_month(month)))
            ]
        arrivals.sort(key=lambda arrival: arrival[0])  # stable: ties keep their generation order
        numbers: dict[int, int] = defaultdict(int)
        for admitted_on, initial in arrivals:
            numbers[admitted_on.year] += 1
            exited_on, exit_reason = self._exit(rng, admitted_on)
            row = self._add(
                Participant,
                facility_id=site.id,
                code=f"{site.params.prefix}-{admitted_on.year}-{numbers[admitted_on.year]:04d}",
                sex=Sex.MALE if rng.random() < 0.92 else Sex.FEMALE,
                birth_year=round(rng.triangular(1965, 2006, 1992)),
                legal_status=(
                    (LegalStatus.NARAPIDANA if rng.random() < 0.92 else LegalStatus.TAHANAN)
                    if is_lapas
                    else (LegalStatus.TAHANAN if rng.random() < 0.60 else LegalStatus.NARAPIDANA)
                ),
                narcotics_case=rng.random() < 0.85,
                admitted_on=admitted_on,
                exited_on=exited_on,
                exit_reason=exit_reason,
                created_at=self._stamp(rng, max(admitted_on, site.signed_on), 3),
            )
            site.participants.append(row)
            if initial:
                site.initial_cohort.add(row["id"])

    def _exit(self, rng: random.Random, admitted_on: date) -> tuple[date | None, ExitReason | None]:
        """About a quarter leave before the data ends: mostly released, some transferred."""
        earliest = max(admitted_on + timedelta(days=30), PROGRAMME_START + timedelta(days=7))
        if earliest > self.end or rng.random() >= 0.28:
            return None, None
        exited_on = earliest + timedelta(days=rng.randint(0, (self.end - earliest).days))
        return exited_on, ExitReason.RELEASED if rng.random() < 0.8 else ExitReason.TRANSFERRED

    def _days_with_data(self, month: date) -> int:
        """Days of ``month`` up to the data's end (all of them except in the last month)."""
        return (min(_month_end(month), self.end) - month).days + 1

    def _present(self, participant: Row, day: date) -> bool:
        """Inside the facility on ``day``: nothing may happen to a participant outside the stay."""
        return participant["admitted_on"] <= day <= (participant["exited_on"] or self.end)

    def _screenings(self, site: _Site) -> None:
        """ASSIST for most narcotics cases: new arrivals within ~2 weeks, the initial cohort over 3 months."""
        rng = self._rng("screenings", site.code)
        screeners = (f"Petugas Klinik {site.params.short}", f"Konselor {site.partner_name}", "Perawat Klinik")
        for participant in site.participants:
            if not participant["narcotics_case"] or rng.random() >= 0.85:
                continue
            if participant["id"] in site.initial_cohort:
                screened_on = site.signed_on + timedelta(days=rng.randint(0, 88))
            else:
                delay = round(rng.triangular(0, 14, 3))
                screened_on = max(participant["admitted_on"] + timedelta(days=delay), site.signed_on)
            if not self._present(participant, screened_on):
                continue
            risk: RiskLevel = _weighted(rng, _RISK_WEIGHTS)
            primary: str = _weighted(rng, _PRIMARY_WEIGHTS[site.region_code])
            answers, injecting = self._screening_answers(rng, primary, risk)
            screening = self._add(
                Screening,
                participant_id=participant["id"],
                facility_id=site.id,
                screened_on=screened_on,
                screener=rng.choice(screeners),
                urine_result=_weighted(rng, zip(_URINE, _URINE_WEIGHTS[risk], strict=True)),
                created_at=self._stamp(rng, screened_on, 3),
                **_score_columns(answers, injecting),
            )
            site.cases.append(
                _Case(participant, screening, primary, risk, propensity=rng.uniform(0.65, 0.95))
            )

    def _screening_answers(
        self, rng: random.Random, primary: str, risk: RiskLevel
    ) -> tuple[dict[str, dict[str, int]], int]:
        """The primary substance sets the overall risk; tobacco, alcohol and others stay at or below it."""
        below = RiskLevel.MODERATE if risk != RiskLevel.LOW else RiskLevel.LOW
        used = {primary: risk}
        if rng.random() < 0.88:
            used["tobacco"] = below if rng.random() < 0.35 else RiskLevel.LOW
        if primary != "alcohol" and rng.random() < 0.40:
            used["alcohol"] = below if rng.random() < 0.2 else RiskLevel.LOW
        if primary == "amphetamines" and rng.random() < 0.20:
            used["cannabis"] = below if rng.random() < 0.3 else RiskLevel.LOW
        if primary != "amphetamines" and rng.random() < 0.30:
            used["amphetamines"] = RiskLevel.LOW
        answers = {s: _draw_answers(rng, s, used[s]) for s in SUBSTANCES if s in used}
        injecting = 0
        if primary in {"amphetamines", "opioids"} and risk != RiskLevel.LOW:
            injecting = _weighted(
                rng, ((0, 92), (1, 5), (2, 3)) if primary == "amphetamines" else ((0, 40), (1, 30), (2, 30))
            )
        return answers, injecting

    def _assessments_and_enrollments(self, site: _Site) -> None:
        """Most moderate/high screenings are assessed, and most assessed start a programme."""
        rng = self._rng("rehab", site.code)
        for case in site.cases:
            if case.risk == RiskLevel.LOW or rng.random() >= 0.85:
                continue
            screened_on: date = case.screening["screened_on"]
            assessed_on = screened_on + timedelta(days=rng.randint(3, 20))
            if assessed_on > self.end or not self._present(case.participant, assessed_on):
                continue
            programme = self._programme(rng, site, case.risk)
            assessment = self._add(
                Assessment,
                participant_id=case.participant["id"],
                facility_id=site.id,
                screening_id=case.screening["id"],
                assessed_on=assessed_on,
                assessor=f"Asesor {site.partner_name}",
                partner_id=site.partner_id,
                primary_substance=case.primary,
                use_duration_months=rng.randint(6, 120),
                route_of_use=self._route(rng, case.primary, case.screening["injecting"]),
                diagnosis=self._diagnosis(case.primary, case.risk),
                treatment_history=_weighted(rng, _TREATMENT_HISTORY),
                recommended_programme=programme,
            )
            started_on = assessed_on + timedelta(days=rng.randint(0, 20))
            if (
                rng.random() >= 0.85
                or started_on > self.end
                or not self._present(case.participant, started_on)
            ):
                continue
            case.enrollment = self._add(
                Enrollment,
                participant_id=case.participant["id"],
                facility_id=site.id,
                assessment_id=assessment["id"],
                programme=programme,
                modality=self._modality(rng, programme),
                started_on=started_on,
                **self._outcome(rng, case, started_on),
            )
            if case.enrollment["status"] == EnrollmentStatus.DROPPED_OUT:
                case.propensity = rng.uniform(0.4, 0.7)

    @staticmethod
    def _programme(rng: random.Random, site: _Site, risk: RiskLevel) -> ProgrammeType:
        """High risk mostly to medical rehabilitation where the agreement offers it, else social."""
        if ProgrammeType.MEDICAL not in site.params.programmes:
            return ProgrammeType.SOCIAL
        medical_share = 0.8 if risk == RiskLevel.HIGH else 0.15
        return ProgrammeType.MEDICAL if rng.random() < medical_share else ProgrammeType.SOCIAL

    @staticmethod
    def _modality(rng: random.Random, programme: ProgrammeType) -> Modality:
        """Inside a UPT, social rehabilitation is mostly a therapeutic community, medical mostly outpatient."""
        community_share = 0.15 if programme == ProgrammeType.MEDICAL else 0.7
        return Modality.COMMUNITY if rng.random() < community_share else Modality.OUTPATIENT

    @staticmethod
    def _route(rng: random.Random, substance: str, injecting: int) -> str:
        """Route of use consistent with the screening's injecting answer (sabu is mostly smoked)."""
        if injecting == 2 or (injecting == 1 and rng.random() < 0.5):
            return "injected"
        if substance in {"alcohol", "sedatives"}:
            return "oral"
        if substance == "inhalants":
            return "nasal"
        return "smoked" if rng.random() < 0.95 else "nasal"

    @staticmethod
    def _diagnosis(substance: str, risk: RiskLevel) -> str:
        """ICD-10 F1x: harmful use for moderate risk, dependence for high."""
        name, code = _DIAGNOSES[substance]
        if risk == RiskLevel.HIGH:
            return f"Gangguan penggunaan {name}: sindrom ketergantungan ({code}.2)"
        return f"Gangguan penggunaan {name}: penggunaan yang merugikan ({code}.1)"

    def _outcome(self, rng: random.Random, case: _Case, started_on: date) -> Row:
        """Status and end of an enrolment: ~3 months to complete, ~10% drop out, exits end it early."""
        if rng.random() < 0.10:
            status, reason = EnrollmentStatus.DROPPED_OUT, rng.choice(_DROP_REASONS)
            planned_end = started_on + timedelta(days=rng.randint(14, 60))
        else:
            status, reason = EnrollmentStatus.COMPLETED, "Program selesai"
            planned_end = started_on + timedelta(days=rng.randint(80, 100))
        exited_on: date | None = case.participant["exited_on"]
        if exited_on is not None and exited_on < planned_end:
            released = case.participant["exit_reason"] == ExitReason.RELEASED
            return {
                "status": EnrollmentStatus.RELEASED if released else EnrollmentStatus.TRANSFERRED,
                "ended_on": exited_on,
                "end_reason": "Bebas" if released else "Dipindahkan ke UPT lain",
            }
        if planned_end > self.end:
            return {"status": EnrollmentStatus.ACTIVE, "ended_on": None, "end_reason": ""}
        return {"status": status, "ended_on": planned_end, "end_reason": reason}

    def _follow_ups(self, site: _Site) -> None:
        """An ASSIST re-score ~6 weeks in and at completion; scores mostly fall, urine mostly clean."""
        rng = self._rng("follow-ups", site.code)
        for case in site.cases:
            enrollment = case.enrollment
            if enrollment is None:
                continue
            last_day = min(enrollment["ended_on"] or self.end, self.end)
            during = enrollment["started_on"] + timedelta(days=rng.randint(38, 46))
            visits = [(during, FollowUpStage.DURING, 0.5)] if during <= last_day else []
            if enrollment["status"] == EnrollmentStatus.COMPLETED:
                visits.append((enrollment["ended_on"], FollowUpStage.END, 0.8))
            for followed_on, stage, strength in visits:
                answers = {
                    s: _improved(rng, a, strength) for s, a in case.screening["answers"].items() if s != "q8"
                }
                injecting = min(case.screening["injecting"], 1)  # no injecting inside since admission
                self._add(
                    FollowUp,
                    participant_id=case.participant["id"],
                    facility_id=site.id,
                    enrollment_id=enrollment["id"],
                    followed_on=followed_on,
                    stage=stage,
                    urine_result=_weighted(rng, zip(_URINE, (5, 85, 10), strict=True)),
                    **_score_columns(answers, injecting),
                )

    def _peer_trainings(self, site: _Site) -> list[date]:
        """Peer-counsellor trainings held here by the data's end; returns their last days."""
        rng = self._rng("peer", site.code)
        ended: list[date] = []
        enrolled = {case.participant["id"] for case in site.cases if case.enrollment is not None}
        for code, started_on, days, batch in _TRAININGS:
            ended_on = started_on + timedelta(days=days - 1)
            if code != site.code or ended_on > self.end:
                continue
            training = self._add(
                PeerCounsellorTraining,
                facility_id=site.id,
                partner_id=site.partner_id,
                title=f"Pelatihan Konselor Sebaya Angkatan {batch} \u2013 {site.params.short}",
                started_on=started_on,
                ended_on=ended_on,
                trainer=f"Tim Pelatih {site.partner_name}",
                staff_trained=rng.randint(2, 6),
            )
            present = [
                p for p in site.participants if self._present(p, started_on) and self._present(p, ended_on)
            ]
            # Former programme participants are preferred as peer counsellors.
            present.sort(key=lambda p: p["id"] not in enrolled)
            pool = present[: max(20, sum(p["id"] in enrolled for p in present))]
            for participant in sorted(
                rng.sample(pool, min(len(pool), rng.randint(8, 15))), key=lambda p: p["id"]
            ):
                completed = rng.random() < 0.88
                serving = completed and participant["exited_on"] is None and rng.random() < 0.8
                self._add(
                    PeerCounsellor,
                    training_id=training["id"],
                    participant_id=participant["id"],
                    completed=completed,
                    active=serving,
                )
            ended.append(ended_on)
        return ended

    def _sessions(self, site: _Site, trainings: list[date]) -> None:
        """Weekly group sessions per programme, plus skills, education, peer and medical sessions."""
        rng = self._rng("sessions", site.code)
        weekday = site.params.weekday
        bnnk = f"Konselor {site.partner_name}"
        staff = f"Petugas Pembinaan {site.params.short}"
        social, medical = ProgrammeType.SOCIAL, ProgrammeType.MEDICAL
        programmes = site.params.programmes
        series = [
            _Series(p, SessionType.GROUP, self._first(weekday), 7, _GROUP_TOPICS, (bnnk, staff))
            for p in programmes
        ]
        skills_every = 9 if medical in programmes else 14
        skills_day = self._first((weekday + 2) % 5)
        series.append(
            _Series(social, SessionType.SKILLS, skills_day, skills_every, _SKILLS_TOPICS, (_INSTRUCTOR,))
        )
        education_day = self._first(4) + timedelta(days=7)
        series.append(_Series(social, SessionType.EDUCATION, education_day, 28, _EDUCATION_TOPICS, (bnnk,)))
        if trainings:
            peer_day = trainings[0] + timedelta(days=7)
            series.append(_Series(social, SessionType.PEER, peer_day, 14, _PEER_TOPICS, ("Konselor Sebaya",)))
        if medical in programmes:
            doctors = (f"Dokter Klinik {site.params.short}", f"Tim Medis {site.partner_name}")
            series.append(_Series(medical, SessionType.MEDICAL, self._first(4), 7, _MEDICAL_TOPICS, doctors))
        planned = [(held_on, s) for s in series for held_on in self._every(s.first, s.every_days)]
        planned.sort(key=lambda plan: plan[0])  # stable: same-day sessions keep their series order
        enrolled = [(case.enrollment, case) for case in site.cases if case.enrollment is not None]
        for held_on, plan in planned:
            active = [
                case
                for enrollment, case in enrolled
                if enrollment["programme"] == plan.programme and _active_on(enrollment, held_on)
            ]
            if not active:
                continue
            facilitator = rng.choice(plan.facilitators)
            session = self._add(
                ProgrammeSession,
                facility_id=site.id,
                programme=plan.programme,
                held_on=held_on,
                session_type=plan.kind,
                topic=rng.choice(plan.topics),
                facilitator=facilitator,
                partner_id=site.partner_id if site.partner_name in facilitator else None,
                duration_minutes=rng.choice((60, 75, 90, 120)),
            )
            for case in active:
                if rng.random() < case.propensity:
                    self._add(Attendance, session_id=session["id"], participant_id=case.participant["id"])

    def _first(self, weekday: int) -> date:
        """The first day on or after the programme start that falls on ``weekday``."""
        return PROGRAMME_START + timedelta(days=(weekday - PROGRAMME_START.weekday()) % 7)

    def _every(self, first: date, step_days: int) -> list[date]:
        """Dates from ``first`` every ``step_days`` days up to the data's end."""
        count = (self.end - first).days // step_days + 1 if first <= self.end else 0
        return [first + timedelta(days=i * step_days) for i in range(count)]

    def _monev(self, site: _Site) -> None:
        """A monev visit about every two months, each agreeing 1-3 actions; older actions are mostly done."""
        rng = self._rng("monev", site.code)
        visited_on = date(2025, 9, 8) + timedelta(days=rng.randint(0, 20))
        while visited_on <= self.end:
            visit = self._add(
                MonevVisit,
                facility_id=site.id,
                agreement_id=site.agreement_id,
                visited_on=visited_on,
                team=f"Tim Monev {site.partner_name} dan {site.params.short}",
                findings=" ".join(rng.sample(_MONEV_FINDINGS, 2)),
            )
            for description, owner in rng.sample(_MONEV_ACTIONS, rng.randint(1, 3)):
                self._add(
                    MonevAction,
                    visit_id=visit["id"],
                    description=description,
                    owner=owner,
                    **self._action_state(rng, visited_on),
                )
            visited_on += timedelta(days=rng.randint(50, 70))

    def _action_state(self, rng: random.Random, visited_on: date) -> Row:
        """Due date, status and closing date; actions older than two months are mostly done."""
        age = (self.end - visited_on).days
        due_on = min(visited_on + timedelta(days=rng.randint(14, 45)), self.end)
        if age > 60:
            status = ActionStatus.DONE if rng.random() < 0.85 else ActionStatus.IN_PROGRESS
        else:
            status = _weighted(rng, _RECENT_ACTION_WEIGHTS)
        closed_on = (
            visited_on + timedelta(days=rng.randint(0, min(age, 60))) if status == ActionStatus.DONE else None
        )
        return {"due_on": due_on, "status": status, "closed_on": closed_on}

    # -- regional activity

    def _outreach(self) -> None:
        """2-4 penyuluhan/edukasi/kampanye events a month per region, for WBP, families, the public and schools."""
        for region_code in dict.fromkeys(site.region_code for site in self.sites):
            rng = self._rng("outreach", region_code)
            sites = [site for site in self.sites if site.region_code == region_code]
            places = _OUTREACH_PLACES[region_code]
            for month in months_between(PROGRAMME_START, self.end):
                days = self._days_with_data(month)
                count = round(rng.randint(2, 4) * days / _days_in_month(month))
                for held_on in sorted(month + timedelta(days=rng.randrange(days)) for _ in range(count)):
                    audience = _weighted(rng, _AUDIENCE_WEIGHTS)
                    site = rng.choice(sites)
                    inside = audience in {Audience.WBP, Audience.FAMILIES}
                    if inside:
                        place = f"{'Aula' if audience == Audience.WBP else 'Ruang kunjungan'} {site.name}"
                    else:
                        place = rng.choice(places[audience])
                    self._add(
                        OutreachEvent,
                        region_id=site.region_id,
                        facility_id=site.id if inside else None,
                        partner_id=site.partner_id,
                        held_on=held_on,
                        place=place,
                        event_type=_weighted(rng, _OUTREACH_TYPE_WEIGHTS),
                        audience=audience,
                        people_reached=rng.randint(*_OUTREACH_REACH[audience]),
                        topic=rng.choice(_OUTREACH_TOPICS),
                    )


def sync_id_sequences(session: Session, models: Iterable[type[SQLModel]]) -> None:
    """Move PostgreSQL's id sequences past rows inserted with explicit ids, so later inserts do not collide.

    SQLite needs nothing: its next rowid is always max(id) + 1.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    connection = session.connection()
    for model in models:
        table = model.__tablename__
        connection.execute(
            text(f"SELECT setval(pg_get_serial_sequence(:table, 'id'), max(id)) FROM {table}"),
            {"table": table},
        )


DEMO_PASSWORD = "demo-rehabdata"
# username, role, facility codes, region codes: one per role and facility (README lists them)
DEMO_USERS: tuple[tuple[str, Role, tuple[str, ...], tuple[str, ...]], ...] = (
    ("admin.demo", Role.ADMIN, (), ()),
    ("kanwil.sumut", Role.PIMPINAN, (), ("karo",)),
    ("kanwil.jateng", Role.PIMPINAN, (), ("pekalongan",)),
    ("karutan.kabanjahe", Role.PIMPINAN, ("rutan-kabanjahe",), ()),
    ("karutan.pemalang", Role.PIMPINAN, ("rutan-pemalang",), ()),
    ("karutan.pekalongan", Role.PIMPINAN, ("rutan-pekalongan",), ()),
    ("kalapas.pekalongan", Role.PIMPINAN, ("lapas-pekalongan",), ()),
    ("petugas.kabanjahe", Role.PETUGAS, ("rutan-kabanjahe",), ()),
    ("petugas.pemalang", Role.PETUGAS, ("rutan-pemalang",), ()),
    ("petugas.rutan-pekalongan", Role.PETUGAS, ("rutan-pekalongan",), ()),
    ("petugas.lapas-pekalongan", Role.PETUGAS, ("lapas-pekalongan",), ()),
    ("bnnk.karo", Role.MITRA, ("rutan-kabanjahe",), ()),
    ("bnnk.batang", Role.MITRA, ("rutan-pemalang", "rutan-pekalongan", "lapas-pekalongan"), ()),
)


def create_demo_users(session: Session) -> None:
    """One demo user per role and facility, sharing the public ``DEMO_PASSWORD`` (demo databases only)."""
    password_hash = hash_password(DEMO_PASSWORD)  # hashed once: the password is public anyway
    for username, role, facility_codes, region_codes in DEMO_USERS:
        user = create_user(
            session=session,
            username=username,
            role=role,
            password=DEMO_PASSWORD,
            full_name=username.replace(".", " ").title(),
            facility_codes=facility_codes,
            region_codes=region_codes,
            password_hash=password_hash,
        )
        session.add(user)


def load_demo(
    engine: Engine, *, seed: int = 2025, months: int | None = None, today: date | None = None
) -> DemoSummary:
    """Fill an empty database with reference data and ``months`` months of synthetic activity, in one transaction.

    Same seed, months and today give identical rows. Data starts on 2025-08-01 and never goes past
    ``today`` (default: the real today).
    """
    today = today or clock.today()
    end = _data_end(today, months)
    with session_scope(engine) as session:
        if database_state(session) != DatabaseState.NEW:
            raise DemoError(
                "database already has data or is a real one; demo data is only loaded into an empty database"
            )
        seed_reference_data(session)
        builder = _DemoBuilder(session, seed=seed, end=end, today=today)
        builder.build()
        builder.insert()
        session.merge(AppSetting(key=DEMO_KEY, value="1"))
        create_demo_users(session)
        counted = (
            Region,
            Partner,
            Facility,
            Agreement,
            AgreementFacility,
            AgreementScopeItem,
            *builder.TABLES,
            User,
        )
        counts = {
            model.__tablename__: session.exec(select(func.count()).select_from(model)).one()  # type: ignore[arg-type]
            for model in counted
        }
    return DemoSummary(counts=counts)
