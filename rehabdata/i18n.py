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
        "id": "Sesi berakhir (tidak ada aktivitas, atau keluar dari perangkat lain). Silakan masuk lagi.",
        "en": "Your session ended (inactivity, or logged out elsewhere). Please log in again.",
    },
    "login.logout": {"id": "Keluar", "en": "Log out"},
    "login.remember": {
        "id": "Tetap masuk di perangkat ini (maks. 12 jam)",
        "en": "Stay logged in on this device (up to 12 hours)",
    },
    "login.remember_help": {
        "id": "Hanya di perangkat pribadi. Di komputer bersama jangan dicentang: login berakhir saat browser ditutup.",
        "en": "Personal devices only. Leave it unticked on a shared PC: the login then ends when the browser closes.",
    },
    "login.end_all": {"id": "Keluar dari semua perangkat", "en": "Log out everywhere"},
    "login.end_all_help": {
        "id": "Mengakhiri login Anda di semua browser dan perangkat, termasuk yang ini.",
        "en": "Ends your login in every browser and device, this one included.",
    },
    "login.ended_all": {
        "id": "Anda telah keluar dari semua perangkat.",
        "en": "You are logged out on every device.",
    },
    "user.password_short": {
        "id": "Kata sandi minimal {minimum} karakter.",
        "en": "The password must have at least {minimum} characters.",
    },
    "user.password_blank": {
        "id": "Kata sandi tidak boleh kosong atau hanya spasi.",
        "en": "A password cannot be blank or only spaces.",
    },
    "user.password_demo": {
        "id": "Kata sandi demo yang umum tidak boleh dipakai di basis data sebenarnya.",
        "en": "The public demo password cannot be used in a real database.",
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
    "audit.at": {"id": "Waktu ({zone})", "en": "Time ({zone})"},
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
    "signoff.many": {
        "id": "{count} UPT dalam cakupan Anda. Pilih satu untuk meninjau dan mengesahkan bulannya.",
        "en": "{count} facilities in your scope. Pick one to review and sign off its months.",
    },
    "signoff.col.to_sign": {"id": "Bulan menunggu pengesahan", "en": "Months awaiting sign-off"},
    "signoff.col.signed": {"id": "Bulan disahkan", "en": "Months signed off"},
    "signoff.col.incomplete": {"id": "Bulan belum lengkap", "en": "Months incomplete"},
    "signoff.col.errors": {"id": "Kesalahan data", "en": "Data errors"},
    "agreements.many": {
        "id": "{count} kerja sama mencakup pilihan ini. Pilih satu untuk melihat capaian dan kegiatannya.",
        "en": "{count} agreements cover this selection. Pick one to see its delivery and activity.",
    },
    "agreements.pick": {"id": "Kerja sama", "en": "Agreement"},
    "col.agreement": {"id": "Kerja sama", "en": "Agreement"},
    "col.partner": {"id": "Mitra", "en": "Partner"},
    "col.kind": {"id": "Jenis", "en": "Kind"},
    "col.signed_on": {"id": "Ditandatangani", "en": "Signed"},
    "col.items_met": {"id": "Butir mencapai target", "en": "Items on target"},
    "col.items": {"id": "Butir ruang lingkup", "en": "Scope items"},
    "col.programme": {"id": "Program", "en": "Programme"},
    "col.code": {"id": "Kode peserta", "en": "Participant code"},
    "col.sex": {"id": "Jenis kelamin", "en": "Sex"},
    "col.birth_year": {"id": "Tahun lahir", "en": "Birth year"},
    "col.legal_status": {"id": "Status hukum", "en": "Legal status"},
    "col.admitted_on": {"id": "Masuk", "en": "Admitted"},
    "col.exited_on": {"id": "Keluar", "en": "Exited"},
    "col.exit_reason": {"id": "Alasan keluar", "en": "Exit reason"},
    "col.screened_on": {"id": "Tanggal skrining", "en": "Screened on"},
    "col.max_score": {"id": "Skor tertinggi", "en": "Highest score"},
    "col.overall_risk": {"id": "Risiko", "en": "Risk"},
    "col.urine_result": {"id": "Urine", "en": "Urine"},
    "col.screener": {"id": "Petugas", "en": "Screener"},
    "col.month": {"id": "Bulan", "en": "Month"},
    "col.wbp_total": {"id": "Populasi WBP", "en": "WBP population"},
    "col.wbp_narcotics": {"id": "Kasus narkotika", "en": "Narcotics cases"},
    "col.admissions": {"id": "Penerimaan", "en": "Admissions"},
    "col.modality": {"id": "Modalitas", "en": "Modality"},
    "col.started_on": {"id": "Mulai", "en": "Started"},
    "col.ended_on": {"id": "Selesai", "en": "Ended"},
    "col.held_on": {"id": "Tanggal", "en": "Date"},
    "col.session_type": {"id": "Jenis sesi", "en": "Session type"},
    "col.topic": {"id": "Topik", "en": "Topic"},
    "col.facilitator": {"id": "Fasilitator", "en": "Facilitator"},
    "col.duration_minutes": {"id": "Durasi (menit)", "en": "Duration (minutes)"},
    "col.narcotics_case": {"id": "Kasus narkotika", "en": "Narcotics case"},
    "col.place": {"id": "Tempat", "en": "Place"},
    "col.people_reached": {"id": "Orang terjangkau", "en": "People reached"},
    "col.team": {"id": "Tim", "en": "Team"},
    "col.findings": {"id": "Temuan", "en": "Findings"},
    "col.title": {"id": "Judul", "en": "Title"},
    "col.trainer": {"id": "Pelatih", "en": "Trainer"},
    "col.staff_trained": {"id": "Petugas terlatih", "en": "Staff trained"},
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
    # data entry
    "nav.section.entry": {"id": "Input Data", "en": "Data entry"},
    "page.participants": {"id": "Peserta", "en": "Participants"},
    "page.screening_entry": {"id": "Input Skrining", "en": "Screening entry"},
    "page.population_entry": {"id": "Populasi", "en": "Population"},
    "page.rehab_entry": {"id": "Asesmen & Rehabilitasi", "en": "Assessment & Rehabilitation"},
    "page.session_entry": {"id": "Sesi & Kehadiran", "en": "Sessions & Attendance"},
    "entry.save": {"id": "Simpan", "en": "Save"},
    "entry.recent": {"id": "Entri terakhir", "en": "Latest entries"},
    "entry.select_to_correct": {
        "id": "Koreksi entri",
        "en": "Correct an entry",
    },
    "entry.correct": {"id": "Koreksi data terpilih", "en": "Correct the selected record"},
    "entry.save_correction": {"id": "Simpan koreksi", "en": "Save correction"},
    "entry.corrected": {
        "id": "Koreksi tersimpan (tercatat di jejak audit).",
        "en": "Correction saved (recorded in the audit trail).",
    },
    "entry.delete_confirm": {
        "id": "Saya yakin ingin menghapus data ini",
        "en": "I am sure I want to delete this record",
    },
    "entry.delete": {"id": "Hapus", "en": "Delete"},
    "entry.deleted": {
        "id": "Data dihapus (tercatat di jejak audit).",
        "en": "Record deleted (recorded in the audit trail).",
    },
    "page.peer_entry": {"id": "Konselor Sebaya", "en": "Peer counsellors"},
    "peer.title": {"id": "Nama pelatihan", "en": "Training title"},
    "peer.started_on": {"id": "Mulai", "en": "Start"},
    "peer.ended_on": {"id": "Selesai", "en": "End"},
    "peer.trainer": {"id": "Pelatih", "en": "Trainer"},
    "peer.staff_trained": {"id": "Petugas ikut dilatih", "en": "Staff trained"},
    "peer.trainees": {"id": "Peserta pelatihan", "en": "Trainees"},
    "peer.completed": {"id": "Lulus", "en": "Completed"},
    "peer.active": {"id": "Aktif sebagai konselor", "en": "Active as counsellor"},
    "peer.saved": {
        "id": "Pelatihan tersimpan dengan {count} peserta.",
        "en": "Training saved with {count} trainees.",
    },
    "participant.new": {"id": "Peserta baru", "en": "New participant"},
    "participant.exit": {"id": "Bebas / pindah", "en": "Release / transfer"},
    "participant.code": {"id": "Kode peserta", "en": "Participant code"},
    "participant.code_help": {
        "id": "Kode samaran; nama tetap di register UPT, tidak di aplikasi ini.",
        "en": "A pseudonymous code; the name stays in the facility's register, not in this app.",
    },
    "participant.sex": {"id": "Jenis kelamin", "en": "Sex"},
    "participant.birth_year": {"id": "Tahun lahir", "en": "Birth year"},
    "participant.legal_status": {"id": "Status", "en": "Legal status"},
    "participant.narcotics_case": {"id": "Kasus narkotika", "en": "Narcotics case"},
    "participant.admitted_on": {"id": "Tanggal masuk", "en": "Admission date"},
    "participant.exited_on": {"id": "Tanggal keluar", "en": "Exit date"},
    "participant.exit_reason": {"id": "Alasan keluar", "en": "Exit reason"},
    "participant.search": {"id": "Cari kode peserta", "en": "Search participant code"},
    "participant.saved": {"id": "Peserta {code} tersimpan.", "en": "Participant {code} saved."},
    "participant.exit_saved": {
        "id": "Keluarnya peserta {code} tersimpan.",
        "en": "Exit of participant {code} saved.",
    },
    "sex.m": {"id": "Laki-laki", "en": "Male"},
    "sex.f": {"id": "Perempuan", "en": "Female"},
    "legal_status.tahanan": {"id": "Tahanan", "en": "Detainee"},
    "legal_status.narapidana": {"id": "Narapidana", "en": "Convict"},
    "assist.q1": {
        "id": "Q1. Zat yang pernah digunakan seumur hidup (selain untuk pengobatan)",
        "en": "Q1. Substances ever used in the lifetime (non-medical use)",
    },
    "assist.q1_none": {"id": "Tidak ada", "en": "None"},
    "assist.q2": {
        "id": "Q2. Dalam 3 bulan terakhir, seberapa sering menggunakan {substance}?",
        "en": "Q2. In the past 3 months, how often have you used {substance}?",
    },
    "assist.q3": {
        "id": "Q3. …seberapa sering ada keinginan kuat untuk menggunakan {substance}?",
        "en": "Q3. …how often have you had a strong desire or urge to use {substance}?",
    },
    "assist.q4": {
        "id": "Q4. …seberapa sering penggunaan {substance} menimbulkan masalah kesehatan, sosial, hukum atau keuangan?",
        "en": "Q4. …how often has your use of {substance} led to health, social, legal or financial problems?",
    },
    "assist.q5": {
        "id": "Q5. …seberapa sering gagal melakukan hal yang biasanya diharapkan karena {substance}?",
        "en": "Q5. …how often have you failed to do what was normally expected of you because of {substance}?",
    },
    "assist.q6": {
        "id": "Q6. Pernahkah teman/kerabat menyatakan khawatir tentang penggunaan {substance}?",
        "en": "Q6. Has a friend or relative ever expressed concern about your use of {substance}?",
    },
    "assist.q7": {
        "id": "Q7. Pernahkah mencoba mengendalikan, mengurangi atau berhenti menggunakan {substance} tetapi gagal?",
        "en": "Q7. Have you ever tried and failed to control, cut down or stop using {substance}?",
    },
    "assist.q8": {
        "id": "Q8. Pernahkah menggunakan narkoba dengan cara suntik?",
        "en": "Q8. Have you ever used any drug by injection?",
    },
    "assist.answer.never": {"id": "Tidak pernah", "en": "Never"},
    "assist.answer.once_or_twice": {"id": "1–2 kali", "en": "Once or twice"},
    "assist.answer.monthly": {"id": "Bulanan", "en": "Monthly"},
    "assist.answer.weekly": {"id": "Mingguan", "en": "Weekly"},
    "assist.answer.daily": {"id": "Setiap hari", "en": "Daily"},
    "assist.answer.no": {"id": "Tidak", "en": "No"},
    "assist.answer.yes_past_3_months": {"id": "Ya, 3 bulan terakhir", "en": "Yes, in the past 3 months"},
    "assist.answer.yes_not_past_3_months": {
        "id": "Ya, tetapi tidak 3 bulan terakhir",
        "en": "Yes, but not in the past 3 months",
    },
    "assist.result": {"id": "Skor {score} · risiko {risk}", "en": "Score {score} · {risk} risk"},
    "assist.overall": {"id": "Risiko keseluruhan", "en": "Overall risk"},
    "assist.recommendation.general_advice": {
        "id": "Saran umum (edukasi).",
        "en": "General advice (education).",
    },
    "assist.recommendation.brief_intervention": {
        "id": "Intervensi singkat; rehabilitasi rawat jalan.",
        "en": "Brief intervention; outpatient rehabilitation.",
    },
    "assist.recommendation.brief_intervention_referral": {
        "id": "Intervensi singkat dan rujukan asesmen untuk rehabilitasi intensif (rawat inap).",
        "en": "Brief intervention and referral for assessment and intensive (residential) rehabilitation.",
    },
    "screening_entry.participant": {"id": "Peserta", "en": "Participant"},
    "screening_entry.new_participant": {"id": "Daftarkan peserta baru", "en": "Register a new participant"},
    "screening_entry.date": {"id": "Tanggal skrining", "en": "Screening date"},
    "screening_entry.screener": {"id": "Petugas skrining (wajib)", "en": "Screener (required)"},
    "screening_entry.already_today": {
        "id": "sudah diskrining tanggal ini",
        "en": "already screened that day",
    },
    "screening_entry.urine": {"id": "Tes urine", "en": "Urine test"},
    "screening_entry.saved": {
        "id": "Skrining {code} tersimpan: risiko {risk}.",
        "en": "Screening of {code} saved: {risk} risk.",
    },
    "urine.negative": {"id": "Negatif", "en": "Negative"},
    "urine.positive": {"id": "Positif", "en": "Positive"},
    "urine.not_done": {"id": "Tidak dilakukan", "en": "Not done"},
    "population.month": {"id": "Bulan", "en": "Month"},
    "population.month_help": {"id": "Tanggal mana pun dalam bulan itu.", "en": "Any day of that month."},
    "population.narcotics": {"id": "WBP kasus narkotika", "en": "WBP with narcotics cases"},
    "population.admissions": {"id": "Penerimaan baru bulan ini", "en": "New admissions this month"},
    "population.saved": {"id": "Populasi {month} tersimpan.", "en": "Population for {month} saved."},
    "rehab_entry.assess": {"id": "Asesmen", "en": "Assessment"},
    "rehab_entry.assessed_on": {"id": "Tanggal asesmen", "en": "Assessment date"},
    "rehab_entry.assessor": {"id": "Asesor", "en": "Assessor"},
    "rehab_entry.substance": {"id": "Zat utama", "en": "Main substance"},
    "rehab_entry.route": {"id": "Cara pakai", "en": "Route of use"},
    "rehab_entry.duration": {"id": "Lama pemakaian (bulan)", "en": "Duration of use (months)"},
    "rehab_entry.diagnosis": {"id": "Diagnosis", "en": "Diagnosis"},
    "rehab_entry.history": {"id": "Riwayat terapi", "en": "Treatment history"},
    "rehab_entry.recommended": {"id": "Rekomendasi program", "en": "Recommended programme"},
    "rehab_entry.assessed": {"id": "Asesmen {code} tersimpan.", "en": "Assessment of {code} saved."},
    "route.smoked": {"id": "Dihisap/dibakar", "en": "Smoked"},
    "route.injected": {"id": "Suntik", "en": "Injected"},
    "route.oral": {"id": "Oral", "en": "Oral"},
    "route.nasal": {"id": "Dihirup", "en": "Nasal"},
    "route.other": {"id": "Lainnya", "en": "Other"},
    "rehab_entry.enrol": {"id": "Daftarkan ke program", "en": "Enrol in a programme"},
    "rehab_entry.end": {"id": "Akhiri / ubah status", "en": "End / change status"},
    "rehab_entry.modality": {"id": "Modalitas", "en": "Modality"},
    "rehab_entry.started_on": {"id": "Tanggal mulai", "en": "Start date"},
    "rehab_entry.ended_on": {"id": "Tanggal selesai", "en": "End date"},
    "rehab_entry.enrollment": {"id": "Pendaftaran aktif", "en": "Active enrolment"},
    "rehab_entry.reason": {"id": "Alasan / keterangan", "en": "Reason / note"},
    "rehab_entry.enrolled": {"id": "Peserta {code} terdaftar.", "en": "Participant {code} enrolled."},
    "rehab_entry.ended": {
        "id": "Status pendaftaran diubah: {status}.",
        "en": "Enrolment status changed: {status}.",
    },
    "modality.outpatient": {"id": "Rawat jalan", "en": "Outpatient"},
    "modality.residential": {"id": "Rawat inap", "en": "Residential"},
    "modality.community": {"id": "Komunitas terapeutik", "en": "Therapeutic community"},
    "session_entry.date": {"id": "Tanggal sesi", "en": "Session date"},
    "session_entry.type": {"id": "Jenis sesi", "en": "Session type"},
    "session_entry.topic": {"id": "Topik", "en": "Topic"},
    "session_entry.facilitator": {"id": "Fasilitator", "en": "Facilitator"},
    "session_entry.duration": {"id": "Durasi (menit)", "en": "Duration (minutes)"},
    "session_entry.roster": {
        "id": "Peserta aktif pada tanggal ini: {count}. Centang yang hadir.",
        "en": "Participants active on this date: {count}. Tick those present.",
    },
    "session_entry.attended": {"id": "Hadir", "en": "Present"},
    "session_entry.saved": {
        "id": "Sesi {date} tersimpan dengan {count} peserta hadir.",
        "en": "Session of {date} saved with {count} present.",
    },
    "session_type.group": {"id": "Kelompok", "en": "Group"},
    "session_type.individual": {"id": "Individu", "en": "Individual"},
    "session_type.peer": {"id": "Konselor sebaya", "en": "Peer"},
    "session_type.skills": {"id": "Keterampilan", "en": "Skills"},
    "session_type.education": {"id": "Edukasi", "en": "Education"},
    "session_type.medical": {"id": "Medis", "en": "Medical"},
    "page.follow_up_entry": {"id": "Tindak Lanjut", "en": "Follow-up"},
    "page.outreach_entry": {"id": "Input Penjangkauan", "en": "Outreach entry"},
    "page.monev_entry": {"id": "Input Monev", "en": "Monev entry"},
    "follow_up.date": {"id": "Tanggal tindak lanjut", "en": "Follow-up date"},
    "follow_up.stage": {"id": "Tahap", "en": "Stage"},
    "follow_up.saved": {
        "id": "Tindak lanjut tersimpan: risiko {risk}.",
        "en": "Follow-up saved: {risk} risk.",
    },
    "stage.during": {"id": "Selama program", "en": "During the programme"},
    "stage.end": {"id": "Akhir program", "en": "End of programme"},
    "stage.post": {"id": "Pascarehabilitasi", "en": "Post-rehabilitation"},
    "outreach.place": {"id": "Tempat", "en": "Place"},
    "outreach.saved": {"id": "Kegiatan tersimpan ({people} orang).", "en": "Event saved ({people} people)."},
    "monev.date": {"id": "Tanggal kunjungan", "en": "Visit date"},
    "monev.team": {"id": "Tim", "en": "Team"},
    "monev.findings": {"id": "Temuan", "en": "Findings"},
    "monev.actions": {"id": "Tindak lanjut yang disepakati", "en": "Agreed actions"},
    "monev.action": {"id": "Tindakan", "en": "Action"},
    "monev.owner": {"id": "Penanggung jawab", "en": "Owner"},
    "monev.due_on": {"id": "Tenggat", "en": "Due"},
    "monev.saved": {
        "id": "Kunjungan monev tersimpan dengan {count} tindak lanjut.",
        "en": "Monev visit saved with {count} actions.",
    },
    # coordination meeting (Rapat Koordinasi), deck and workbook
    "page.meeting": {"id": "Rapat Koordinasi", "en": "Coordination Meeting"},
    "meeting.kind": {"id": "Bahan rapat untuk", "en": "Material for"},
    "meeting.kind.agreement": {"id": "Kerja sama", "en": "Agreement"},
    "meeting.kind.region": {"id": "Wilayah", "en": "Region"},
    "meeting.kind.facility": {"id": "UPT", "en": "Facility"},
    "meeting.none": {
        "id": "Tidak ada kerja sama, wilayah atau UPT yang seluruhnya dalam cakupan akses Anda.",
        "en": "No agreement, region or facility lies wholly within your access scope.",
    },
    "meeting.previous": {"id": "Sebelumnya", "en": "Previous"},
    "meeting.next": {"id": "Berikutnya", "en": "Next"},
    "meeting.counter": {"id": "Slide {number} dari {total}", "en": "Slide {number} of {total}"},
    "meeting.present": {"id": "Mode presentasi", "en": "Presentation mode"},
    "meeting.present_help": {
        "id": "Sembunyikan sidebar dan perbesar huruf untuk proyektor.",
        "en": "Hide the sidebar and enlarge the text for a projector.",
    },
    "meeting.download_deck": {"id": "Unduh PowerPoint", "en": "Download PowerPoint"},
    "meeting.download_xlsx": {"id": "Unduh Excel", "en": "Download Excel"},
    "meeting.slide.headline": {"id": "Indikator utama", "en": "Headline indicators"},
    "meeting.slide.screening": {"id": "Skrining dan tingkat risiko", "en": "Screening and risk"},
    "meeting.slide.rehabilitation": {
        "id": "Rehabilitasi: partisipasi dan kemajuan",
        "en": "Rehabilitation: participation and progress",
    },
    "meeting.slide.outreach": {"id": "Penjangkauan", "en": "Outreach"},
    "meeting.slide.delivery": {
        "id": "Capaian kerja sama terhadap target",
        "en": "Agreement delivery against targets",
    },
    "meeting.slide.monev": {"id": "Monev: tindak lanjut terbuka", "en": "Monev: open actions"},
    "meeting.slide.changes": {
        "id": "Perubahan dibanding periode sebelumnya",
        "en": "Changes since the previous period",
    },
    "meeting.signed": {"id": "{kind} ditandatangani {date}", "en": "{kind} signed {date}"},
    "meeting.as_of": {"id": "Data per {timestamp}", "en": "Data as of {timestamp}"},
    "meeting.source": {
        "id": "Sumber: rehabdata · data per {as_of} · {subject} · {period}",
        "en": "Source: rehabdata · data as of {as_of} · {subject} · {period}",
    },
    "meeting.legend": {
        "id": "{small}: kurang dari {limit} (disamarkan) · {hidden}: disembunyikan agar angka kecil tidak dapat dihitung ulang",
        "en": "{small}: fewer than {limit} (suppressed) · {hidden}: hidden so that a small number cannot be recomputed",
    },
    "meeting.notes.suppression": {
        "id": "Semua angka agregat. Angka di bawah {limit} disamarkan, termasuk persentase yang dihitung darinya.",
        "en": "All figures are aggregates. Numbers below {limit} are suppressed, as are rates computed from them.",
    },
    "meeting.total": {"id": "Jumlah", "en": "Total"},
    "meeting.delivery_note": {
        "id": "Kumulatif sejak penandatanganan sampai {end}.",
        "en": "Cumulative from signing to {end}.",
    },
    "meeting.no_agreement": {
        "id": "Belum ada kerja sama yang mencakup pilihan ini.",
        "en": "No agreement covers this selection yet.",
    },
    "meeting.compared_with": {"id": "Dibanding {start} – {end}", "en": "Compared with {start} – {end}"},
    "meeting.chart.rehabilitation": {
        "id": "Kehadiran, penyelesaian dan risiko menurun per UPT",
        "en": "Attendance, completion and risk fallen by facility",
    },
    "meeting.chart.delivery": {"id": "Capaian terhadap target", "en": "Delivery against target"},
    "meeting.chart_missing": {
        "id": "Grafik tidak dapat dibuat: Chromium tidak ditemukan (lihat README).",
        "en": "Chart not drawn: Chromium was not found (see README).",
    },
    "meeting.col.screened": {"id": "WBP diskrining", "en": "WBP screened"},
    "meeting.col.attended": {"id": "Kehadiran (peserta-sesi)", "en": "Attended (participant-sessions)"},
    "meeting.col.expected": {"id": "Diharapkan hadir", "en": "Expected"},
    "meeting.col.ended": {"id": "Berakhir (selesai + putus)", "en": "Ended (completed + dropped out)"},
    "meeting.col.compared": {"id": "Dibandingkan", "en": "Compared"},
    "meeting.col.risk_fell": {"id": "Risiko menurun (orang)", "en": "Risk fell (people)"},
    "meeting.col.urine_tested": {"id": "Tes urine", "en": "Urine tests"},
    "meeting.col.urine_negative": {"id": "Urine negatif", "en": "Negative urine tests"},
    "meeting.col.agreement": {"id": "Kerja sama", "en": "Agreement"},
    "meeting.col.delivery_rate": {"id": "Capaian (% target)", "en": "Share of target"},
    "meeting.col.actions": {"id": "Tindak lanjut", "en": "Actions"},
    "meeting.col.indicator": {"id": "Indikator", "en": "Indicator"},
    "meeting.col.value": {"id": "Nilai", "en": "Value"},
    "meeting.col.numerator": {"id": "Pembilang", "en": "Numerator"},
    "meeting.col.denominator": {"id": "Penyebut", "en": "Denominator"},
    "meeting.col.previous": {"id": "Periode sebelumnya", "en": "Previous period"},
    "meeting.col.current": {"id": "Periode ini", "en": "This period"},
    "meeting.col.change": {"id": "Perubahan", "en": "Change"},
    "meeting.cover.title": {"id": "Bahan Rapat Koordinasi", "en": "Coordination meeting material"},
    "meeting.cover.subject": {"id": "Pilihan", "en": "Selection"},
    "meeting.cover.code": {"id": "Kode", "en": "Code"},
    "meeting.cover.previous": {"id": "Periode pembanding", "en": "Comparison period"},
    "meeting.cover.threshold": {"id": "Ambang penyamaran", "en": "Suppression threshold"},
    "meeting.cover.sheets": {"id": "Lembar", "en": "Sheets"},
    "meeting.cover.sheet": {"id": "Sampul", "en": "Cover"},
    "meeting.cover.as_of": {"id": "Data per", "en": "Data as of"},
    "meeting.notes": {"id": "Catatan pembicara", "en": "Speaker notes"},
    # bulk import
    "page.import": {"id": "Impor Data", "en": "Import data"},
    "import.intro": {
        "id": "Unggah file CSV atau XLSX berisi satu jenis data. Setiap baris diperiksa dengan aturan yang sama seperti formulir; data diimpor hanya bila tidak ada masalah sama sekali (semua atau tidak sama sekali). Data yang sudah ada tidak diubah.",
        "en": "Upload a CSV or XLSX file holding one kind of data. Every row is checked with the same rules as the forms; the data are imported only when there is no problem at all (all or nothing). Records already present are not changed.",
    },
    "import.kind": {"id": "Jenis data", "en": "Kind of data"},
    "import.kind.participants": {"id": "Peserta", "en": "Participants"},
    "import.kind.screenings": {"id": "Skrining ASSIST", "en": "ASSIST screenings"},
    "import.kind.sessions": {"id": "Sesi & kehadiran", "en": "Sessions & attendance"},
    "import.kind.outreach": {"id": "Penjangkauan", "en": "Outreach events"},
    "import.kind.populations": {"id": "Populasi bulanan", "en": "Monthly population"},
    "import.layout.participants": {
        "id": "Satu baris per peserta (kunci: kode_upt + kode_peserta).",
        "en": "One row per participant (key: kode_upt + kode_peserta).",
    },
    "import.layout.screenings": {
        "id": "Satu baris per skrining (kunci: peserta + tanggal). Kolom zat memuat zat yang pernah dipakai (Q1), dipisah spasi atau koma; isi kolom <zat>_q2 … <zat>_q7 hanya untuk zat itu (Q3–Q5 kosong bila Q2 = 0). Templat memuat kolom amfetamin, ganja, tembakau dan alkohol; kolom zat lain boleh ditambahkan. Peserta harus sudah terdaftar: impor peserta lebih dulu.",
        "en": "One row per screening (key: participant + date). Column zat lists the substances ever used (Q1), separated by spaces or commas; fill the <zat>_q2 … <zat>_q7 columns of those substances only (Q3–Q5 blank when Q2 is 0). The template has columns for amfetamin, ganja, tembakau and alkohol; columns for other substances may be added. Participants must exist: import them first.",
    },
    "import.layout.sessions": {
        "id": "Satu baris per kehadiran: ulangi kolom sesi untuk setiap peserta yang hadir; baris dengan UPT, tanggal, program, jenis dan topik yang sama adalah satu sesi. Kosongkan kode_peserta untuk sesi tanpa daftar hadir. Peserta harus terdaftar aktif dalam program itu pada tanggal sesi.",
        "en": "One row per attendance: repeat the session columns for every participant present; rows with the same facility, date, programme, type and topic are one session. Leave kode_peserta blank for a session without attendance. Participants must be actively enrolled in that programme on the session date.",
    },
    "import.layout.outreach": {
        "id": "Satu baris per kegiatan (kunci: wilayah + tanggal + tempat + jenis + sasaran).",
        "en": "One row per event (key: region + date + place + type + audience).",
    },
    "import.layout.populations": {
        "id": "Satu baris per UPT per bulan (kunci: kode_upt + bulan).",
        "en": "One row per facility and month (key: kode_upt + bulan).",
    },
    "import.guide": {"id": "Petunjuk kolom", "en": "Column guide"},
    "import.guide.column": {"id": "Kolom", "en": "Column"},
    "import.guide.required": {"id": "Wajib", "en": "Required"},
    "import.guide.description": {"id": "Keterangan", "en": "Description"},
    "import.guide.example": {"id": "Contoh", "en": "Example"},
    "import.yes": {"id": "Ya", "en": "Yes"},
    "import.no": {"id": "Tidak", "en": "No"},
    "import.allowed": {"id": "Pilihan: {values}.", "en": "Allowed: {values}."},
    "import.delete_example": {
        "id": "Hapus baris contoh pada templat sebelum mengimpor. Tanggal: YYYY-MM-DD atau DD/MM/YYYY.",
        "en": "Delete the template's example row before importing. Dates: YYYY-MM-DD or DD/MM/YYYY.",
    },
    "import.col.kode_upt": {
        "id": "Kode UPT, mis. rutan-kabanjahe (lihat daftar kode).",
        "en": "Facility code, e.g. rutan-kabanjahe (see the list of codes).",
    },
    "import.col.outreach.kode_upt": {
        "id": "Kode UPT tempat/penyelenggara kegiatan; harus di wilayah itu. Hanya admin boleh mengosongkan.",
        "en": "Code of the facility holding the event; must lie in the region. Only an admin may leave it blank.",
    },
    "import.col.kode_peserta": {
        "id": "Kode samaran peserta di UPT itu, mis. KBJ-2025-0001 (huruf besar, angka, tanda hubung).",
        "en": "The participant's pseudonymous code in that facility, e.g. KBJ-2025-0001 (capitals, digits, hyphens).",
    },
    "import.col.sessions.kode_peserta": {
        "id": "Kode peserta yang hadir; kosong = sesi tanpa daftar hadir.",
        "en": "Code of the participant present; blank = a session without attendance.",
    },
    "import.col.jenis_kelamin": {"id": "Jenis kelamin.", "en": "Sex (L male, P female)."},
    "import.col.tahun_lahir": {"id": "Tahun lahir, 4 angka.", "en": "Birth year, 4 digits."},
    "import.col.status_hukum": {"id": "Status hukum.", "en": "Legal status (detainee or convict)."},
    "import.col.kasus_narkotika": {
        "id": "Kasus narkotika; kosong = ya.",
        "en": "Narcotics case; blank = yes.",
    },
    "import.col.tanggal_masuk": {"id": "Tanggal masuk UPT.", "en": "Date of admission to the facility."},
    "import.col.tanggal_keluar": {
        "id": "Tanggal keluar; kosong bila masih di UPT.",
        "en": "Exit date; blank while still inside.",
    },
    "import.col.alasan_keluar": {
        "id": "Alasan keluar; wajib bila ada tanggal keluar.",
        "en": "Exit reason (bebas released, pindah transferred); required with an exit date.",
    },
    "import.col.tanggal_skrining": {
        "id": "Tanggal skrining, dalam masa tinggal peserta.",
        "en": "Screening date, within the participant's stay.",
    },
    "import.col.petugas_skrining": {"id": "Petugas yang melakukan skrining.", "en": "Who screened."},
    "import.col.zat": {
        "id": "Zat yang pernah dipakai (Q1), dipisah spasi atau koma; kosong = tidak ada. Nama zat: tembakau, alkohol, ganja, kokain, amfetamin (sabu), inhalansia, sedatif, halusinogen, opioid, lainnya. Kolom jawaban: <zat>_q2 … <zat>_q7 (tembakau tanpa q5).",
        "en": "Substances ever used (Q1), separated by spaces or commas; blank = none. Names: tembakau, alkohol, ganja, kokain, amfetamin (sabu), inhalansia, sedatif, halusinogen, opioid, lainnya. Answer columns: <zat>_q2 … <zat>_q7 (tembakau has no q5).",
    },
    "import.col.q8_suntik": {
        "id": "Q8 penggunaan dengan suntik: 0 tidak pernah, 2 ya dalam 3 bulan terakhir, 1 ya tetapi tidak 3 bulan terakhir; kosong = 0.",
        "en": "Q8 injecting: 0 never, 2 yes in the past 3 months, 1 yes but not in the past 3 months; blank = 0.",
    },
    "import.col.tes_urine": {
        "id": "Hasil tes urine; kosong = tidak dilakukan.",
        "en": "Urine test result; blank = not done.",
    },
    "import.col.answer": {
        "id": "Jawaban {question} untuk setiap zat di kolom zat, dalam poin: {scale}.",
        "en": "Answer {question} for each substance in column zat, in points: {scale}.",
    },
    "import.col.tanggal_sesi": {"id": "Tanggal sesi.", "en": "Session date."},
    "import.col.program": {
        "id": "Program rehabilitasi.",
        "en": "Rehabilitation programme (medis medical, sosial social).",
    },
    "import.col.jenis_sesi": {
        "id": "Jenis sesi.",
        "en": "Session type (kelompok group, individu individual, sebaya peer, keterampilan skills, edukasi education, medis medical).",
    },
    "import.col.topik": {"id": "Topik.", "en": "Topic."},
    "import.col.fasilitator": {
        "id": "Fasilitator; sama di setiap baris sesi itu.",
        "en": "Facilitator; the same on every row of the session.",
    },
    "import.col.durasi_menit": {
        "id": "Durasi dalam menit (10–480); kosong = 60; sama di setiap baris sesi itu.",
        "en": "Duration in minutes (10–480); blank = 60; the same on every row of the session.",
    },
    "import.col.kode_mitra": {
        "id": "Kode mitra, mis. bnnk-karo; boleh kosong.",
        "en": "Partner code, e.g. bnnk-karo; may be blank.",
    },
    "import.col.kode_wilayah": {
        "id": "Kode wilayah, mis. karo atau pekalongan.",
        "en": "Region code, e.g. karo or pekalongan.",
    },
    "import.col.tanggal": {"id": "Tanggal kegiatan.", "en": "Date of the event."},
    "import.col.tempat": {"id": "Tempat kegiatan.", "en": "Place of the event."},
    "import.col.jenis_kegiatan": {"id": "Jenis kegiatan.", "en": "Kind of event."},
    "import.col.sasaran": {
        "id": "Sasaran.",
        "en": "Audience (wbp inmates, keluarga families, masyarakat public, sekolah schools).",
    },
    "import.col.jumlah_orang": {
        "id": "Jumlah orang terjangkau (0–100.000).",
        "en": "People reached (0–100,000).",
    },
    "import.col.bulan": {
        "id": "Bulan: YYYY-MM atau MM/YYYY (tanggal mana pun dalam bulan itu juga boleh).",
        "en": "Month: YYYY-MM or MM/YYYY (any date in the month works too).",
    },
    "import.col.jumlah_wbp": {"id": "Jumlah WBP (1–20.000).", "en": "Number of WBP (1–20,000)."},
    "import.col.wbp_narkotika": {
        "id": "WBP kasus narkotika (tidak melebihi jumlah WBP).",
        "en": "WBP with narcotics cases (at most the WBP total).",
    },
    "import.col.penerimaan_baru": {
        "id": "Penerimaan baru bulan itu; boleh kosong.",
        "en": "New admissions that month; may be blank.",
    },
    "import.template_csv": {"id": "Templat CSV", "en": "CSV template"},
    "import.template_xlsx": {"id": "Templat XLSX (dengan petunjuk)", "en": "XLSX template (with guide)"},
    "import.codes": {"id": "Daftar kode", "en": "List of codes"},
    "import.code_kind.facility": {"id": "UPT", "en": "Facility"},
    "import.code_kind.region": {"id": "Wilayah", "en": "Region"},
    "import.code_kind.partner": {"id": "Mitra", "en": "Partner"},
    "import.code": {"id": "Kode", "en": "Code"},
    "import.name": {"id": "Nama", "en": "Name"},
    "import.file": {"id": "File CSV atau XLSX", "en": "CSV or XLSX file"},
    "import.file_help": {
        "id": "CSV dengan koma atau titik koma, UTF-8 atau dari Excel; XLSX: lembar pertama. Maksimal 50.000 baris dan 20 MB.",
        "en": "CSV with commas or semicolons, UTF-8 or saved by Excel; XLSX: the first sheet. At most 50,000 rows and 20 MB.",
    },
    "import.preview": {"id": "Pratinjau: {shown} dari {rows} baris", "en": "Preview: {shown} of {rows} rows"},
    "import.problems": {
        "id": "{count} masalah ditemukan; tidak ada data yang diimpor. Perbaiki file lalu unggah lagi.",
        "en": "{count} problems found; nothing was imported. Correct the file and upload it again.",
    },
    "import.ready": {"id": "Semua {rows} baris lolos pemeriksaan.", "en": "All {rows} rows pass the checks."},
    "import.run": {"id": "Impor", "en": "Import"},
    "import.done": {"id": "Impor selesai.", "en": "Import finished."},
    "import.changed": {
        "id": "File tidak lagi lolos pemeriksaan (data berubah sementara itu); lihat tabel masalah.",
        "en": "The file no longer passes the checks (data changed meanwhile); see the table of problems.",
    },
    "import.summary": {
        "id": "{entity}: {new} baru, {present} sudah ada.",
        "en": "{entity}: {new} new, {present} already present.",
    },
    "import.entity.participant": {"id": "Peserta", "en": "Participants"},
    "import.entity.screening": {"id": "Skrining", "en": "Screenings"},
    "import.entity.programme_session": {"id": "Sesi", "en": "Sessions"},
    "import.entity.attendance": {"id": "Kehadiran", "en": "Attendance"},
    "import.entity.outreach_event": {"id": "Kegiatan penjangkauan", "en": "Outreach events"},
    "import.entity.facility_population": {"id": "Populasi bulanan", "en": "Monthly populations"},
    "import.row": {"id": "Baris", "en": "Row"},
    "import.column": {"id": "Kolom", "en": "Column"},
    "import.message": {"id": "Masalah", "en": "Problem"},
    "import.too_large": {"id": "File lebih dari {limit} MB.", "en": "The file is larger than {limit} MB."},
    "import.too_many_rows": {
        "id": "File berisi lebih dari {limit} baris data; bagi menjadi beberapa file.",
        "en": "The file has more than {limit} data rows; split it into several files.",
    },
    "import.empty": {
        "id": "File kosong atau hanya berisi judul kolom.",
        "en": "The file is empty or holds only the header row.",
    },
    "import.encoding": {
        "id": "File tidak dapat dibaca sebagai teks (UTF-8 atau Windows-1252). Simpan sebagai CSV UTF-8 atau XLSX.",
        "en": "The file cannot be read as text (UTF-8 or Windows-1252). Save it as CSV UTF-8 or XLSX.",
    },
    "import.old_excel": {
        "id": "Format .xls (Excel 97–2003) tidak didukung; simpan sebagai .xlsx atau CSV.",
        "en": "The .xls format (Excel 97–2003) is not supported; save as .xlsx or CSV.",
    },
    "import.xlsx_unreadable": {
        "id": "File XLSX rusak atau bukan XLSX.",
        "en": "The XLSX file is damaged or not an XLSX file.",
    },
    "import.role_denied": {
        "id": "Peran Anda tidak boleh mengimpor jenis data ini.",
        "en": "Your role may not import this kind of data.",
    },
    "import.repeated_columns": {"id": "Kolom ganda: {columns}.", "en": "Repeated columns: {columns}."},
    "import.missing_columns": {
        "id": "Kolom wajib tidak ada: {columns}. Apakah jenis data yang dipilih benar?",
        "en": "Required columns missing: {columns}. Is the chosen kind of data right?",
    },
    "import.unknown_columns": {
        "id": "Kolom tidak dikenal untuk jenis data ini: {columns}.",
        "en": "Columns unknown for this kind of data: {columns}.",
    },
    "import.looks_like.participants": {
        "id": "File ini tampaknya berisi data peserta: pilih jenis data “Peserta”.",
        "en": "This file looks like participants: choose the kind “Participants”.",
    },
    "import.looks_like.screenings": {
        "id": "File ini tampaknya berisi data skrining: pilih jenis data “Skrining ASSIST”.",
        "en": "This file looks like screenings: choose the kind “ASSIST screenings”.",
    },
    "import.looks_like.sessions": {
        "id": "File ini tampaknya berisi data sesi: pilih jenis data “Sesi & kehadiran”.",
        "en": "This file looks like sessions: choose the kind “Sessions & attendance”.",
    },
    "import.looks_like.outreach": {
        "id": "File ini tampaknya berisi data penjangkauan: pilih jenis data “Penjangkauan”.",
        "en": "This file looks like outreach events: choose the kind “Outreach events”.",
    },
    "import.looks_like.populations": {
        "id": "File ini tampaknya berisi data populasi: pilih jenis data “Populasi bulanan”.",
        "en": "This file looks like populations: choose the kind “Monthly population”.",
    },
    "import.choice": {
        "id": "Nilai “{value}” tidak diizinkan; pilih salah satu: {allowed}.",
        "en": "“{value}” is not allowed; use one of: {allowed}.",
    },
    "import.unknown_facility": {
        "id": "Kode UPT {code} tidak dikenal.",
        "en": "Unknown facility code {code}.",
    },
    "import.unknown_region": {
        "id": "Kode wilayah {code} tidak dikenal.",
        "en": "Unknown region code {code}.",
    },
    "import.unknown_partner": {
        "id": "Kode mitra {code} tidak dikenal.",
        "en": "Unknown partner code {code}.",
    },
    "import.unknown_participant": {
        "id": "Peserta {code} tidak terdaftar di UPT ini.",
        "en": "Participant {code} is not registered in this facility.",
    },
    "import.facility_required": {
        "id": "Isi kode UPT: hanya admin boleh mengimpor kegiatan tanpa UPT.",
        "en": "Fill in the facility code: only an admin may import events without a facility.",
    },
    "import.facility_not_in_region": {
        "id": "UPT ini tidak berada di wilayah pada kolom kode_wilayah.",
        "en": "This facility does not lie in the region of column kode_wilayah.",
    },
    "import.not_a_month": {"id": "Bulan tidak valid (format YYYY-MM).", "en": "Not a valid month (YYYY-MM)."},
    "import.cell_too_long": {
        "id": "Ada sel yang terlalu panjang (lebih dari {limit} karakter): tidak ada kolom yang memuat "
        "teks sepanjang itu. Periksa sel yang tertempel isi lain atau tanda kutip yang tidak ditutup.",
        "en": "A cell is too long (over {limit} characters): no column holds that much text. Look for "
        "a cell with other content pasted in, or an unclosed quotation mark.",
    },
    "import.duplicate_row": {
        "id": "Sama dengan baris {row} (data yang sama dua kali dalam file).",
        "en": "Same as row {row} (the same record twice in the file).",
    },
    "import.session_conflict": {
        "id": "Berbeda dengan baris {row} dari sesi yang sama; ulangi nilai yang sama.",
        "en": "Differs from row {row} of the same session; repeat the same value.",
    },
    "import.unknown_substance": {
        "id": "Zat “{value}” tidak dikenal; gunakan: {allowed}.",
        "en": "Unknown substance “{value}”; use: {allowed}.",
    },
    "import.substance_not_listed": {
        "id": "Jawaban diisi untuk {substance}, tetapi zat itu tidak ada di kolom zat.",
        "en": "An answer is given for {substance}, but that substance is not listed in column zat.",
    },
    "import.assist_skipped": {
        "id": "Q3–Q5 dilewati bila Q2 = 0 (tidak dipakai 3 bulan terakhir); kosongkan.",
        "en": "Q3–Q5 are skipped when Q2 is 0 (not used in the past 3 months); leave blank.",
    },
    # reporting completeness and data quality
    "page.data_quality": {"id": "Kelengkapan Data", "en": "Data completeness"},
    "completeness.state.complete": {"id": "Lengkap", "en": "Complete"},
    "completeness.state.late": {"id": "Terlambat", "en": "Late"},
    "completeness.state.incomplete": {"id": "Belum lengkap", "en": "Incomplete"},
    "completeness.state.not_due_yet": {"id": "Belum jatuh tempo", "en": "Not due yet"},
    "completeness.missing.population": {
        "id": "Populasi WBP bulan ini belum diisi",
        "en": "The month's WBP population is missing",
    },
    "completeness.missing.session": {
        "id": "{programme}: belum ada sesi dengan kehadiran tercatat",
        "en": "{programme}: no session with attendance recorded",
    },
    "completeness.missing.screening_risk": {
        "id": "{count} skrining tanpa tingkat risiko",
        "en": "{count} screenings without a risk level",
    },
    "completeness.deadline_caption": {
        "id": "Data satu bulan tepat waktu bila diisi paling lambat tanggal {day} bulan berikutnya. "
        "Sesi dan kehadiran tidak mencatat waktu input, jadi keterlambatan dinilai dari populasi dan skrining.",
        "en": "A month's data is on time when entered by day {day} of the following month. "
        "Sessions and attendance carry no entry time, so lateness is judged on population and screenings.",
    },
    "completeness.grid": {
        "id": "Status pelaporan per UPT dan bulan",
        "en": "Reporting status by facility and month",
    },
    "completeness.details": {"id": "Rincian per UPT-bulan", "en": "Details by facility-month"},
    "completeness.to_fix": {"id": "Yang perlu dilengkapi", "en": "What needs completing"},
    "completeness.nothing_to_fix": {
        "id": "Tidak ada yang perlu dilengkapi untuk pilihan ini.",
        "en": "Nothing needs completing for this selection.",
    },
    "completeness.more": {
        "id": "… dan {count} UPT-bulan lainnya (lihat tabel rincian).",
        "en": "… and {count} more facility-months (see the details table).",
    },
    "completeness.fix.population": {"id": "Isi populasi", "en": "Enter the population"},
    "completeness.fix.session": {"id": "Catat sesi & kehadiran", "en": "Record sessions & attendance"},
    "completeness.fix.screening_risk": {"id": "Buka input skrining", "en": "Open screening entry"},
    "completeness.overview_warning": {
        "id": "Data {count} UPT-bulan dalam periode ini belum lengkap padahal batas pelaporan sudah lewat: "
        "angka bisa lebih rendah dari kenyataan (lihat Kelengkapan Data).",
        "en": "{count} facility-months in this period are incomplete past their reporting deadline: "
        "figures may undercount (see Data completeness).",
    },
    "col.missing": {"id": "Yang kurang", "en": "Missing"},
    "col.deadline": {"id": "Batas pelaporan", "en": "Deadline"},
    "col.population_entered": {"id": "Populasi diisi ({zone})", "en": "Population entered ({zone})"},
    "col.rule": {"id": "Aturan", "en": "Rule"},
    "col.severity": {"id": "Tingkat", "en": "Severity"},
    "col.record": {"id": "Data", "en": "Record"},
    "col.date": {"id": "Tanggal", "en": "Date"},
    "col.problem": {"id": "Masalah", "en": "Problem"},
    "col.issues": {"id": "Jumlah masalah", "en": "Issues"},
    "quality.title": {"id": "Pemeriksaan kualitas data", "en": "Data-quality checks"},
    "quality.help": {
        "id": "Memeriksa data periode dan UPT terpilih terhadap aturan di bawah; tidak mengubah data apa pun.",
        "en": "Checks the selected period's and facilities' data against the rules below; changes nothing.",
    },
    "quality.run": {"id": "Jalankan pemeriksaan", "en": "Run checks"},
    "quality.none": {"id": "Tidak ada masalah ditemukan.", "en": "No issues found."},
    "quality.summary": {
        "id": "{errors} kesalahan, {warnings} peringatan.",
        "en": "{errors} errors, {warnings} warnings.",
    },
    "quality.counts_only": {
        "id": "Pimpinan melihat jumlah masalah per aturan dan UPT; rincian per peserta hanya untuk petugas, mitra dan admin.",
        "en": "Leadership sees issue counts per rule and facility; participant-level details are for staff, partners and admins.",
    },
    "quality.severity.error": {"id": "Kesalahan", "en": "Error"},
    "quality.severity.warning": {"id": "Peringatan", "en": "Warning"},
    "quality.rule.attendance_outside_enrollment": {
        "id": "Kehadiran di luar masa pendaftaran",
        "en": "Attendance outside the enrolment",
    },
    "quality.rule.attendance_above_enrolled": {
        "id": "Hadir lebih banyak dari peserta terdaftar",
        "en": "More present than enrolled",
    },
    "quality.rule.screening_after_exit": {
        "id": "Skrining sesudah peserta keluar",
        "en": "Screening after the participant left",
    },
    "quality.rule.follow_up_before_screening": {
        "id": "Tindak lanjut sebelum skrining",
        "en": "Follow-up before the screening",
    },
    "quality.rule.risk_without_assessment": {
        "id": "Risiko sedang/tinggi tanpa asesmen lebih dari 30 hari",
        "en": "Moderate/high risk without assessment after 30 days",
    },
    "quality.rule.enrollment_open_after_exit": {
        "id": "Pendaftaran masih aktif setelah peserta keluar",
        "en": "Enrolment still active after the participant left",
    },
    "quality.rule.screenings_above_population": {
        "id": "Skrining melebihi populasi WBP",
        "en": "Screenings above the WBP population",
    },
    "quality.rule.screenings_above_admissions": {
        "id": "Skrining melebihi penerimaan baru",
        "en": "Screenings above new admissions",
    },
    "quality.rule.outreach_outlier": {
        "id": "Jumlah orang terjangkau tidak wajar",
        "en": "Unusual number of people reached",
    },
    "quality.attendance_outside_enrollment": {
        "id": "Hadir di sesi {programme} tanggal {date}, padahal tidak terdaftar aktif dalam program itu.",
        "en": "Present at a {programme} session on {date} without an active enrolment in that programme.",
    },
    "quality.attendance_above_enrolled": {
        "id": "Sesi {programme} tanggal {date}: {attended} hadir, padahal hanya {enrolled} peserta terdaftar aktif.",
        "en": "{programme} session on {date}: {attended} present but only {enrolled} actively enrolled.",
    },
    "quality.screening_after_exit": {
        "id": "Skrining tanggal {date}, sesudah peserta keluar pada {exited}.",
        "en": "Screened on {date}, after the participant left on {exited}.",
    },
    "quality.follow_up_before_screening": {
        "id": "Tindak lanjut tanggal {date} sebelum skrining pertamanya ({first}).",
        "en": "Follow-up on {date} before the participant's first screening ({first}).",
    },
    "quality.follow_up_without_screening": {
        "id": "Tindak lanjut tanggal {date} tanpa skrining awal.",
        "en": "Follow-up on {date} without a baseline screening.",
    },
    "quality.risk_without_assessment": {
        "id": "Risiko {risk} pada skrining {date}; belum diasesmen setelah {days} hari.",
        "en": "{risk} risk at the screening on {date}; not assessed after {days} days.",
    },
    "quality.enrollment_open_after_exit": {
        "id": "{programme} masih aktif, padahal peserta keluar pada {exited} ({days} hari lalu).",
        "en": "{programme} still active although the participant left on {exited} ({days} days ago).",
    },
    "quality.screenings_above_population": {
        "id": "{month}: {screened} WBP diskrining, lebih dari populasi {population}.",
        "en": "{month}: {screened} inmates screened, more than the population of {population}.",
    },
    "quality.screenings_above_admissions": {
        "id": "{month}: {screened} WBP diskrining, lebih dari {admissions} penerimaan baru "
        "(wajar bila sedang menyelesaikan tunggakan skrining).",
        "en": "{month}: {screened} inmates screened, more than {admissions} new admissions "
        "(plausible while screening a backlog).",
    },
    "quality.outreach_outlier": {
        "id": "{date}: {people} orang terjangkau, jauh dari median UPT ini ({median}; skor-z termodifikasi {score}).",
        "en": "{date}: {people} people reached, far from this facility's median ({median}; modified z-score {score}).",
    },
    "record.attendance": {"id": "Kehadiran", "en": "Attendance"},
    "record.programme_session": {"id": "Sesi", "en": "Session"},
    "record.screening": {"id": "Skrining", "en": "Screening"},
    "record.follow_up": {"id": "Tindak lanjut", "en": "Follow-up"},
    "record.enrollment": {"id": "Pendaftaran program", "en": "Enrolment"},
    "record.facility_population": {"id": "Populasi", "en": "Population"},
    "record.outreach_event": {"id": "Kegiatan penjangkauan", "en": "Outreach event"},
    # monthly sign-off (Pengesahan Bulanan)
    "page.signoff": {"id": "Pengesahan Bulanan", "en": "Monthly Sign-off"},
    "signoff.intro": {
        "id": "Periksa kelengkapan dan hasil pemeriksaan kualitas tiap bulan, lalu sahkan. Bulan yang "
        "disahkan terkunci: datanya tidak dapat ditambah, diubah, dihapus atau diimpor sampai admin "
        "membukanya kembali.",
        "en": "Review each month's completeness and quality checks, then sign it off. A signed-off month "
        "is locked: its data cannot be added, changed, deleted or imported until an admin reopens it.",
    },
    "signoff.until": {"id": "Sampai bulan", "en": "Up to month"},
    "signoff.quality": {
        "id": "{errors} kesalahan · {warnings} peringatan",
        "en": "{errors} errors · {warnings} warnings",
    },
    "signoff.not_due": {"id": "Belum wajib lapor", "en": "Not yet reporting"},
    "signoff.confirm": {
        "id": "Saya telah memeriksa kelengkapan dan kualitas data",
        "en": "I have reviewed the completeness and quality of the data",
    },
    "signoff.sign": {"id": "Sahkan", "en": "Sign off"},
    "signoff.signed": {"id": "Disahkan oleh {who}, {when}", "en": "Signed off by {who}, {when}"},
    "signoff.open": {"id": "Belum disahkan", "en": "Not signed off"},
    "signoff.not_over": {"id": "Bulan belum berakhir", "en": "The month is not over"},
    "signoff.reopened": {
        "id": "Dibuka kembali oleh {who}, {when}: {reason}",
        "en": "Reopened by {who}, {when}: {reason}",
    },
    "signoff.reason": {"id": "Alasan membuka kembali", "en": "Reason for reopening"},
    "signoff.reopen": {"id": "Buka kembali", "en": "Reopen"},
    "signoff.saved": {"id": "{facility} {month} disahkan.", "en": "{facility} {month} signed off."},
    "signoff.reopen_saved": {
        "id": "{facility} {month} dibuka kembali.",
        "en": "{facility} {month} reopened.",
    },
    "filter.signed_only": {"id": "Hanya data yang sudah disahkan", "en": "Signed-off data only"},
    "filter.signed_only_help": {
        "id": "Hitung hanya bulan yang sudah disahkan pimpinan UPT.",
        "en": "Count only the months each facility's head has signed off.",
    },
    "meeting.signoff": {"id": "Bulan yang sudah disahkan: {months}.", "en": "Months signed off: {months}."},
    "meeting.signoff_none": {
        "id": "Belum ada bulan yang disahkan pada periode ini.",
        "en": "No month of this period is signed off yet.",
    },
    "meeting.signoff_partial": {"id": "{month} (sebagian UPT)", "en": "{month} (some facilities)"},
    "validation.month_locked": {
        "id": "Data {facility} bulan {month} sudah disahkan oleh {signed_by} pada {signed_at} dan terkunci. "
        "Minta admin membuka kembali bulan itu untuk mengubahnya.",
        "en": "{facility}'s data for {month} was signed off by {signed_by} on {signed_at} and is locked. "
        "Ask an admin to reopen the month to change it.",
    },
    "validation.end_date_required": {
        "id": "Status selain aktif perlu tanggal berakhir.",
        "en": "A status other than active needs an end date.",
    },
    "validation.active_has_end": {
        "id": "Rehabilitasi yang masih aktif tidak punya tanggal berakhir.",
        "en": "An active enrolment has no end date.",
    },
    "validation.span_locked": {
        "id": "Perubahan ini mengubah angka {month} {facility}, yang sudah disahkan oleh {signed_by} pada "
        "{signed_at} (peserta tercatat aktif di bulan itu). Minta admin membuka kembali bulan itu.",
        "en": "This change alters the figures of {month} at {facility}, signed off by {signed_by} on "
        "{signed_at} (the enrolment counts as active in that month). Ask an admin to reopen the month.",
    },
    "validation.already_signed": {
        "id": "Data {facility} bulan {month} sudah disahkan oleh {signed_by} pada {signed_at}.",
        "en": "{facility}'s data for {month} was already signed off by {signed_by} on {signed_at}.",
    },
    "validation.month_not_over": {
        "id": "Bulan {month} belum berakhir; pengesahan dilakukan setelah bulan selesai.",
        "en": "{month} is not over yet; a month is signed off once it has ended.",
    },
    "validation.not_signed": {
        "id": "Data {facility} bulan {month} belum disahkan; tidak ada yang perlu dibuka kembali.",
        "en": "{facility}'s data for {month} is not signed off; there is nothing to reopen.",
    },
    # validation messages
    "validation.required": {"id": "Wajib diisi.", "en": "Required."},
    "validation.invalid": {"id": "Isian tidak valid.", "en": "Invalid value."},
    "validation.greater_than": {"id": "Harus lebih dari {limit}.", "en": "Must be more than {limit}."},
    "validation.at_least": {"id": "Minimal {limit}.", "en": "Must be at least {limit}."},
    "validation.less_than": {"id": "Harus kurang dari {limit}.", "en": "Must be less than {limit}."},
    "validation.at_most": {"id": "Maksimal {limit}.", "en": "Must be at most {limit}."},
    "validation.too_long": {
        "id": "Terlalu panjang (maksimal {limit} karakter).",
        "en": "Too long (at most {limit} characters).",
    },
    "validation.not_a_number": {"id": "Harus berupa bilangan bulat.", "en": "Must be a whole number."},
    "validation.not_a_date": {
        "id": "Tanggal tidak valid (format YYYY-MM-DD).",
        "en": "Not a valid date (YYYY-MM-DD).",
    },
    "validation.not_allowed": {
        "id": "Nilai tidak termasuk pilihan yang diizinkan.",
        "en": "Not one of the allowed values.",
    },
    "validation.pattern": {"id": "Format tidak sesuai.", "en": "Wrong format."},
    "validation.future_date": {
        "id": "Tanggal tidak boleh di masa depan.",
        "en": "The date cannot be in the future.",
    },
    "validation.too_early": {
        "id": "Tanggal tidak boleh sebelum {earliest}.",
        "en": "The date cannot be before {earliest}.",
    },
    "validation.code_pattern": {
        "id": "Kode peserta hanya huruf besar, angka dan tanda hubung (2–40 karakter), mis. KBJ-2025-0001.",
        "en": "Participant codes use capital letters, digits and hyphens (2–40 characters), e.g. KBJ-2025-0001.",
    },
    "validation.birth_year": {
        "id": "Tahun lahir harus antara {earliest} dan {latest}.",
        "en": "Birth year must be between {earliest} and {latest}.",
    },
    "validation.exit_before_admission": {
        "id": "Tanggal keluar tidak boleh sebelum tanggal masuk.",
        "en": "The exit date cannot be before the admission date.",
    },
    "validation.exit_reason_required": {
        "id": "Pilih alasan keluar (bebas atau dipindahkan).",
        "en": "Choose the exit reason (released or transferred).",
    },
    "validation.unknown_substance": {
        "id": "Zat {substance} tidak dikenal.",
        "en": "Unknown substance {substance}.",
    },
    "validation.unknown_question": {
        "id": "Pertanyaan {question} tidak dikenal.",
        "en": "Unknown question {question}.",
    },
    "validation.assist_scale": {
        "id": "Jawaban {question} {substance} harus salah satu dari {allowed} (tertulis {value}).",
        "en": "Answer {question} {substance} must be one of {allowed} (got {value}).",
    },
    "validation.injecting_scale": {
        "id": "Jawaban Q8 harus salah satu dari {allowed} (tertulis {value}).",
        "en": "Answer Q8 must be one of {allowed} (got {value}).",
    },
    "validation.narcotics_above_total": {
        "id": "WBP kasus narkotika tidak boleh melebihi jumlah WBP.",
        "en": "WBP with narcotics cases cannot exceed the WBP total.",
    },
    "validation.duplicate_code": {
        "id": "Kode {code} sudah dipakai di UPT ini.",
        "en": "Code {code} is already used in this facility.",
    },
    "validation.duplicate_screening": {
        "id": "Peserta {code} sudah diskrining pada {date}.",
        "en": "Participant {code} was already screened on {date}.",
    },
    "validation.duplicate_population": {
        "id": "Populasi {month} untuk UPT ini sudah ada; ubah data yang ada.",
        "en": "The population for {month} already exists for this facility; edit it instead.",
    },
    "validation.duplicate_follow_up": {
        "id": "Tindak lanjut peserta {code} pada {date} sudah tercatat.",
        "en": "A follow-up of participant {code} on {date} is already recorded.",
    },
    "validation.outside_stay": {
        "id": "Tanggal di luar masa tinggal peserta {code} ({admitted} – {exited}).",
        "en": "The date is outside participant {code}'s stay ({admitted} – {exited}).",
    },
    "validation.not_enrolled": {
        "id": "Peserta {code} tidak terdaftar aktif dalam program ini pada {date}.",
        "en": "Participant {code} is not actively enrolled in this programme on {date}.",
    },
    "validation.already_enrolled": {
        "id": "Peserta {code} sudah terdaftar aktif dalam program {programme}.",
        "en": "Participant {code} is already actively enrolled in the {programme} programme.",
    },
    "validation.duplicate_attendance": {
        "id": "Kehadiran {code} pada sesi ini sudah tercatat.",
        "en": "{code}'s attendance at this session is already recorded.",
    },
    "validation.end_before_start": {
        "id": "Tanggal selesai tidak boleh sebelum tanggal mulai.",
        "en": "The end date cannot be before the start date.",
    },
    "validation.unknown_participant": {"id": "Peserta tidak ditemukan.", "en": "Participant not found."},
    "validation.database_error": {
        "id": "Data belum tersimpan: basis data menolak atau tidak dapat dihubungi. Isian Anda tetap ada; coba lagi.",
        "en": "Not saved: the database refused or could not be reached. Your entries are kept; try again.",
    },
    "validation.not_found": {
        "id": "Data ini sudah tidak ada (mungkin baru dihapus).",
        "en": "This record no longer exists (it may just have been deleted).",
    },
    "validation.in_scope": {
        "id": "Anda tidak memiliki akses ke UPT ini.",
        "en": "You have no access to this facility.",
    },
    # table columns
    "col.facility": {"id": "UPT", "en": "Facility"},
    "col.region": {"id": "Wilayah", "en": "Region"},
    "col.period": {"id": "Periode", "en": "Period"},
    "chart.others": {"id": "Lainnya ({count})", "en": "Others ({count})"},
    # domain codes
    "risk.low": {"id": "Rendah", "en": "Low"},
    "risk.moderate": {"id": "Sedang", "en": "Moderate"},
    "risk.high": {"id": "Tinggi", "en": "High"},
    "programme.medical": {"id": "Rehabilitasi medis", "en": "Medical rehabilitation"},
    "programme.social": {"id": "Rehabilitasi sosial", "en": "Social rehabilitation"},
    # reference data (Administrasi → UPT & Kerja Sama)
    "page.reference": {"id": "UPT & Kerja Sama", "en": "Facilities & agreements"},
    "reference.intro": {
        "id": "Wilayah, UPT, mitra dan kerja sama (MoU/PKS) dengan target lingkupnya. Kode tetap "
        "setelah dibuat; data yang sudah dipakai dinonaktifkan, tidak dihapus.",
        "en": "Regions, facilities, partners and agreements (MoU/PKS) with their scope targets. Codes "
        "are fixed once created; records in use are deactivated, never deleted.",
    },
    "reference.tab.regions": {"id": "Wilayah & Kanwil", "en": "Regions & Kanwil"},
    "reference.tab.facilities": {"id": "UPT", "en": "Facilities"},
    "reference.tab.partners": {"id": "Mitra (BNNK)", "en": "Partners (BNNK)"},
    "reference.tab.agreements": {"id": "Kerja sama", "en": "Agreements"},
    "reference.tab.scope": {"id": "Lingkup & target", "en": "Scope & targets"},
    "reference.choose": {"id": "Pilih untuk diubah, atau tambah baru", "en": "Pick one to edit, or add new"},
    "reference.new": {"id": "+ Tambah baru", "en": "+ Add new"},
    "reference.add": {"id": "Tambah", "en": "Add"},
    "reference.save": {"id": "Simpan perubahan", "en": "Save changes"},
    "reference.created": {"id": "{name} ditambahkan.", "en": "{name} added."},
    "reference.saved": {"id": "Perubahan pada {name} disimpan.", "en": "Changes to {name} saved."},
    "reference.unchanged": {"id": "Tidak ada yang berubah.", "en": "Nothing changed."},
    "reference.deactivate": {"id": "Nonaktifkan", "en": "Deactivate"},
    "reference.reactivate": {"id": "Aktifkan kembali", "en": "Reactivate"},
    "reference.deactivated": {"id": "{name} dinonaktifkan.", "en": "{name} deactivated."},
    "reference.reactivated": {"id": "{name} diaktifkan kembali.", "en": "{name} reactivated."},
    "reference.inactive": {"id": "nonaktif", "en": "inactive"},
    "reference.none": {"id": "– tidak ada –", "en": "– none –"},
    "reference.agreement": {"id": "Kerja sama", "en": "Agreement"},
    "reference.no_agreement": {
        "id": "Belum ada kerja sama. Tambahkan di tab Kerja sama.",
        "en": "No agreement yet. Add one on the Agreements tab.",
    },
    "reference.code_help": {
        "id": "Huruf kecil, angka, - dan _ (2–40 karakter), mis. rutan-kabanjahe. Tidak bisa diubah nanti.",
        "en": "Lower-case letters, digits, - and _ (2–40 characters), e.g. rutan-kabanjahe. Cannot change later.",
    },
    "field.code": {"id": "Kode", "en": "Code"},
    "field.name": {"id": "Nama", "en": "Name"},
    "field.province": {"id": "Provinsi", "en": "Province"},
    "field.kanwil": {"id": "Kanwil", "en": "Regional office (Kanwil)"},
    "field.region_id": {"id": "Wilayah", "en": "Region"},
    "field.partner_id": {"id": "Mitra", "en": "Partner"},
    "field.facility_type": {"id": "Jenis UPT", "en": "Facility type"},
    "field.facility_class": {"id": "Kelas", "en": "Class"},
    "field.regency": {"id": "Kabupaten/Kota", "en": "Regency/city"},
    "field.capacity": {"id": "Kapasitas (WBP)", "en": "Capacity (WBP)"},
    "field.kind": {"id": "Jenis", "en": "Kind"},
    "field.number": {"id": "Nomor", "en": "Number"},
    "field.title": {"id": "Judul", "en": "Title"},
    "field.discussed_on": {"id": "Tanggal pembahasan", "en": "Discussed on"},
    "field.signed_on": {"id": "Tanggal penandatanganan", "en": "Signed on"},
    "field.ends_on": {"id": "Berakhir", "en": "Ends on"},
    "field.place_signed": {"id": "Tempat penandatanganan", "en": "Place signed"},
    "field.facility_ids": {"id": "UPT yang dicakup", "en": "Facilities covered"},
    "field.description": {"id": "Lingkup", "en": "Scope item"},
    "field.metric": {"id": "Dihitung dari", "en": "Counted from"},
    "field.target": {"id": "Target", "en": "Target"},
    "field.unit": {"id": "Satuan", "en": "Unit"},
    "field.due_on": {"id": "Tenggat", "en": "Due by"},
    "field.active": {"id": "Aktif", "en": "Active"},
    "facility_type.rutan": {"id": "Rutan", "en": "Rutan (remand centre)"},
    "facility_type.lapas": {"id": "Lapas", "en": "Lapas (prison)"},
    "facility_type.lpka": {"id": "LPKA", "en": "LPKA (juvenile facility)"},
    "agreement_kind.mou": {"id": "MoU (nota kesepahaman)", "en": "MoU (memorandum of understanding)"},
    "agreement_kind.pks": {"id": "PKS (perjanjian kerja sama)", "en": "PKS (cooperation agreement)"},
    "metric.screenings": {"id": "Skrining WBP", "en": "Inmate screenings"},
    "metric.assessments": {"id": "Asesmen", "en": "Assessments"},
    "metric.enrollments_medical": {
        "id": "Peserta rehabilitasi medis",
        "en": "Medical rehabilitation enrolments",
    },
    "metric.enrollments_social": {
        "id": "Peserta rehabilitasi sosial",
        "en": "Social rehabilitation enrolments",
    },
    "metric.skills_sessions": {"id": "Sesi pelatihan keterampilan", "en": "Skills-training sessions"},
    "metric.peer_counsellors_trained": {"id": "Konselor sebaya terlatih", "en": "Peer counsellors trained"},
    "metric.monev_visits": {"id": "Kunjungan monev", "en": "Monev visits"},
    "metric.outreach_events": {"id": "Kegiatan penyuluhan", "en": "Outreach events"},
    "metric.outreach_people": {"id": "Orang terjangkau penyuluhan", "en": "People reached by outreach"},
    "validation.reference_code": {
        "id": "Kode hanya huruf kecil, angka, - dan _ (2–40 karakter), mis. rutan-kabanjahe.",
        "en": "Codes use lower-case letters, digits, - and _ (2–40 characters), e.g. rutan-kabanjahe.",
    },
    "validation.duplicate_reference_code": {
        "id": "Kode {code} sudah dipakai. Pilih kode lain.",
        "en": "Code {code} is already used. Choose another.",
    },
    "validation.code_fixed": {
        "id": "Kode {code} tidak bisa diubah (dipakai di impor, akses pengguna dan tautan).",
        "en": "Code {code} cannot be changed (imports, user access and links use it).",
    },
    "validation.duplicate_name": {
        "id": "Nama {name} sudah dipakai UPT lain.",
        "en": "Name {name} is already used by another facility.",
    },
    "validation.unknown_choice": {
        "id": "Pilihan tidak ditemukan atau sudah nonaktif.",
        "en": "The choice was not found or is no longer active.",
    },
    "validation.due_before_signed": {
        "id": "Tenggat tidak boleh sebelum penandatanganan ({signed_on}).",
        "en": "The due date cannot be before the signing ({signed_on}).",
    },
    # first hour of a real deployment
    "page.start": {"id": "Mulai di sini", "en": "Start here"},
    "onboarding.intro": {
        "id": "Langkah pertama sebelum petugas mulai mengisi data. Setiap langkah tercentang otomatis dari data.",
        "en": "The first steps before staff start entering data. Each step ticks itself from the data.",
    },
    "onboarding.progress": {
        "id": "{done} dari {total} langkah selesai",
        "en": "{done} of {total} steps done",
    },
    "onboarding.count": {"id": "{done} dari {total}", "en": "{done} of {total}"},
    "onboarding.open": {"id": "Buka", "en": "Open"},
    "onboarding.pending": {
        "id": "Mulai di sini: penyiapan belum selesai",
        "en": "Start here: setup not finished",
    },
    "onboarding.facilities": {"id": "Periksa UPT dan wilayah", "en": "Check facilities and regions"},
    "onboarding.facilities.help": {
        "id": "UPT aktif dengan Kanwil, kelas dan kapasitasnya.",
        "en": "Active facilities with their Kanwil, class and capacity.",
    },
    "onboarding.agreements": {
        "id": "Periksa kerja sama dan targetnya",
        "en": "Check agreements and their targets",
    },
    "onboarding.agreements.help": {
        "id": "Setiap MoU/PKS aktif punya lingkup dengan target.",
        "en": "Every active MoU/PKS has scope items with targets.",
    },
    "onboarding.users": {"id": "Buat akun petugas", "en": "Create staff accounts"},
    "onboarding.users.help": {
        "id": "Setiap UPT aktif punya minimal satu akun (petugas, pimpinan atau mitra).",
        "en": "Every active facility has at least one account (staff, leader or partner).",
    },
    "onboarding.population": {"id": "Isi populasi bulanan", "en": "Enter the monthly population"},
    "onboarding.population.help": {
        "id": "Jumlah WBP per UPT: penyebut cakupan skrining.",
        "en": "Inmates per facility: the denominator of screening coverage.",
    },
    "onboarding.screening": {"id": "Isi skrining pertama", "en": "Enter the first screening"},
    "onboarding.screening.help": {
        "id": "Skrining ASSIST pertama seorang WBP.",
        "en": "An inmate's first ASSIST screening.",
    },
    "onboarding.complete": {
        "id": "Semua langkah selesai: dasbor siap dipakai.",
        "en": "Every step is done: the dashboards are ready.",
    },
    "login.no_admin_title": {"id": "Belum ada admin", "en": "No admin yet"},
    "login.no_admin": {
        "id": "Basis data ini belum punya akun admin, jadi belum ada yang bisa masuk. Petugas TI membuatnya "
        "sekali di server, di folder aplikasi, dengan perintah berikut (kata sandi ditanyakan, minimal "
        "10 karakter). Setelah itu muat ulang halaman ini.",
        "en": "This database has no admin account yet, so nobody can log in. The IT officer creates one "
        "once on the server, in the app's folder, with the command below (it asks for a password of at "
        "least 10 characters). Then reload this page.",
    },
    # onboarding import kinds (admin)
    "import.kind.facilities": {"id": "UPT (penyiapan)", "en": "Facilities (onboarding)"},
    "import.kind.users": {"id": "Pengguna (penyiapan)", "en": "Users (onboarding)"},
    "import.layout.facilities": {
        "id": "Satu baris per UPT (kunci: kode_upt). Wilayah dan mitra harus sudah ada (lihat daftar kode). "
        "Impor UPT sebelum penggunanya.",
        "en": "One row per facility (key: kode_upt). Regions and partners must exist (see the list of codes). "
        "Import facilities before their users.",
    },
    "import.layout.users": {
        "id": "Satu baris per akun dengan perannya dan satu UPT (atau wilayah untuk pimpinan Kanwil). "
        "Kata sandi dibuat acak dan ditampilkan sekali setelah impor: bagikan secara pribadi.",
        "en": "One row per account with its role and one facility (or region for a Kanwil leader). "
        "Passwords are generated and shown once after the import: hand them over in person.",
    },
    "import.looks_like.facilities": {
        "id": "File ini tampaknya berisi data UPT: pilih jenis data “UPT (penyiapan)”.",
        "en": "This file looks like facilities: choose the kind “Facilities (onboarding)”.",
    },
    "import.looks_like.users": {
        "id": "File ini tampaknya berisi data pengguna: pilih jenis data “Pengguna (penyiapan)”.",
        "en": "This file looks like users: choose the kind “Users (onboarding)”.",
    },
    "import.entity.facility": {"id": "UPT", "en": "Facilities"},
    "import.entity.app_user": {"id": "Pengguna", "en": "Users"},
    "import.entity.user_scope": {"id": "Cakupan akses", "en": "Access scopes"},
    "import.col.facilities.kode_upt": {
        "id": "Kode UPT baru: huruf kecil, angka, - dan _, mis. rutan-batang. Tetap selamanya.",
        "en": "New facility code: lower-case letters, digits, - and _, e.g. rutan-batang. Fixed for good.",
    },
    "import.col.nama": {"id": "Nama UPT seperti tertulis resmi.", "en": "The facility's official name."},
    "import.col.jenis_upt": {"id": "Jenis UPT.", "en": "Facility type."},
    "import.col.kelas": {"id": "Kelas UPT, mis. IIA, IIB.", "en": "Facility class, e.g. IIA, IIB."},
    "import.col.kabupaten_kota": {
        "id": "Kabupaten/kota lokasi UPT.",
        "en": "Regency or city of the facility.",
    },
    "import.col.kapasitas": {"id": "Kapasitas resmi (jumlah WBP).", "en": "Official capacity (inmates)."},
    "import.col.nama_pengguna": {
        "id": "Nama untuk masuk: huruf kecil, angka, titik, - dan _ (2–60 karakter).",
        "en": "Login name: lower-case letters, digits, dots, - and _ (2–60 characters).",
    },
    "import.col.nama_lengkap": {"id": "Nama lengkap pengguna.", "en": "The user's full name."},
    "import.col.email": {
        "id": "E-mail (untuk login SSO bila dipakai); boleh kosong.",
        "en": "E-mail (for single sign-on, if used); may be blank.",
    },
    "import.col.peran": {"id": "Peran pengguna.", "en": "The user's role."},
    "import.col.users.kode_upt": {
        "id": "UPT tempat pengguna bekerja (wajib kecuali admin atau bila kode_wilayah diisi).",
        "en": "The facility the user works at (needed unless admin or kode_wilayah is given).",
    },
    "import.col.users.kode_wilayah": {
        "id": "Wilayah untuk pimpinan Kanwil (melihat semua UPT di wilayah itu).",
        "en": "Region for a Kanwil leader (sees every facility of that region).",
    },
    "import.passwords": {
        "id": "Kata sandi awal (hanya ditampilkan sekali — simpan atau bagikan sekarang)",
        "en": "Initial passwords (shown only once — save or hand them over now)",
    },
    "import.demo_database": {
        "id": "Ini basis data DEMO: data yang diimpor di sini bercampur dengan data sintetis dan akan hilang "
        "saat demo dihapus. Jangan impor data WBP sebenarnya.",
        "en": "This is a DEMO database: data imported here mixes with synthetic data and is lost when the demo "
        "is discarded. Do not import real inmate data.",
    },
    "validation.username": {
        "id": "Nama pengguna hanya huruf kecil, angka, titik, - dan _ (2–60 karakter).",
        "en": "Usernames use lower-case letters, digits, dots, - and _ (2–60 characters).",
    },
    "validation.email": {"id": "Alamat e-mail tidak valid.", "en": "Not a valid e-mail address."},
    "validation.duplicate_email": {
        "id": "E-mail {email} sudah dipakai pengguna lain.",
        "en": "E-mail {email} is already used by another user.",
    },
    "validation.scope_required": {
        "id": "Isi kode_upt atau kode_wilayah: setiap peran selain admin perlu cakupan akses.",
        "en": "Fill kode_upt or kode_wilayah: every role but admin needs an access scope.",
    },
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
