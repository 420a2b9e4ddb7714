"""KPI cards: a rate with its numerator/denominator and the change against the previous period."""

import math

import pandas as pd
import streamlit as st

from rehabdata.i18n import format_number, format_rate
from rehabdata.ui.context import lang, tr


def _first(frame: pd.DataFrame, column: str) -> float:
    """The single value of an ungrouped KPI frame (NaN when the frame is empty)."""
    return float(frame[column].iloc[0]) if len(frame) else math.nan


def rate_card(
    label: str,
    current: pd.DataFrame,
    previous: pd.DataFrame | None = None,
    *,
    rate: str = "rate",
    numerator: str = "numerator",
    denominator: str = "denominator",
) -> None:
    """A rate as a percentage, "42 dari 60" below it, and the change in percentage points if compared.

    The column names pick one of several rates in a KPI frame (e.g. ``dropout_rate``).
    """
    value = _first(current, rate)
    before = _first(previous, rate) if previous is not None else math.nan
    delta = None
    if not (math.isnan(value) or math.isnan(before)):
        delta = f"{format_number((value - before) * 100, lang(), decimals=1)} pp"
    of = tr(
        "kpi.of",
        numerator=format_number(_first(current, numerator), lang()),
        denominator=format_number(_first(current, denominator), lang()),
    )
    st.metric(label, format_rate(value, lang()), delta=delta, border=True, help=of)
    st.caption(of)


def count_card(label: str, current: float, previous: float | None) -> None:
    """A count with its change against the previous period."""
    delta = None if previous is None else format_number(current - previous, lang())
    st.metric(label, format_number(current, lang()), delta=delta, border=True)
