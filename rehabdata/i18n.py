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
    "nav.section.admin": {"id": "Administrasi", "en": "Administration"},
    "login.username": {"id": "Nama pengguna", "en": "Username"},
    "login.password": {"id": "Kata sandi", "en": "Password"},
    "login.submit": {"id": "Masuk", "en": "Log in"},
    "login.sso": {
        "id": "Masuk dengan akun instansi (SSO)",
        "en": "Log in with your organisation account (SSO)",
    },
    "login.sso_unknown": {
        "id": "Akun SSO ini belum terdaftar di rehabdata. Hubungi admin.",
        "en": "This SSO account is not registered in rehabdata. Contact the admin.",
    },
    "login.failed": {
        "id": "Nama pengguna atau kata sandi salah, atau akun sedang dikunci. Coba lagi nanti.",
        "en": "Wrong username or password, or the account is locked. Try again later.",
    },
    "login.timed_out": {
        "id": "Sesi berakhir karena tidak ada aktivitas. Silakan masuk lagi.",
        "en": "Your session ended after a period of inactivity. Please log in again.",
    },
    "login.logout": {"id": "Keluar", "en": "Log out"},
    "user.password_short": {
        "id": "Kata sandi minimal {minimum} karakter.",
        "en": "The password must have at least {minimum} characters.",
    },
    "user.username_required": {"id": "Nama pengguna wajib diisi.", "en": "A username is required."},
    "user.exists": {"id": "Pengguna {username} sudah ada.", "en": "User {username} already exists."},
    "user.unknown_facility": {"id": "UPT {code} tidak dikenal.", "en": "Unknown facility {code}."},
    "user.unknown_region": {"id": "Wilayah {code} tidak dikenal.", "en": "Unknown region {code}."},
    "user.passwords_differ": {"id": "Kedua kata sandi tidak sama.", "en": "The two passwords differ."},
    "user.full_name": {"id": "Nama lengkap", "en": "Full name"},
    "user.role": {"id": "Peran", "en": "Role"},
    "user.active": {"id": "Aktif", "en": "Active"},
    "user.locked": {"id": "Terkunci", "en": "Locked"},
    "user.scope": {"id": "Cakupan akses", "en": "Access scope"},
    "user.last_login": {"id": "Terakhir masuk", "en": "Last login"},
    "user.create": {"id": "Tambah pengguna", "en": "Add user"},
    "user.edit": {"id": "Ubah pengguna", "en": "Edit user"},
    "user.save": {"id": "Simpan", "en": "Save"},
    "user.password_again": {"id": "Ulangi kata sandi", "en": "Repeat password"},
    "user.new_password": {"id": "Kata sandi baru (reset)", "en": "New password (reset)"},
    "user.new_password_help": {
        "id": "Kosongkan jika kata sandi tidak diubah.",
        "en": "Leave empty to keep the current password.",
    },
    "user.created": {"id": "Pengguna {username} dibuat.", "en": "User {username} created."},
    "user.saved": {"id": "Perubahan untuk {username} disimpan.", "en": "Changes to {username} saved."},
    "page.users": {"id": "Pengguna", "en": "Users"},
    "page.audit": {"id": "Jejak Audit", "en": "Audit trail"},
    "audit.at": {"id": "Waktu (UTC)", "en": "Time (UTC)"},
    "audit.action": {"id": "Tindakan", "en": "Action"},
    "audit.entity": {"id": "Jenis data", "en": "Record type"},
    "audit.changes": {"id": "Perubahan (sebelum → sesudah)", "en": "Changes (before → after)"},
    "user.all_facilities": {"id": "Semua UPT", "en": "All facilities"},
    "role.admin": {"id": "Admin", "en": "Admin"},
    "role.pimpinan": {"id": "Pimpinan", "en": "Leadership"},
    "role.petugas": {"id": "Petugas UPT", "en": "Facility staff"},
    "role.mitra": {"id": "Mitra BNNK", "en": "BNNK partner"},
    "scope.denied": {
        "id": "Anda tidak memiliki akses ke data ini.",
        "en": "You do not have access to this data.",
    },
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
    "kpi.active_enrollments": {
        "id": "Peserta rehabilitasi aktif",
        "en": "Active rehabilitation participants",
    },
    "kpi.of": {"id": "{numerator} dari {denominator}", "en": "{numerator} of {denominator}"},
    "kpi.no_data": {"id": "tidak ada data", "en": "no data"},
    "overview.by_facility": {"id": "Per UPT", "en": "By facility"},
    "overview.period_caption": {"id": "Periode {start} – {end}", "en": "Period {start} – {end}"},
    "action.download_csv": {"id": "Unduh CSV", "en": "Download CSV"},
    "empty.selection": {
        "id": "Belum ada data untuk pilihan ini.",
        "en": "No data yet for this selection.",
    },
    # pages
    "page.screening": {"id": "Skrining", "en": "Screening"},
    "page.rehabilitation": {"id": "Rehabilitasi", "en": "Rehabilitation"},
    "page.comparison": {"id": "Fasilitas & Wilayah", "en": "Facilities & Regions"},
    "page.outreach": {"id": "Penjangkauan", "en": "Outreach"},
    "page.agreements": {"id": "Kerja Sama", "en": "Agreements"},
    "overview.trend": {"id": "Tren per bulan", "en": "Monthly trend"},
    "screening.coverage_trend": {"id": "Cakupan skrining per UPT", "en": "Screening coverage by facility"},
    "screening.risk_by_facility": {"id": "Tingkat risiko per UPT", "en": "Risk level by facility"},
    "screening.substances": {"id": "Zat yang dilaporkan", "en": "Substances reported"},
    "screening.funnel": {
        "id": "Rujukan: skrining → asesmen → rehabilitasi ≤ 30 hari",
        "en": "Referral: screening → assessment → rehabilitation ≤ 30 days",
    },
    "funnel.moderate_high": {"id": "Risiko sedang/tinggi", "en": "Moderate/high risk"},
    "funnel.assessed": {"id": "Diasesmen", "en": "Assessed"},
    "funnel.enrolled_30d": {"id": "Direhabilitasi ≤ 30 hari", "en": "Enrolled ≤ 30 days"},
    "kpi.referral_rate": {"id": "Rujukan ≤ 30 hari", "en": "Referral ≤ 30 days"},
    "kpi.completion_rate": {"id": "Tingkat penyelesaian", "en": "Completion rate"},
    "kpi.dropout_rate": {"id": "Tingkat putus program", "en": "Drop-out rate"},
    "kpi.median_days": {"id": "Median hari dalam program", "en": "Median days in programme"},
    "kpi.released_transferred": {
        "id": "Bebas / dipindah (tidak dihitung gagal)",
        "en": "Released / transferred (not failures)",
    },
    "kpi.score_change": {"id": "Perubahan skor ASSIST rata-rata", "en": "Mean ASSIST score change"},
    "kpi.risk_fell": {"id": "Risiko menurun", "en": "Risk level fell"},
    "kpi.urine_negative": {"id": "Tes urine negatif", "en": "Negative urine tests"},
    "kpi.enrollments_started": {"id": "Pendaftaran baru", "en": "New enrolments"},
    "kpi.participant_sessions": {"id": "Kehadiran peserta-sesi", "en": "Participant-sessions"},
    "kpi.population": {"id": "Populasi WBP", "en": "WBP population"},
    "kpi.per_100": {"id": "{label} per 100 WBP", "en": "{label} per 100 WBP"},
    "kpi.events": {"id": "Kegiatan", "en": "Events"},
    "kpi.people_reached": {"id": "Orang terjangkau", "en": "People reached"},
    "kpi.trained": {"id": "Konselor sebaya terlatih", "en": "Peer counsellors trained"},
    "kpi.active_counsellors": {"id": "Konselor sebaya aktif", "en": "Active peer counsellors"},
    "kpi.staff_trained": {"id": "Petugas terlatih", "en": "Staff trained"},
    "kpi.monev_visits": {"id": "Kunjungan monev", "en": "Monev visits"},
    "kpi.open_actions": {"id": "Tindak lanjut terbuka", "en": "Open actions"},
    "kpi.overdue_actions": {"id": "Tindak lanjut lewat tenggat", "en": "Overdue actions"},
    "rehab.status": {"id": "Pendaftaran menurut status", "en": "Enrolments by status"},
    "rehab.attendance_trend": {"id": "Tingkat kehadiran per UPT", "en": "Attendance rate by facility"},
    "rehab.outcomes": {
        "id": "Hasil program per UPT (program yang berakhir dalam periode)",
        "en": "Programme outcomes by facility (ended in the period)",
    },
    "rehab.progress": {
        "id": "Kemajuan: skrining → tindak lanjut terakhir",
        "en": "Progress: screening → latest follow-up",
    },
    "comparison.regions": {
        "id": "Karo dan ex-Karesidenan Pekalongan",
        "en": "Karo and ex-Karesidenan Pekalongan",
    },
    "comparison.league": {"id": "Peringkat UPT (per 100 WBP)", "en": "Facility league table (per 100 WBP)"},
    "outreach.by_type": {"id": "Orang terjangkau per jenis kegiatan", "en": "People reached by event type"},
    "outreach.by_audience": {"id": "Orang terjangkau per sasaran", "en": "People reached by audience"},
    "agreements.signed": {
        "id": "Ditandatangani {date} · {days} hari lalu",
        "en": "Signed {date} · {days} days ago",
    },
    "agreements.delivered": {
        "id": "{delivered} dari target {target}",
        "en": "{delivered} of target {target}",
    },
    "agreements.timeline": {"id": "Kegiatan sejak penandatanganan", "en": "Activity since signing"},
    "agreements.parties": {"id": "Para pihak", "en": "Parties"},
    "col.programme": {"id": "Program", "en": "Programme"},
    "col.status": {"id": "Status", "en": "Status"},
    "col.substance": {"id": "Zat", "en": "Substance"},
    "col.event_type": {"id": "Jenis kegiatan", "en": "Event type"},
    "col.audience": {"id": "Sasaran", "en": "Audience"},
    "col.scope_item": {"id": "Ruang lingkup", "en": "Scope item"},
    "col.target": {"id": "Target", "en": "Target"},
    "col.delivered": {"id": "Terlaksana", "en": "Delivered"},
    "status.active": {"id": "Aktif", "en": "Active"},
    "status.completed": {"id": "Selesai", "en": "Completed"},
    "status.dropped_out": {"id": "Putus program", "en": "Dropped out"},
    "status.released": {"id": "Bebas", "en": "Released"},
    "status.transferred": {"id": "Dipindahkan", "en": "Transferred"},
    "substance.tobacco": {"id": "Tembakau", "en": "Tobacco"},
    "substance.alcohol": {"id": "Alkohol", "en": "Alcohol"},
    "substance.cannabis": {"id": "Ganja", "en": "Cannabis"},
    "substance.cocaine": {"id": "Kokain", "en": "Cocaine"},
    "substance.amphetamines": {"id": "Stimulan jenis amfetamin (sabu)", "en": "Amphetamine-type stimulants"},
    "substance.inhalants": {"id": "Inhalansia", "en": "Inhalants"},
    "substance.sedatives": {"id": "Sedatif", "en": "Sedatives"},
    "substance.hallucinogens": {"id": "Halusinogen", "en": "Hallucinogens"},
    "substance.opioids": {"id": "Opioid", "en": "Opioids"},
    "substance.other": {"id": "Lainnya", "en": "Other"},
    "outreach_type.penyuluhan": {"id": "Penyuluhan", "en": "Outreach talk"},
    "outreach_type.edukasi": {"id": "Edukasi", "en": "Education"},
    "outreach_type.kampanye": {"id": "Kampanye", "en": "Campaign"},
    "audience.wbp": {"id": "WBP", "en": "Inmates"},
    "audience.families": {"id": "Keluarga", "en": "Families"},
    "audience.public": {"id": "Masyarakat", "en": "Public"},
    "audience.schools": {"id": "Sekolah", "en": "Schools"},
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


def format_period(label: str, lang: Lang = DEFAULT_LANG) -> str:
    """A KPI period label for display: ``2025-08`` → ``Agu 2025``, ``2025-Q3`` → ``K3 2025``/``Q3 2025``."""
    year, _, part = label.partition("-")
    if part.startswith("Q"):
        return f"{'K' if lang == 'id' else 'Q'}{part[1:]} {year}"
    return format_month(date(int(year), int(part), 1), lang)
