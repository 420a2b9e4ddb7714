"""Impor Data: choose a kind, download its template, upload a file, see every problem, import all or nothing."""

import pandas as pd
import streamlit as st
from sqlmodel import Session

from rehabdata import importer
from rehabdata.ui import forms, panels
from rehabdata.ui.context import engine, lang, tr
from rehabdata.ui.data import demo_flag, require_principal
from rehabdata.validation import Problem, ValidationFailed

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

principal = require_principal()
st.title(tr("page.import"))
kinds = importer.kinds_for(principal)
if not principal.sees_participants or not kinds:
    st.error(tr("scope.denied"))
    st.stop()

st.caption(tr("import.intro"))
if demo_flag():
    st.warning(tr("import.demo_database"), icon=":material/science:")
kind = st.selectbox(tr("import.kind"), kinds, format_func=lambda k: tr(f"import.kind.{k}"), key="import_kind")
st.info(tr(f"import.layout.{kind}"), icon=":material/table_view:")
left, right = st.columns(2)
left.download_button(
    tr("import.template_csv"),
    importer.template_csv(kind),
    file_name=f"templat_{kind}.csv",
    mime="text/csv",
    icon=":material/download:",
    on_click="ignore",
    key="import_template_csv",
)
right.download_button(
    tr("import.template_xlsx"),
    importer.template_xlsx(kind, lang()),
    file_name=f"templat_{kind}.xlsx",
    mime=XLSX_MIME,
    icon=":material/download:",
    on_click="ignore",
    key="import_template_xlsx",
)
st.caption(tr("import.delete_example"))
with st.expander(tr("import.guide")):
    guide = pd.DataFrame(importer.guide(kind, lang()))
    guide["required"] = [tr("import.yes") if needed else tr("import.no") for needed in guide["required"]]
    guide["example"] = guide["example"].astype("string").fillna("")
    st.dataframe(
        guide.rename(columns={key: tr(f"import.guide.{key}") for key in guide.columns}),
        hide_index=True,
        key="import_guide",
    )
    st.markdown(f"**{tr('import.codes')}**")
    with Session(engine()) as session:
        codes = pd.DataFrame(importer.reference_codes(session, principal))
    codes["kind"] = [tr(f"import.code_kind.{kind_of_code}") for kind_of_code in codes["kind"]]
    headers = {"kind": tr("import.kind"), "code": tr("import.code"), "name": tr("import.name")}
    st.dataframe(codes.rename(columns=headers), hide_index=True, key="import_codes")

upload = st.file_uploader(
    tr("import.file"), type=["csv", "xlsx", "txt"], help=tr("import.file_help"), key="import_file"
)
if upload is None:
    st.stop()

data, filename = upload.getvalue(), upload.name
with Session(engine()) as session:
    plan = importer.plan(session, principal, kind, data, filename)
if plan.preview:
    st.caption(tr("import.preview", shown=len(plan.preview), rows=plan.rows))
    st.dataframe(pd.DataFrame(plan.preview), hide_index=True, key="import_preview")
if plan.problems:
    st.error(tr("import.problems", count=len(plan.problems)), icon=":material/error:")
    st.dataframe(
        pd.DataFrame(importer.problem_rows(plan.problems, lang())), hide_index=True, key="import_problems"
    )
else:
    st.info(
        f"{tr('import.ready', rows=plan.rows)} {importer.summary(plan, lang())}", icon=":material/fact_check:"
    )


def run(session: Session) -> str:
    """Check the file again inside the write transaction and import it; refused if it no longer passes."""
    result = importer.import_file(session, principal, kind, data, filename)
    if not result.ok:
        raise ValidationFailed([Problem("__all__", "import.changed")])
    st.session_state[PASSWORDS_KEY] = result.passwords
    return f"{tr('import.done')} {importer.summary(result, lang())}"


PASSWORDS_KEY = "import_new_passwords"  # shown once, on the run right after the import
FORM = f"import_{upload.file_id}"  # the outcome belongs to this upload, not to the next file
st.button(
    tr("import.run"),
    type="primary",
    disabled=not plan.ok,
    on_click=forms.save,
    args=(FORM, run),
    key="import_submit",
)
forms.outcome(FORM, ())
passwords = st.session_state.pop(PASSWORDS_KEY, None)
if passwords:
    st.warning(tr("import.passwords"), icon=":material/key:")
    shown = pd.DataFrame(
        {tr("login.username"): list(passwords), tr("login.password"): list(passwords.values())}
    )
    st.dataframe(shown, hide_index=True, key="import_passwords")
    panels.download(shown, key="import_passwords", filename="kata_sandi_awal")
