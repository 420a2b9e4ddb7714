"""rehabdata entry point: page config, database readiness, login gate, language and navigation."""

import streamlit as st
from sqlalchemy.exc import OperationalError

from rehabdata.models import Role
from rehabdata.ui.context import engine, tr
from rehabdata.ui.data import demo_flag, facility_lookup_for, note_data_version, setup_complete
from rehabdata.ui.session import cookie_sync, current_principal, login_page, user_menu

st.set_page_config(page_title="rehabdata", page_icon=":material/health_and_safety:", layout="wide")

DASHBOARDS = (
    ("pages/overview.py", "page.overview", ":material/dashboard:", "ringkasan"),
    ("pages/screening.py", "page.screening", ":material/fact_check:", "skrining"),
    ("pages/rehabilitation.py", "page.rehabilitation", ":material/healing:", "rehabilitasi"),
    ("pages/comparison.py", "page.comparison", ":material/compare_arrows:", "fasilitas-wilayah"),
    ("pages/outreach.py", "page.outreach", ":material/campaign:", "penjangkauan"),
    ("pages/agreements.py", "page.agreements", ":material/handshake:", "kerja-sama"),
    ("pages/data_quality.py", "page.data_quality", ":material/rule:", "kelengkapan-data"),
    ("pages/meeting.py", "page.meeting", ":material/co_present:", "rapat-koordinasi"),
)
DATA_ENTRY = (
    ("pages/entry_participants.py", "page.participants", ":material/badge:", "peserta"),
    ("pages/entry_screening.py", "page.screening_entry", ":material/assignment:", "input-skrining"),
    ("pages/entry_rehab.py", "page.rehab_entry", ":material/medical_services:", "input-rehabilitasi"),
    ("pages/entry_sessions.py", "page.session_entry", ":material/groups:", "sesi-kehadiran"),
    ("pages/entry_followup.py", "page.follow_up_entry", ":material/event_repeat:", "tindak-lanjut"),
    ("pages/entry_peer.py", "page.peer_entry", ":material/diversity_3:", "konselor-sebaya"),
    ("pages/entry_outreach.py", "page.outreach_entry", ":material/campaign:", "input-penjangkauan"),
    ("pages/entry_monev.py", "page.monev_entry", ":material/checklist:", "input-monev"),
    ("pages/entry_population.py", "page.population_entry", ":material/people:", "populasi"),
    ("pages/entry_import.py", "page.import", ":material/upload_file:", "impor"),
)
PARTNER_ENTRY = (
    "pages/entry_sessions.py",
    "pages/entry_outreach.py",
    "pages/entry_monev.py",
    "pages/entry_import.py",
)
SIGNOFF = (("pages/signoff.py", "page.signoff", ":material/verified:", "tanda-tangan"),)
ADMINISTRATION = (
    ("pages/admin_start.py", "page.start", ":material/flag:", "mulai"),
    ("pages/admin_reference.py", "page.reference", ":material/domain:", "upt-kerja-sama"),
    ("pages/admin_users.py", "page.users", ":material/manage_accounts:", "pengguna"),
    ("pages/audit_trail.py", "page.audit", ":material/history:", "jejak-audit"),
)


try:
    engine()
    principal = current_principal()
    note_data_version()  # once per run, before any cached read: each is keyed on it
except OperationalError:
    st.error(tr("app.db_unavailable"))
    st.stop()

cookie_sync()
if principal is None:
    # Only the login form exists until someone logs in, at every page's address: a shared link
    # (…/kerja-sama?…) asks for the login, then opens that page with its filters.
    st.navigation(
        [st.Page(login_page, title=tr("login.submit"), icon=":material/login:", url_path="masuk")]
        + [
            st.Page(login_page, title=tr("login.submit"), url_path=entry[3])
            for entry in DASHBOARDS + DATA_ENTRY + SIGNOFF + ADMINISTRATION
        ],
        position="hidden",
    ).run()
    st.stop()

st.sidebar.markdown(f"**{tr('app.title')}**  \n{tr('app.subtitle')}")
if demo_flag():
    st.sidebar.badge(
        tr("app.demo_badge"), icon=":material/science:", color="orange", help=tr("app.demo_help")
    )
user_menu(principal, list(facility_lookup_for(principal)["facility"]))


def build(entries: tuple[tuple[str, str, str, str], ...], first_is_default: bool = False) -> list[st.Page]:
    return [
        st.Page(path, title=tr(title), icon=icon, url_path=url_path, default=first_is_default and index == 0)
        for index, (path, title, icon, url_path) in enumerate(entries)
    ]


pages = {tr("nav.section.dashboards"): build(DASHBOARDS, first_is_default=True)}
if principal.role in (Role.ADMIN, Role.PIMPINAN):  # facility heads sign off months; admins reopen them
    pages[tr("nav.section.dashboards")] += build(SIGNOFF)
if principal.role == Role.ADMIN:
    pages[tr("nav.section.entry")] = build(DATA_ENTRY)
elif principal.role == Role.PETUGAS:
    pages[tr("nav.section.entry")] = build(tuple(e for e in DATA_ENTRY if e[0] != "pages/entry_monev.py"))
elif principal.role == Role.MITRA:
    pages[tr("nav.section.entry")] = build(tuple(e for e in DATA_ENTRY if e[0] in PARTNER_ENTRY))
if principal.role == Role.ADMIN:
    pages[tr("nav.section.admin")] = build(ADMINISTRATION)
try:
    page = st.navigation(pages, expanded=True)
    if principal.role == Role.ADMIN and page.url_path != "mulai" and not setup_complete():
        st.page_link("pages/admin_start.py", label=tr("onboarding.pending"), icon=":material/flag:")
    page.run()
except OperationalError:  # the database went away mid-session: say so; the next click retries
    st.error(tr("app.db_unavailable"), icon=":material/cloud_off:")
