"""SQLModel tables and enums for the whole rehabilitation-cooperation domain.

Conventions:
- Enum-typed columns are stored as plain strings (``sa_type=String``), not native database
  enums, so adding a value never needs an ``ALTER TYPE`` on PostgreSQL.
- Dates are calendar dates (``date``); timestamps are aware UTC datetimes (``utcnow``).
- Every participant-level row carries ``facility_id`` (denormalised for screenings, follow-ups
  and assessments) because every KPI and every access check filters by facility and date.
- No names of inmates anywhere: participants are pseudonymous codes unique per facility.
"""

import re
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, ConfigDict, ValidationInfo, field_validator
from sqlalchemy import JSON, CheckConstraint, Index, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from rehabdata import assist, clock
from rehabdata.validation import EARLIEST_ADMISSION, EARLIEST_AGREEMENT, EARLIEST_EVENT, rule

PARTICIPANT_CODE = re.compile(r"[A-Z0-9][A-Z0-9-]{1,39}")


def utcnow() -> datetime:
    """Current time in UTC; SQLModel stores aware datetimes and returns them in UTC."""
    return datetime.now(UTC)


def enum_field(enum: type[StrEnum], **kwargs: Any) -> Any:
    """A string column holding one of ``enum``'s values."""
    width = max(len(v) for v in enum) + 4
    return Field(sa_type=String(width), **kwargs)


# --- enums -----------------------------------------------------------------------------------


class FacilityType(StrEnum):
    RUTAN = "rutan"
    LAPAS = "lapas"
    LPKA = "lpka"  # Lembaga Pembinaan Khusus Anak: juvenile facility


class AgreementKind(StrEnum):
    MOU = "mou"
    PKS = "pks"


class Sex(StrEnum):
    MALE = "m"
    FEMALE = "f"


class LegalStatus(StrEnum):
    TAHANAN = "tahanan"  # detainee, pre-trial
    NARAPIDANA = "narapidana"  # convict


class ExitReason(StrEnum):
    RELEASED = "released"
    TRANSFERRED = "transferred"


class RiskLevel(StrEnum):
    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"


class RouteOfUse(StrEnum):
    SMOKED = "smoked"
    INJECTED = "injected"
    ORAL = "oral"
    NASAL = "nasal"
    OTHER = "other"


class UrineResult(StrEnum):
    NEGATIVE = "negative"
    POSITIVE = "positive"
    NOT_DONE = "not_done"


class ProgrammeType(StrEnum):
    MEDICAL = "medical"
    SOCIAL = "social"


class Modality(StrEnum):
    OUTPATIENT = "outpatient"  # rawat jalan
    RESIDENTIAL = "residential"  # rawat inap
    COMMUNITY = "community"  # therapeutic community inside the UPT


class EnrollmentStatus(StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"
    DROPPED_OUT = "dropped_out"
    RELEASED = "released"
    TRANSFERRED = "transferred"


class SessionType(StrEnum):
    GROUP = "group"
    INDIVIDUAL = "individual"
    PEER = "peer"
    SKILLS = "skills"
    EDUCATION = "education"
    MEDICAL = "medical"


class FollowUpStage(StrEnum):
    DURING = "during"  # while in the programme
    END = "end"  # at completion
    POST = "post"  # post-rehabilitation


class OutreachType(StrEnum):
    PENYULUHAN = "penyuluhan"
    EDUKASI = "edukasi"
    KAMPANYE = "kampanye"


class Audience(StrEnum):
    WBP = "wbp"
    FAMILIES = "families"
    PUBLIC = "public"
    SCHOOLS = "schools"


class ActionStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"


class Role(StrEnum):
    ADMIN = "admin"
    PIMPINAN = "pimpinan"
    PETUGAS = "petugas"
    MITRA = "mitra"


class ScopeMetric(StrEnum):
    """What counts as delivery of an agreement scope item (see ``kpis.agreement_delivery``)."""

    SCREENINGS = "screenings"
    ASSESSMENTS = "assessments"
    ENROLLMENTS_MEDICAL = "enrollments_medical"
    ENROLLMENTS_SOCIAL = "enrollments_social"
    SKILLS_SESSIONS = "skills_sessions"
    PEER_COUNSELLORS_TRAINED = "peer_counsellors_trained"
    MONEV_VISITS = "monev_visits"
    OUTREACH_EVENTS = "outreach_events"
    OUTREACH_PEOPLE = "outreach_people"


# --- organisation ----------------------------------------------------------------------------


class Region(SQLModel, table=True):
    """A programme region (a regency or former residency) and the Kanwil it reports to."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True)
    name: str = Field(max_length=120)
    province: str = Field(max_length=80)
    kanwil: str = Field(default="", max_length=120)  # regional office of the Directorate General
    active: bool = True


class Partner(SQLModel, table=True):
    """A partner agency, typically a regency narcotics office (BNNK)."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True)
    name: str = Field(max_length=120)
    region_id: int = Field(foreign_key="region.id", index=True)
    active: bool = True


class Facility(SQLModel, table=True):
    """A technical unit (UPT): a Rutan, a Lapas or an LPKA."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True)
    name: str = Field(max_length=120)
    facility_type: FacilityType = enum_field(FacilityType)
    facility_class: str = Field(default="", max_length=10)  # e.g. "IIA", "IIB"
    region_id: int = Field(foreign_key="region.id", index=True)
    partner_id: int | None = Field(default=None, foreign_key="partner.id", index=True)
    regency: str = Field(default="", max_length=80)  # Kabupaten/Kota the UPT stands in
    capacity: int | None = None  # official WBP capacity, when known
    active: bool = True


class Agreement(SQLModel, table=True):
    """A cooperation agreement (MoU or PKS) between a partner and one or more facilities."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True)
    kind: AgreementKind = enum_field(AgreementKind)
    number: str = Field(default="", max_length=120)  # the letter number on the signed document
    title: str = Field(max_length=200)
    partner_id: int = Field(foreign_key="partner.id", index=True)
    region_id: int = Field(foreign_key="region.id", index=True)
    discussed_on: date | None = None
    signed_on: date
    ends_on: date | None = None
    place_signed: str = Field(default="", max_length=120)
    active: bool = True


class AgreementFacility(SQLModel, table=True):
    """Which facilities an agreement covers."""

    __tablename__ = "agreement_facility"

    agreement_id: int = Field(foreign_key="agreement.id", primary_key=True, ondelete="CASCADE")
    facility_id: int = Field(foreign_key="facility.id", primary_key=True, index=True)


class AgreementScopeItem(SQLModel, table=True):
    """One scope item of an agreement with a measurable delivery target."""

    __tablename__ = "agreement_scope_item"
    __table_args__ = (UniqueConstraint("agreement_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    agreement_id: int = Field(foreign_key="agreement.id", index=True, ondelete="CASCADE")
    code: str = Field(max_length=40)
    description: str = Field(max_length=300)
    metric: ScopeMetric = enum_field(ScopeMetric)
    target: int = Field(ge=0)
    unit: str = Field(default="", max_length=40)  # what the target counts, in the agreement's words
    due_on: date | None = None  # by when the target is due (default: the agreement's end)
    active: bool = True


class FacilityPopulation(SQLModel, table=True):
    """Monthly WBP count of a facility, entered by staff: the denominator of coverage KPIs."""

    __tablename__ = "facility_population"
    __table_args__ = (
        UniqueConstraint("facility_id", "month"),
        CheckConstraint("wbp_total > 0", name="population_positive"),
        CheckConstraint("wbp_narcotics >= 0 AND wbp_narcotics <= wbp_total", name="narcotics_le_total"),
    )

    id: int | None = Field(default=None, primary_key=True)
    facility_id: int = Field(foreign_key="facility.id")
    month: date  # first day of the month
    wbp_total: int
    wbp_narcotics: int
    admissions: int | None = None  # new admissions in the month, when known
    entered_at: datetime = Field(default_factory=utcnow)


# --- participants and their records ----------------------------------------------------------


class Participant(SQLModel, table=True):
    """A WBP known to the programme, by pseudonymous code only (identity stays in the UPT register)."""

    __table_args__ = (UniqueConstraint("facility_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    facility_id: int = Field(foreign_key="facility.id", index=True)
    code: str = Field(max_length=40)
    sex: Sex = enum_field(Sex)
    birth_year: int
    legal_status: LegalStatus = enum_field(LegalStatus)
    narcotics_case: bool = True
    admitted_on: date
    exited_on: date | None = None
    exit_reason: ExitReason | None = enum_field(ExitReason, default=None, nullable=True)
    created_at: datetime = Field(default_factory=utcnow)


class AssistScores(SQLModel):
    """ASSIST v3.0 result columns shared by screenings and follow-ups.

    One nullable column per substance (NULL = not used in lifetime) so "substances reported"
    aggregates in one pass without a child table; raw answers are kept in ``answers``.
    """

    answers: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    score_tobacco: int | None = None
    score_alcohol: int | None = None
    score_cannabis: int | None = None
    score_cocaine: int | None = None
    score_amphetamines: int | None = None
    score_inhalants: int | None = None
    score_sedatives: int | None = None
    score_hallucinogens: int | None = None
    score_opioids: int | None = None
    score_other: int | None = None
    injecting: int = 0  # Q8 points: 0 never, 1 not in past 3 months, 2 in past 3 months
    max_score: int = 0  # highest substance involvement score, compared across time
    overall_risk: RiskLevel | None = enum_field(RiskLevel, default=None, nullable=True)
    recommendation: str | None = Field(default=None, max_length=40)
    urine_result: UrineResult = enum_field(UrineResult, default=UrineResult.NOT_DONE)


class Screening(AssistScores, table=True):
    """Initial ASSIST screening of a WBP."""

    __table_args__ = (
        UniqueConstraint("participant_id", "screened_on"),
        Index("ix_screening_facility_date", "facility_id", "screened_on"),
        # covering index for distinct participants screened in a period across many facilities
        Index("ix_screening_date_participant", "screened_on", "facility_id", "participant_id"),
        # a participant's previous screening at a facility (coverage aggregates): one probe
        Index("ix_screening_participant_facility_date", "participant_id", "facility_id", "screened_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    participant_id: int = Field(foreign_key="participant.id")
    facility_id: int = Field(foreign_key="facility.id")
    screened_on: date
    screener: str = Field(default="", max_length=120)
    created_at: datetime = Field(default_factory=utcnow)


class Assessment(SQLModel, table=True):
    """Assessment after a moderate/high screening; holds the PP 25/2011 Art. 18 minimum data."""

    __table_args__ = (Index("ix_assessment_facility_date", "facility_id", "assessed_on"),)

    id: int | None = Field(default=None, primary_key=True)
    participant_id: int = Field(foreign_key="participant.id", index=True)
    facility_id: int = Field(foreign_key="facility.id")
    screening_id: int | None = Field(default=None, foreign_key="screening.id", index=True)
    assessed_on: date
    assessor: str = Field(default="", max_length=120)
    partner_id: int | None = Field(default=None, foreign_key="partner.id")
    primary_substance: str = Field(default="", max_length=20)
    use_duration_months: int | None = None
    route_of_use: str = Field(default="", max_length=20)  # smoked, injected, oral, nasal, other
    diagnosis: str = Field(default="", max_length=200)
    treatment_history: str = Field(default="", max_length=300)
    recommended_programme: ProgrammeType | None = enum_field(ProgrammeType, default=None, nullable=True)


class Enrollment(SQLModel, table=True):
    """A participant's stay in a rehabilitation programme."""

    __table_args__ = (
        Index("ix_enrollment_facility_start", "facility_id", "started_on"),
        Index("ix_enrollment_end", "ended_on"),
        # "was this participant enrolled in this programme there that day", answered from the index
        # (every attendance row asks it when the session aggregates are rebuilt)
        Index(
            "ix_enrollment_participant_programme",
            "participant_id",
            "programme",
            "facility_id",
            "started_on",
            "ended_on",
        ),
        CheckConstraint("ended_on IS NULL OR ended_on >= started_on", name="enrollment_dates"),
    )

    id: int | None = Field(default=None, primary_key=True)
    participant_id: int = Field(foreign_key="participant.id")
    facility_id: int = Field(foreign_key="facility.id")
    assessment_id: int | None = Field(default=None, foreign_key="assessment.id")
    programme: ProgrammeType = enum_field(ProgrammeType)
    modality: Modality = enum_field(Modality)
    started_on: date
    status: EnrollmentStatus = enum_field(EnrollmentStatus, default=EnrollmentStatus.ACTIVE)
    ended_on: date | None = None
    end_reason: str = Field(default="", max_length=200)


class ProgrammeSession(SQLModel, table=True):
    """A rehabilitation session held at a facility (``Session`` would clash with the ORM session)."""

    __tablename__ = "programme_session"
    __table_args__ = (Index("ix_session_facility_date", "facility_id", "held_on"),)

    id: int | None = Field(default=None, primary_key=True)
    facility_id: int = Field(foreign_key="facility.id")
    programme: ProgrammeType = enum_field(ProgrammeType)
    held_on: date
    session_type: SessionType = enum_field(SessionType)
    topic: str = Field(default="", max_length=200)
    facilitator: str = Field(default="", max_length=120)
    partner_id: int | None = Field(default=None, foreign_key="partner.id")
    duration_minutes: int = Field(default=60)


class Attendance(SQLModel, table=True):
    """One participant present at one session; absence is the lack of a row."""

    __table_args__ = (UniqueConstraint("session_id", "participant_id"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="programme_session.id", ondelete="CASCADE")
    participant_id: int = Field(foreign_key="participant.id", index=True)


class FollowUp(AssistScores, table=True):
    """An ASSIST re-score and urine test after enrolment, compared with the screening."""

    __tablename__ = "follow_up"
    __table_args__ = (
        UniqueConstraint("participant_id", "followed_on"),
        Index("ix_follow_up_facility_date", "facility_id", "followed_on"),
        Index("ix_follow_up_date_participant", "followed_on", "participant_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    participant_id: int = Field(foreign_key="participant.id", index=True)
    facility_id: int = Field(foreign_key="facility.id")
    enrollment_id: int | None = Field(default=None, foreign_key="enrollment.id", index=True)
    followed_on: date
    stage: FollowUpStage = enum_field(FollowUpStage)


class PeerCounsellorTraining(SQLModel, table=True):
    """A peer-counsellor (konselor sebaya) training held inside a facility."""

    __tablename__ = "peer_counsellor_training"

    id: int | None = Field(default=None, primary_key=True)
    facility_id: int = Field(foreign_key="facility.id", index=True)
    partner_id: int | None = Field(default=None, foreign_key="partner.id")
    title: str = Field(max_length=200)
    started_on: date
    ended_on: date
    trainer: str = Field(default="", max_length=120)
    staff_trained: int = Field(default=0)  # officers trained alongside the WBP


class PeerCounsellor(SQLModel, table=True):
    """A WBP's participation in a peer-counsellor training, and whether they now serve."""

    __tablename__ = "peer_counsellor"
    __table_args__ = (UniqueConstraint("training_id", "participant_id"),)

    id: int | None = Field(default=None, primary_key=True)
    training_id: int = Field(foreign_key="peer_counsellor_training.id", ondelete="CASCADE")
    participant_id: int = Field(foreign_key="participant.id", index=True)
    completed: bool = False
    active: bool = False


class OutreachEvent(SQLModel, table=True):
    """A penyuluhan, edukasi or kampanye event and the people it reached."""

    __tablename__ = "outreach_event"
    __table_args__ = (
        Index("ix_outreach_region_date", "region_id", "held_on"),
        CheckConstraint("people_reached >= 0", name="people_reached_nonneg"),
    )

    id: int | None = Field(default=None, primary_key=True)
    region_id: int = Field(foreign_key="region.id")
    facility_id: int | None = Field(default=None, foreign_key="facility.id", index=True)
    partner_id: int | None = Field(default=None, foreign_key="partner.id")
    held_on: date
    place: str = Field(max_length=200)
    event_type: OutreachType = enum_field(OutreachType)
    audience: Audience = enum_field(Audience)
    people_reached: int
    topic: str = Field(default="", max_length=200)


class MonevVisit(SQLModel, table=True):
    """A monitoring-and-evaluation visit to a facility."""

    __tablename__ = "monev_visit"
    __table_args__ = (Index("ix_monev_facility_date", "facility_id", "visited_on"),)

    id: int | None = Field(default=None, primary_key=True)
    facility_id: int = Field(foreign_key="facility.id")
    agreement_id: int | None = Field(default=None, foreign_key="agreement.id")
    visited_on: date
    team: str = Field(default="", max_length=300)
    findings: str = Field(default="", max_length=2000)


class MonevAction(SQLModel, table=True):
    """A follow-up action agreed at a monev visit."""

    __tablename__ = "monev_action"

    id: int | None = Field(default=None, primary_key=True)
    visit_id: int = Field(foreign_key="monev_visit.id", index=True, ondelete="CASCADE")
    description: str = Field(max_length=500)
    owner: str = Field(default="", max_length=120)
    due_on: date | None = None
    status: ActionStatus = enum_field(ActionStatus, default=ActionStatus.OPEN)
    closed_on: date | None = None


# --- users, audit, settings ------------------------------------------------------------------


class User(SQLModel, table=True):
    """A person who logs in; scope rows say which facilities or regions they may see."""

    __tablename__ = "app_user"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=60, unique=True)
    full_name: str = Field(default="", max_length=120)
    email: str | None = Field(default=None, max_length=200, unique=True)
    password_hash: str | None = Field(default=None, max_length=200)
    role: Role = enum_field(Role)
    is_active: bool = True
    failed_logins: int = 0
    locked_until: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    last_login_at: datetime | None = None


class UserScope(SQLModel, table=True):
    """One facility or one whole region a user may act on."""

    __tablename__ = "user_scope"
    __table_args__ = (
        CheckConstraint("(facility_id IS NULL) <> (region_id IS NULL)", name="scope_facility_xor_region"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True, ondelete="CASCADE")
    facility_id: int | None = Field(default=None, foreign_key="facility.id")
    region_id: int | None = Field(default=None, foreign_key="region.id")


class AuditLog(SQLModel, table=True):
    """Append-only record of every write: who, when, what, and the fields before → after."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_entity", "entity", "entity_id"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    user_id: int | None = Field(default=None, foreign_key="app_user.id")
    username: str = Field(max_length=60)
    action: str = Field(max_length=20)  # create, update, delete, login, …
    entity: str = Field(max_length=40)
    entity_id: int | None = None
    facility_id: int | None = Field(default=None, foreign_key="facility.id")
    changes: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)


class LoginSession(SQLModel, table=True):
    """A browser's login, kept on the server: the cookie holds a random token, this row its hash.

    Revoking the row (logout, password change, a disabled user, "end all sessions") ends the login in
    every app process at once, as they all read it from the database on each script run.
    """

    __tablename__ = "login_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)  # sha256 hex of the cookie's token
    user_id: int = Field(foreign_key="app_user.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime  # the hard end: idle timeout or the "stay logged in" limit, whichever is sooner
    remember: bool = False  # "tetap masuk di perangkat ini": the cookie outlives the browser
    claimed: bool = False  # the browser holds the cookie (until then only its tab knows the login)
    revoked_at: datetime | None = None


class AppSetting(SQLModel, table=True):
    """Small key/value facts about this database (demo flag, data version)."""

    __tablename__ = "app_setting"

    key: str = Field(primary_key=True, max_length=60)
    value: str = Field(max_length=200)


class MonthSignoff(SQLModel, table=True):
    """A facility head's sign-off of one month; while it stands, that facility-month is locked.

    An admin's reopening (with its reason) unlocks the month; signing it again reuses the row. The
    audit trail keeps every sign-off and reopening (``rehabdata.signoff``).
    """

    __tablename__ = "month_signoff"
    __table_args__ = (UniqueConstraint("facility_id", "month"),)

    id: int | None = Field(default=None, primary_key=True)
    facility_id: int = Field(foreign_key="facility.id")
    month: date  # first day of the month
    signed_by: str = Field(max_length=60)  # username, named in the lock message
    signed_at: datetime = Field(default_factory=utcnow)
    reopened_by: str | None = Field(default=None, max_length=60)
    reopened_at: datetime | None = None  # set: the month is open again
    reopen_reason: str = Field(default="", max_length=500)


# --- aggregate tables (derived; ``rehabdata.aggregates`` keeps them exact) ----------------------


class SessionCell(SQLModel):
    """A row of ``agg_session_day``/``agg_session_month``: counts per facility × day (or month's
    first day) × programme.

    ``expected``: per session, participants with an enrolment in the session's facility and
    programme active on its day, summed over the period's sessions. ``attended_enrolled``: the
    attendance rows of such participants (where it is below ``attended``, someone attended without
    an enrolment in the programme there that day: a data-quality check looks only at those cells).
    """

    sessions: int = 0
    skills_sessions: int = 0
    attended: int = 0
    attended_enrolled: int = 0
    expected: int = 0
    facility_id: int = Field(foreign_key="facility.id", primary_key=True)
    day: date = Field(primary_key=True)
    programme: ProgrammeType = enum_field(ProgrammeType, primary_key=True)


class AggSessionDay(SessionCell, table=True):
    """Sessions, attendance and expected attendance per facility × day × programme.

    Derived from ``programme_session``, ``attendance`` and ``enrollment`` in the same transaction as
    every write (``rehabdata.aggregates``), so KPIs sum a few thousand rows instead of scanning
    millions of attendance rows.
    """

    __tablename__ = "agg_session_day"
    __table_args__ = (Index("ix_agg_session_day_day", "day", "facility_id"),)


class AggSessionMonth(SessionCell, table=True):
    """``agg_session_day`` summed per month (``day`` = the month's first day): long ranges read these."""

    __tablename__ = "agg_session_month"
    __table_args__ = (Index("ix_agg_session_month_day", "day", "facility_id"),)


class ScreeningCell(SQLModel):
    """A row of ``agg_screening_day``/``agg_screening_month``: counts per facility × day (or month's
    first day).

    ``assessed_30d``/``enrolled_30d*`` count moderate/high screenings followed by an
    assessment/enrolment (any programme, medical, social) of the participant 0–30 days after, so
    they change when a later assessment or enrolment is written.
    """

    screenings: int = 0
    risk_low: int = 0
    risk_moderate: int = 0
    risk_high: int = 0
    assessed_30d: int = 0
    enrolled_30d: int = 0
    enrolled_30d_medical: int = 0
    enrolled_30d_social: int = 0
    reported_tobacco: int = 0
    reported_alcohol: int = 0
    reported_cannabis: int = 0
    reported_cocaine: int = 0
    reported_amphetamines: int = 0
    reported_inhalants: int = 0
    reported_sedatives: int = 0
    reported_hallucinogens: int = 0
    reported_opioids: int = 0
    reported_other: int = 0
    facility_id: int = Field(foreign_key="facility.id", primary_key=True)
    day: date = Field(primary_key=True)


class AggScreeningDay(ScreeningCell, table=True):
    """Screenings per facility × day: risk levels, substances reported and referral outcomes."""

    __tablename__ = "agg_screening_day"
    __table_args__ = (Index("ix_agg_screening_day_day", "day", "facility_id"),)


class AggScreeningMonth(ScreeningCell, table=True):
    """``agg_screening_day`` summed per month (``day`` = the month's first day)."""

    __tablename__ = "agg_screening_month"
    __table_args__ = (Index("ix_agg_screening_month_day", "day", "facility_id"),)


class EnrollmentCell(SQLModel):
    """A row of ``agg_enrollment_day``/``agg_enrollment_month``: enrolments started, by their current
    status (an enrolment moves between cells when its status, programme or start date is edited)."""

    enrollments: int = 0
    facility_id: int = Field(foreign_key="facility.id", primary_key=True)
    day: date = Field(primary_key=True)
    programme: ProgrammeType = enum_field(ProgrammeType, primary_key=True)
    status: EnrollmentStatus = enum_field(EnrollmentStatus, primary_key=True)


class AggEnrollmentDay(EnrollmentCell, table=True):
    """Enrolments per facility × start day × programme × current status."""

    __tablename__ = "agg_enrollment_day"
    __table_args__ = (Index("ix_agg_enrollment_day_day", "day", "facility_id"),)


class AggEnrollmentMonth(EnrollmentCell, table=True):
    """``agg_enrollment_day`` summed per month (``day`` = the month's first day)."""

    __tablename__ = "agg_enrollment_month"
    __table_args__ = (Index("ix_agg_enrollment_month_day", "day", "facility_id"),)


NO_PREVIOUS_SCREENING = date(1900, 1, 1)
"""``CoverageCell.previous`` of a participant's first screening at a facility (a key cannot be NULL)."""


class CoverageCell(SQLModel):
    """A row of ``agg_coverage_day``/``agg_coverage_month``: screenings per facility × day (or month's
    first day) × the date of the participant's previous screening at that facility.

    Counting distinct participants from it is a sum: the participants screened at a facility in
    ``start``–``end`` are the screenings there whose ``previous`` is before ``start`` (each
    participant's first screening in the range), per period those whose ``previous`` also lies in
    an earlier period. Almost every screening is a participant's first at a facility, so a month
    row covers a facility's whole month.
    """

    screenings: int = 0
    facility_id: int = Field(foreign_key="facility.id", primary_key=True)
    day: date = Field(primary_key=True)
    previous: date = Field(primary_key=True)


class AggCoverageDay(CoverageCell, table=True):
    """Screenings per facility × day × previous screening date of the participant there."""

    __tablename__ = "agg_coverage_day"
    __table_args__ = (Index("ix_agg_coverage_day_day", "day", "facility_id"),)


class AggCoverageMonth(CoverageCell, table=True):
    """``agg_coverage_day`` summed per month (``day`` = the month's first day)."""

    __tablename__ = "agg_coverage_month"
    __table_args__ = (Index("ix_agg_coverage_month_day", "day", "facility_id"),)


class AggFollowUp(SQLModel, table=True):
    """Each follow-up (facility × day × participant: one a day per participant) with the screening
    it is compared with already looked up: the participant's latest on or before the follow-up day.

    ``kpis.progress`` reads this table alone; looking up 1.6 million screenings' baselines at
    query time cost a random read per follow-up. ``programme``: of the enrolment the follow-up is
    linked to (None: none). ``compared``: 1 when there is a baseline screening; ``score_change``:
    follow-up ``max_score`` minus the baseline's (None without one); ``risk_fell``: 1 when the
    follow-up's overall risk ranks lower than the baseline's.
    """

    __tablename__ = "agg_follow_up"
    __table_args__ = (Index("ix_agg_follow_up_day", "day", "participant_id"),)

    facility_id: int = Field(foreign_key="facility.id", primary_key=True)
    day: date = Field(primary_key=True)
    participant_id: int = Field(primary_key=True)
    programme: ProgrammeType | None = enum_field(ProgrammeType, default=None, nullable=True)
    urine_result: UrineResult = enum_field(UrineResult, default=UrineResult.NOT_DONE)
    compared: int = 0
    score_change: int | None = None
    risk_fell: int = 0


# --- validated input models (what forms and imports send; table models do not validate) -------


def _no_future(day: date, earliest: date) -> date:
    if day > clock.today():
        raise rule("validation.future_date")
    if day < earliest:
        raise rule("validation.too_early", earliest=earliest.isoformat())
    return day


def _event_date(value: date) -> date:
    return _no_future(value, EARLIEST_EVENT)


# A programme event's date: not in the future, not before the programme could exist.
EventDate = Annotated[date, AfterValidator(_event_date)]


class ParticipantCreate(SQLModel):
    """A new participant: pseudonymous code, demographics and stay dates."""

    facility_id: int
    code: str = Field(min_length=1, max_length=40)
    sex: Sex
    birth_year: int
    legal_status: LegalStatus
    narcotics_case: bool = True
    admitted_on: date
    exited_on: date | None = None
    exit_reason: ExitReason | None = None

    model_config = ConfigDict(validate_default=True)  # so a missing exit reason is checked too

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        code = value.strip().upper()
        if not PARTICIPANT_CODE.fullmatch(code):
            raise rule("validation.code_pattern")
        return code

    @field_validator("birth_year")
    @classmethod
    def _birth_year(cls, value: int) -> int:
        latest = clock.today().year - 15
        if not 1930 <= value <= latest:
            raise rule("validation.birth_year", earliest=1930, latest=latest)
        return value

    @field_validator("admitted_on")
    @classmethod
    def _admitted(cls, value: date) -> date:
        return _no_future(value, EARLIEST_ADMISSION)

    @field_validator("exited_on")
    @classmethod
    def _exited(cls, value: date | None, info: ValidationInfo) -> date | None:
        if value is None:
            return None
        _no_future(value, EARLIEST_ADMISSION)
        admitted = info.data.get("admitted_on")
        if admitted is not None and value < admitted:
            raise rule("validation.exit_before_admission")
        return value

    @field_validator("exit_reason")
    @classmethod
    def _exit_reason(cls, value: ExitReason | None, info: ValidationInfo) -> ExitReason | None:
        if info.data.get("exited_on") is not None and value is None:
            raise rule("validation.exit_reason_required")
        return value


def _stripped(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class ScreeningCreate(SQLModel):
    """A screening as entered: ASSIST answers per substance used (Q1 yes), Q8 and the urine test.

    Scores, risk and recommendation are computed from the answers by ``assist``, never typed in.
    """

    participant_id: int
    screened_on: EventDate
    screener: Annotated[str, BeforeValidator(_stripped)] = Field(min_length=1, max_length=120)  # who screened
    answers: dict[str, dict[str, int]] = Field(default_factory=dict)
    injecting: int = 0
    urine_result: UrineResult = UrineResult.NOT_DONE

    @field_validator("answers")
    @classmethod
    def _answers(cls, value: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
        value = {substance: dict(answers) for substance, answers in value.items()}
        value.get("tobacco", {}).pop("q5", None)  # Q5 is not asked for tobacco
        for substance, answers in value.items():
            if substance not in assist.SUBSTANCES:
                raise rule("validation.unknown_substance", substance=substance)
            for question, points in answers.items():
                allowed = assist.QUESTION_SCALES.get(question)
                if question not in assist.SCORED_QUESTIONS or allowed is None:
                    raise rule("validation.unknown_question", question=question)
                if points not in allowed:
                    raise rule(
                        "validation.assist_scale",
                        substance=substance,
                        question=question.upper(),
                        allowed=", ".join(map(str, allowed)),
                        value=points,
                    )
        return value

    @field_validator("injecting")
    @classmethod
    def _injecting(cls, value: int) -> int:
        if value not in assist.QUESTION_SCALES["q8"]:
            raise rule("validation.injecting_scale", allowed="0, 1, 2", value=value)
        return value


class PopulationCreate(SQLModel):
    """A facility's WBP count for one month (any day of the month is stored as its first day)."""

    facility_id: int
    month: date
    wbp_total: int = Field(gt=0, le=20_000)
    wbp_narcotics: int = Field(ge=0)
    admissions: int | None = Field(default=None, ge=0)

    @field_validator("month")
    @classmethod
    def _month(cls, value: date) -> date:
        first = value.replace(day=1)
        if first > clock.today().replace(day=1):
            raise rule("validation.future_date")
        if first < EARLIEST_EVENT:
            raise rule("validation.too_early", earliest=EARLIEST_EVENT.isoformat())
        return first

    @field_validator("wbp_narcotics")
    @classmethod
    def _narcotics(cls, value: int, info: ValidationInfo) -> int:
        total = info.data.get("wbp_total")
        if total is not None and value > total:
            raise rule("validation.narcotics_above_total")
        return value


class EnrollmentCreate(SQLModel):
    """Enrolling a participant in a rehabilitation programme."""

    participant_id: int
    programme: ProgrammeType
    modality: Modality
    started_on: EventDate
    assessment_id: int | None = None


class EnrollmentEnd(SQLModel):
    """Closing an enrolment: completed, dropped out, released or transferred, with date and reason."""

    status: EnrollmentStatus
    ended_on: EventDate
    end_reason: str = Field(default="", max_length=200)

    @field_validator("status")
    @classmethod
    def _status(cls, value: EnrollmentStatus) -> EnrollmentStatus:
        if value == EnrollmentStatus.ACTIVE:
            raise rule("validation.not_allowed")
        return value


class SessionCreate(SQLModel):
    """A session held at a facility; attendance is saved with it in one transaction."""

    facility_id: int
    programme: ProgrammeType
    held_on: EventDate
    session_type: SessionType
    topic: str = Field(min_length=1, max_length=200)
    facilitator: str = Field(default="", max_length=120)
    duration_minutes: int = Field(default=60, ge=10, le=480)
    partner_id: int | None = None


class OutreachCreate(SQLModel):
    """An outreach event (penyuluhan, edukasi, kampanye) and the people it reached."""

    region_id: int
    facility_id: int | None = None
    partner_id: int | None = None
    held_on: EventDate
    place: str = Field(min_length=1, max_length=200)
    event_type: OutreachType
    audience: Audience
    people_reached: int = Field(ge=0, le=100_000)
    topic: str = Field(default="", max_length=200)


class AssessmentCreate(SQLModel):
    """An assessment after a moderate/high screening, with the PP 25/2011 Art. 18 minimum data."""

    participant_id: int
    assessed_on: EventDate
    assessor: str = Field(min_length=1, max_length=120)
    screening_id: int | None = None
    partner_id: int | None = None
    primary_substance: str = Field(min_length=1, max_length=20)
    use_duration_months: int | None = Field(default=None, ge=0, le=720)
    route_of_use: RouteOfUse
    diagnosis: str = Field(default="", max_length=200)
    treatment_history: str = Field(default="", max_length=300)
    recommended_programme: ProgrammeType | None = None

    @field_validator("primary_substance")
    @classmethod
    def _substance(cls, value: str) -> str:
        if value not in assist.SUBSTANCES:
            raise rule("validation.unknown_substance", substance=value)
        return value


class FollowUpCreate(ScreeningCreate):
    """A follow-up: the same ASSIST re-score and urine test as a screening, at a programme stage."""

    screener: str = Field(default="", max_length=120)  # not asked at a follow-up
    enrollment_id: int | None = None
    stage: FollowUpStage


class MonevVisitCreate(SQLModel):
    """A monitoring-and-evaluation visit with its findings."""

    facility_id: int
    agreement_id: int | None = None
    visited_on: EventDate
    team: str = Field(min_length=1, max_length=300)
    findings: str = Field(default="", max_length=2000)


class MonevActionCreate(SQLModel):
    """An action agreed at a monev visit; its due date may lie ahead."""

    visit_id: int
    description: str = Field(min_length=1, max_length=500)
    owner: str = Field(default="", max_length=120)
    due_on: date | None = None
    status: ActionStatus = ActionStatus.OPEN


class DataVersion(SQLModel, table=True):
    """A counter bumped in every write transaction: caches in every app process key on it."""

    __tablename__ = "data_version"

    id: int = Field(default=1, primary_key=True)
    version: int = 0


class PeerTrainingCreate(SQLModel):
    """A peer-counsellor training held in a facility (its trainees are saved with it)."""

    facility_id: int
    title: str = Field(min_length=1, max_length=200)
    started_on: EventDate
    ended_on: date
    trainer: str = Field(default="", max_length=120)
    staff_trained: int = Field(default=0, ge=0, le=500)
    partner_id: int | None = None

    @field_validator("ended_on")
    @classmethod
    def _end(cls, value: date, info: ValidationInfo) -> date:
        _no_future(value, EARLIEST_EVENT)
        started = info.data.get("started_on")
        if started is not None and value < started:
            raise rule("validation.end_before_start")
        return value


# --- reference data: regions, partners, facilities, agreements (admin) ---------------------------

REFERENCE_CODE = re.compile(r"[a-z0-9][a-z0-9_-]{1,39}")


def _reference_code(value: str) -> str:
    code = value.strip().lower()
    if not REFERENCE_CODE.fullmatch(code):
        raise rule("validation.reference_code")
    return code


# A stable identifier used in imports, links and user scopes: lower case letters, digits, - and _.
ReferenceCode = Annotated[str, AfterValidator(_reference_code)]
_Text = ConfigDict(str_strip_whitespace=True)


class RegionCreate(SQLModel):
    """A new programme region and the Kanwil it reports to."""

    model_config = _Text
    code: ReferenceCode
    name: str = Field(min_length=1, max_length=120)
    province: str = Field(min_length=1, max_length=80)
    kanwil: str = Field(default="", max_length=120)


class PartnerCreate(SQLModel):
    """A new partner agency (a BNNK or another) in a region."""

    model_config = _Text
    code: ReferenceCode
    name: str = Field(min_length=1, max_length=120)
    region_id: int


class FacilityCreate(SQLModel):
    """A new UPT: name, type, class, region (Kanwil), regency and capacity."""

    model_config = _Text
    code: ReferenceCode
    name: str = Field(min_length=1, max_length=120)
    facility_type: FacilityType
    facility_class: str = Field(default="", max_length=10)
    region_id: int
    partner_id: int | None = None
    regency: str = Field(default="", max_length=80)
    capacity: int | None = Field(default=None, ge=1, le=20_000)


class AgreementCreate(SQLModel):
    """A new MoU or PKS: parties, dates and the facilities it covers (at least one)."""

    model_config = _Text
    code: ReferenceCode
    kind: AgreementKind
    number: str = Field(default="", max_length=120)
    title: str = Field(min_length=1, max_length=200)
    partner_id: int
    region_id: int
    discussed_on: date | None = None
    signed_on: date
    ends_on: date | None = None
    place_signed: str = Field(default="", max_length=120)
    facility_ids: list[int] = Field(min_length=1)

    @field_validator("signed_on")
    @classmethod
    def _signed(cls, value: date) -> date:
        return _no_future(value, EARLIEST_AGREEMENT)

    @field_validator("ends_on")
    @classmethod
    def _ends(cls, value: date | None, info: ValidationInfo) -> date | None:
        signed = info.data.get("signed_on")
        if value is not None and signed is not None and value <= signed:
            raise rule("validation.end_before_start")
        return value

    @field_validator("discussed_on")
    @classmethod
    def _discussed(cls, value: date | None) -> date | None:
        return None if value is None else _no_future(value, EARLIEST_AGREEMENT)


class ScopeItemCreate(SQLModel):
    """A scope item of an agreement: what is delivered, how it is counted, the target and its date."""

    model_config = _Text
    agreement_id: int
    code: ReferenceCode
    description: str = Field(min_length=1, max_length=300)
    metric: ScopeMetric
    target: int = Field(ge=1, le=10_000_000)
    unit: str = Field(default="", max_length=40)
    due_on: date | None = None


USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,59}")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def _username(value: str) -> str:
    name = value.strip().lower()
    if not USERNAME.fullmatch(name):
        raise rule("validation.username")
    return name


def _email(value: str | None) -> str | None:
    address = (value or "").strip().lower()
    if address and not EMAIL.fullmatch(address):
        raise rule("validation.email")
    return address or None


class UserCreate(SQLModel):
    """An account to create in bulk (onboarding import): its role and where it works.

    Everyone but an admin needs a facility or a region; the password is generated and shown once.
    """

    model_config = ConfigDict(str_strip_whitespace=True, validate_default=True)  # the scope rule runs
    username: Annotated[str, AfterValidator(_username)]
    full_name: str = Field(default="", max_length=120)
    email: Annotated[str | None, AfterValidator(_email)] = None
    role: Role
    facility_id: int | None = None
    region_id: int | None = None

    @field_validator("region_id")
    @classmethod
    def _scoped(cls, value: int | None, info: ValidationInfo) -> int | None:
        role, facility = info.data.get("role"), info.data.get("facility_id")
        if role is not None and role != Role.ADMIN and facility is None and value is None:
            raise rule("validation.scope_required")
        return value


# The input model that validates a corrected table row: a correction must pass the same rules.
CREATE_MODELS: dict[type[SQLModel], type[SQLModel]] = {
    Participant: ParticipantCreate,
    FacilityPopulation: PopulationCreate,
    ProgrammeSession: SessionCreate,
    OutreachEvent: OutreachCreate,
    Assessment: AssessmentCreate,
    MonevVisit: MonevVisitCreate,
    PeerCounsellorTraining: PeerTrainingCreate,
}
