"""Data-entry plumbing shared by the entry pages: facility choice, save callbacks, messages.

A save runs in the submit button's callback, before the page is drawn again, so each problem can
be shown right under its field on that redraw, and the typed values stay in their widgets.
"""

from collections.abc import Callable
from datetime import date
from enum import StrEnum

import pandas as pd
import streamlit as st
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, SQLModel

from rehabdata import services
from rehabdata.auth import Principal, ScopeError
from rehabdata.db import run_in_transaction
from rehabdata.models import (
    FacilityPopulation,
    MonevVisit,
    OutreachEvent,
    Participant,
    PeerCounsellorTraining,
    ProgrammeSession,
    Role,
)
from rehabdata.ui.context import engine, lang, tr
from rehabdata.ui.data import clear_caches, facility_lookup_for, require_principal
from rehabdata.validation import Problem, ValidationFailed

# Date inputs accept any plausible day: a widget limit would silently keep the previous value
# (and save it) when the user types a day beyond it; the services refuse a future or too early
# date with a message under the field instead. Number inputs carry no limits for the same reason.
ANY_DATE = {"min_value": date(1900, 1, 1), "max_value": date(2100, 12, 31)}


def _problems_key(form: str) -> str:
    return f"{form}__problems"


def _saved_key(form: str) -> str:
    return f"{form}__saved"


def facility_choice(principal: Principal, key: str) -> int:
    """The facility to record for: the user's own (pre-selected, locked if only one), never another,
    and never a deactivated one."""
    lookup = facility_lookup_for(principal)
    lookup = lookup[lookup["facility_active"].astype(bool)]
    names = dict(zip(lookup["facility_id"].astype(int), lookup["facility"], strict=True))
    return st.selectbox(
        tr("filter.facility"), list(names), format_func=names.get, key=key, disabled=len(names) == 1
    )


Action = Callable[[Session], str]  # a write in the caller's transaction, returning its success message


def save(form: str, action: Action) -> None:
    """Run ``action`` in one transaction; keep its problems, or its success message, for the redraw."""
    st.session_state.pop(_problems_key(form), None)
    st.session_state.pop(_saved_key(form), None)
    try:
        message = run_in_transaction(engine(), action)
    except ValidationFailed as refused:
        st.session_state[_problems_key(form)] = refused.problems
    except ScopeError:
        st.session_state[_problems_key(form)] = [Problem("__all__", "validation.in_scope")]
    except services.NotFoundError:
        st.session_state[_problems_key(form)] = [Problem("__all__", "validation.not_found")]
    except SQLAlchemyError:
        st.session_state[_problems_key(form)] = [Problem("__all__", "validation.database_error")]
    else:
        clear_caches()
        st.session_state[_saved_key(form)] = message


def was_saved(form: str) -> bool:
    """Whether the form's last save succeeded (its success message is waiting to be shown)."""
    return bool(st.session_state.get(_saved_key(form)))


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


# What staff may correct on a saved record (identity, facility and computed scores stay fixed).
CORRECTABLE: dict[type[SQLModel], tuple[str, ...]] = {
    Participant: ("sex", "birth_year", "legal_status", "narcotics_case", "admitted_on"),
    FacilityPopulation: ("wbp_total", "wbp_narcotics", "admissions"),
    ProgrammeSession: ("session_type", "topic", "facilitator", "duration_minutes"),
    OutreachEvent: ("place", "people_reached", "topic"),
    MonevVisit: ("team", "findings"),
    PeerCounsellorTraining: ("title", "trainer", "staff_trained"),
}

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


def recent(frame: pd.DataFrame, *, key: str, model: type[SQLModel] | None = None) -> None:
    """The latest entries of this kind for the user's facilities, in the user's language.

    With ``model``, picking one of them opens its correction form (and, for an admin, deletion).
    """
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
    if model is None:
        return
    described = {
        int(i): " · ".join(str(v) for v in row[:3])
        for i, row in zip(frame["id"], shown.itertuples(index=False), strict=True)
    }
    chosen = st.selectbox(
        tr("entry.select_to_correct"),
        [None, *described],
        format_func=lambda i: "–" if i is None else described[i],
        key=f"recent_{key}_pick",
    )
    if chosen is not None:
        _correction(model, chosen, key=key)


def _field_widget(model: type[SQLModel], field: str, value: object, key: str) -> object:
    """An input for one field of a saved record, typed by the model's annotation."""
    label = tr(f"col.{field}")
    annotation = model.model_fields[field].annotation
    kinds = [a for a in getattr(annotation, "__args__", (annotation,)) if a is not type(None)]
    kind = kinds[0] if kinds else str
    if isinstance(kind, type) and issubclass(kind, StrEnum):
        options = list(kind)
        prefix = _CODED_COLUMNS.get(field, field)
        index = options.index(kind(value)) if value in set(options) else 0
        return st.selectbox(label, options, index=index, format_func=lambda v: tr(f"{prefix}.{v}"), key=key)
    if kind is bool:
        return st.checkbox(label, value=bool(value), key=key)
    if kind is date:
        return st.date_input(label, value=value, **ANY_DATE, format="DD/MM/YYYY", key=key)
    if kind is int:
        return st.number_input(label, value=value, step=1, key=key)
    return st.text_input(label, value=value or "", key=key)


def _correction(model: type[SQLModel], row_id: int, *, key: str) -> None:
    principal = require_principal()
    form = f"{key}_correct"
    with Session(engine()) as session:
        try:
            row = services.get_in_scope(session=session, principal=principal, model=model, row_id=row_id)
        except (ScopeError, services.NotFoundError):
            st.error(tr("scope.denied"))
            return
        current = row.model_dump(warnings=False)
    fields = CORRECTABLE[model]
    with st.form(form):
        st.markdown(f"**{tr('entry.correct')}**")
        values = {field: _field_widget(model, field, current[field], f"{form}_{field}") for field in fields}
        changes = {field: value for field, value in values.items() if value != current[field]}
        submitted = st.form_submit_button(tr("entry.save_correction"), key=f"{form}_submit")

    def apply(session: Session) -> str:
        services.correct(session=session, principal=principal, model=model, row_id=row_id, changes=changes)
        return tr("entry.corrected")

    def remove(session: Session) -> str:
        services.delete(session=session, principal=principal, model=model, row_id=row_id)
        return tr("entry.deleted")

    if submitted and changes:
        save(form, apply)
    outcome(form, ())  # every problem, below the correction form
    if principal.role == Role.ADMIN:
        sure = st.checkbox(tr("entry.delete_confirm"), key=f"{form}_sure")
        if st.button(tr("entry.delete"), key=f"{form}_delete", disabled=not sure, icon=":material/delete:"):
            save(form, remove)
            st.rerun()  # the deleted entry leaves the list


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
