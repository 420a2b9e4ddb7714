"""Page building blocks: a chart or table with its data as a (formula-safe) CSV download."""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from rehabdata.export import to_csv_bytes
from rehabdata.ui.context import tr


def download(data: pd.DataFrame, *, key: str, filename: str) -> None:
    """A CSV download of ``data`` that does not rerun the page."""
    st.download_button(
        tr("action.download_csv"),
        to_csv_bytes(data),
        file_name=f"{filename}.csv",
        mime="text/csv",
        key=f"download_{key}",
        icon=":material/download:",
        on_click="ignore",
        type="tertiary",
    )


def chart(figure: go.Figure, data: pd.DataFrame, *, key: str, filename: str) -> None:
    """A plotly figure followed by the CSV of the data it draws."""
    st.plotly_chart(figure, key=f"chart_{key}", config={"displaylogo": False})
    download(data, key=key, filename=filename)


def table(data: pd.DataFrame, *, key: str, filename: str, column_config: dict | None = None) -> None:
    """A data table followed by its CSV."""
    st.dataframe(data, hide_index=True, column_config=column_config, key=f"table_{key}")
    download(data, key=key, filename=filename)


def no_data() -> None:
    """The one sentence shown for an empty selection instead of empty axes."""
    st.info(tr("empty.selection"), icon=":material/info:")
