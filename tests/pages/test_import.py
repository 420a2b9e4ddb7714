"""The Impor Data page under AppTest: templates, upload → preview → problems or import, and refusals.

AppTest drives ``st.file_uploader`` (``set_value((name, bytes, mime))``), so the whole flow runs
through the page itself; the importer's rules are tested in ``tests/test_importer.py``.
"""

import pytest
from sqlmodel import Session, func, select
from streamlit.testing.v1 import AppTest

from rehabdata import auth
from rehabdata.auth import Principal
from rehabdata.db import session_scope
from rehabdata.i18n import t
from rehabdata.models import AuditLog, Facility, Participant, Role
from rehabdata.ui import forms
from tests.pages.apptest import DASHBOARD, run_app

PAGE = "pages/entry_import.py"
HEADER = "kode_upt,kode_peserta,jenis_kelamin,tahun_lahir,status_hukum,tanggal_masuk\n"


@pytest.fixture
def f1_code(app_env) -> str:
    with Session(app_env.engine) as session:
        return session.get(Facility, app_env.f1).code


def participants_csv(f1_code: str, *rows: str) -> bytes:
    return (HEADER + "".join(f"{f1_code},{row}\n" for row in rows)).encode()


def upload(at: AppTest, data: bytes, name: str = "peserta.csv") -> AppTest:
    """Choose the participants kind and upload ``data``."""
    at.selectbox(key="import_kind").set_value("participants")
    return at.file_uploader(key="import_file").set_value((name, data, "text/csv")).run()


def frame(at: AppTest, column: str):
    """The first table on the page with ``column`` (st.dataframe without selection has no key in AppTest)."""
    frames = [element.value for element in at.dataframe if column in element.value.columns]
    assert frames, f"no table with column {column!r}"
    return frames[0]


def count_imported(engine) -> tuple[int, int]:
    with Session(engine) as session:
        participants = session.exec(select(func.count()).select_from(Participant)).one()
        audit = session.exec(select(func.count()).where(AuditLog.action == "import")).one()
    return participants, audit


def test_page_offers_kinds_templates_and_guide(app_env):
    """The admin sees the seven kinds (two for onboarding), a CSV and an XLSX template button, the
    column guide and the uploader."""
    at = run_app({}, page=PAGE)
    assert not at.exception
    assert [title.value for title in at.title] == ["Impor Data"]
    assert at.selectbox(key="import_kind").options == [
        "Peserta",
        "Skrining ASSIST",
        "Sesi & kehadiran",
        "Penjangkauan",
        "Populasi bulanan",
        "UPT (penyiapan)",
        "Pengguna (penyiapan)",
    ]
    labels = [button.label for button in at.get("download_button")]
    assert labels == ["Templat CSV", "Templat XLSX (dengan petunjuk)"]
    guide = frame(at, "Keterangan")
    assert list(guide["Kolom"])[:3] == ["kode_upt", "kode_peserta", "jenis_kelamin"]
    assert "L, P" in guide.loc[guide["Kolom"] == "jenis_kelamin", "Keterangan"].iloc[0]
    assert len(at.get("file_uploader")) == 1


def test_upload_preview_and_import(app_env, f1_code, monkeypatch):
    """A clean file shows a preview and '2 baru'; Import writes both rows, clears the caches, and says so."""
    cleared = []
    monkeypatch.setattr(forms, "clear_caches", lambda: cleared.append(True))
    before = count_imported(app_env.engine)
    at = upload(
        run_app({}, page=PAGE),
        participants_csv(
            f1_code, "IMP-0001,L,1990,tahanan,2025-08-01", "IMP-0002,P,1992,narapidana,02/08/2025"
        ),
    )
    assert not at.exception
    assert list(frame(at, "kode_peserta")["kode_peserta"]) == ["IMP-0001", "IMP-0002"]
    assert any("Peserta: 2 baru, 0 sudah ada." in info.value for info in at.info)
    assert at.button(key="import_submit").disabled is False
    at.button(key="import_submit").click().run()
    assert not at.exception
    assert [s.value for s in at.success] == ["Impor selesai. Peserta: 2 baru, 0 sudah ada."]
    assert cleared == [True]
    assert count_imported(app_env.engine) == (before[0] + 2, before[1] + 2)
    assert any("Peserta: 0 baru, 2 sudah ada." in info.value for info in at.info)  # the same file again


def test_problems_table_and_no_import(app_env, f1_code):
    """A file with wrong rows lists row, column and message, keeps Import disabled and writes nothing."""
    before = count_imported(app_env.engine)
    data = participants_csv(
        f1_code, "IMP-0003,X,1990,tahanan,2025-08-01", "IMP-0004,L,1990,tahanan,2099-01-01"
    )
    at = upload(run_app({}, page=PAGE), data)
    assert not at.exception
    assert [e.value for e in at.error] == [t("import.problems", "id", count=2)]
    table = frame(at, "Masalah")
    assert table.values.tolist() == [
        ["2", "jenis_kelamin", "Nilai “X” tidak diizinkan; pilih salah satu: L, P."],
        ["3", "tanggal_masuk", "Tanggal tidak boleh di masa depan."],
    ]
    assert at.button(key="import_submit").disabled is True
    assert count_imported(app_env.engine) == before


def test_english_and_wrong_kind(app_env, f1_code):
    """In English, a participants file chosen as screenings names the missing columns and the likely kind."""
    at = run_app({}, page=PAGE)
    at.session_state["lang"] = "en"
    at.selectbox(key="import_kind").set_value("screenings")
    at.file_uploader(key="import_file").set_value(
        ("x.csv", participants_csv(f1_code, "A-1,L,1990,tahanan,2025-08-01"), "text/csv")
    )
    at.run()
    messages = list(frame(at, "Problem")["Problem"])
    assert messages[0].startswith("Required columns missing: tanggal_skrining, petugas_skrining, zat.")
    assert messages[-1] == "This file looks like participants: choose the kind “Participants”."


def test_pimpinan_is_refused(app_env):
    """Opened by a leader (no participant-level access), the page shows only 'Anda tidak memiliki akses'."""
    at = AppTest.from_file(str(DASHBOARD.parent / PAGE), default_timeout=60)
    at.session_state["principal"] = Principal(1, "pimpinan", "", Role.PIMPINAN, frozenset({app_env.f1}))
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == [t("scope.denied", "id")]
    assert len(at.get("file_uploader")) == 0 and len(at.get("download_button")) == 0


def test_a_users_import_shows_each_new_password_once(app_env, f1_code):
    """Onboarding users through the page: the generated passwords are listed after the import and
    gone at the next click; each one logs its user in."""
    data = f"nama_pengguna,peran,kode_upt\npetugas.baru,petugas,{f1_code}\n".encode()
    at = run_app({}, page=PAGE)
    at.selectbox(key="import_kind").set_value("users")
    at.file_uploader(key="import_file").set_value(("pengguna.csv", data, "text/csv")).run()
    at.button(key="import_submit").click().run()
    assert not at.exception
    (shown,) = [f for f in at.dataframe if "Kata sandi" in f.value.columns]
    password = shown.value.set_index("Nama pengguna").loc["petugas.baru", "Kata sandi"]
    with session_scope(app_env.engine) as session:
        assert auth.authenticate(session, "petugas.baru", password) is not None
    at.run()
    assert not [f for f in at.dataframe if "Kata sandi" in f.value.columns]
