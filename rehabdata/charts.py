"""Plotly figure builders: DataFrame in, Figure out; shared by pages and exports. Never queries.

Readability rules kept here once: the same colour, dash and marker for the same facility or region
on every chart (Okabe-Ito palette, safe for colour-blind viewers and distinguishable in grayscale
through dashes, markers and bar patterns), Indonesian/English labels and number formats, and a
hover that shows numerator and denominator of every rate.
"""

import itertools
from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from rehabdata.i18n import Lang, format_number, format_period, format_rate, t
from rehabdata.kpis import share

# Okabe-Ito, without yellow (weak on white) and black (kept for text).
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#56B4E9", "#E69F00", "#000000")
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")
MARKERS = ("circle", "square", "diamond", "triangle-up", "x", "star")
PATTERNS = ("", "/", ".", "x", "\\", "+")
RISK_COLOURS = {"low": "#009E73", "moderate": "#E69F00", "high": "#D55E00"}
RISK_PATTERNS = {"low": "", "moderate": "/", "high": "x"}
FONT = {"family": "Source Sans Pro, Arial, sans-serif", "size": 14}


def series_style(series_id: int) -> dict[str, str]:
    """Colour, dash, marker and bar pattern of a facility/region, stable by its database id."""
    index = int(series_id) - 1
    return {
        "color": PALETTE[index % len(PALETTE)],
        "dash": DASHES[index % len(DASHES)],
        "symbol": MARKERS[index % len(MARKERS)],
        "pattern": PATTERNS[index % len(PATTERNS)],
    }


def _layout(figure: go.Figure, title: str, lang: Lang, *, percent_axis: bool = False) -> go.Figure:
    figure.update_layout(
        title={"text": title, "x": 0, "xanchor": "left"},
        font=FONT,
        template="plotly_white",
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        legend={"orientation": "h", "yanchor": "top", "y": -0.15, "x": 0},
        separators=",." if lang == "id" else ".,",
        hoverlabel={"font_size": 14},
    )
    if percent_axis:
        figure.update_yaxes(tickformat=".0%", rangemode="tozero")
    return figure


MAX_SERIES = len(PALETTE)
"""Lines a trend draws: beyond this the smaller series share one "others" line (more lines are
unreadable, and hundreds of them make a slow laptop's browser crawl)."""
OTHERS_STYLE = {"color": "#8C8C8C", "dash": "dot", "symbol": "circle-open"}


def _rate_hover(rate: float, numerator: float, denominator: float, lang: Lang) -> str:
    of = t(
        "kpi.of", lang, numerator=format_number(numerator, lang), denominator=format_number(denominator, lang)
    )
    return f"{format_rate(rate, lang)}<br>{of}"


def largest_series(frame: pd.DataFrame, *, series: str, series_id: str, lang: Lang) -> pd.DataFrame:
    """A rate-per-period frame cut to ``MAX_SERIES`` lines: the series with the largest total
    denominator, and one line of all the others (their numerators and denominators summed, so its
    rate is theirs together; ``series_id`` NaN, named "Lainnya (n)")."""
    sizes = frame.groupby([series_id, series], sort=False)["denominator"].sum().reset_index()
    if len(sizes) <= MAX_SERIES:
        return frame
    sizes = sizes.sort_values(["denominator", series_id], ascending=[False, True], kind="stable")
    kept = sizes[series_id].iloc[: MAX_SERIES - 1]
    rest = frame[~frame[series_id].isin(kept)]
    others = rest.groupby("period", as_index=False)[["numerator", "denominator"]].sum()
    others["rate"] = share(others["numerator"], others["denominator"])
    others[series] = t("chart.others", lang, count=len(sizes) - len(kept))
    others[series_id] = float("nan")
    columns = ["period", series, series_id, "rate", "numerator", "denominator"]
    return pd.concat([frame.loc[frame[series_id].isin(kept), columns], others[columns]], ignore_index=True)


def rate_trend(frame: pd.DataFrame, *, series: str, series_id: str, title: str, lang: Lang) -> go.Figure:
    """One line per facility/region of ``rate`` over periods (at most ``MAX_SERIES``, see
    ``largest_series``); the hover shows numerator and denominator."""
    shown = largest_series(frame, series=series, series_id=series_id, lang=lang)
    ordered = shown.assign(_others=shown[series_id].isna()).sort_values(["_others", series, "period"])
    ids = [None if pd.isna(key) else key for key in ordered[series_id].tolist()]  # NaN != NaN
    rows = zip(
        ordered[series].tolist(),
        ids,
        *(ordered[c].tolist() for c in ("period", "rate", "numerator", "denominator")),
        strict=True,
    )
    figure = go.Figure()
    for (name, key), points in itertools.groupby(rows, key=lambda row: row[:2]):
        periods, rates, hovers = [], [], []
        for _, _, period, rate, numerator, denominator in points:
            periods.append(format_period(period, lang))
            rates.append(rate)
            hovers.append(_rate_hover(rate, numerator, denominator, lang))
        style = OTHERS_STYLE if key is None else series_style(key)
        figure.add_trace(
            go.Scatter(
                x=periods,
                y=rates,
                name=str(name),
                mode="lines+markers",
                line={"color": style["color"], "dash": style["dash"], "width": 3},
                marker={"symbol": style["symbol"], "size": 9},
                hovertext=hovers,
                hovertemplate="%{x}<br>%{hovertext}<extra>%{fullData.name}</extra>",
                connectgaps=False,
            )
        )
    figure.update_xaxes(type="category", title=t("col.period", lang))
    return _layout(figure, title, lang, percent_axis=True)


def risk_bars(frame: pd.DataFrame, *, category: str, title: str, lang: Lang) -> go.Figure:
    """Stacked bars of screenings by overall risk (low/moderate/high) per category."""
    figure = go.Figure()
    for risk in ("low", "moderate", "high"):
        figure.add_trace(
            go.Bar(
                x=frame[category],
                y=frame[risk],
                name=t(f"risk.{risk}", lang),
                marker={"color": RISK_COLOURS[risk], "pattern": {"shape": RISK_PATTERNS[risk]}},
                hovertemplate="%{x}: %{y:,}<extra>%{fullData.name}</extra>",
            )
        )
    figure.update_layout(barmode="stack")
    figure.update_xaxes(type="category")
    return _layout(figure, title, lang)


def horizontal_bars(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    title: str,
    lang: Lang,
    hover: Sequence[str] | None = None,
) -> go.Figure:
    """A sorted horizontal bar chart (largest on top) for a single measure."""
    figure = go.Figure(
        go.Bar(
            x=list(values),
            y=list(labels),
            orientation="h",
            marker={"color": PALETTE[0]},
            hovertext=list(hover) if hover is not None else None,
            hovertemplate="%{y}: %{x:,}"
            + ("<br>%{hovertext}" if hover is not None else "")
            + "<extra></extra>",
        )
    )
    figure.update_yaxes(autorange="reversed")
    return _layout(figure, title, lang)


def funnel(stages: Sequence[str], values: Sequence[int], *, title: str, lang: Lang) -> go.Figure:
    """A funnel of counts with each stage's share of the first."""
    figure = go.Figure(
        go.Funnel(
            y=list(stages),
            x=list(values),
            textinfo="value+percent initial",
            marker={"color": [PALETTE[i % len(PALETTE)] for i in range(len(stages))]},
        )
    )
    return _layout(figure, title, lang)


def stacked_share(
    frame: pd.DataFrame,
    *,
    category: str,
    stack: str,
    value: str,
    title: str,
    lang: Lang,
    barmode: str = "stack",
) -> go.Figure:
    """Bars of ``value`` by ``category`` split into ``stack`` groups (already translated), stacked or grouped."""
    figure = go.Figure()
    for index, (name, rows) in enumerate(frame.groupby(stack, sort=False)):
        figure.add_trace(
            go.Bar(
                x=[format_period(p, lang) for p in rows[category]]
                if category == "period"
                else rows[category],
                y=rows[value],
                name=str(name),
                marker={
                    "color": PALETTE[index % len(PALETTE)],
                    "pattern": {"shape": PATTERNS[index % len(PATTERNS)]},
                },
                hovertemplate="%{x}: %{y:,}<extra>%{fullData.name}</extra>",
            )
        )
    figure.update_layout(barmode=barmode)
    figure.update_xaxes(type="category")
    return _layout(figure, title, lang)
