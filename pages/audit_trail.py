"""Jejak Audit (admin): every write, who made it and what changed; read-only, exportable as CSV."""

import json

import pandas as pd
import streamlit as st
from sqlmodel import Session

from rehabdata import audit, clock
from rehabdata.models import Role
from rehabdata.ui import panels
from rehabdata.ui.context import engine, tr
from rehabdata.ui.data import require_principal

AUDITED_ACTIONS = (
    *("create", "update", "delete", "import", "signoff", "reopen"),
    *("login", "login_failed", "lockout", "login_locked", "logout", "end_sessions", "export"),
)
principal = require_principal()
st.title(tr("page.audit"))
if principal.role != Role.ADMIN:
    st.error(tr("scope.denied"))
    st.stop()

left, middle, right = st.columns(3)
query = audit.AuditQuery(
    username=left.text_input(tr("login.username"), key="audit_username").strip().lower() or None,
    entity=middle.text_input(tr("audit.entity"), key="audit_entity").strip() or None,
    action=right.selectbox(
        tr("audit.action"),
        [None, *AUDITED_ACTIONS],
        key="audit_action",
    )
    or None,
)
with Session(engine()) as session:
    entries = audit.list_entries(session, principal, query)
frame = pd.DataFrame(
    [
        {
            "at": clock.local(entry.at).replace(tzinfo=None),  # shown as the users' wall-clock time
            "username": entry.username,
            "action": entry.action,
            "entity": entry.entity,
            "entity_id": entry.entity_id,
            "facility_id": entry.facility_id,
            "changes": json.dumps(entry.changes, ensure_ascii=False),
        }
        for entry in entries
    ],
    columns=["at", "username", "action", "entity", "entity_id", "facility_id", "changes"],
)
if frame.empty:
    panels.no_data()
    st.stop()
panels.table(
    frame,
    key="audit",
    filename="jejak_audit",
    column_config={
        "at": st.column_config.DatetimeColumn(
            tr("audit.at", zone=clock.zone_name()), format="D MMM YYYY, HH:mm:ss"
        ),
        "username": tr("login.username"),
        "action": tr("audit.action"),
        "entity": tr("audit.entity"),
        "changes": st.column_config.TextColumn(tr("audit.changes"), width="large"),
    },
)
