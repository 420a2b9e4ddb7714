"""Page building blocks: a chart or table with its data as a (formula-safe) CSV download."""

from collections.abc import Callable
from types import FunctionType
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from rehabdata import audit
from rehabdata.db import session_scope
from rehabdata.export import to_csv_bytes
from rehabdata.ui.context import engine, tr


def audited(make: Callable[[], bytes], *, kind: str, file_name: str) -> Callable[[], bytes]:
    """``make`` for a download button, recording the download in the audit trail when it runs.

    Streamlit calls it on the click, outside the script run (no session state there), so who is
    downloading and from which database are taken now.
    """
    principal, database = st.session_state.get("principal"), engine()

    def run() -> bytes:
        data = make()
        with session_scope(database) as session:
            audit.record_export(session, principal=principal, kind=kind, name=file_name)
        return data

    return run


def download(data: pd.DataFrame, *, key: str, filename: str) -> None:
    """A CSV download of ``data`` that does not rerun the page; the CSV is written (and the
    download audited) on the click."""
    st.download_button(
        tr("action.download_csv"),
        audited(lambda: to_csv_bytes(data), kind="csv", file_name=f"{filename}.csv"),
        file_name=f"{filename}.csv",
        mime="text/csv",
        key=f"download_{key}",
        icon=":material/download:",
        on_click="ignore",
        type="tertiary",
    )


@st.cache_resource(
    ttl=3600,
    max_entries=256,
    show_spinner=False,
    hash_funcs={FunctionType: lambda builder: f"{builder.__module__}.{builder.__qualname__}"},
)
def figure(builder: Callable[..., go.Figure], *args: Any, **options: Any) -> go.Figure:
    """``builder(*args, **options)``, built once per distinct arguments and shared by every session.

    A resource, not ``cache_data``: unpickling a figure validates it again (~15 ms a chart, for
    every session); ``st.plotly_chart`` only reads it (``to_dict`` copies), so sharing is safe.
    Read-only: never update a figure this returns.
    """
    return builder(*args, **options)


def chart(
    builder: Callable[..., go.Figure],
    *args: Any,
    data: pd.DataFrame,
    key: str,
    filename: str,
    **options: Any,
) -> None:
    """The figure ``builder(*args, **options)`` (see ``figure``) followed by the CSV of ``data``."""
    st.plotly_chart(figure(builder, *args, **options), key=f"chart_{key}", config={"displaylogo": False})
    download(data, key=key, filename=filename)


def table(data: pd.DataFrame, *, key: str, filename: str, column_config: dict | None = None) -> None:
    """A data table followed by its CSV."""
    st.dataframe(data, hide_index=True, column_config=column_config, key=f"table_{key}")
    download(data, key=key, filename=filename)


def no_data() -> None:
    """The one sentence shown for an empty selection instead of empty axes."""
    st.info(tr("empty.selection"), icon=":material/info:")
