"""Pengguna (admin): create users, disable them, reset passwords, assign role and scope."""

import pandas as pd
import streamlit as st
from sqlmodel import Session

from rehabdata import auth, services
from rehabdata.db import session_scope
from rehabdata.models import Role
from rehabdata.ui import panels
from rehabdata.ui.context import engine, tr
from rehabdata.ui.data import facility_lookup_for, require_principal

principal = require_principal()
st.title(tr("page.users"))
if principal.role != Role.ADMIN:
    st.error(tr("scope.denied"))
    st.stop()

lookup = facility_lookup_for(principal)
facility_names = dict(zip(lookup["facility_code"], lookup["facility"], strict=True))
region_names = dict(zip(lookup["region_code"], lookup["region"], strict=False))


def show_error(error: Exception) -> None:
    """A refused change, in the user's language."""
    if isinstance(error, auth.UserError):
        st.error(tr(error.key, **error.params))
    else:
        st.error(tr("scope.denied"))


with Session(engine()) as session:
    users = pd.DataFrame(auth.user_overview(session))
panels.table(
    users.drop(columns=["user_id"]).assign(role=[tr(f"role.{r}") for r in users["role"]]),
    key="users",
    filename="pengguna",
    column_config={
        "username": tr("login.username"),
        "full_name": tr("user.full_name"),
        "email": "E-mail",
        "role": tr("user.role"),
        "is_active": st.column_config.CheckboxColumn(tr("user.active")),
        "locked": st.column_config.CheckboxColumn(tr("user.locked")),
        "scope": tr("user.scope"),
        "last_login_at": st.column_config.DatetimeColumn(tr("user.last_login"), format="D MMM YYYY, HH:mm"),
    },
)

new_tab, edit_tab = st.tabs([tr("user.create"), tr("user.edit")], key="users_tab", on_change="rerun")
with new_tab, st.form("create_user", clear_on_submit=False):
    username = st.text_input(tr("login.username"), key="new_username")
    full_name = st.text_input(tr("user.full_name"), key="new_full_name")
    email = st.text_input("E-mail", key="new_email")
    role = st.selectbox(tr("user.role"), list(Role), format_func=lambda r: tr(f"role.{r}"), key="new_role")
    facility_codes = st.multiselect(
        tr("filter.facility"), list(facility_names), format_func=facility_names.get, key="new_facilities"
    )
    region_codes = st.multiselect(
        tr("filter.region"), list(region_names), format_func=region_names.get, key="new_regions"
    )
    password = st.text_input(tr("login.password"), type="password", key="new_password")
    repeat = st.text_input(tr("user.password_again"), type="password", key="new_password_again")
    if st.form_submit_button(tr("user.create"), key="new_submit", type="primary"):
        if password != repeat:
            st.error(tr("user.passwords_differ"))
        else:
            try:
                with session_scope(engine()) as session:
                    services.create_user(
                        session=session,
                        principal=principal,
                        username=username,
                        role=Role(role),
                        password=password,
                        full_name=full_name,
                        email=email.strip().lower() or None,
                        facility_codes=tuple(facility_codes),
                        region_codes=tuple(region_codes),
                    )
            except (auth.UserError, auth.ScopeError) as error:
                show_error(error)
            else:
                st.success(tr("user.created", username=username.strip().lower()))

with edit_tab:
    chosen = st.selectbox(tr("login.username"), users["username"], key="edit_user")
    current = users.set_index("username").loc[chosen]
    scope_codes = [code for code in str(current["scope"]).split(", ") if code]
    with st.form("edit_user_form"):
        role = st.selectbox(
            tr("user.role"),
            list(Role),
            index=list(Role).index(Role(current["role"])),
            format_func=lambda r: tr(f"role.{r}"),
        )
        active = st.toggle(tr("user.active"), value=bool(current["is_active"]))
        facility_codes = st.multiselect(
            tr("filter.facility"),
            list(facility_names),
            default=[c for c in scope_codes if c in facility_names],
            format_func=facility_names.get,
        )
        region_codes = st.multiselect(
            tr("filter.region"),
            list(region_names),
            default=[c.removeprefix("wilayah:") for c in scope_codes if c.startswith("wilayah:")],
            format_func=region_names.get,
        )
        password = st.text_input(tr("user.new_password"), type="password", help=tr("user.new_password_help"))
        if st.form_submit_button(tr("user.save"), key="edit_submit", type="primary"):
            try:
                with session_scope(engine()) as session:
                    services.update_user(
                        session=session,
                        principal=principal,
                        user_id=int(current["user_id"]),
                        role=Role(role),
                        is_active=active,
                        password=password or None,
                        facility_ids=tuple(
                            int(i)
                            for i in lookup[lookup["facility_code"].isin(facility_codes)]["facility_id"]
                        ),
                        region_ids=tuple(
                            int(i)
                            for i in lookup[lookup["region_code"].isin(region_codes)][
                                "region_id"
                            ].drop_duplicates()
                        ),
                    )
            except (auth.UserError, auth.ScopeError) as error:
                show_error(error)
            else:
                st.success(tr("user.saved", username=chosen))
