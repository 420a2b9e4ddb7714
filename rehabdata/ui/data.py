"""Cached read access for pages: KPI frames keyed by database, KPI, scoped filter, grouping and
the database's data version.

Only small aggregate frames are cached (cheap to hash and to keep). Every write bumps the data
version in its transaction, so a write in any app process makes every process recompute; writes in
this process also call ``clear_caches`` to free memory at once.
"""

from datetime import date

import pandas as pd
import streamlit as st
from sqlmodel import Session

from rehabdata import audit, clock, completeness, kpis, meeting, onboarding, quality, signoff
from rehabdata.auth import Principal, ScopeError
from rehabdata.bootstrap import is_demo
from rehabdata.db import database_url as current_database_url
from rehabdata.db import get_engine
from rehabdata.i18n import Lang
from rehabdata.kpis import Dimension, Filters, ScopedFilters


@st.cache_data(ttl=3600, max_entries=512, show_spinner=False, hash_funcs={ScopedFilters: repr})
def kpi_frame(
    name: str,
    database_url: str,
    filters: ScopedFilters,
    by: tuple[Dimension, ...] = (),
    data_version: int = 0,
) -> pd.DataFrame:
    """The KPI ``name`` for ``filters`` grouped by ``by``, computed in SQL.

    ``data_version`` (bumped by every write, in any process) is part of the cache key, so no app
    process serves a result older than the last write anywhere.
    """
    function = kpis.KPI_FUNCTIONS[name]
    with Session(get_engine(database_url)) as session:
        return function(session, filters, by)


@st.cache_data(ttl=3600, max_entries=8, show_spinner=False)
def _facility_lookup(database_url: str, data_version: int) -> pd.DataFrame:
    with Session(get_engine(database_url)) as session:
        return kpis.facility_labels(session)


def facility_lookup(database_url: str) -> pd.DataFrame:
    """Facility and region names and codes, as of this run's data version: a facility added by an
    admin in any app process shows in every filter at the next run."""
    return _facility_lookup(database_url, _run_data_version(database_url))


@st.cache_data(ttl=3600, max_entries=64, show_spinner=False)
def _agreement_start(database_url: str, filters: Filters, data_version: int) -> date | None:
    with Session(get_engine(database_url)) as session:
        return kpis.agreement_start(session, filters)


def agreement_start(database_url: str, filters: Filters) -> date | None:
    """Earliest signing date of the agreements covering the selection (as of this run's data version)."""
    return _agreement_start(database_url, filters, _run_data_version(database_url))


def current_data_version(database_url: str) -> int:
    """The database's write counter (one primary-key read on a pooled connection, no ORM session)."""
    with get_engine(database_url).connect() as connection:
        return audit.data_version(connection)


RUN_VERSION_KEY = "_data_version_this_run"


def note_data_version() -> None:
    """Read the data version once as a script run starts (dashboard.py); the run's reads use it.

    One primary-key read per run instead of one per KPI frame: a page shows the data as of the
    start of its run, never older than any process's write before that.
    """
    url = current_database_url()
    st.session_state[RUN_VERSION_KEY] = (url, current_data_version(url))


def _run_data_version(url: str) -> int:
    noted = st.session_state.get(RUN_VERSION_KEY)
    return noted[1] if noted is not None and noted[0] == url else current_data_version(url)


def clear_caches() -> None:
    """Forget every cached read (and the run's data version); called after each successful write."""
    st.session_state.pop(RUN_VERSION_KEY, None)
    kpi_frame.clear()
    _facility_lookup.clear()
    _agreement_start.clear()
    _demo_flag.clear()
    _setup_complete.clear()
    _agreement_list.clear()
    _completeness_frame.clear()
    _overdue_reports.clear()
    _quality_issues.clear()
    _meeting_view.clear()
    _signoff_review.clear()


@st.cache_data(ttl=3600, max_entries=8, show_spinner=False)
def _demo_flag(database_url: str, data_version: int) -> bool:
    return is_demo(get_engine(database_url))


@st.cache_data(ttl=3600, max_entries=8, show_spinner=False)
def _setup_complete(database_url: str, data_version: int) -> bool:
    with Session(get_engine(database_url)) as session:
        return all(step.complete for step in onboarding.checklist(session))


def setup_complete() -> bool:
    """Whether every step of the admin's first-hour checklist is done (as of this run's data version)."""
    url = current_database_url()
    return _setup_complete(url, _run_data_version(url))


def demo_flag() -> bool:
    """Whether the app runs on synthetic demo data."""
    url = current_database_url()
    return _demo_flag(url, _run_data_version(url))


def kpi(name: str, filters: Filters, by: tuple[Dimension, ...] = ()) -> pd.DataFrame:
    """The KPI ``name`` for the logged-in user's scope, with facility/region names added.

    The filter is narrowed to the user's facilities before the cache lookup, so users with the
    same scope share cached results and nobody is served another scope's figures.
    """
    url = current_database_url()
    return _scoped_kpi(require_principal(), url, _run_data_version(url), name, filters, by)


def _scoped_kpi(
    principal: Principal, url: str, version: int, name: str, filters: Filters, by: tuple[Dimension, ...]
) -> pd.DataFrame:
    frame = kpi_frame(name, url, kpis.scope_filters(principal, filters), by, version)
    lookup = facility_lookup(url)
    if "facility_id" in frame.columns and "facility" not in frame.columns:
        frame = frame.merge(lookup[["facility_id", "facility"]], on="facility_id", how="left")
    if "region_id" in frame.columns and "region" not in frame.columns:
        regions = lookup[["region_id", "region"]].drop_duplicates()
        frame = frame.merge(regions, on="region_id", how="left")
    return frame


@st.cache_resource(
    ttl=3600, max_entries=32, show_spinner=False, hash_funcs={Principal: repr, meeting.Subject: repr}
)
def _meeting_view(
    database_url: str,
    principal: Principal,
    subject: meeting.Subject,
    start: date,
    end: date,
    lang: Lang,
    data_version: int,
) -> meeting.MeetingView:
    """A resource, not ``cache_data``: a view holds figures, which re-validate when unpickled; the
    page, the deck and the workbook only read it."""

    def read(name: str, filters: Filters, by: tuple[Dimension, ...]) -> pd.DataFrame:
        return _scoped_kpi(principal, database_url, data_version, name, filters, by)

    return meeting.build_view(read, subject, start, end, lang)


def meeting_view(subject: meeting.Subject, start: date, end: date, lang: Lang) -> meeting.MeetingView:
    """The meeting's slides for the user's scope, built once per subject, period, language and data
    version (stepping through the slides reruns the page: ~0.3 s a step at national scale unshared)."""
    url = current_database_url()
    return _meeting_view(url, require_principal(), subject, start, end, lang, _run_data_version(url))


@st.cache_data(ttl=3600, max_entries=64, show_spinner=False)
def _agreement_list(database_url: str, filters: Filters, data_version: int) -> pd.DataFrame:
    with Session(get_engine(database_url)) as session:
        return kpis.agreement_list(session, filters)


def agreement_list(filters: Filters) -> pd.DataFrame:
    """Agreements covering the selected facilities in the user's scope, with parties and facility ids."""
    url = current_database_url()
    return _agreement_list(url, kpis.scope_filters(require_principal(), filters), _run_data_version(url))


def facility_lookup_for(principal: Principal) -> pd.DataFrame:
    """The facilities (with regions) the principal may see: the filter bar's choices."""
    lookup = facility_lookup(current_database_url())
    if principal.all_facilities:
        return lookup
    return lookup[lookup["facility_id"].isin(principal.facility_ids)].reset_index(drop=True)


def require_principal() -> Principal:
    """The logged-in principal (dashboard.py guarantees one before any page runs)."""
    principal = st.session_state.get("principal")
    if principal is None:
        st.stop()
    return principal


@st.cache_data(ttl=3600, max_entries=256, show_spinner=False)
def _completeness_frame(
    database_url: str, filters: Filters, today: date, deadline_day: int, data_version: int = 0
) -> pd.DataFrame:
    with Session(get_engine(database_url)) as session:
        return completeness.completeness_grid(session, filters, today=today, deadline_day=deadline_day)


def _completeness_key(filters: Filters) -> tuple[str, Filters, date, int, int]:
    url = current_database_url()
    scoped = kpis.scope_filters(require_principal(), filters)
    return url, scoped, clock.today(), completeness.reporting_deadline_day(), _run_data_version(url)


def reporting_completeness(filters: Filters) -> pd.DataFrame:
    """Completeness per facility × month for the user's scope, with facility names (as of today)."""
    key = _completeness_key(filters)
    return _completeness_frame(*key).merge(
        facility_lookup(key[0])[["facility_id", "facility"]], on="facility_id", how="left"
    )


@st.cache_data(ttl=3600, max_entries=256, show_spinner=False)
def _overdue_reports(
    database_url: str, filters: Filters, today: date, deadline_day: int, data_version: int = 0
) -> int:
    grid = _completeness_frame(database_url, filters, today, deadline_day, data_version)
    return completeness.overdue_count(grid)


def overdue_reports(filters: Filters) -> int:
    """Facility-months of the user's scope past their reporting deadline and still incomplete.

    Cached as a number: the overview asks on every run and needs only the count, not the grid.
    """
    return _overdue_reports(*_completeness_key(filters))


@st.cache_data(ttl=3600, max_entries=64, show_spinner=False)
def _quality_issues(
    database_url: str, filters: Filters, today: date, data_version: int = 0
) -> list[quality.Issue]:
    with Session(get_engine(database_url)) as session:
        return quality.run_checks(session, filters, today=today)


def quality_issues(principal: Principal, filters: Filters) -> list[quality.Issue]:
    """Data-quality issues with their records in the user's scope; refused to leadership (``ScopeError``)."""
    if not principal.sees_participants:
        raise ScopeError("leadership sees issue counts, not participant-level records")
    url = current_database_url()
    scoped = kpis.scope_filters(principal, filters)
    return _quality_issues(url, scoped, clock.today(), _run_data_version(url))


def quality_counts(principal: Principal, filters: Filters) -> pd.DataFrame:
    """Issues per rule and facility in the user's scope, without record references (every role)."""
    url = current_database_url()
    scoped = kpis.scope_filters(principal, filters)
    return quality.issue_counts(_quality_issues(url, scoped, clock.today(), _run_data_version(url)))


@st.cache_data(ttl=3600, max_entries=64, show_spinner=False, hash_funcs={Principal: repr})
def _signoff_review(
    database_url: str, principal: Principal, months: tuple[date, ...], today: date, data_version: int
) -> pd.DataFrame:
    with Session(get_engine(database_url)) as session:
        return signoff.review(session, principal, list(months), today=today)


def signoff_review(principal: Principal, months: list[date]) -> pd.DataFrame:
    """``signoff.review`` of the principal's facilities × ``months`` (as of today), cached per data
    version: it runs every quality check, seconds for a whole country."""
    url = current_database_url()
    return _signoff_review(url, principal, tuple(months), clock.today(), _run_data_version(url))
