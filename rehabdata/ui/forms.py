"""Data-entry plumbing shared by the entry pages: facility choice, save callbacks, messages.

A save runs in the submit button's callback, before the page is drawn again, so each problem can
be shown right under its field on that redraw, and the typed values stay in their widgets.
"""

from collections.abc import Callable

import pandas as pd
import streamlit as st
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from rehabdata.auth import Principal, ScopeError
from rehabdata.db import session_scope
from rehabdata.ui.context import engine, lang, tr
from rehabdata.ui.data import clear_caches, facility_lookup_for
from rehabdata.validation import Problem, ValidationFailed


def _problems_key(form: str) -> str:
    return f"{form}__problems"


def _saved_key(form: str) -> str:
    return f"{form}__saved"


def facility_choice(principal: Principal, key: str) -> int:
    """The facility to record for: the user's own (pre-selected, locked if only one), never another."""
    lookup = facility_lookup_for(principal)
    names = dict(zip(lookup["facility_id"].astype(int), lookup["facility"], strict=True))
    return st.selectbox(
        tr("filter.facility"), list(names), format_func=names.get, key=key, disabled=len(names) == 1
    )


def save(form: str, action: Callable[[Session], str]) -> None:
    """Run ``action`` in one transaction; keep its problems, or its success message, for the redraw."""
    st.session_state.pop(_problems_key(form), None)
    st.session_state.pop(_saved_key(form), None)
    try:
        with session_scope(engine()) as session:
            message = action(session)
    except ValidationFailed as refused:
        st.session_state[_problems_key(form)] = refused.problems
    except ScopeError:
        st.session_state[_problems_key(form)] = [Problem("__all__", "validation.in_scope")]
    except SQLAlchemyError:
        st.session_state[_problems_key(form)] = [Problem("__all__", "validation.database_error")]
    else:
        clear_caches()
        st.session_state[_saved_key(form)] = message


def problems_for(form: str, *fields: str) -> None:
    """Show the problems of ``fields`` (right below the field's widget)."""
    for problem in st.session_state.get(_problems_key(form), []):
        if problem.field in fields or problem.field.split(".")[0] in fields:
            st.error(problem.message(lang()), icon=":material/error:")


def outcome(form: str, shown_fields: tuple[str, ...]) -> None:
    """The success message, or the problems not already shown next to a field."""
    saved = st.session_state.get(_saved_key(form))
    if saved:
        st.success(saved, icon=":material/check_circle:")
    for problem in st.session_state.get(_problems_key(form), []):
        if problem.field.split(".")[0] not in shown_fields:
            st.error(problem.message(lang()), icon=":material/error:")


# Columns of the entry lists whose codes are shown in the user's language (column → message prefix).
_CODED_COLUMNS = {
    "overall_risk": "risk",
    "programme": "programme",
    "status": "status",
    "exit_reason": "status",
    "session_type": "session_type",
    "urine_result": "urine",
    "sex": "sex",
    "legal_status": "legal_status",
    "modality": "modality",
}


def recent(frame: pd.DataFrame, *, key: str) -> None:
    """The latest entries of this kind for the user's facilities, below the form, in the user's language."""
    st.subheader(tr("entry.recent"))
    if frame.empty:
        st.caption(tr("empty.selection"))
        return
    shown = frame.drop(columns=[c for c in ("id", "participant_id") if c in frame.columns])
    for column, prefix in _CODED_COLUMNS.items():
        if column in shown.columns:
            shown[column] = [
                tr(f"{prefix}.{value}") if isinstance(value, str) and value else value
                for value in shown[column]
            ]
    labels = {column: tr(f"col.{column}") for column in shown.columns}
    st.dataframe(shown, hide_index=True, column_config=labels, key=f"recent_{key}")


def facility_name(principal: Principal, facility_id: int) -> str:
    """The name of a facility in the principal's scope."""
    lookup = facility_lookup_for(principal)
    return str(lookup.loc[lookup["facility_id"] == facility_id, "facility"].iloc[0])


def save_button(form: str, action: Callable[[Session], str], *, key: str) -> None:
    """A save button for pages outside ``st.form`` (live widgets).

    The save runs after this run's widgets, so it uses exactly what is on screen (a callback would
    see the values computed on the previous run), then the page is redrawn to show the outcome
    next to the fields.
    """
    if st.button(tr("entry.save"), key=key, type="primary"):
        save(form, action)
        st.rerun()
