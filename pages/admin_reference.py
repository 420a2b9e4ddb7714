"""UPT & Kerja Sama (admin): regions and Kanwil, facilities, partners, agreements and their targets."""

from typing import Any

import streamlit as st
from sqlmodel import Session

from rehabdata import organisation
from rehabdata.models import (
    Agreement,
    AgreementKind,
    AgreementScopeItem,
    Facility,
    FacilityType,
    Partner,
    Region,
    Role,
    ScopeMetric,
)
from rehabdata.ui.context import engine, tr
from rehabdata.ui.data import require_principal
from rehabdata.ui.record_editor import Field, record_editor

principal = require_principal()
st.title(tr("page.reference"))
if principal.role != Role.ADMIN:
    st.error(tr("scope.denied"))
    st.stop()
st.caption(tr("reference.intro"))

with Session(engine()) as session:
    regions = organisation.reference_rows(session, Region)
    partners = organisation.reference_rows(session, Partner)
    facilities = organisation.reference_rows(session, Facility)
    agreements = organisation.reference_rows(session, Agreement)


def names(rows: list[dict[str, Any]]) -> dict[int, str]:
    """Active records as choices: id → name."""
    return {int(row["id"]): row["name"] for row in rows if row["active"]}


def saver(save: Any, id_name: str) -> Any:
    """A save callback for the editor: the service's write, and its message in the user's language."""

    def run(session: Session, values: dict[str, Any], row_id: int | None) -> str:
        row = save(session=session, principal=principal, data=values, **{id_name: row_id})
        label = getattr(row, "name", None) or getattr(row, "title", None) or row.description
        return tr("reference.saved" if row_id else "reference.created", name=label)

    return run


def toggler(model: type) -> Any:
    def run(session: Session, row_id: int, active: bool) -> str:
        row = organisation.set_active(
            session=session, principal=principal, model=model, row_id=row_id, active=active
        )
        label = getattr(row, "name", None) or getattr(row, "title", None) or row.description
        return tr("reference.reactivated" if active else "reference.deactivated", name=label)

    return run


CODE = Field("code", help_key="reference.code_help", fixed_once_saved=True)
region_names, partner_names = names(regions), names(partners)
region_tab, facility_tab, partner_tab, agreement_tab, scope_tab = st.tabs(
    [tr(f"reference.tab.{name}") for name in ("regions", "facilities", "partners", "agreements", "scope")],
    key="reference_tab",
    on_change="rerun",  # the open tab is kept across reruns: a save shows its outcome where it was made
)
with region_tab:
    record_editor(
        form="reference_region",
        rows=regions,
        fields=(CODE, Field("name"), Field("province"), Field("kanwil")),
        columns={n: tr(f"field.{n}") for n in ("code", "name", "province", "kanwil", "active")},
        save=saver(organisation.save_region, "region_id"),
        toggle=toggler(Region),
    )
with facility_tab:
    record_editor(
        form="reference_facility",
        rows=[{**f, "region": region_names.get(f["region_id"], "")} for f in facilities],
        fields=(
            CODE,
            Field("name"),
            Field("facility_type", "choice", {t: tr(f"facility_type.{t}") for t in FacilityType}),
            Field("facility_class"),
            Field("region_id", "choice", region_names),
            Field("partner_id", "choice", partner_names, optional=True),
            Field("regency"),
            Field("capacity", "number"),
        ),
        columns={
            **{n: tr(f"field.{n}") for n in ("code", "name", "facility_class", "regency", "capacity")},
            "region": tr("field.region_id"),
            "active": tr("field.active"),
        },
        save=saver(organisation.save_facility, "facility_id"),
        toggle=toggler(Facility),
    )
with partner_tab:
    record_editor(
        form="reference_partner",
        rows=[{**p, "region": region_names.get(p["region_id"], "")} for p in partners],
        fields=(CODE, Field("name"), Field("region_id", "choice", region_names)),
        columns={
            **{n: tr(f"field.{n}") for n in ("code", "name")},
            "region": tr("field.region_id"),
            "active": tr("field.active"),
        },
        save=saver(organisation.save_partner, "partner_id"),
        toggle=toggler(Partner),
    )
with agreement_tab:
    record_editor(
        form="reference_agreement",
        rows=[{**a, "partner": partner_names.get(a["partner_id"], "")} for a in agreements],
        fields=(
            CODE,
            Field("kind", "choice", {k: tr(f"agreement_kind.{k}") for k in AgreementKind}),
            Field("number"),
            Field("title"),
            Field("partner_id", "choice", partner_names),
            Field("region_id", "choice", region_names),
            Field("facility_ids", "choices", names(facilities)),
            Field("discussed_on", "date"),
            Field("signed_on", "date"),
            Field("ends_on", "date"),
            Field("place_signed"),
        ),
        columns={
            **{n: tr(f"field.{n}") for n in ("code", "number", "title", "signed_on", "ends_on")},
            "partner": tr("field.partner_id"),
            "active": tr("field.active"),
        },
        save=saver(organisation.save_agreement, "agreement_id"),
        toggle=toggler(Agreement),
        describe=lambda row: f"{row['kind'].upper()} · {row['title']}",
    )
with scope_tab:
    if not agreements:
        st.info(tr("reference.no_agreement"))
    else:
        titles = {int(a["id"]): f"{a['kind'].upper()} · {a['title']}" for a in agreements}
        agreement_id = st.selectbox(
            tr("reference.agreement"), list(titles), format_func=titles.get, key="reference_scope_agreement"
        )
        with Session(engine()) as session:
            items = organisation.reference_rows(session, AgreementScopeItem, agreement_id=agreement_id)

        def save_item(session: Session, values: dict[str, Any], item_id: int | None) -> str:
            return saver(organisation.save_scope_item, "item_id")(
                session, {**values, "agreement_id": agreement_id}, item_id
            )

        record_editor(
            form=f"reference_scope_{agreement_id}",
            rows=items,
            fields=(
                CODE,
                Field("description"),
                Field("metric", "choice", {m: tr(f"metric.{m}") for m in ScopeMetric}),
                Field("target", "number"),
                Field("unit"),
                Field("due_on", "date"),
            ),
            columns={
                n: tr(f"field.{n}") for n in ("code", "description", "target", "unit", "due_on", "active")
            },
            save=save_item,
            toggle=toggler(AgreementScopeItem),
            describe=lambda row: str(row["description"]),
        )
