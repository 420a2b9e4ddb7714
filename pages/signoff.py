"""Pengesahan Bulanan: a facility head signs off each ended month after reviewing it; an admin reopens.

One bordered block per facility in scope, one line per month: its completeness state and what is
missing, the quality checks' error and warning counts, and its sign-off. An open month that has
ended gets a confirmation checkbox and a Sahkan button; a signed month says who signed it and when,
and (for an admin) takes a written reason to reopen it. With more than ``FACILITIES_AT_ONCE``
facilities in scope (a Kanwil, the whole country), a table of them all and the block of the one
picked: a block each would be thousands of widgets.
"""

from collections.abc import Callable
from datetime import date, datetime

import pandas as pd
import streamlit as st
from sqlmodel import Session

from rehabdata import clock, signoff
from rehabdata.completeness import missing_messages
from rehabdata.i18n import format_day, format_month, format_number
from rehabdata.models import Role
from rehabdata.periods import add_months
from rehabdata.ui import forms, panels
from rehabdata.ui.context import lang, tr
from rehabdata.ui.data import require_principal, signoff_review

FORM = "signoff"
MONTHS_SHOWN = 6
MONTHS_CHOSEN = 24  # how far back the "up to month" choice reaches
COLUMNS = [1, 2, 1.4, 3]
FACILITIES_AT_ONCE = 5

principal = require_principal()
st.title(tr("page.signoff"))
if principal.role not in signoff.SIGNERS:
    st.error(tr("scope.denied"))
    st.stop()
st.caption(tr("signoff.intro"))
st.page_link("pages/data_quality.py", label=tr("page.data_quality"), icon=":material/rule:")
forms.outcome(FORM, ())

today = clock.today()
last = st.sidebar.selectbox(
    tr("signoff.until"),
    [add_months(today, -back) for back in range(1, MONTHS_CHOSEN + 1)],
    format_func=lambda month: format_month(month, lang()),
    key="signoff_until",
)
months = [add_months(last, -back) for back in range(MONTHS_SHOWN - 1, -1, -1)]
grid = signoff_review(principal, months)
if grid.empty:
    panels.no_data()
    st.stop()


def when(moment: datetime) -> str:
    """A stored UTC time as the facilities read it: ``5 Okt 2025 14:03 WIB``."""
    local = signoff.local_time(moment)
    return f"{format_day(local.date(), lang())} {local:%H:%M} {clock.zone_name()}"


def sign(facility_id: int, facility: str, month: date) -> Callable[[Session], str]:
    def action(session: Session) -> str:
        signoff.sign_off(session=session, principal=principal, facility_id=facility_id, month=month)
        return tr("signoff.saved", facility=facility, month=format_month(month, lang()))

    return action


def reopen(facility_id: int, facility: str, month: date, reason_key: str) -> Callable[[Session], str]:
    def action(session: Session) -> str:
        reason = st.session_state.get(reason_key) or ""
        signoff.reopen(
            session=session, principal=principal, facility_id=facility_id, month=month, reason=reason
        )
        return tr("signoff.reopen_saved", facility=facility, month=format_month(month, lang()))

    return action


def completeness_cell(row) -> None:
    if row.state is None:
        st.markdown(tr("signoff.not_due"))
        return
    st.markdown(tr(f"completeness.state.{row.state}"))
    for key, values in missing_messages(row._asdict()):
        if "programme" in values:
            values = {**values, "programme": tr(f"programme.{values['programme']}")}
        st.caption(tr(key, **values))


def signoff_cell(row) -> None:
    """Who signed the month and, for an admin, reopening; or the sign-off for an open, ended month."""
    cell = f"{row.facility_id}_{row.month:%Y%m}"
    if row.signed:
        st.markdown(f":material/lock: {tr('signoff.signed', who=row.signed_by, when=when(row.signed_at))}")
        if principal.role == Role.ADMIN:
            reason_key = f"signoff_reason_{cell}"
            st.text_input(tr("signoff.reason"), key=reason_key, max_chars=signoff.MAX_REASON)
            st.button(
                tr("signoff.reopen"),
                key=f"signoff_reopen_{cell}",
                icon=":material/lock_open:",
                on_click=forms.save,
                args=(FORM, reopen(row.facility_id, row.facility, row.month, reason_key)),
            )
        return
    if pd.notna(row.reopened_at):
        reopened = tr(
            "signoff.reopened", who=row.reopened_by, when=when(row.reopened_at), reason=row.reopen_reason
        )
        st.caption(reopened)
    if not row.ended:
        st.caption(tr("signoff.not_over"))
        return
    st.markdown(tr("signoff.open"))
    if signoff.can_sign(principal, row.facility_id):
        confirmed = st.checkbox(tr("signoff.confirm"), key=f"signoff_confirm_{cell}")
        st.button(
            tr("signoff.sign"),
            key=f"signoff_sign_{cell}",
            type="primary",
            icon=":material/verified:",
            disabled=not confirmed,
            on_click=forms.save,
            args=(FORM, sign(row.facility_id, row.facility, row.month)),
        )


def facility_block(facility_id: int, rows: pd.DataFrame) -> None:
    """The facility's months: completeness, quality counts and the sign-off of each."""
    with st.container(border=True, key=f"signoff_facility_{facility_id}"):
        st.subheader(rows["facility"].iloc[0], anchor=False)
        header = st.columns(COLUMNS)
        for column, label in zip(
            header, ("col.month", "page.data_quality", "quality.title", "page.signoff"), strict=True
        ):
            column.caption(f"**{tr(label)}**")
        for row in rows.itertuples():
            month_cell, state_cell, quality_cell, action_cell = st.columns(COLUMNS)
            month_cell.markdown(f"**{format_month(row.month, lang())}**")
            with state_cell:
                completeness_cell(row)
            quality_cell.markdown(
                tr(
                    "signoff.quality",
                    errors=format_number(row.errors, lang()),
                    warnings=format_number(row.warnings, lang()),
                )
            )
            with action_cell:
                signoff_cell(row)


if grid["facility_id"].nunique() <= FACILITIES_AT_ONCE:
    for facility_id, rows in grid.groupby("facility_id", sort=False):
        facility_block(facility_id, rows)
else:
    summary = signoff.summary(grid)
    st.caption(tr("signoff.many", count=format_number(len(summary), lang())))
    panels.table(
        summary.drop(columns=["facility_id"]),
        key="signoff_facilities",
        filename="pengesahan",
        column_config={
            "facility": st.column_config.TextColumn(tr("col.facility")),
            "to_sign": st.column_config.NumberColumn(tr("signoff.col.to_sign")),
            "signed": st.column_config.NumberColumn(tr("signoff.col.signed")),
            "incomplete": st.column_config.NumberColumn(tr("signoff.col.incomplete")),
            "errors": st.column_config.NumberColumn(tr("signoff.col.errors")),
        },
    )
    names = dict(zip(summary["facility_id"], summary["facility"], strict=True))
    picked = st.selectbox(tr("col.facility"), list(names), format_func=names.get, key="signoff_facility")
    facility_block(picked, grid[grid["facility_id"] == picked])
