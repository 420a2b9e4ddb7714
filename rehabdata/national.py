"""National-scale synthetic data: ~530 facilities in 33 Kanwil, five years of activity (issue #8).

For load and performance testing of KPIs and pages, not for demos of individual records: rows
are generated column-wise with numpy (deterministic for a seed) and written with each backend's
bulk path (PostgreSQL ``COPY``, SQLite ``executemany`` in one transaction). Per-participant
detail is thin, but the rules KPIs and checks rely on hold: screenings fall within the stay,
ASSIST score columns agree with ``overall_risk`` (patterns scored by ``score_screening``),
attendance exists only for participants with an enrolment active in that facility and programme
on the session date, and enrolments start after their assessment and never outlive the stay.

``scale_factor`` shrinks the number of facilities (and so every volume) proportionally.
"""

import json
import math
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Engine, func, text
from sqlmodel import Session, SQLModel, select

from rehabdata import aggregates, clock
from rehabdata.assist import SUBSTANCES, questions_for, risk_level, score_screening
from rehabdata.auth import create_user, hash_password
from rehabdata.bootstrap import DEMO_KEY, DatabaseState, database_state
from rehabdata.db import session_scope
from rehabdata.demo import DEMO_PASSWORD, DemoError, sync_id_sequences
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
    MonevAction,
    MonevVisit,
    OutreachEvent,
    Participant,
    Partner,
    ProgrammeSession,
    Region,
    Role,
    Screening,
    User,
)
from rehabdata.periods import add_months, month_start

# (province, relative weight of its facilities): the 33 Kanwil of the Ditjenpas.
KANWIL: tuple[tuple[str, int], ...] = (
    ("Aceh", 24), ("Sumatera Utara", 42), ("Sumatera Barat", 20), ("Riau", 18),
    ("Kepulauan Riau", 10), ("Jambi", 12), ("Sumatera Selatan", 22), ("Bangka Belitung", 8),
    ("Bengkulu", 8), ("Lampung", 16), ("DKI Jakarta", 14), ("Banten", 14), ("Jawa Barat", 40),
    ("Jawa Tengah", 45), ("DI Yogyakarta", 7), ("Jawa Timur", 40), ("Bali", 8),
    ("Nusa Tenggara Barat", 10), ("Nusa Tenggara Timur", 16), ("Kalimantan Barat", 14),
    ("Kalimantan Tengah", 12), ("Kalimantan Selatan", 14), ("Kalimantan Timur", 16),
    ("Sulawesi Utara", 10), ("Gorontalo", 5), ("Sulawesi Tengah", 12), ("Sulawesi Barat", 5),
    ("Sulawesi Selatan", 26), ("Sulawesi Tenggara", 10), ("Maluku", 9), ("Maluku Utara", 7),
    ("Papua", 12), ("Papua Barat", 8),
)  # fmt: skip
FACILITIES_NATIONAL = 530
# Per facility and year (national totals / 530): screenings ~300k, enrolments ~20k a year.
SCREENINGS_PER_FACILITY_YEAR = 300_000 / FACILITIES_NATIONAL
ENROLMENTS_PER_FACILITY_YEAR = 20_000 / FACILITIES_NATIONAL
WBP_PER_FACILITY = 270_000 / FACILITIES_NATIONAL
# Session weekdays per programme (0 = Monday) and their types: social is a therapeutic
# community with group, skills, education and peer sessions; medical meets twice a week.
SESSION_PLAN: dict[str, tuple[tuple[int, str, str], ...]] = {
    "social": (
        (0, "group", "Konseling kelompok"),
        (1, "skills", "Pelatihan keterampilan"),
        (2, "education", "Edukasi bahaya narkoba"),
        (3, "peer", "Pertemuan konselor sebaya"),
        (4, "group", "Pencegahan kekambuhan"),
    ),
    "medical": ((1, "medical", "Pemeriksaan dan konseling adiksi"), (4, "group", "Konseling kelompok")),
}
PROGRAMMES = ("social", "medical")
ATTENDANCE_RATE = 0.85
RISKS = ("low", "moderate", "high")
PRIMARY = ("amphetamines", "cannabis", "alcohol", "sedatives", "opioids", "inhalants")
PRIMARY_P = (0.7, 0.15, 0.06, 0.05, 0.02, 0.02)
URINE_P = {"low": (0.05, 0.75, 0.20), "moderate": (0.3, 0.55, 0.15), "high": (0.55, 0.35, 0.10)}
URINE = ("positive", "negative", "not_done")
RESCREEN_SHARE = 0.15  # of participants still held, screened again ...
RESCREEN_AFTER_DAYS = 180  # ... this many days (plus up to a month) after their first screening
_ANSWER_POOLS: dict[str, dict[str, tuple[int, ...]]] = {
    "low": {"q2": (0, 2, 3), "q3": (0, 3), "q4": (0,), "q5": (0,), "q6": (0, 3), "q7": (0, 3)},
    "moderate": {
        "q2": (2, 3, 4, 6), "q3": (0, 3, 4, 5), "q4": (0, 4, 5), "q5": (0, 5, 6),
        "q6": (0, 3, 6), "q7": (0, 3),
    },
    "high": {"q2": (4, 6), "q3": (4, 5, 6), "q4": (5, 6, 7), "q5": (5, 6, 7, 8), "q6": (3, 6), "q7": (3, 6)},
}  # fmt: skip
SCORE_COLUMNS = (
    "answers",
    *(f"score_{s}" for s in SUBSTANCES),
    "injecting",
    "max_score",
    "overall_risk",
    "recommendation",
)
PATTERNS_PER_RISK = 64

# Insert order (foreign keys) and the tables counted in the summary.
TABLES: tuple[type[SQLModel], ...] = (
    Region,
    Partner,
    Facility,
    Agreement,
    AgreementFacility,
    AgreementScopeItem,
    FacilityPopulation,
    Participant,
    Screening,
    Assessment,
    Enrollment,
    FollowUp,
    ProgrammeSession,
    Attendance,
    OutreachEvent,
    MonevVisit,
    MonevAction,
)


@dataclass(frozen=True)
class NationalSummary:
    """Row counts per table and the seconds the load took, for the CLI to print."""

    counts: dict[str, int]
    seconds: float


Columns = dict[str, Sequence[Any]]


def _slug(text: str) -> str:
    return text.lower().replace(" ", "-")


def _answer_patterns(seed: int) -> dict[str, list[tuple[Any, ...]]]:
    """Per risk level, ASSIST answer patterns and their score columns, all scored by ``score_screening``."""
    rng = random.Random(seed)
    patterns: dict[str, list[tuple[Any, ...]]] = {}
    for risk in RISKS:
        rows: list[tuple[Any, ...]] = []
        while len(rows) < PATTERNS_PER_RISK:
            primary = rng.choices(PRIMARY, PRIMARY_P)[0]
            answers: dict[str, dict[str, int]] = {}
            pool = _ANSWER_POOLS[risk]
            per = {q: rng.choice(pool[q]) for q in questions_for(primary)}
            if per["q2"] == 0:
                per = {q: v for q, v in per.items() if q not in {"q3", "q4", "q5"}}
            if risk_level(primary, sum(per.values())) != risk:
                continue
            answers[primary] = per
            if rng.random() < 0.6:  # most also smoke, at low risk
                answers["tobacco"] = {"q2": rng.choice((2, 3)), "q3": 0, "q4": 0, "q6": 0, "q7": 0}
            injecting = rng.choice((0, 0, 0, 1, 2)) if risk == "high" else 0
            result = score_screening(answers, injecting)
            if result.overall_risk != risk:
                continue
            scores = result.scores
            rows.append(
                (
                    json.dumps({**answers, "q8": injecting}),
                    *(scores.get(s) for s in SUBSTANCES),
                    injecting,
                    max(scores.values(), default=0),
                    result.overall_risk,
                    result.recommendation,
                    primary,
                )
            )
        patterns[risk] = rows
    return patterns


class _Writer:
    """Bulk rows into one raw DBAPI connection: ``COPY`` on PostgreSQL, ``executemany`` on SQLite."""

    CHUNK = 200_000

    def __init__(self, engine: Engine) -> None:
        self.raw = engine.raw_connection()
        self.postgres = engine.dialect.name == "postgresql"
        self.tz = "+00" if self.postgres else ".000000"
        cursor = self.raw.cursor()
        if not self.postgres:
            cursor.execute("PRAGMA foreign_keys=OFF")
            cursor.execute("PRAGMA synchronous=OFF")
        else:
            # Foreign-key triggers dominate a COPY of millions of rows; rows are consistent by
            # construction (and tested), so a superuser skips them for this transaction only.
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            if cursor.fetchone()[0]:
                cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.close()

    def write(self, table: str, columns: Columns) -> int:
        names = list(columns)
        lists = [c.tolist() if isinstance(c, np.ndarray) else list(c) for c in columns.values()]
        count = len(lists[0]) if lists else 0
        cursor = self.raw.cursor()
        try:
            for begin in range(0, count, self.CHUNK):
                rows = list(zip(*(values[begin : begin + self.CHUNK] for values in lists), strict=True))
                if self.postgres:
                    with cursor.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row)
                else:
                    marks = ", ".join("?" * len(names))
                    cursor.executemany(f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})", rows)
        finally:
            cursor.close()
        return count

    def commit(self) -> None:
        self.raw.commit()
        if not self.postgres:
            cursor = self.raw.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

    def close(self) -> None:
        self.raw.close()


class _Generator:
    """Column-wise generation of every table; day numbers count from ``start``."""

    def __init__(self, writer: _Writer, seed: int, years: int, scale_factor: float, end: date) -> None:
        self.w = writer
        self.seed = seed
        self.rng = np.random.default_rng(seed)
        self.end = end
        self.start = add_months(month_start(end), -12 * years)
        self.days = (end - self.start).days + 1
        self.iso = np.array([(self.start + timedelta(days=d)).isoformat() for d in range(self.days)], object)
        self.n_fac = max(4, math.ceil(FACILITIES_NATIONAL * scale_factor))
        self.patterns = _answer_patterns(seed)

    def day(self, days: np.ndarray) -> np.ndarray:
        return self.iso[days]

    def stamp(self, days: np.ndarray) -> np.ndarray:
        return self.iso[np.minimum(days + 2, self.days - 1)] + (" 03:00:00" + self.w.tz)

    # -- reference data

    def reference(self) -> None:
        rng = self.rng
        n_reg = min(len(KANWIL), self.n_fac)
        weights = np.array([w for _, w in KANWIL[:n_reg]], float)
        region_of = np.concatenate(
            [np.arange(n_reg), rng.choice(n_reg, self.n_fac - n_reg, p=weights / weights.sum())]
        )
        region_of.sort(kind="stable")
        provinces = [p for p, _ in KANWIL[:n_reg]]
        self.w.write(
            "region",
            {
                "id": range(1, n_reg + 1),
                "code": [f"kanwil-{_slug(p)}" for p in provinces],
                "name": [f"Kanwil {p}" for p in provinces],
                "province": provinces,
            },
        )
        # facilities by region; two facilities share one BNNK partner (one per regency)
        fac_type = np.where(rng.random(self.n_fac) < 0.45, "rutan", "lapas")
        fac_class = rng.choice(
            np.array(["I", "IIA", "IIB", "III"], object), self.n_fac, p=(0.1, 0.35, 0.45, 0.1)
        )
        index_in_region = np.zeros(self.n_fac, int)
        partner_of = np.zeros(self.n_fac, int)
        partner_rows: dict[str, list[Any]] = {"id": [], "code": [], "name": [], "region_id": []}
        for r in range(n_reg):
            members = np.flatnonzero(region_of == r)
            index_in_region[members] = np.arange(len(members))
            for k in range(0, len(members), 2):
                pid = len(partner_rows["id"]) + 1
                partner_of[members[k : k + 2]] = pid
                slug = _slug(provinces[r])
                partner_rows["id"].append(pid)
                partner_rows["code"].append(f"bnnk-{slug}-{k // 2 + 1:02d}")
                partner_rows["name"].append(f"BNNK {provinces[r]} {k // 2 + 1:02d}")
                partner_rows["region_id"].append(r + 1)
        self.w.write("partner", partner_rows)
        names = [
            f"{t.title()} Kelas {c} {provinces[r]} {i + 1:02d}"
            for t, c, r, i in zip(fac_type, fac_class, region_of, index_in_region, strict=True)
        ]
        codes = [
            f"{t}-{_slug(provinces[r])}-{i + 1:02d}"
            for t, r, i in zip(fac_type, region_of, index_in_region, strict=True)
        ]
        self.w.write(
            "facility",
            {
                "id": range(1, self.n_fac + 1),
                "code": codes,
                "name": names,
                "facility_type": fac_type,
                "facility_class": fac_class,
                "region_id": region_of + 1,
                "partner_id": partner_of,
                "active": [True] * self.n_fac,
            },
        )
        n_part = len(partner_rows["id"])
        signed = self.start + timedelta(days=-30)
        self.w.write(
            "agreement",
            {
                "id": range(1, n_part + 1),
                "code": [c.replace("bnnk-", "pks-") for c in partner_rows["code"]],
                "kind": ["pks"] * n_part,
                "title": [f"PKS Rutan/Lapas \u2013 {n}: rehabilitasi WBP" for n in partner_rows["name"]],
                "partner_id": partner_rows["id"],
                "region_id": partner_rows["region_id"],
                "discussed_on": [signed.isoformat()] * n_part,
                "signed_on": [signed.isoformat()] * n_part,
                "place_signed": [f"Kanwil {provinces[r - 1]}" for r in partner_rows["region_id"]],
            },
        )
        self.w.write(
            "agreement_facility", {"agreement_id": partner_of, "facility_id": range(1, self.n_fac + 1)}
        )
        per_partner = np.bincount(partner_of, minlength=n_part + 1)[1:]
        years = self.days / 365.25
        scope = (
            ("screening", "Skrining WBP", "screenings", SCREENINGS_PER_FACILITY_YEAR),
            ("rehab_social", "Rehabilitasi sosial", "enrollments_social", ENROLMENTS_PER_FACILITY_YEAR * 0.7),
            (
                "rehab_medical",
                "Rehabilitasi medis",
                "enrollments_medical",
                ENROLMENTS_PER_FACILITY_YEAR * 0.3,
            ),
            ("outreach", "Penyuluhan dan kampanye", "outreach_events", 12),
            ("monev", "Monitoring dan evaluasi", "monev_visits", 4),
        )
        rows: dict[str, list[Any]] = {
            k: [] for k in ("id", "agreement_id", "code", "description", "metric", "target")
        }
        for a in range(n_part):
            for code, description, metric, per_year in scope:
                rows["id"].append(len(rows["id"]) + 1)
                rows["agreement_id"].append(a + 1)
                rows["code"].append(code)
                rows["description"].append(description)
                rows["metric"].append(metric)
                rows["target"].append(round(per_year * years * int(per_partner[a])))
        self.w.write("agreement_scope_item", rows)
        self.region_of, self.partner_of, self.n_reg, self.n_part = region_of + 1, partner_of, n_reg, n_part

    # -- populations

    def populations(self) -> None:
        rng = self.rng
        size = np.clip(rng.lognormal(np.log(WBP_PER_FACILITY) - 0.125, 0.5, self.n_fac), 60, 4000)
        months = []
        month = self.start
        while month <= self.end:
            months.append(month)
            month = add_months(month, 1)
        n_m = len(months)
        fac = np.repeat(np.arange(self.n_fac), n_m)
        m_idx = np.tile(np.arange(n_m), self.n_fac)
        total = np.maximum(1, (size[fac] * (1 + 0.05 * rng.standard_normal(fac.size))).astype(int))
        narcotics = np.minimum(total, (total * rng.uniform(0.4, 0.6, fac.size)).astype(int))
        admissions = (total / 12 * rng.uniform(0.7, 1.3, fac.size)).astype(int)
        month_days = np.array([(m - self.start).days for m in months])[m_idx]
        self.w.write(
            "facility_population",
            {
                "id": range(1, fac.size + 1),
                "facility_id": fac + 1,
                "month": self.day(month_days),
                "wbp_total": total,
                "wbp_narcotics": narcotics,
                "admissions": admissions,
                "entered_at": self.stamp(np.minimum(month_days + 35, self.days - 1)),
            },
        )

    # -- participants and screenings (one each, a second for some)

    def participants(self) -> None:
        rng = self.rng
        per_fac = rng.poisson(SCREENINGS_PER_FACILITY_YEAR * self.days / 365.25, self.n_fac)
        fac = np.repeat(np.arange(self.n_fac), per_fac)
        n = fac.size
        admitted = rng.integers(0, self.days, n)
        stay = 20 + rng.exponential(400, n).astype(int)
        exit_day = admitted + stay
        exited = exit_day < self.days
        screened = np.minimum(admitted + rng.integers(0, 21, n), np.where(exited, exit_day, self.days - 1))
        order = np.lexsort((admitted, fac))  # ids by facility then admission
        fac, admitted, exit_day, exited, screened = (
            a[order] for a in (fac, admitted, exit_day, exited, screened)
        )
        exit_iso = np.where(exited, self.iso[np.minimum(exit_day, self.days - 1)], None)
        self.w.write(
            "participant",
            {
                "id": range(1, n + 1),
                "facility_id": fac + 1,
                "code": [f"N{f + 1:04d}-{i:07d}" for f, i in zip(fac.tolist(), range(1, n + 1), strict=True)],
                "sex": np.where(rng.random(n) < 0.93, "m", "f"),
                "birth_year": self.end.year - rng.integers(19, 60, n),
                "legal_status": np.where(rng.random(n) < 0.4, "tahanan", "narapidana"),
                "narcotics_case": (rng.random(n) < 0.6).tolist(),
                "admitted_on": self.day(admitted),
                "exited_on": exit_iso,
                "exit_reason": np.where(
                    exited, np.where(rng.random(n) < 0.9, "released", "transferred"), None
                ),
                "created_at": self.stamp(admitted),
            },
        )
        risk, primary = self._screenings(1, np.arange(n), fac, screened, (0.6, 0.3, 0.1))
        self.p_fac, self.p_exit, self.p_exited, self.p_screened = fac, exit_day, exited, screened
        self.p_risk, self.p_primary = risk, primary
        # Some still held are screened again half a year later (after ids 1..n, the first screenings):
        # coverage must count them once per range, progress compares follow-ups with the latest.
        again = screened + RESCREEN_AFTER_DAYS + rng.integers(0, 31, n)
        held = again < np.where(exited, exit_day, self.days)
        rescreened = np.flatnonzero(held & (rng.random(n) < RESCREEN_SHARE))
        self._screenings(n + 1, rescreened, fac[rescreened], again[rescreened], (0.7, 0.22, 0.08))

    def _screenings(
        self,
        first_id: int,
        participants: np.ndarray,
        fac: np.ndarray,
        days: np.ndarray,
        risk_p: Sequence[float],
    ) -> tuple[np.ndarray, np.ndarray]:
        """Write screenings of ``participants`` (indices) on ``days`` with risks drawn by ``risk_p``;
        returns the risk levels (0-2) and primary substances."""
        rng, n = self.rng, participants.size
        risk = rng.choice(3, n, p=risk_p)
        pattern = rng.integers(0, PATTERNS_PER_RISK, n)
        table = np.array([row for r in RISKS for row in self.patterns[r]], object)
        picked = table[risk * PATTERNS_PER_RISK + pattern]
        cum = {r: np.cumsum(URINE_P[r]) for r in RISKS}
        u = rng.random(n)
        urine_idx = np.select([risk == i for i in range(3)], [np.searchsorted(cum[r], u) for r in RISKS])
        columns: Columns = {
            "id": range(first_id, first_id + n),
            "participant_id": participants + 1,
            "facility_id": fac + 1,
            "screened_on": self.day(days),
            "screener": ["Petugas Klinik"] * n,
            "created_at": self.stamp(days),
            "urine_result": np.array(URINE, object)[np.minimum(urine_idx, 2)],
        }
        for i, name in enumerate(SCORE_COLUMNS):
            columns[name] = picked[:, i]
        self.w.write("screening", columns)
        return risk, picked[:, len(SCORE_COLUMNS)]

    # -- assessments, enrolments, follow-ups

    def enrolments(self) -> None:
        rng = self.rng
        last = np.where(self.p_exited, self.p_exit, self.days - 1)
        candidates = np.flatnonzero((self.p_risk > 0) & (self.p_screened + 40 <= last))
        want = ENROLMENTS_PER_FACILITY_YEAR * self.n_fac * self.days / 365.25
        chosen = candidates[rng.random(candidates.size) < min(1.0, want / max(1, candidates.size))]
        n = chosen.size
        assessed = self.p_screened[chosen] + rng.integers(1, 15, n)
        started = assessed + rng.integers(1, 15, n)
        duration = rng.integers(150, 480, n)
        planned_end = started + duration
        stop = np.minimum(planned_end, last[chosen])
        dropped = rng.random(n) < 0.12
        stop = np.where(dropped, started + ((stop - started) * rng.uniform(0.1, 0.8, n)).astype(int), stop)
        ongoing = (stop >= self.days - 1) & ~(self.p_exited[chosen] & (stop == last[chosen]))
        released = ~dropped & (stop < planned_end) & ~ongoing
        status = np.where(
            ongoing, "active", np.where(dropped, "dropped_out", np.where(released, "released", "completed"))
        )
        programme = np.where((self.p_risk[chosen] == 2) & (rng.random(n) < 0.6), 1, 0)
        programme = np.where((self.p_risk[chosen] == 1) & (rng.random(n) < 0.15), 1, programme)
        prog_name = np.array(PROGRAMMES, object)[programme]
        fac = self.p_fac[chosen]
        primary = self.p_primary[chosen]
        ids = np.arange(1, n + 1)
        self.w.write(
            "assessment",
            {
                "id": ids,
                "participant_id": chosen + 1,
                "facility_id": fac + 1,
                "screening_id": chosen + 1,
                "assessed_on": self.day(assessed),
                "assessor": ["Konselor Adiksi BNNK"] * n,
                "partner_id": self.partner_of[fac],
                "primary_substance": primary,
                "use_duration_months": rng.integers(3, 120, n),
                "route_of_use": np.where(
                    primary == "cannabis", "smoked", np.where(primary == "amphetamines", "smoked", "oral")
                ),
                "diagnosis": ["Gangguan penggunaan zat"] * n,
                "treatment_history": ["Belum pernah"] * n,
                "recommended_programme": prog_name,
            },
        )
        ended = np.where(ongoing, None, self.iso[np.minimum(stop, self.days - 1)])
        end_reason = np.where(
            status == "dropped_out",
            "Tidak mengikuti sesi berturut-turut",
            np.where(status == "released", "Bebas", ""),
        )
        self.w.write(
            "enrollment",
            {
                "id": ids,
                "participant_id": chosen + 1,
                "facility_id": fac + 1,
                "assessment_id": ids,
                "programme": prog_name,
                "modality": np.where(programme == 1, "outpatient", "community"),
                "started_on": self.day(started),
                "status": status,
                "ended_on": ended,
                "end_reason": end_reason,
            },
        )
        self.e_part, self.e_fac, self.e_prog = chosen, fac, programme
        self.e_start, self.e_stop = started, np.minimum(stop, self.days - 1)
        # follow-ups: "during" 30-60 days in (if still enrolled), "end" on completion day
        during_day = started + rng.integers(30, 61, n)
        has_during = during_day < self.e_stop
        has_end = (status == "completed") & (self.e_stop > during_day)
        e_idx = np.concatenate([np.flatnonzero(has_during), np.flatnonzero(has_end)])
        f_day = np.concatenate([during_day[has_during], self.e_stop[has_end]])
        stage = np.array(["during"] * int(has_during.sum()) + ["end"] * int(has_end.sum()), object)
        # improvement: a follow-up scores one risk level lower with probability 0.6 (never below low)
        base = self.p_risk[chosen[e_idx]]
        f_risk = np.maximum(0, base - (rng.random(e_idx.size) < 0.6))
        table = np.array([row for r in RISKS for row in self.patterns[r]], object)
        picked = table[f_risk * PATTERNS_PER_RISK + rng.integers(0, PATTERNS_PER_RISK, e_idx.size)]
        m = e_idx.size
        columns: Columns = {
            "id": range(1, m + 1),
            "participant_id": chosen[e_idx] + 1,
            "facility_id": fac[e_idx] + 1,
            "enrollment_id": e_idx + 1,
            "followed_on": self.day(f_day),
            "stage": stage,
            "urine_result": np.where(rng.random(m) < 0.85, "negative", "positive"),
        }
        for i, name in enumerate(SCORE_COLUMNS):
            columns[name] = picked[:, i]
        self.w.write("follow_up", columns)

    # -- sessions and attendance

    def sessions(self) -> None:
        rng = self.rng
        first_weekday = self.start.weekday()
        parts: dict[str, list[np.ndarray]] = {k: [] for k in ("fac", "prog", "day", "type", "topic")}
        active_groups = {(int(f), int(p)) for f, p in zip(self.e_fac, self.e_prog, strict=True)}
        for f in range(self.n_fac):
            for p, prog in enumerate(PROGRAMMES):
                if (f, p) not in active_groups:
                    continue
                for weekday, kind, topic in SESSION_PLAN[prog]:
                    days = np.arange((weekday - first_weekday) % 7, self.days, 7)
                    parts["fac"].append(np.full(days.size, f))
                    parts["prog"].append(np.full(days.size, p))
                    parts["day"].append(days)
                    parts["type"].append(np.full(days.size, kind, object))
                    parts["topic"].append(np.full(days.size, topic, object))
        fac, prog, day = (np.concatenate(parts[k]) for k in ("fac", "prog", "day"))
        kind, topic = np.concatenate(parts["type"]), np.concatenate(parts["topic"])
        group = fac * 2 + prog
        key = group.astype(np.int64) * 100_000 + day
        order = np.argsort(key, kind="stable")
        fac, prog, day, kind, topic, key = (a[order] for a in (fac, prog, day, kind, topic, key))
        # a session only exists when someone of that facility+programme is enrolled that day
        e_group = (self.e_fac * 2 + self.e_prog).astype(np.int64) * 100_000
        lo = np.searchsorted(key, e_group + self.e_start, "left")
        hi = np.searchsorted(key, e_group + self.e_stop, "right")
        covered = np.zeros(key.size + 1, int)
        np.add.at(covered, lo, 1)
        np.add.at(covered, hi, -1)
        keep = np.cumsum(covered)[:-1] > 0
        new_index = np.cumsum(keep) - 1
        fac, prog, day, kind, topic = (a[keep] for a in (fac, prog, day, kind, topic))
        n = fac.size
        self.w.write(
            "programme_session",
            {
                "id": range(1, n + 1),
                "facility_id": fac + 1,
                "programme": np.array(PROGRAMMES, object)[prog],
                "held_on": self.day(day),
                "session_type": kind,
                "topic": topic,
                "facilitator": ["Petugas Pembinaan"] * n,
                "partner_id": self.partner_of[fac],
                "duration_minutes": np.full(n, 90),
            },
        )
        # attendance: every enrolment x its sessions (all kept, since covered), at ATTENDANCE_RATE
        lengths = hi - lo
        next_id = 1
        chunk = 2_000_000
        bounds = np.concatenate([[0], np.cumsum(lengths)])
        e_begin = 0
        while e_begin < lengths.size:
            e_end = int(np.searchsorted(bounds, bounds[e_begin] + chunk, "right")) - 1
            e_end = max(e_end, e_begin + 1)
            ln = lengths[e_begin:e_end]
            rep = np.repeat(np.arange(e_begin, e_end), ln)
            offset = np.arange(rep.size) - np.repeat(bounds[e_begin:e_end] - bounds[e_begin], ln)
            session_index = new_index[lo[rep] + offset]
            present = rng.random(rep.size) < ATTENDANCE_RATE
            sid, pid = session_index[present] + 1, self.e_part[rep[present]] + 1
            m = sid.size
            self.w.write(
                "attendance",
                {"id": np.arange(next_id, next_id + m), "session_id": sid, "participant_id": pid},
            )
            next_id += m
            e_begin = e_end

    # -- outreach and monev

    def outreach_and_monev(self) -> None:
        rng = self.rng
        per_partner = rng.poisson(12 * self.days / 365.25, self.n_part)
        partner = np.repeat(np.arange(self.n_part), per_partner)
        n = partner.size
        first_fac = np.searchsorted(self.partner_of, partner + 1)  # facilities are grouped by partner
        region = self.region_of[first_fac]
        audience = rng.choice(
            np.array(["wbp", "families", "public", "schools"], object), n, p=(0.35, 0.2, 0.25, 0.2)
        )
        in_facility = audience == "wbp"
        reach = np.where(in_facility, rng.integers(30, 150, n), rng.integers(50, 400, n))
        self.w.write(
            "outreach_event",
            {
                "id": range(1, n + 1),
                "region_id": region,
                "facility_id": np.where(in_facility, first_fac + 1, None),
                "partner_id": partner + 1,
                "held_on": self.day(rng.integers(0, self.days, n)),
                "place": np.where(in_facility, "Aula Rutan/Lapas", "Balai kota"),
                "event_type": rng.choice(
                    np.array(["penyuluhan", "edukasi", "kampanye"], object), n, p=(0.5, 0.3, 0.2)
                ),
                "audience": audience,
                "people_reached": reach,
                "topic": ["Bahaya narkoba dan layanan rehabilitasi"] * n,
            },
        )
        quarters = np.arange(45, self.days, 91)
        fac = np.repeat(np.arange(self.n_fac), quarters.size)
        visited = np.tile(quarters, self.n_fac) + rng.integers(-20, 20, fac.size)
        visited = np.clip(visited, 0, self.days - 1)
        m = fac.size
        self.w.write(
            "monev_visit",
            {
                "id": range(1, m + 1),
                "facility_id": fac + 1,
                "agreement_id": self.partner_of[fac],
                "visited_on": self.day(visited),
                "team": ["Tim Monev Kanwil dan BNNK"] * m,
                "findings": ["Skrining dan sesi kelompok berjalan sesuai jadwal."] * m,
            },
        )
        visit = np.repeat(np.arange(m), rng.integers(1, 3, m))
        k = visit.size
        due = visited[visit] + 30
        done = due + 30 < self.days - 1
        self.w.write(
            "monev_action",
            {
                "id": range(1, k + 1),
                "visit_id": visit + 1,
                "description": ["Menindaklanjuti temuan monev"] * k,
                "owner": ["Kepala Rutan/Lapas"] * k,
                "due_on": self.day(np.minimum(due, self.days - 1)),
                "status": np.where(done, "done", "open"),
                "closed_on": np.where(done, self.iso[np.minimum(due, self.days - 1)], None),
            },
        )


def load_national(
    engine: Engine,
    *,
    seed: int = 2025,
    years: int = 5,
    scale_factor: float = 1.0,
    today: date | None = None,
) -> NationalSummary:
    """Fill an empty database with national-scale synthetic data ending ``today`` (default: the real today)."""
    if years < 1:
        raise ValueError(f"years must be at least 1 (got {years})")
    if not 0 < scale_factor <= 10:
        raise ValueError(f"scale_factor must be in (0, 10] (got {scale_factor})")
    with Session(engine) as session:
        if database_state(session) != DatabaseState.NEW:
            raise DemoError(
                "database already has data or is a real one; demo data is only loaded into an empty database"
            )
    began = time.perf_counter()
    writer = _Writer(engine)
    try:
        generator = _Generator(writer, seed, years, scale_factor, today or clock.today())
        generator.reference()
        generator.populations()
        generator.participants()
        generator.enrolments()
        generator.sessions()
        generator.outreach_and_monev()
        writer.commit()
    except BaseException:
        writer.raw.rollback()
        raise
    finally:
        writer.close()
    with session_scope(engine) as session:
        sync_id_sequences(
            session, [m for m in TABLES if "id" in m.model_fields and m is not AgreementFacility]
        )
        aggregates.rebuild(session)  # COPY and executemany bypass the flush hook
        session.merge(AppSetting(key=DEMO_KEY, value="1"))
        create_user(
            session=session,
            username="admin.demo",
            role=Role.ADMIN,
            password=DEMO_PASSWORD,
            full_name="Admin Demo",
            password_hash=hash_password(DEMO_PASSWORD),
        )
    if engine.dialect.name == "postgresql":
        # Now, not when autovacuum gets to it: planner statistics, and the visibility map that lets
        # index-only scans skip the table (VACUUM cannot run inside a transaction).
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM (ANALYZE)"))
    with session_scope(engine) as session:
        counts = {
            model.__tablename__: session.exec(select(func.count()).select_from(model)).one()  # type: ignore[arg-type]
            for model in (*TABLES, User)
        }
    return NationalSummary(counts=counts, seconds=time.perf_counter() - began)
