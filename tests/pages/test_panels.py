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


def _download_script() -> None:
    """A page that prepares an audited download and keeps its maker for the test to call."""
    import streamlit as st

    from rehabdata.ui import panels

    st.session_state["maker"] = panels.audited(lambda: b"a,b\n1,2\n", kind="csv", file_name="ringkasan.csv")


def test_a_download_is_audited_when_it_is_made(app_env):
    """Streamlit makes a deferred download outside the script run: the maker, called then, records
    who downloaded which file; preparing the button alone records nothing."""
    from sqlmodel import Session, select
    from streamlit.testing.v1 import AppTest

    from rehabdata.auth import Principal
    from rehabdata.models import AuditLog, Role

    at = AppTest.from_function(_download_script)
    at.session_state["principal"] = Principal(
        1, "admin.demo", "", Role.ADMIN, frozenset(), all_facilities=True
    )
    at.run()
    assert not at.exception

    def exports() -> list[tuple]:
        with Session(app_env.engine) as session:
            rows = session.exec(select(AuditLog).where(AuditLog.action == "export")).all()
        return [(row.username, row.changes) for row in rows]

    assert exports() == []
    assert at.session_state["maker"]() == b"a,b\n1,2\n"
    assert exports() == [("admin.demo", {"kind": "csv", "file": "ringkasan.csv"})]
