"""The shared filter bar: period preset, region, facility, programme and signed-off data only,
mirrored in the URL.

The URL's query parameters (``period``, ``from``, ``to``, ``region``, ``facility``,
``programme``; codes, not ids; ``signed=1``) seed the widgets on a session's first run, and every
change is written back, so a copied link opens the same view for a colleague.
"""

from datetime import date

import pandas as pd
import streamlit as st

from rehabdata import clock
from rehabdata.db import database_url
from rehabdata.kpis import Filters, scope_filters
from rehabdata.models import ProgrammeType
from rehabdata.periods import PRESETS, preset_range
from rehabdata.ui.context import tr
from rehabdata.ui.data import agreement_start, facility_lookup_for, require_principal

DEFAULT_PRESET = "last_3_months"
ALL = "all"


def _parse_day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _codes(param: str, allowed: list[str]) -> list[str]:
    """Comma-separated codes from the URL, keeping only known ones (links are untrusted input)."""
    wanted = [code for code in st.query_params.get(param, "").split(",") if code]
    return [code for code in wanted if code in allowed]


def _seed_from_url(key: str, lookup: pd.DataFrame, today: date) -> None:
    """Fill each widget's state that is not set yet from the URL (first run of a session)."""
    preset = st.query_params.get("period", DEFAULT_PRESET)
    programme = st.query_params.get("programme", "")
    defaults = {
        "preset": lambda: preset if preset in PRESETS else DEFAULT_PRESET,
        "from": lambda: _parse_day(st.query_params.get("from")) or preset_range("this_year", today)[0],
        "to": lambda: _parse_day(st.query_params.get("to")) or today,
        "region": lambda: _codes("region", sorted(set(lookup["region_code"]))),
        "facility": lambda: _codes("facility", list(lookup["facility_code"])),
        "programme": lambda: programme if programme in set(ProgrammeType) else ALL,
        "signed": lambda: st.query_params.get("signed") == "1",
    }
    for name, default in defaults.items():
        widget = f"{key}_{name}"
        # Re-assigning a widget's own value makes it session state that survives a page switch
        # (Streamlit otherwise resets a widget that reappears on another page).
        st.session_state[widget] = st.session_state[widget] if widget in st.session_state else default()


def _write_url(key: str) -> None:
    state = st.session_state
    values = {
        "period": state[f"{key}_preset"],
        "from": state[f"{key}_from"].isoformat() if state[f"{key}_preset"] == "custom" else "",
        "to": state[f"{key}_to"].isoformat() if state[f"{key}_preset"] == "custom" else "",
        "region": ",".join(state[f"{key}_region"]),
        "facility": ",".join(state[f"{key}_facility"]),
        "programme": "" if state[f"{key}_programme"] == ALL else state[f"{key}_programme"],
        "signed": "1" if state[f"{key}_signed"] else "",
    }
    for param, value in values.items():
        if value:
            if st.query_params.get(param) != value:
                st.query_params[param] = value
        elif param in st.query_params:
            del st.query_params[param]


def show(key: str = "filters", *, today: date | None = None) -> Filters | None:
    """Render the filter bar in the sidebar; return the filters, or None if the dates are invalid."""
    today = today or clock.today()
    url = database_url()
    lookup = facility_lookup_for(require_principal())
    _seed_from_url(key, lookup, today)
    sidebar = st.sidebar
    preset = sidebar.selectbox(
        tr("filter.period"), PRESETS, format_func=lambda p: tr(f"preset.{p}"), key=f"{key}_preset"
    )
    regions = lookup.drop_duplicates("region_code")
    region_codes = sidebar.multiselect(
        tr("filter.region"),
        list(regions["region_code"]),
        format_func=dict(zip(regions["region_code"], regions["region"], strict=True)).get,
        placeholder=tr("filter.all"),
        key=f"{key}_region",
    )
    in_regions = lookup[lookup["region_code"].isin(region_codes)] if region_codes else lookup
    st.session_state[f"{key}_facility"] = [
        code for code in st.session_state[f"{key}_facility"] if code in set(in_regions["facility_code"])
    ]
    facility_codes = sidebar.multiselect(
        tr("filter.facility"),
        list(in_regions["facility_code"]),
        format_func=dict(zip(lookup["facility_code"], lookup["facility"], strict=True)).get,
        placeholder=tr("filter.all"),
        key=f"{key}_facility",
    )
    programme = sidebar.selectbox(
        tr("filter.programme"),
        [ALL, *ProgrammeType],
        format_func=lambda p: tr("filter.all") if p == ALL else tr(f"programme.{p}"),
        key=f"{key}_programme",
    )
    signed = sidebar.checkbox(
        tr("filter.signed_only"), key=f"{key}_signed", help=tr("filter.signed_only_help")
    )
    region_ids = tuple(int(i) for i in regions[regions["region_code"].isin(region_codes)]["region_id"])
    facility_ids = tuple(int(i) for i in lookup[lookup["facility_code"].isin(facility_codes)]["facility_id"])
    selection = Filters(start=today, end=today, region_ids=region_ids, facility_ids=facility_ids)
    if preset == "custom":
        start = sidebar.date_input(tr("filter.from"), key=f"{key}_from", max_value=today, format="DD/MM/YYYY")
        end = sidebar.date_input(tr("filter.to"), key=f"{key}_to", max_value=today, format="DD/MM/YYYY")
        if end < start:
            sidebar.error(tr("filter.bad_period"))
            return None
    else:
        start, end = preset_range(
            preset, today, agreement_start(url, scope_filters(require_principal(), selection))
        )
    _write_url(key)
    return Filters(
        start=start,
        end=end,
        region_ids=region_ids,
        facility_ids=facility_ids,
        programme=None if programme == ALL else ProgrammeType(programme),
        signed_off_only=signed,
    )
