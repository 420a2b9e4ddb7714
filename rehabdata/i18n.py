"""One translation function and locale-aware formatting; Bahasa Indonesia is the default.

Every user-facing string is a key in ``MESSAGES`` with an Indonesian and an English text. Pages
never hard-code UI text; the data layer returns codes (``"moderate"``), pages translate them.
"""

import math
from datetime import date
from typing import Literal

from babel.dates import format_date as babel_format_date
from babel.numbers import format_decimal, format_percent

Lang = Literal["id", "en"]
LANGUAGES: tuple[Lang, ...] = ("id", "en")
DEFAULT_LANG: Lang = "id"

MESSAGES: dict[str, dict[Lang, str]] = {
    # app frame
    "app.title": {"id": "Rehabilitasi WBP", "en": "Inmate Rehabilitation"},
    "app.subtitle": {
        "id": "Kerja sama Rutan/Lapas dan BNNK",
        "en": "Rutan/Lapas and BNNK cooperation",
    },
    "app.demo_badge": {"id": "DATA DEMO", "en": "DEMO DATA"},
    "app.demo_help": {
        "id": "Aplikasi berjalan dengan data sintetis, bukan data WBP sebenarnya.",
        "en": "The app runs on synthetic data, not real inmate data.",
    },
    "app.language": {"id": "Bahasa", "en": "Language"},
    "app.db_unavailable": {
        "id": "Basis data tidak dapat dihubungi. Coba lagi sebentar lagi atau hubungi admin.",
        "en": "The database cannot be reached. Try again shortly or contact the admin.",
    },
    "nav.section.dashboards": {"id": "Dasbor", "en": "Dashboards"},
    "page.overview": {"id": "Ringkasan", "en": "Overview"},
    # filters
    "filter.period": {"id": "Periode", "en": "Period"},
    "filter.from": {"id": "Dari", "en": "From"},
    "filter.to": {"id": "Sampai", "en": "To"},
    "filter.region": {"id": "Wilayah", "en": "Region"},
    "filter.facility": {"id": "UPT", "en": "Facility"},
    "filter.all": {"id": "Semua", "en": "All"},
    "filter.programme": {"id": "Program", "en": "Programme"},
    "preset.this_month": {"id": "Bulan ini", "en": "This month"},
    "preset.last_3_months": {"id": "3 bulan terakhir", "en": "Last 3 months"},
    "preset.this_year": {"id": "Tahun ini", "en": "This year"},
    "preset.since_agreement": {"id": "Sejak kerja sama", "en": "Since the agreement"},
    "preset.custom": {"id": "Pilih tanggal", "en": "Custom"},
    "filter.bad_period": {
        "id": "Tanggal akhir periode harus sama dengan atau sesudah tanggal awal.",
        "en": "The period's end date must be on or after its start date.",
    },
    # KPI labels
    "kpi.screening_coverage": {"id": "Cakupan skrining", "en": "Screening coverage"},
    "kpi.screenings": {"id": "Skrining", "en": "Screenings"},
    "kpi.moderate_high_share": {"id": "Risiko sedang + tinggi", "en": "Moderate + high risk"},
    "kpi.attendance_rate": {"id": "Tingkat kehadiran", "en": "Attendance rate"},
    "kpi.sessions": {"id": "Sesi terlaksana", "en": "Sessions held"},
    "kpi.active_enrollments": {"id": "Peserta rehabilitasi aktif", "en": "Active rehabilitation participants"},
    "kpi.of": {"id": "{numerator} dari {denominator}", "en": "{numerator} of {denominator}"},
    "kpi.no_data": {"id": "tidak ada data", "en": "no data"},
    "overview.by_facility": {"id": "Per UPT", "en": "By facility"},
    "overview.period_caption": {"id": "Periode {start} – {end}", "en": "Period {start} – {end}"},
    "action.download_csv": {"id": "Unduh CSV", "en": "Download CSV"},
    "empty.selection": {
        "id": "Belum ada data untuk pilihan ini.",
        "en": "No data yet for this selection.",
    },
    # table columns
    "col.facility": {"id": "UPT", "en": "Facility"},
    "col.region": {"id": "Wilayah", "en": "Region"},
    "col.period": {"id": "Periode", "en": "Period"},
    # domain codes
    "risk.low": {"id": "Rendah", "en": "Low"},
    "risk.moderate": {"id": "Sedang", "en": "Moderate"},
    "risk.high": {"id": "Tinggi", "en": "High"},
    "programme.medical": {"id": "Rehabilitasi medis", "en": "Medical rehabilitation"},
    "programme.social": {"id": "Rehabilitasi sosial", "en": "Social rehabilitation"},
}


def t(key: str, lang: Lang = DEFAULT_LANG, **values: object) -> str:
    """The text for ``key`` in ``lang``, with ``{placeholders}`` filled from ``values``.

    An unknown key returns the key itself, so a missing translation is visible, not fatal.
    """
    texts = MESSAGES.get(key)
    if texts is None:
        return key
    text = texts.get(lang) or texts[DEFAULT_LANG]
    return text.format(**values) if values else text


def _locale(lang: Lang) -> str:
    return "id_ID" if lang == "id" else "en_GB"


def format_number(value: float | int | None, lang: Lang = DEFAULT_LANG, decimals: int = 0) -> str:
    """``1.234`` in Indonesian, ``1,234`` in English; None/NaN as an en dash."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=_locale(lang))


def format_rate(value: float | None, lang: Lang = DEFAULT_LANG, decimals: int = 1) -> str:
    """A share as a percentage (``70,5%``); a missing rate reads "no data", never 0 %."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return t("kpi.no_data", lang)
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "") + "%"
    return format_percent(value, format=pattern, locale=_locale(lang))


def format_day(value: date, lang: Lang = DEFAULT_LANG) -> str:
    """``5 Agu 2025`` in Indonesian, ``5 Aug 2025`` in English."""
    return babel_format_date(value, format="d MMM y", locale=_locale(lang))


def format_month(value: date, lang: Lang = DEFAULT_LANG) -> str:
    """``Agu 2025``: the label of a monthly period."""
    return babel_format_date(value, format="MMM y", locale=_locale(lang))
