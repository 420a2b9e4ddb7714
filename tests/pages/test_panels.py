"""Shared page blocks: a chart's figure is built once per distinct arguments, for every session."""

import pandas as pd
import plotly.graph_objects as go

from rehabdata.ui import panels

built: list[tuple] = []


def counted_bars(frame: pd.DataFrame, *, title: str) -> go.Figure:
    """A builder that records each time it really runs."""
    built.append((len(frame), title))
    return go.Figure(go.Bar(x=frame["x"], y=frame["y"]), layout={"title": title})


def test_a_figure_is_built_once_per_distinct_data_and_options():
    """Same frame and options: the cached figure; other rows or another title: built anew."""
    panels.figure.clear()
    built.clear()
    frame = pd.DataFrame({"x": ["a", "b"], "y": [1, 2]})
    first = panels.figure(counted_bars, frame, title="T")
    again = panels.figure(counted_bars, frame.copy(), title="T")
    assert again is first and built == [(2, "T")]
    panels.figure(counted_bars, frame, title="U")
    panels.figure(counted_bars, pd.DataFrame({"x": ["a"], "y": [5]}), title="T")
    assert built == [(2, "T"), (2, "U"), (1, "T")]
    assert list(first.data[0].y) == [1, 2]
