"""Bulk import from CSV or XLSX: participants, screenings, sessions with attendance, outreach, populations.

Flow: ``read_table`` (bytes → header and rows, or one file-level problem) → ``plan`` (every row is
checked with the ``*Create`` models and the context rules of ``services``, set-based: existing
natural keys, stays and enrolments are loaded once per file) → ``write`` (bulk insert of the new
records and one audit row each, action ``import``, in the caller's transaction). Nothing is written
unless every row passes. A record whose natural key already exists is never changed: it counts as
"already present", so importing the same file twice adds nothing. A new record dated in a month
that its facility's head has signed off is refused on its row (``signoff``); present ones stay fine.

File layouts (one header row; Indonesian column names; ``SPECS`` and ``guide`` describe each column):
- participants: one row per participant (facility + code is the key).
- screenings: one row per screening (participant + date). ``zat`` lists the substances ever used
  (ASSIST Q1, separated by spaces or commas); only the ``<zat>_q2`` … ``<zat>_q7`` cells of those
  substances are read, and Q3–Q5 are skipped when Q2 is 0, as on the form. The template carries
  the four common substances; columns for the others may be added (``ANSWER_COLUMNS``). Chosen
  over a long format (one row per screening × substance) because one row is one questionnaire,
  the unit staff copy from paper and the unit an error message points at.
- sessions: one row per attendance; rows with identical session columns (facility, date,
  programme, type, topic) are one session; a blank ``kode_peserta`` records a session without
  attendance.
- outreach: one row per event (region + date + place + type + audience).
- populations: one row per facility and month.
- facilities (admin, onboarding): one row per UPT (code is the key).
- users (admin, onboarding): one row per account with its role and facility or region; import the
  facilities first. Each new account gets a random password, shown once after the import
  (``Plan.passwords``) and never stored but as its hash.
"""

import csv
import gc
import io
import re
import secrets
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from functools import cache, cached_property
from typing import Any, TypeVar

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from pydantic import BaseModel, TypeAdapter
from sqlalchemy import insert
from sqlmodel import Session, SQLModel, select

from rehabdata import aggregates, assist, audit, auth, services, signoff
from rehabdata.auth import Principal, ScopeError
from rehabdata.i18n import MESSAGES, Lang, t
from rehabdata.models import (
    Attendance,
    Audience,
    AuditLog,
    Enrollment,
    ExitReason,
    Facility,
    FacilityCreate,
    FacilityPopulation,
    FacilityType,
    LegalStatus,
    OutreachCreate,
    OutreachEvent,
    OutreachType,
    Participant,
    ParticipantCreate,
    Partner,
    PopulationCreate,
    ProgrammeSession,
    ProgrammeType,
    Region,
    Role,
    Screening,
    ScreeningCreate,
    SessionCreate,
    SessionType,
    Sex,
    UrineResult,
    User,
    UserCreate,
    UserScope,
    utcnow,
)
from rehabdata.periods import month_start
from rehabdata.validation import Problem, check

Model = TypeVar("Model", bound=BaseModel)

MAX_ROWS = 50_000
MAX_MEGABYTES = 20
MAX_COLUMNS = 200  # a sheet wider than this is not one of ours; stop reading there
PREVIEW_ROWS = 10


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a file's rows become objects.

    Its full passes over the growing heap took ~40% of writing 50,000 screenings (6.6 s → 4.1 s
    CPU); reference counting still frees everything that is not a cycle.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class Kind(StrEnum):
    """What a file holds; each kind has its own template."""

    PARTICIPANTS = "participants"
    SCREENINGS = "screenings"
    SESSIONS = "sessions"
    OUTREACH = "outreach"
    POPULATIONS = "populations"
    FACILITIES = "facilities"
    USERS = "users"


# The tables a kind writes, in insert order (attendance needs its session's id).
TABLES: dict[Kind, tuple[type[SQLModel], ...]] = {
    Kind.PARTICIPANTS: (Participant,),
    Kind.SCREENINGS: (Screening,),
    Kind.SESSIONS: (ProgrammeSession, Attendance),
    Kind.OUTREACH: (OutreachEvent,),
    Kind.POPULATIONS: (FacilityPopulation,),
    Kind.FACILITIES: (Facility,),
    Kind.USERS: (User, UserScope),
}


_ENTITY = {model: services.entity_name(model) for models in TABLES.values() for model in models}


# Who may write each table: ``services.WRITERS``, and accounts for admins only (as ``services.create_user``).
_WRITERS = services.WRITERS | dict.fromkeys((User, UserScope), frozenset({Role.ADMIN}))


def kinds_for(principal: Principal) -> list[Kind]:
    """The kinds this principal's role may import (the writers of every table written)."""
    return [kind for kind in Kind if all(principal.role in _WRITERS[m] for m in TABLES[kind])]


# --- column specifications -----------------------------------------------------------------------


def _same(*values: str) -> dict[str, str]:
    return {value: value for value in values}


# Accepted spelling → stored value; the first spelling of each value is the documented one.
SEX = {"L": "m", "P": "f", "laki-laki": "m", "perempuan": "f"} | _same(*Sex)
LEGAL_STATUS = _same(*LegalStatus)
YES_NO = dict.fromkeys(("ya", "y", "yes", "true", "1"), True) | dict.fromkeys(
    ("tidak", "t", "no", "false", "0"), False
)
EXIT_REASON = {"bebas": "released", "pindah": "transferred", "dipindahkan": "transferred"} | _same(
    *ExitReason
)
URINE = {"negatif": "negative", "positif": "positive", "tidak_dilakukan": "not_done"} | _same(*UrineResult)
PROGRAMME = {"medis": "medical", "sosial": "social"} | _same(*ProgrammeType)
SESSION_TYPE = {
    "kelompok": "group",
    "individu": "individual",
    "sebaya": "peer",
    "keterampilan": "skills",
    "edukasi": "education",
    "medis": "medical",
} | _same(*SessionType)
OUTREACH_TYPE = _same(*OutreachType)
FACILITY_TYPE = _same(*FacilityType)
ROLE = _same(*Role)
AUDIENCE = {"wbp": "wbp", "keluarga": "families", "masyarakat": "public", "sekolah": "schools"} | _same(
    *Audience
)

SUBSTANCE_NAMES: dict[str, str] = {
    "tobacco": "tembakau",
    "alcohol": "alkohol",
    "cannabis": "ganja",
    "cocaine": "kokain",
    "amphetamines": "amfetamin",
    "inhalants": "inhalansia",
    "sedatives": "sedatif",
    "hallucinogens": "halusinogen",
    "opioids": "opioid",
    "other": "lainnya",
}
_SUBSTANCE_SPELLINGS = {
    **{name: code for code, name in SUBSTANCE_NAMES.items()},
    **{code: code for code in assist.SUBSTANCES},
    "sabu": "amphetamines",
    "kanabis": "cannabis",
}
# Answer column → (substance, question): every question asked for every substance (no tembakau_q5).
ANSWER_COLUMNS: dict[str, tuple[str, str]] = {
    f"{SUBSTANCE_NAMES[s]}_{q}": (s, q) for s in assist.SUBSTANCES for q in assist.questions_for(s)
}
_ANSWER_COLUMN_OF = {answer: column for column, answer in ANSWER_COLUMNS.items()}
_ASKED = {substance: assist.questions_for(substance) for substance in assist.SUBSTANCES}
TEMPLATE_SUBSTANCES = ("amphetamines", "cannabis", "tobacco", "alcohol")  # the common ones
_SKIPPED_WHEN_NOT_RECENT = frozenset({"q3", "q4", "q5"})


@dataclass(frozen=True)
class Column:
    """One template column: header, the model field it fills, how a cell is read, whether it is needed."""

    name: str
    field: str | None
    parse: str  # key (a code, lower case) | upper | text | int | date | month | choice | substances
    required: bool = True  # a value is needed in every row
    header: bool | None = None  # the header must be present (default: when a value is required)
    choices: dict[str, Any] = field(default_factory=dict)
    example: Any = None

    @property
    def header_required(self) -> bool:
        return self.required if self.header is None else self.header

    @cached_property
    def lookup(self) -> dict[str, Any]:
        return {_spelling(text): value for text, value in self.choices.items()}

    @property
    def allowed(self) -> list[str]:
        """The documented spellings: the first one of each stored value."""
        shown: dict[Any, str] = {}
        for text, value in self.choices.items():
            shown.setdefault(value, text)
        return list(shown.values())


def _answer_column(substance: str, question: str) -> Column:
    name = f"{SUBSTANCE_NAMES[substance]}_{question}"
    return Column(name, None, "int", required=False, example=_EXAMPLE_ANSWERS.get(name))


_FACILITY = Column("kode_upt", "facility_id", "key", example="rutan-kabanjahe")
# The example row's answers: sabu scores 22 and tobacco 12, both moderate risk.
_EXAMPLE_ANSWERS = {
    "amfetamin_q2": 4,
    "amfetamin_q3": 4,
    "amfetamin_q4": 5,
    "amfetamin_q5": 6,
    "amfetamin_q6": 3,
    "amfetamin_q7": 0,
    "tembakau_q2": 6,
    "tembakau_q3": 3,
    "tembakau_q4": 0,
    "tembakau_q6": 0,
    "tembakau_q7": 3,
}

SPECS: dict[Kind, tuple[Column, ...]] = {
    Kind.PARTICIPANTS: (
        _FACILITY,
        Column("kode_peserta", "code", "upper", example="KBJ-2025-0101"),
        Column("jenis_kelamin", "sex", "choice", choices=SEX, example="L"),
        Column("tahun_lahir", "birth_year", "int", example=1990),
        Column("status_hukum", "legal_status", "choice", choices=LEGAL_STATUS, example="tahanan"),
        Column("kasus_narkotika", "narcotics_case", "choice", required=False, choices=YES_NO, example="ya"),
        Column("tanggal_masuk", "admitted_on", "date", example=date(2025, 8, 4)),
        Column("tanggal_keluar", "exited_on", "date", required=False),
        Column("alasan_keluar", "exit_reason", "choice", required=False, choices=EXIT_REASON),
    ),
    Kind.SCREENINGS: (
        _FACILITY,
        Column("kode_peserta", "participant_id", "upper", example="KBJ-2025-0101"),
        Column("tanggal_skrining", "screened_on", "date", example=date(2025, 8, 11)),
        Column("petugas_skrining", "screener", "text", example="Perawat klinik"),
        Column("zat", "answers", "substances", required=False, header=True, example="amfetamin tembakau"),
        Column("q8_suntik", "injecting", "int", required=False, example=0),
        Column("tes_urine", "urine_result", "choice", required=False, choices=URINE, example="positif"),
        *(_answer_column(s, q) for s in TEMPLATE_SUBSTANCES for q in assist.questions_for(s)),
    ),
    Kind.SESSIONS: (
        _FACILITY,
        Column("tanggal_sesi", "held_on", "date", example=date(2025, 9, 2)),
        Column("program", "programme", "choice", choices=PROGRAMME, example="sosial"),
        Column("jenis_sesi", "session_type", "choice", choices=SESSION_TYPE, example="kelompok"),
        Column("topik", "topic", "text", example="Pencegahan kekambuhan"),
        Column("fasilitator", "facilitator", "text", required=False, example="Konselor BNNK Karo"),
        Column("durasi_menit", "duration_minutes", "int", required=False, example=90),
        Column("kode_mitra", "partner_id", "key", required=False, example="bnnk-karo"),
        Column("kode_peserta", None, "upper", required=False, header=True, example="KBJ-2025-0101"),
    ),
    Kind.OUTREACH: (
        Column("kode_wilayah", "region_id", "key", example="karo"),
        Column("kode_upt", "facility_id", "key", required=False, example="rutan-kabanjahe"),
        Column("kode_mitra", "partner_id", "key", required=False, example="bnnk-karo"),
        Column("tanggal", "held_on", "date", example=date(2025, 9, 10)),
        Column("tempat", "place", "text", example="Aula Rutan Kabanjahe"),
        Column("jenis_kegiatan", "event_type", "choice", choices=OUTREACH_TYPE, example="penyuluhan"),
        Column("sasaran", "audience", "choice", choices=AUDIENCE, example="wbp"),
        Column("jumlah_orang", "people_reached", "int", example=120),
        Column("topik", "topic", "text", required=False, example="Bahaya narkoba"),
    ),
    Kind.POPULATIONS: (
        _FACILITY,
        Column("bulan", "month", "month", example="2025-09"),
        Column("jumlah_wbp", "wbp_total", "int", example=420),
        Column("wbp_narkotika", "wbp_narcotics", "int", example=310),
        Column("penerimaan_baru", "admissions", "int", required=False, example=35),
    ),
    Kind.FACILITIES: (
        Column("kode_upt", "code", "text", example="rutan-batang"),
        Column("nama", "name", "text", example="Rutan Kelas IIB Batang"),
        Column("jenis_upt", "facility_type", "choice", choices=FACILITY_TYPE, example="rutan"),
        Column("kelas", "facility_class", "text", required=False, example="IIB"),
        Column("kode_wilayah", "region_id", "key", example="pekalongan"),
        Column("kode_mitra", "partner_id", "key", required=False, example="bnnk-batang"),
        Column("kabupaten_kota", "regency", "text", required=False, example="Kabupaten Batang"),
        Column("kapasitas", "capacity", "int", required=False, example=180),
    ),
    Kind.USERS: (
        Column("nama_pengguna", "username", "text", example="petugas.batang"),
        Column("nama_lengkap", "full_name", "text", required=False, example="Sri Lestari"),
        Column("email", "email", "text", required=False, example="sri.lestari@example.go.id"),
        Column("peran", "role", "choice", choices=ROLE, example="petugas"),
        Column("kode_upt", "facility_id", "key", required=False, header=True, example="rutan-batang"),
        Column("kode_wilayah", "region_id", "key", required=False, example=None),
    ),
}


def _known_headers(kind: Kind) -> set[str]:
    names = {column.name for column in SPECS[kind]}
    return names | set(ANSWER_COLUMNS) if kind == Kind.SCREENINGS else names


# --- problems and plans --------------------------------------------------------------------------


@dataclass(frozen=True)
class RowProblem:
    """A problem at a spreadsheet row (1 is the header row; None: the whole file) and column."""

    row: int | None
    column: str
    problem: Problem

    def message(self, lang: Lang) -> str:
        """The message in ``lang``."""
        return self.problem.message(lang)


@dataclass(slots=True)
class _Record:
    values: dict[str, Any]
    facility_id: int | None
    key: tuple | None = None  # a new session's natural key, which its attendance rows refer to


@dataclass
class Plan:
    """What importing a file does: every problem by row and column, or the new records and those present."""

    kind: Kind
    rows: int = 0
    headers: tuple[str, ...] = ()
    preview: list[dict[str, str]] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    new: dict[str, list[_Record]] = field(default_factory=lambda: defaultdict(list))
    present: Counter[str] = field(default_factory=Counter)
    passwords: dict[str, str] = field(default_factory=dict)  # new username → its password, shown once
    written: bool = False

    @property
    def ok(self) -> bool:
        """True when the file can be imported."""
        return not self.problems

    def counts(self) -> dict[str, tuple[int, int]]:
        """Per table written: (new records, records already present)."""
        names = [_ENTITY[model] for model in TABLES[self.kind]]
        return {name: (len(self.new.get(name, ())), self.present[name]) for name in names}


def summary(plan: Plan, lang: Lang) -> str:
    """'Peserta: 0 baru, 12 sudah ada.' for each table the kind writes."""
    return " ".join(
        t("import.summary", lang, entity=t(f"import.entity.{entity}", lang), new=new, present=present)
        for entity, (new, present) in plan.counts().items()
    )


def problem_rows(problems: Iterable[RowProblem], lang: Lang) -> list[dict[str, str]]:
    """The problems as rows of (row, column, message) for a table, headers translated."""
    row, column, message = (t(f"import.{key}", lang) for key in ("row", "column", "message"))
    return [{row: str(p.row or "–"), column: p.column, message: p.message(lang)} for p in problems]


# --- reading files -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    """A file's normalised headers and its non-blank data rows with their spreadsheet row numbers."""

    headers: tuple[str, ...]
    header_row: int
    rows: list[tuple[int, dict[str, Any]]]


class FileRefused(ValueError):
    """The file cannot be read as a table (size, encoding, format, empty); ``problem`` says why."""

    def __init__(self, key: str, **params: Any) -> None:
        self.problem = Problem("", key, params)
        super().__init__(t(key, "en", **params))


def read_table(data: bytes, filename: str = "") -> Table:
    """The table in a CSV (UTF-8, UTF-8 with BOM, UTF-16, Windows-1252; comma, semicolon, tab) or XLSX file."""
    if len(data) > MAX_MEGABYTES * 1024 * 1024:
        raise FileRefused("import.too_large", limit=MAX_MEGABYTES)
    if not data.strip():
        raise FileRefused("import.empty")
    if data.startswith(b"\xd0\xcf\x11\xe0"):  # OLE2: a .xls workbook from Excel 97–2003
        raise FileRefused("import.old_excel")
    if data.startswith(b"PK\x03\x04") or filename.lower().endswith((".xlsx", ".xlsm")):
        return _table(_xlsx_records(data))
    return _table(_csv_records(_decode(data)))


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text"
        encodings: tuple[str, ...] = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "cp1252")  # cp1252: Excel's "CSV" on a Western or Indonesian Windows
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    raise FileRefused("import.encoding")


def _csv_records(text: str) -> Iterator[list[Any]]:
    first_line = text.lstrip("\ufeff").split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    try:
        yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    except csv.Error as error:
        if "field larger than field limit" in str(error):  # a cell of over 128 KiB: no value of ours
            raise FileRefused("import.cell_too_long", limit=f"{csv.field_size_limit():,}") from None
        raise FileRefused("import.encoding") from None


def _xlsx_records(data: bytes) -> Iterator[list[Any]]:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises a different type for each kind of damage
        raise FileRefused("import.xlsx_unreadable") from None
    try:
        for values in workbook.worksheets[0].iter_rows(max_col=MAX_COLUMNS, values_only=True):
            yield list(values)
    except Exception:
        raise FileRefused("import.xlsx_unreadable") from None
    finally:
        workbook.close()


def _header(value: Any) -> str:
    return re.sub(r"[\s-]+", "_", str(value if value is not None else "").strip().lstrip("\ufeff").lower())


def _cell(value: Any) -> Any:
    """A cell as text, number or date; blank cells are None."""
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _table(records: Iterator[list[Any]]) -> Table:
    headers: tuple[str, ...] = ()
    header_row = 0
    rows: list[tuple[int, dict[str, Any]]] = []
    for number, record in enumerate(records, start=1):
        if not headers:
            headers, header_row = tuple(_header(value) for value in record), number
            if not any(headers):
                headers = ()
            continue
        cells = {
            name: (value.strip() or None) if type(value) is str else _cell(value)  # CSV: text only
            for name, value in zip(headers, record, strict=False)
            if name
        }
        if any(value is not None for value in cells.values()):
            if len(rows) == MAX_ROWS:
                raise FileRefused("import.too_many_rows", limit=MAX_ROWS)
            rows.append((number, cells))
    if not headers or not rows:
        raise FileRefused("import.empty")
    return Table(headers=tuple(h for h in headers if h), header_row=header_row, rows=rows)


def header_problems(kind: Kind, headers: Iterable[str]) -> list[Problem]:
    """Missing, unknown or repeated headers for ``kind``, and which kind the file looks like instead."""
    headers = list(headers)
    problems = []
    repeated = sorted(name for name, count in Counter(headers).items() if count > 1)
    if repeated:
        problems.append(Problem("", "import.repeated_columns", {"columns": ", ".join(repeated)}))
    missing = [c.name for c in SPECS[kind] if c.header_required and c.name not in headers]
    if missing:
        problems.append(Problem("", "import.missing_columns", {"columns": ", ".join(missing)}))
    unknown = [name for name in dict.fromkeys(headers) if name not in _known_headers(kind)]
    if unknown:
        problems.append(Problem("", "import.unknown_columns", {"columns": ", ".join(unknown)}))
    if missing:
        for other in Kind:
            needed = {c.name for c in SPECS[other] if c.header_required}
            if other != kind and needed <= set(headers):
                problems.append(Problem("", f"import.looks_like.{other}"))
    return problems


# --- reading cells -------------------------------------------------------------------------------


class _Bad(ValueError):
    def __init__(self, key: str, **params: Any) -> None:
        self.key, self.params = key, params


def _spelling(text: str) -> str:
    return "_".join(text.lower().split())


def _int(value: Any) -> int:
    if type(value) is int:
        return value
    if type(value) is str and value.isdigit():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise _Bad("validation.not_a_number")
    try:
        number = float(value) if isinstance(value, str) else value
    except ValueError:
        raise _Bad("validation.not_a_number") from None
    if not float(number).is_integer():
        raise _Bad("validation.not_a_number")
    return int(number)


_DAY_FIRST = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_MONTH_YEAR = re.compile(r"(\d{1,2})[/.-](\d{4})")
_YEAR_MONTH = re.compile(r"(\d{4})-(\d{1,2})")


def _date(value: Any) -> date:
    if isinstance(value, date):
        return value
    text = str(value)
    try:
        if match := _DAY_FIRST.fullmatch(text):
            day, month, year = map(int, match.groups())
            return date(year, month, day)
        return datetime.fromisoformat(text).date()  # also "2025-09-01 00:00:00" from a spreadsheet
    except ValueError:
        raise _Bad("validation.not_a_date") from None


def _month(value: Any) -> date:
    text = str(value)
    try:
        if match := _YEAR_MONTH.fullmatch(text):
            return date(int(match[1]), int(match[2]), 1)
        if match := _MONTH_YEAR.fullmatch(text):
            return date(int(match[2]), int(match[1]), 1)
        return _date(value)
    except (ValueError, _Bad):
        raise _Bad("import.not_a_month") from None


def _choice(value: Any, column: Column) -> Any:
    spelling = _spelling(str(value))
    if spelling not in column.lookup:
        raise _Bad("import.choice", value=value, allowed=", ".join(column.allowed))
    return column.lookup[spelling]


def _substances(value: Any) -> list[str]:
    found = []
    for word in re.split(r"[\s,;/+]+", str(value).strip().lower()):
        if word not in _SUBSTANCE_SPELLINGS:
            raise _Bad("import.unknown_substance", value=word, allowed=", ".join(SUBSTANCE_NAMES.values()))
        found.append(_SUBSTANCE_SPELLINGS[word])
    return list(dict.fromkeys(found))


def _parse(column: Column, value: Any) -> Any:
    match column.parse:
        case "key":
            return str(value).strip().lower()
        case "upper":
            return str(value).strip().upper()
        case "text":
            return str(value).strip()
        case "int":
            return _int(value)
        case "date":
            return _date(value)
        case "month":
            return _month(value)
        case "choice":
            return _choice(value, column)
        case "substances":
            return _substances(value)
    raise AssertionError(f"unknown parser {column.parse}")


# --- planning ------------------------------------------------------------------------------------


@dataclass
class _Row:
    """One data row after reading its cells: values by column, and the columns already reported."""

    number: int
    values: dict[str, Any]
    bad: set[str]
    cells: dict[str, Any]


def _model_input(model: type[BaseModel], values: dict[str, Any]) -> dict[str, Any]:
    """What a blank cell means to the model: None where None is its default (so that field's validators
    still run, e.g. an exit date needs a reason), else left out (a default applies, or "required")."""
    nullable = _nullable(model)
    return {name: value for name, value in values.items() if value is not None or name in nullable}


@cache
def _nullable(model: type[BaseModel]) -> frozenset[str]:
    """The fields of ``model`` whose default is None."""
    return frozenset(
        name for name, info in model.model_fields.items() if not info.is_required() and info.default is None
    )


class _Planner:
    """Checks the rows of one file for one principal, collecting problems and new records into a plan."""

    def __init__(self, session: Session, principal: Principal, plan: Plan) -> None:
        self.session, self.principal, self.plan = session, principal, plan
        facilities = session.exec(select(Facility.code, Facility.id, Facility.region_id)).all()
        self.facilities = {code: (fid, region_id) for code, fid, region_id in facilities}
        self.regions = dict(session.exec(select(Region.code, Region.id)).all())
        self.partners = dict(session.exec(select(Partner.code, Partner.id)).all())
        self.seen: dict[tuple, int] = {}
        self.locked = signoff.locked_months(session)

    def add(self, row: _Row, column: str, key: str, /, **params: Any) -> None:
        self.plan.problems.append(RowProblem(row.number, column, Problem(column, key, params)))
        row.bad.add(column)

    def read(self, number: int, cells: dict[str, Any], columns: Iterable[Column]) -> _Row:
        """Parse every cell of a row; a blank required cell or an unreadable one is a problem."""
        row = _Row(number, {}, set(), cells)
        for column in columns:
            raw = cells.get(column.name)
            row.values[column.name] = None
            if raw is None:
                if column.required:
                    self.add(row, column.name, "validation.required")
                continue
            try:
                row.values[column.name] = _parse(column, raw)
            except _Bad as bad:
                self.add(row, column.name, bad.key, **bad.params)
        return row

    def facility(self, row: _Row, column: str = "kode_upt") -> int | None:
        """The id of the row's facility, after checking it exists and is in the principal's scope."""
        code = row.values.get(column)
        if code is None:
            return None
        if code not in self.facilities:
            self.add(row, column, "import.unknown_facility", code=code)
            return None
        facility_id = self.facilities[code][0]
        if not self.principal.can_see(facility_id):
            self.add(row, column, "validation.in_scope")
            return None
        return facility_id

    def code(self, row: _Row, column: str, codes: dict[str, int], key: str) -> int | None:
        """The id behind a region or partner code (None when blank or unknown, the latter reported)."""
        code = row.values.get(column)
        if code is not None and code not in codes:
            self.add(row, column, key, code=code)
        return codes.get(code) if code is not None else None

    def validate(
        self, row: _Row, model: type[Model], columns: Iterable[Column], **resolved: Any
    ) -> Model | None:
        """The row as a validated ``model`` (ids resolved from codes passed in); problems go on their column."""
        columns = list(columns)
        values = {c.field: row.values[c.name] for c in columns if c.field and c.parse != "key"} | resolved
        instance, problems = check(model, _model_input(model, values))
        by_field = {c.field: c.name for c in columns if c.field}
        for problem in problems:
            column = by_field.get(problem.field.split(".")[0], "")
            if column not in row.bad:
                self.add(row, column, problem.key, **problem.params)
        return None if row.bad else instance

    def first_time(self, row: _Row, key: tuple, column: str) -> bool:
        """False (and a problem) when an earlier row of the file has the same natural key."""
        first = self.seen.setdefault(key, row.number)
        if first != row.number:
            self.add(row, column, "import.duplicate_row", row=first)
            return False
        return True

    def open_month(self, row: _Row, column: str, facility_id: int | None, *days: date | None) -> bool:
        """False (and a problem on ``column``) when a day falls in a month signed off for the facility.

        Asked only for new records: a record already present is not changed, so it needs no open month.
        """
        if column in row.bad:
            return False
        for day in days:
            signed = self.locked.get((facility_id, month_start(day))) if day else None
            if signed is not None:
                problem = signoff.locked_problem(self.session, signed, column)
                self.plan.problems.append(RowProblem(row.number, column, problem))
                row.bad.add(column)
                return False
        return True

    def record(
        self, model: type[SQLModel], values: dict[str, Any], facility_id: int | None, **kw: Any
    ) -> None:
        self.plan.new[_ENTITY[model]].append(_Record(values, facility_id, **kw))

    def already(self, model: type[SQLModel]) -> None:
        self.plan.present[_ENTITY[model]] += 1


@_collector_paused()
def plan(session: Session, principal: Principal, kind: Kind | str, data: bytes, filename: str = "") -> Plan:
    """Read and check every row of a file; the plan lists all problems, or the records to insert."""
    kind = Kind(kind)
    result = Plan(kind)
    if kind not in kinds_for(principal):
        result.problems.append(RowProblem(None, "", Problem("", "import.role_denied")))
        return result
    try:
        table = read_table(data, filename)
    except FileRefused as refused:
        result.problems.append(RowProblem(None, "", refused.problem))
        return result
    result.rows, result.headers = len(table.rows), table.headers
    result.preview = [
        {"#": str(number), **{name: "" if value is None else str(value) for name, value in cells.items()}}
        for number, cells in table.rows[:PREVIEW_ROWS]
    ]
    result.problems += [RowProblem(table.header_row, "", p) for p in header_problems(kind, table.headers)]
    if result.problems:
        return result
    _PLANNERS[kind](_Planner(session, principal, result), table)
    result.problems.sort(key=lambda p: p.row or 0)
    return result


def _participants(planner: _Planner, table: Table) -> None:
    columns = SPECS[Kind.PARTICIPANTS]
    checked = []
    for number, cells in table.rows:
        row = planner.read(number, cells, columns)
        facility_id = planner.facility(row)
        payload = planner.validate(row, ParticipantCreate, columns, facility_id=facility_id)
        if payload is not None:
            checked.append((row, payload))
    facility_ids = {payload.facility_id for _, payload in checked}
    existing = set(
        planner.session.exec(
            select(Participant.facility_id, Participant.code).where(Participant.facility_id.in_(facility_ids))
        ).all()
    )
    for row, payload in checked:
        key = (payload.facility_id, payload.code)
        if not planner.first_time(row, key, "kode_peserta"):
            continue
        if key in existing:
            planner.already(Participant)
        elif planner.open_month(
            row, "tanggal_masuk", payload.facility_id, payload.admitted_on, payload.exited_on
        ):
            planner.record(Participant, payload.model_dump(), payload.facility_id)


@dataclass(frozen=True, slots=True)
class _Known:
    """The participant fields the context rules read (``services._within_stay``, ``screening_row``).

    A plain record rather than ``Participant.model_construct``, which costs ~70 µs per participant.
    """

    id: int
    facility_id: int
    code: str
    admitted_on: date
    exited_on: date | None


def _participants_of(session: Session, facility_ids: set[int]) -> dict[tuple[int, str], _Known]:
    """(facility, code) → id, code and stay of every participant of these facilities."""
    statement = select(
        Participant.facility_id,
        Participant.code,
        Participant.id,
        Participant.admitted_on,
        Participant.exited_on,
    ).where(Participant.facility_id.in_(facility_ids))
    return {
        (facility_id, code): _Known(pid, facility_id, code, admitted, exited)
        for facility_id, code, pid, admitted, exited in session.connection().execute(statement)
    }


def _participant(
    planner: _Planner, row: _Row, known: dict[tuple[int, str], _Known], facility_id: int | None
) -> _Known | None:
    """The participant a row names in its facility (unknown codes reported); None also when not usable."""
    code = row.values.get("kode_peserta")
    if facility_id is None or code is None:
        return None
    participant = known.get((facility_id, code))
    if participant is None:
        planner.add(row, "kode_peserta", "import.unknown_participant", code=code)
    return participant


def _answers(planner: _Planner, row: _Row, answer_columns: list[str]) -> dict[str, dict[str, int]]:
    """The ASSIST answers of the substances listed in ``zat``, read as the form asks them."""
    used = row.values.get("zat") or []
    answers: dict[str, dict[str, int]] = {}
    for substance in used:
        given: dict[str, int] = {}
        for question in _ASKED[substance]:
            column = _ANSWER_COLUMN_OF[substance, question]
            raw = row.cells.get(column)
            if question in _SKIPPED_WHEN_NOT_RECENT and "q2" not in given:
                continue  # Q2 is blank or wrong (reported): whether Q3–Q5 were asked is unknown
            skipped = question in _SKIPPED_WHEN_NOT_RECENT and given["q2"] == 0
            if raw is None:
                if not skipped:
                    planner.add(row, column, "validation.required")
                continue
            try:
                points = _int(raw)
            except _Bad as bad:
                planner.add(row, column, bad.key)
                continue
            if skipped:
                if points:
                    planner.add(row, column, "import.assist_skipped")
                continue
            if points not in assist.QUESTION_SCALES[question]:
                allowed = ", ".join(map(str, assist.QUESTION_SCALES[question]))
                params = {"substance": substance, "question": question.upper(), "allowed": allowed}
                planner.add(row, column, "validation.assist_scale", value=points, **params)
                continue
            given[question] = points
        answers[substance] = given
    if "zat" not in row.bad:
        for column in answer_columns:
            substance = ANSWER_COLUMNS[column][0]
            if substance not in used and row.cells.get(column) not in (None, 0, "0"):
                planner.add(row, column, "import.substance_not_listed", substance=substance)
    return answers


def _screenings(planner: _Planner, table: Table) -> None:
    columns = [column for column in SPECS[Kind.SCREENINGS] if column.name not in ANSWER_COLUMNS]
    answer_columns = [name for name in table.headers if name in ANSWER_COLUMNS]  # read by _answers
    read = []
    for number, cells in table.rows:
        row = planner.read(number, cells, columns)
        read.append((row, planner.facility(row)))
    facility_ids = {facility_id for _, facility_id in read if facility_id is not None}
    known = _participants_of(planner.session, facility_ids)
    existing = set(
        planner.session.exec(
            select(Screening.participant_id, Screening.screened_on).where(
                Screening.facility_id.in_(facility_ids)
            )
        ).all()
    )
    for row, facility_id in read:
        participant = _participant(planner, row, known, facility_id)
        answers = _answers(planner, row, answer_columns)
        if participant is None:
            row.bad.add("kode_peserta")  # reported already, or its facility was
        resolved = {"participant_id": participant.id if participant else None, "answers": answers}
        payload = planner.validate(row, ScreeningCreate, columns, **resolved)
        if payload is None or participant is None:
            continue
        outside = services.within_stay(participant, payload.screened_on, "screened_on")  # type: ignore[arg-type]
        for problem in outside:
            planner.add(row, "tanggal_skrining", problem.key, **problem.params)
        key = (participant.id, payload.screened_on)
        if outside or not planner.first_time(row, key, "tanggal_skrining"):
            continue
        if key in existing:
            planner.already(Screening)
        elif planner.open_month(row, "tanggal_skrining", facility_id, payload.screened_on):
            values = services.screening_row(participant, payload)  # type: ignore[arg-type]
            planner.record(Screening, values, facility_id)


def _enrolments(session: Session, facility_ids: set[int]) -> dict[tuple[int, int, str], list]:
    """(facility, participant, programme) → (start, end) of each enrolment, read as ``session_roster`` does."""
    spans: dict[tuple[int, int, str], list] = defaultdict(list)
    statement = select(
        Enrollment.facility_id,
        Enrollment.participant_id,
        Enrollment.programme,
        Enrollment.started_on,
        Enrollment.ended_on,
    ).where(Enrollment.facility_id.in_(facility_ids))
    for facility_id, participant_id, programme, started, ended in session.exec(statement):
        spans[(facility_id, participant_id, str(programme))].append((started, ended))
    return spans


def _existing_sessions(session: Session, facility_ids: set[int]) -> tuple[dict[tuple, int], set[tuple]]:
    """Natural key → id of the facilities' sessions (the oldest when repeated), and their attendance pairs."""
    statement = (
        select(
            ProgrammeSession.id,
            ProgrammeSession.facility_id,
            ProgrammeSession.held_on,
            ProgrammeSession.programme,
            ProgrammeSession.session_type,
            ProgrammeSession.topic,
        )
        .where(ProgrammeSession.facility_id.in_(facility_ids))
        .order_by(ProgrammeSession.id)
    )
    ids: dict[tuple, int] = {}
    for session_id, facility_id, held_on, programme, session_type, topic in session.exec(statement):
        ids.setdefault((facility_id, held_on, str(programme), str(session_type), topic), session_id)
    attended = set(
        session.exec(
            select(Attendance.session_id, Attendance.participant_id)
            .join(ProgrammeSession, ProgrammeSession.id == Attendance.session_id)
            .where(ProgrammeSession.facility_id.in_(facility_ids))
        ).all()
    )
    return ids, attended


# A session's details that every row of the same session must repeat identically.
_SESSION_DETAILS = (
    ("facilitator", "fasilitator"),
    ("duration_minutes", "durasi_menit"),
    ("partner_id", "kode_mitra"),
)


def _sessions(planner: _Planner, table: Table) -> None:
    columns = SPECS[Kind.SESSIONS]
    read = []
    for number, cells in table.rows:
        row = planner.read(number, cells, columns)
        resolved = {
            "facility_id": planner.facility(row),
            "partner_id": planner.code(row, "kode_mitra", planner.partners, "import.unknown_partner"),
        }
        read.append((row, planner.validate(row, SessionCreate, columns, **resolved)))
    facility_ids = {payload.facility_id for _, payload in read if payload is not None}
    known = _participants_of(planner.session, facility_ids)
    enrolments = _enrolments(planner.session, facility_ids)
    existing, attended = _existing_sessions(planner.session, facility_ids)
    first_of: dict[tuple, tuple[int, SessionCreate]] = {}
    for row, payload in read:
        if payload is None:
            continue
        key = (
            payload.facility_id,
            payload.held_on,
            str(payload.programme),
            str(payload.session_type),
            payload.topic,
        )
        first_row, first = first_of.setdefault(key, (row.number, payload))
        for name, column in _SESSION_DETAILS:
            if getattr(first, name) != getattr(payload, name):
                planner.add(row, column, "import.session_conflict", row=first_row)
        if row.bad:
            continue
        if first_row == row.number:
            if key in existing:
                planner.already(ProgrammeSession)
            elif planner.open_month(row, "tanggal_sesi", payload.facility_id, payload.held_on):
                planner.record(ProgrammeSession, payload.model_dump(), payload.facility_id, key=key)
        participant = _participant(planner, row, known, payload.facility_id)
        if participant is None:
            continue
        day = payload.held_on
        outside = services.within_stay(participant, day, "kode_peserta")  # type: ignore[arg-type]
        for problem in outside:  # stricter than session_roster, which trusts enrolments left open
            planner.add(row, "kode_peserta", problem.key, **problem.params)
        if outside:
            continue
        spans = enrolments.get((payload.facility_id, participant.id, key[2]), ())
        if not any(start <= day and (end is None or end >= day) for start, end in spans):
            params = {"code": participant.code, "date": day.isoformat()}
            planner.add(row, "kode_peserta", "validation.not_enrolled", **params)
            continue
        if not planner.first_time(row, (key, participant.id), "kode_peserta"):
            continue
        session_id = existing.get(key)
        if session_id is not None and (session_id, participant.id) in attended:
            planner.already(Attendance)
        elif planner.open_month(row, "tanggal_sesi", payload.facility_id, day):
            values = {
                "session_id": key if session_id is None else session_id,
                "participant_id": participant.id,
            }
            planner.record(Attendance, values, payload.facility_id)


def _outreach(planner: _Planner, table: Table) -> None:
    columns = SPECS[Kind.OUTREACH]
    checked = []
    for number, cells in table.rows:
        row = planner.read(number, cells, columns)
        region_id = planner.code(row, "kode_wilayah", planner.regions, "import.unknown_region")
        partner_id = planner.code(row, "kode_mitra", planner.partners, "import.unknown_partner")
        facility_id = planner.facility(row)
        if row.values["kode_upt"] is None and not planner.principal.all_facilities:
            planner.add(row, "kode_upt", "import.facility_required")
        elif facility_id is not None and region_id is not None:
            if planner.facilities[row.values["kode_upt"]][1] != region_id:
                planner.add(row, "kode_upt", "import.facility_not_in_region")
        resolved = {"region_id": region_id, "facility_id": facility_id, "partner_id": partner_id}
        payload = planner.validate(row, OutreachCreate, columns, **resolved)
        if payload is not None:
            checked.append((row, payload))
    region_ids = {payload.region_id for _, payload in checked}
    existing = set(
        planner.session.exec(
            select(
                OutreachEvent.region_id,
                OutreachEvent.held_on,
                OutreachEvent.place,
                OutreachEvent.event_type,
                OutreachEvent.audience,
            ).where(OutreachEvent.region_id.in_(region_ids))
        ).all()
    )
    for row, payload in checked:
        key = (
            payload.region_id,
            payload.held_on,
            payload.place,
            str(payload.event_type),
            str(payload.audience),
        )
        if not planner.first_time(row, key, "tempat"):
            continue
        if key in existing:
            planner.already(OutreachEvent)
        elif planner.open_month(row, "tanggal", payload.facility_id, payload.held_on):
            planner.record(OutreachEvent, payload.model_dump(), payload.facility_id)


def _populations(planner: _Planner, table: Table) -> None:
    columns = SPECS[Kind.POPULATIONS]
    checked = []
    for number, cells in table.rows:
        row = planner.read(number, cells, columns)
        facility_id = planner.facility(row)
        payload = planner.validate(row, PopulationCreate, columns, facility_id=facility_id)
        if payload is not None:
            checked.append((row, payload))
    facility_ids = {payload.facility_id for _, payload in checked}
    existing = set(
        planner.session.exec(
            select(FacilityPopulation.facility_id, FacilityPopulation.month).where(
                FacilityPopulation.facility_id.in_(facility_ids)
            )
        ).all()
    )
    for row, payload in checked:
        key = (payload.facility_id, payload.month)
        if not planner.first_time(row, key, "bulan"):
            continue
        if key in existing:
            planner.already(FacilityPopulation)
        elif planner.open_month(row, "bulan", payload.facility_id, payload.month):
            planner.record(FacilityPopulation, payload.model_dump(), payload.facility_id)


def _facilities(planner: _Planner, table: Table) -> None:
    """New UPT by code; a code already present is left as it is; a name is one facility's only."""
    columns = SPECS[Kind.FACILITIES]
    existing = {
        code: name.lower() for code, name in planner.session.exec(select(Facility.code, Facility.name))
    }
    names = set(existing.values())
    for number, cells in table.rows:
        row = planner.read(number, cells, columns)
        region_id = planner.code(row, "kode_wilayah", planner.regions, "import.unknown_region")
        partner_id = planner.code(row, "kode_mitra", planner.partners, "import.unknown_partner")
        payload = planner.validate(row, FacilityCreate, columns, region_id=region_id, partner_id=partner_id)
        if payload is None or not planner.first_time(row, (payload.code,), "kode_upt"):
            continue
        if payload.code in existing:
            planner.already(Facility)
        elif not planner.first_time(row, ("name", payload.name.lower()), "nama"):
            continue
        elif payload.name.lower() in names:
            planner.add(row, "nama", "validation.duplicate_name", name=payload.name)
        else:
            planner.record(Facility, payload.model_dump(), None)


def _users(planner: _Planner, table: Table) -> None:
    """New accounts by username (one present is left as it is), each with one facility or region and
    a generated password, hashed here and shown once."""
    columns = SPECS[Kind.USERS]
    session = planner.session
    existing = set(session.exec(select(User.username)))
    emails = {email for email in session.exec(select(User.email)) if email}
    facilities = {code: fid for code, (fid, _) in planner.facilities.items()}
    for number, cells in table.rows:
        row = planner.read(number, cells, columns)
        facility_id = planner.code(row, "kode_upt", facilities, "import.unknown_facility")
        region_id = planner.code(row, "kode_wilayah", planner.regions, "import.unknown_region")
        if "kode_upt" in row.bad:  # an unknown facility is the problem, not a missing scope
            facility_id = 0
        payload = planner.validate(row, UserCreate, columns, facility_id=facility_id, region_id=region_id)
        if payload is None or not planner.first_time(row, (payload.username,), "nama_pengguna"):
            continue
        if payload.username in existing:
            planner.already(User)
            continue
        if payload.email and (
            payload.email in emails or not planner.first_time(row, ("email", payload.email), "email")
        ):
            if payload.email in emails:
                planner.add(row, "email", "validation.duplicate_email", email=payload.email)
            continue
        password = secrets.token_urlsafe(9)  # 12 characters, 72 random bits
        planner.plan.passwords[payload.username] = password
        key = ("user", payload.username)
        planner.record(
            User,
            payload.model_dump(include={"username", "full_name", "email", "role"})
            | {"password_hash": auth.hash_password(password)},
            None,
            key=key,
        )
        scope = {"facility_id": payload.facility_id, "region_id": None}
        if payload.facility_id is None:
            scope = {"facility_id": None, "region_id": payload.region_id}
        if payload.facility_id is not None or payload.region_id is not None:
            planner.record(UserScope, {"user_id": key, **scope}, payload.facility_id)


_PLANNERS = {
    Kind.PARTICIPANTS: _participants,
    Kind.SCREENINGS: _screenings,
    Kind.SESSIONS: _sessions,
    Kind.OUTREACH: _outreach,
    Kind.POPULATIONS: _populations,
    Kind.FACILITIES: _facilities,
    Kind.USERS: _users,
}


# --- writing -------------------------------------------------------------------------------------

_JSON = TypeAdapter(list[dict[str, Any]])


def _defaults(model: type[SQLModel]) -> dict[str, Any]:
    """Column defaults of a table model (timestamps taken once: one import, one time)."""
    return {
        name: info.get_default(call_default_factory=True)
        for name, info in model.model_fields.items()
        if name != "id" and not info.is_required()
    }


def _insert(session: Session, model: type[SQLModel], rows: list[dict[str, Any]]) -> list[int]:
    """Insert rows in bulk (executemany); the new ids in the rows' order."""
    table = model.__table__  # type: ignore[attr-defined]
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return list(session.connection().execute(statement, rows).scalars())


def _audit(
    session: Session,
    principal: Principal,
    model: type[SQLModel],
    rows: list[dict],
    ids: list[int],
    records: list[_Record],
) -> None:
    """One audit row per new record, shaped like ``services.create``'s: ``{field: [None, value]}``."""
    snapshots = _JSON.dump_python(
        [row | {"id": new_id} for row, new_id in zip(rows, ids, strict=True)], mode="json"
    )
    at, entity = utcnow(), _ENTITY[model]
    fields = sorted(snapshots[0])  # every row has every column: sort once, as audit.diff orders them
    audit_rows = [
        {
            "at": at,
            "user_id": principal.user_id,
            "username": principal.username,
            "action": "import",
            "entity": entity,
            "entity_id": new_id,
            "facility_id": record.facility_id,
            "changes": {
                key: [None, audit.REDACTED if key in audit.SECRET_FIELDS else snapshot[key]]
                for key in fields
                if snapshot[key] is not None
            },
        }
        for snapshot, new_id, record in zip(snapshots, ids, records, strict=True)
    ]
    session.connection().execute(insert(AuditLog.__table__), audit_rows)  # type: ignore[attr-defined]
    audit.bump_data_version(session)  # every app process drops its cached KPIs


@_collector_paused()
def write(session: Session, principal: Principal, plan: Plan) -> None:
    """Insert a plan's new records and their audit rows in the caller's transaction (role and scope checked)."""
    if plan.problems or plan.written:
        raise ValueError("a plan with problems, or one already written, is never written")
    if plan.kind not in kinds_for(principal):
        raise ScopeError(f"role {principal.role} may not import {plan.kind}")
    for facility_id in {record.facility_id for records in plan.new.values() for record in records}:
        if facility_id is None and not principal.all_facilities:
            raise ScopeError("only an admin may import records without a facility")
        if facility_id is not None:
            principal.require_facility(facility_id)
    new_ids: dict[tuple, int] = {}  # a new session's natural key → its id
    for model in TABLES[plan.kind]:
        records = plan.new.get(_ENTITY[model], [])
        if not records:
            continue
        defaults = _defaults(model)
        rows = [defaults | record.values for record in records]
        for row in rows:  # a reference to a record of this file (a new session, a new user)
            for name in ("session_id", "user_id"):
                if isinstance(row.get(name), tuple):
                    row[name] = new_ids[row[name]]
        ids = _insert(session, model, rows)
        aggregates.refresh_inserted(session, model, rows)
        new_ids |= {record.key: new_id for record, new_id in zip(records, ids, strict=True) if record.key}
        _audit(session, principal, model, rows, ids, records)
    plan.written = True


def import_file(
    session: Session, principal: Principal, kind: Kind | str, data: bytes, filename: str = ""
) -> Plan:
    """Check a file and, when every row passes, write all its new records (else nothing); the plan says which."""
    result = plan(session, principal, kind, data, filename)
    if result.ok:
        write(session, principal, result)
    return result


# --- templates and guide -------------------------------------------------------------------------


def template_rows(kind: Kind) -> list[list[Any]]:
    """The template's header row and its one example row."""
    columns = SPECS[Kind(kind)]
    return [[c.name for c in columns], [c.example for c in columns]]


def template_csv(kind: Kind) -> bytes:
    """The CSV template: UTF-8 with BOM (Excel opens it correctly), comma-separated, header + example."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in template_rows(kind):
        writer.writerow("" if value is None else value for value in row)
    return buffer.getvalue().encode("utf-8-sig")


def _scale(question: str, lang: Lang) -> str:
    return ", ".join(
        f"{points} = {t(f'assist.answer.{label}', lang)}" for points, label in assist.ANSWER_OPTIONS[question]
    )


def guide(kind: Kind, lang: Lang) -> list[dict[str, Any]]:
    """Per column: name, whether a value is needed, what it holds with its allowed values, an example."""
    rows = []
    for column in SPECS[Kind(kind)]:
        if column.name in ANSWER_COLUMNS:
            continue
        specific = f"import.col.{kind}.{column.name}"  # e.g. kode_peserta is optional only for sessions
        text = t(specific if specific in MESSAGES else f"import.col.{column.name}", lang)
        if column.choices:
            text += " " + t("import.allowed", lang, values=", ".join(column.allowed))
        example = column.example.isoformat() if isinstance(column.example, date) else column.example
        rows.append(
            {"column": column.name, "required": column.required, "description": text, "example": example}
        )
    if kind == Kind.SCREENINGS:
        for question in assist.SCORED_QUESTIONS:
            text = t("import.col.answer", lang, question=question.upper(), scale=_scale(question, lang))
            rows.append(
                {"column": f"<zat>_{question}", "required": False, "description": text, "example": None}
            )
    return rows


def template_xlsx(kind: Kind, lang: Lang = "id") -> bytes:
    """The XLSX template: sheet "Data" (header + example row) and sheet "Petunjuk" (the column guide)."""
    workbook = Workbook()
    data = workbook.active
    data.title = "Data"
    for row in template_rows(kind):
        data.append(row)
    for cell in data[1]:
        cell.font = Font(bold=True)
        data.column_dimensions[cell.column_letter].width = max(14, len(str(cell.value)) + 2)
    for cell in data[2]:
        if isinstance(cell.value, date):
            cell.number_format = "yyyy-mm-dd"
    data.freeze_panes = "A2"
    notes = workbook.create_sheet("Petunjuk")
    notes.append([t(f"import.guide.{key}", lang) for key in ("column", "required", "description", "example")])
    yes, no = t("import.yes", lang), t("import.no", lang)
    for entry in guide(kind, lang):
        notes.append(
            [entry["column"], yes if entry["required"] else no, entry["description"], entry["example"]]
        )
    notes.append([])
    notes.append(["", "", t("import.delete_example", lang)])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCD", (22, 8, 90, 22), strict=True):
        notes.column_dimensions[letter].width = width
    for cell in notes["C"]:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def reference_codes(session: Session, principal: Principal) -> list[dict[str, str]]:
    """The facility (in scope), region and partner codes a file may use."""
    facilities = session.exec(select(Facility.id, Facility.code, Facility.name).order_by(Facility.code)).all()
    rows = [{"kind": "facility", "code": c, "name": n} for fid, c, n in facilities if principal.can_see(fid)]
    for kind, model in (("region", Region), ("partner", Partner)):
        codes = session.exec(select(model.code, model.name).order_by(model.code)).all()  # type: ignore[attr-defined]
        rows += [{"kind": kind, "code": code, "name": name} for code, name in codes]
    return rows
