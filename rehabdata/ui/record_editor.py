"""One editor for a list of reference records: a table, a picker (an existing record or a new one),
a form of its fields with each problem under its field, and deactivate/reactivate.

Widget keys carry the picked record's id, so picking another record shows its saved values, and a
refused save keeps what was typed. After an add, the "new" form gets fresh keys (a generation
number): removing a widget's state does not empty it in the browser, which would send the old
values again with the next add. Widgets set no limits of their own: every value reaches the
service, whose Indonesian message says what is wrong (a widget limit would silently keep the old
value instead).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

import pandas as pd
import streamlit as st
from sqlmodel import Session

from rehabdata import clock
from rehabdata.ui import forms
from rehabdata.ui.context import tr

Kind = Literal["text", "number", "date", "choice", "choices"]
EARLIEST_DAY = date(2000, 1, 1)


@dataclass(frozen=True)
class Field:
    """One input: the model field it fills, its widget kind and, for choices, value → label."""

    name: str
    kind: Kind = "text"
    options: dict[Any, str] = field(default_factory=dict)
    optional: bool = False  # a choice that may stay empty ("– none –")
    help_key: str | None = None
    fixed_once_saved: bool = False  # e.g. codes: set at creation, shown read-only afterwards


Save = Callable[[Session, dict[str, Any], int | None], str]
Toggle = Callable[[Session, int, bool], str]


def _widget(spec: Field, value: Any, key: str, disabled: bool) -> None:
    label = tr(f"field.{spec.name}")
    help_text = tr(spec.help_key) if spec.help_key else None
    if spec.kind == "number":
        st.number_input(label, value=value, step=1, key=key, help=help_text, disabled=disabled)
    elif spec.kind == "date":
        st.date_input(
            label,
            value=value,
            min_value=EARLIEST_DAY,
            max_value=date(clock.today().year + 30, 12, 31),
            format="DD/MM/YYYY",
            key=key,
            help=help_text,
            disabled=disabled,
        )
    elif spec.kind == "choice":
        options = [None, *spec.options] if spec.optional else list(spec.options)
        index = options.index(value) if value in options else (0 if options else None)
        st.selectbox(
            label,
            options,
            index=index,
            format_func=lambda v: tr("reference.none") if v is None else spec.options[v],
            key=key,
            help=help_text,
            disabled=disabled,
        )
    elif spec.kind == "choices":
        st.multiselect(
            label,
            list(spec.options),
            default=[v for v in value or () if v in spec.options],
            format_func=spec.options.get,
            key=key,
            help=help_text,
            placeholder=tr("reference.none"),
            disabled=disabled,
        )
    else:
        st.text_input(label, value=value or "", key=key, help=help_text, disabled=disabled)


def _generation_key(form: str) -> str:
    return f"{form}__generation"


def _submit(form: str, prefix: str, names: tuple[str, ...], action: forms.Action, is_new: bool) -> None:
    """Save; after adding a record, the next run draws an empty "new" form under new keys."""
    forms.save(form, action)
    if is_new and forms.was_saved(form):
        st.session_state[_generation_key(form)] = st.session_state.get(_generation_key(form), 0) + 1
        for name in names:  # the old form's state is no longer needed
            st.session_state.pop(f"{prefix}_{name}", None)


def record_editor(
    *,
    form: str,
    rows: list[dict[str, Any]],
    fields: tuple[Field, ...],
    columns: dict[str, str],
    save: Save,
    toggle: Toggle,
    describe: Callable[[dict[str, Any]], str] = lambda row: str(row["name"]),
) -> None:
    """The records as a table, then the form to add one or edit the picked one."""
    if rows:
        table = pd.DataFrame(rows)
        st.dataframe(
            table[[c for c in columns if c in table.columns]],
            hide_index=True,
            column_config={
                name: st.column_config.CheckboxColumn(label) if name == "active" else label
                for name, label in columns.items()
            },
            key=f"{form}_table",
        )
    by_id = {int(row["id"]): row for row in rows}

    def label(row_id: int | None) -> str:
        if row_id is None:
            return tr("reference.new")
        row = by_id[row_id]
        return describe(row) if row.get("active", True) else f"{describe(row)} ({tr('reference.inactive')})"

    chosen = st.selectbox(tr("reference.choose"), [None, *by_id], format_func=label, key=f"{form}_pick")
    current = by_id.get(chosen, {}) if chosen is not None else {}
    generation = st.session_state.get(_generation_key(form), 0)
    prefix = f"{form}_{chosen}" if chosen is not None else f"{form}_new{generation or ''}"
    names = tuple(spec.name for spec in fields)

    def values() -> dict[str, Any]:
        return {name: st.session_state.get(f"{prefix}_{name}") for name in names}

    with st.form(prefix):
        for spec in fields:
            _widget(
                spec, current.get(spec.name), f"{prefix}_{spec.name}", spec.fixed_once_saved and bool(current)
            )
            forms.problems_for(form, spec.name)
        st.form_submit_button(
            tr("reference.save" if current else "reference.add"),
            type="primary",
            key=f"{prefix}_submit",
            on_click=_submit,
            args=(form, prefix, names, lambda session: save(session, values(), chosen), chosen is None),
        )
    forms.outcome(form, names)
    if current:
        active = bool(current.get("active", True))
        st.button(
            tr("reference.deactivate" if active else "reference.reactivate"),
            key=f"{prefix}_toggle",
            icon=":material/block:" if active else ":material/restart_alt:",
            on_click=forms.save,
            args=(form, lambda session: toggle(session, int(chosen), not active)),
        )
