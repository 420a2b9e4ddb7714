"""Kelengkapan Data: who has reported each month, what is missing and where to fix it; quality checks."""

import pandas as pd
import streamlit as st

from rehabdata import clock, quality, services
from rehabdata.completeness import STATES, missing_messages, reporting_deadline_day
from rehabdata.i18n import format_day, format_number, format_period
from rehabdata.models import FacilityPopulation, ProgrammeSession, Screening
from rehabdata.ui import filters, panels
from rehabdata.ui.context import lang, tr
from rehabdata.ui.data import (
    facility_lookup_for,
    quality_counts,
    quality_issues,
    reporting_completeness,
    require_principal,
)

# An icon and a word per state, so the grid reads without its colours.
ICONS = {"complete": "✅", "late": "🕓", "incomplete": "❌", "not_due_yet": "⏳"}
COLOURS = {"complete": "#d1e7dd", "late": "#fff3cd", "incomplete": "#f8d7da", "not_due_yet": "#e9ecef"}
# The form that fixes each missing item, and the table whose writers may open it.
FIX_PAGES = {
    "population": ("pages/entry_population.py", FacilityPopulation, ":material/people:"),
    "session": ("pages/entry_sessions.py", ProgrammeSession, ":material/groups:"),
    "screening_risk": ("pages/entry_screening.py", Screening, ":material/assignment:"),
}
MAX_TO_FIX = 20
SEVERITY_COLOURS = {"error": "red", "warning": "orange"}

principal = require_principal()
st.title(tr("page.data_quality"))
selection = filters.show()
if selection is None:
    st.stop()
lookup = facility_lookup_for(principal)
names = dict(zip(lookup["facility_id"].astype(int), lookup["facility"], strict=True))


def state_label(state: str) -> str:
    return f"{ICONS[state]} {tr(f'completeness.state.{state}')}"


def missing_text(row: dict) -> list[str]:
    """Each missing item of a grid row in the user's language."""
    texts = []
    for key, values in missing_messages(row):
        if "programme" in values:
            values = {**values, "programme": tr(f"programme.{values['programme']}")}
        texts.append(tr(key, **values))
    return texts


grid = reporting_completeness(selection)
st.caption(tr("completeness.deadline_caption", day=reporting_deadline_day()))
if grid.empty:
    panels.no_data()
else:
    counts = grid["state"].value_counts()
    for column, state in zip(st.columns(len(STATES)), STATES, strict=True):
        column.metric(state_label(state), format_number(int(counts.get(state, 0)), lang()), border=True)

    st.subheader(tr("completeness.grid"))
    labels = {state: state_label(state) for state in STATES}
    states_of = {label: state for state, label in labels.items()}
    cells = grid.assign(cell=grid["state"].map(labels)).pivot(
        index="facility_id", columns="month", values="cell"
    )
    cells.columns = [format_period(month, lang()) for month in cells.columns]
    table = cells.fillna("").reset_index()
    table.insert(0, "facility", table.pop("facility_id").map(names))
    styled = table.sort_values("facility").style.map(
        lambda cell: (
            f"background-color: {COLOURS[states_of[cell]]}; color: #212529" if cell in states_of else ""
        )
    )
    st.dataframe(
        styled,
        hide_index=True,
        key="completeness_grid",
        column_config={"facility": st.column_config.TextColumn(tr("col.facility"))},
    )

    st.subheader(tr("completeness.details"))
    records = grid.to_dict("records")
    details = pd.DataFrame(
        {
            "facility": grid["facility"],
            "month": grid["month"],
            "state": grid["state"].map(labels),
            "missing": ["; ".join(missing_text(row)) for row in records],
            "deadline": grid["deadline"],
            "population_entered_at": [
                None if pd.isna(moment) else clock.local(moment).replace(tzinfo=None)
                for moment in grid["population_entered_at"]
            ],
        }
    )
    panels.table(
        details,
        key="completeness_details",
        filename="kelengkapan_data",
        column_config={
            "facility": st.column_config.TextColumn(tr("col.facility")),
            "month": st.column_config.TextColumn(tr("col.month")),
            "state": st.column_config.TextColumn(tr("col.status")),
            "missing": st.column_config.TextColumn(tr("col.missing"), width="large"),
            "deadline": st.column_config.DateColumn(tr("col.deadline"), format="DD/MM/YYYY"),
            "population_entered_at": st.column_config.DatetimeColumn(
                tr("col.population_entered", zone=clock.zone_name()), format="DD/MM/YYYY HH:mm"
            ),
        },
    )

    st.subheader(tr("completeness.to_fix"))
    to_fix = [row for row in records if row["missing"] and row["state"] in ("incomplete", "not_due_yet")]
    to_fix.sort(key=lambda row: (row["state"] != "incomplete", row["month"], row["facility"]))
    if not to_fix:
        st.caption(tr("completeness.nothing_to_fix"))
    for row in to_fix[:MAX_TO_FIX]:
        with st.container(border=True):
            st.markdown(
                f"{ICONS[row['state']]} **{row['facility']} · {format_period(row['month'], lang())}** — "
                f"{tr('completeness.state.' + row['state'])} · {tr('col.deadline')} "
                f"{format_day(row['deadline'], lang())}"
            )
            for code, text in zip(row["missing"], missing_text(row), strict=True):
                kind = code.partition(":")[0]
                page, table_model, icon = FIX_PAGES[kind]
                left, right = st.columns([3, 2])
                left.markdown(f"- {text}")
                if principal.role in services.WRITERS[table_model]:
                    right.page_link(page, label=tr(f"completeness.fix.{kind}"), icon=icon)
    if len(to_fix) > MAX_TO_FIX:
        st.caption(tr("completeness.more", count=len(to_fix) - MAX_TO_FIX))

st.divider()
st.subheader(tr("quality.title"))
st.caption(tr("quality.help"))
if st.button(tr("quality.run"), key="quality_run", icon=":material/rule:", type="primary"):
    st.session_state["quality_ran"] = True
if not st.session_state.get("quality_ran"):
    st.stop()


def severity_label(severity: str) -> str:
    return tr(f"quality.severity.{severity}")


if not principal.sees_participants:
    st.info(tr("quality.counts_only"), icon=":material/info:")
    counts = quality_counts(principal, selection)
    if counts.empty:
        st.success(tr("quality.none"), icon=":material/check_circle:")
        st.stop()
    shown = pd.DataFrame(
        {
            "rule": [tr(f"quality.rule.{rule}") for rule in counts["rule"]],
            "severity": counts["severity"].map(severity_label),
            "facility": [names.get(int(f), "–") if pd.notna(f) else "–" for f in counts["facility_id"]],
            "issues": counts["issues"],
        }
    )
    panels.table(
        shown,
        key="quality_counts",
        filename="pemeriksaan_kualitas_jumlah",
        column_config={
            "rule": st.column_config.TextColumn(tr("col.rule")),
            "severity": st.column_config.TextColumn(tr("col.severity")),
            "facility": st.column_config.TextColumn(tr("col.facility")),
            "issues": st.column_config.NumberColumn(tr("col.issues"), format="localized"),
        },
    )
    st.stop()

issues = quality_issues(principal, selection)
if not issues:
    st.success(tr("quality.none"), icon=":material/check_circle:")
    st.stop()
errors = sum(issue.severity == "error" for issue in issues)
st.markdown(
    tr(
        "quality.summary",
        errors=format_number(errors, lang()),
        warnings=format_number(len(issues) - errors, lang()),
    )
)
for name, rule in quality.RULES.items():
    found = [issue for issue in issues if issue.rule == name]
    if not found:
        continue
    with st.container(border=True):
        title, badge = st.columns([4, 1])
        title.markdown(f"**{tr(f'quality.rule.{name}')}** · {format_number(len(found), lang())}")
        with badge:
            st.badge(
                severity_label(rule.severity),
                color=SEVERITY_COLOURS[rule.severity],
                icon=":material/error:" if rule.severity == "error" else ":material/warning:",
            )
        rows = pd.DataFrame(
            {
                "facility": [names.get(i.facility_id, "–") for i in found],
                "participant_code": [i.participant_code or "" for i in found],
                "record": [f"{tr(f'record.{i.record}')} #{i.record_id}" for i in found],
                "date": [i.day for i in found],
                "problem": [i.message(lang()) for i in found],
            }
        )
        panels.table(
            rows,
            key=f"quality_{name}",
            filename=f"pemeriksaan_{name}",
            column_config={
                "facility": st.column_config.TextColumn(tr("col.facility")),
                "participant_code": st.column_config.TextColumn(tr("col.code")),
                "record": st.column_config.TextColumn(tr("col.record")),
                "date": st.column_config.DateColumn(tr("col.date"), format="DD/MM/YYYY"),
                "problem": st.column_config.TextColumn(tr("col.problem"), width="large"),
            },
        )
