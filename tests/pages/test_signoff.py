"""Pengesahan Bulanan under AppTest: a head signs off, the entry form is then locked, an admin reopens;
the filter bar's signed-only box and the meeting page's statement of signed months."""

from datetime import date

import pytest
from sqlmodel import Session, select

from rehabdata import signoff
from rehabdata.auth import create_user, hash_password, principal_for
from rehabdata.db import session_scope
from rehabdata.demo import DEMO_PASSWORD
from rehabdata.i18n import format_day
from rehabdata.models import AuditLog, Facility, MonthSignoff, Region, Role, User
from tests import factories as f
from tests.pages.apptest import ADMIN, metric, run_app
from tests.pages.entry_support import errors_under

PAGE = "pages/signoff.py"
AUGUST, SEPTEMBER = date(2025, 8, 1), date(2025, 9, 1)
SHOWING_OCTOBER = {"signoff_until": date(2025, 10, 1)}  # May–Oct 2025 on the page


@pytest.fixture
def site(app_env):
    """The known dataset with F1's head (karutan.f1) and staff (petugas.f1) besides the admin."""
    with session_scope(app_env.engine) as s:
        code = s.get(Facility, app_env.f1).code
        for username, role in (("karutan.f1", Role.PIMPINAN), ("petugas.f1", Role.PETUGAS)):
            create_user(
                session=s,
                username=username,
                role=role,
                password="",
                password_hash=hash_password(DEMO_PASSWORD),
                facility_codes=(code,),
            )
    return app_env


def sign(site, month: date, username: str = ADMIN) -> MonthSignoff:
    with session_scope(site.engine) as s:
        principal = principal_for(s, s.exec(select(User).where(User.username == username)).one())
        return signoff.sign_off(session=s, principal=principal, facility_id=site.f1, month=month)


def standing(site, month: date) -> MonthSignoff | None:
    with Session(site.engine) as s:
        return signoff.standing(s, site.f1, month)


def test_head_signs_after_confirming_and_the_population_form_is_then_locked(site):
    """The Sahkan button waits for the confirmation; the signed August then refuses a population entry."""
    at = run_app(SHOWING_OCTOBER, PAGE, username="karutan.f1")
    assert not at.exception
    assert [h.value for h in at.subheader] == ["F1"]  # only the head's own facility
    cell = f"{site.f1}_{AUGUST:%Y%m}"
    assert at.button(key=f"signoff_sign_{cell}").disabled
    at.checkbox(key=f"signoff_confirm_{cell}").check().run()
    at.button(key=f"signoff_sign_{cell}").click().run()
    assert not at.exception
    assert at.success.values == ["F1 Agu 2025 disahkan."]
    signed = standing(site, AUGUST)
    assert signed.signed_by == "karutan.f1"
    with Session(site.engine) as s:
        assert s.exec(select(AuditLog.action).where(AuditLog.entity == "month_signoff")).all() == ["signoff"]
    signed_day = format_day(signoff.local_time(signed.signed_at).date(), "id")
    assert any(f"Disahkan oleh karutan.f1, {signed_day} " in m.value for m in at.markdown)

    form = run_app({}, "pages/entry_population.py", username="petugas.f1")
    form.date_input(key="population_month").set_value(date(2025, 8, 20))
    form.number_input(key="population_total").set_value(100)
    form.number_input(key="population_narcotics").set_value(40)
    form.button(key="population_submit").click().run()
    assert errors_under(form, "population_month") == [
        f"Data F1 bulan Agu 2025 sudah disahkan oleh karutan.f1 pada {signed_day} dan terkunci. "
        "Minta admin membuka kembali bulan itu untuk mengubahnya."
    ]
    assert form.success.values == []


def test_admin_reopens_only_with_a_written_reason(site):
    """Reopening without a reason is refused under the page's outcome; with one, the month opens again."""
    sign(site, AUGUST, "karutan.f1")
    at = run_app(SHOWING_OCTOBER, PAGE)
    cell = f"{site.f1}_{AUGUST:%Y%m}"
    at.button(key=f"signoff_reopen_{cell}").click().run()
    assert at.error.values == ["Wajib diisi."]
    assert standing(site, AUGUST) is not None
    at.text_input(key=f"signoff_reason_{cell}").input("Populasi Agustus belum dimasukkan")
    at.button(key=f"signoff_reopen_{cell}").click().run()
    assert not at.exception
    assert at.success.values == ["F1 Agu 2025 dibuka kembali."]
    assert standing(site, AUGUST) is None
    assert any("Populasi Agustus belum dimasukkan" in c.value for c in at.caption)
    assert at.checkbox(key=f"signoff_confirm_{cell}").value is False  # it can be signed again


def test_only_heads_and_admins_have_the_page(site):
    """The page is in the navigation of a head and an admin, not of facility staff."""
    assert run_app({}, PAGE, username="karutan.f1").title[0].value == "Pengesahan Bulanan"
    staff = run_app({}, username="petugas.f1")
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        staff.switch_page(PAGE)


def test_signed_only_box_narrows_the_cards_and_the_link(site):
    """Ticking "Hanya data yang sudah disahkan" counts only F1's signed September (3 of 7 screenings)."""
    sign(site, SEPTEMBER)
    at = run_app({"filters_preset": "custom", "filters_from": SEPTEMBER, "filters_to": date(2025, 10, 31)})
    assert metric(at, "Skrining").value == "7"
    at.sidebar.checkbox(key="filters_signed").check().run()
    assert not at.exception
    assert metric(at, "Skrining").value == "3"
    assert at.query_params["signed"] == "1"


def test_meeting_page_states_the_signed_months(site):
    """The title slide and its source line say which months of the period are signed off."""
    sign(site, SEPTEMBER)
    with Session(site.engine) as s:
        code = s.get(Facility, site.f1).code
    state = {
        "meeting_kind": "facility",
        "meeting_facility": code,
        "meeting_period": "custom",
        "meeting_from": SEPTEMBER,
        "meeting_to": date(2025, 10, 31),
    }
    at = run_app(state, "pages/meeting.py")
    assert not at.exception
    sentence = "Bulan yang sudah disahkan: Sep 2025."
    assert sentence in [m.value for m in at.markdown]
    assert any(sentence in c.value for c in at.caption)


def test_many_facilities_a_table_and_the_picked_facility(site):
    """Beyond five facilities: a row each in a table, and the months of the one picked, signable."""
    with session_scope(site.engine) as s:
        region = s.get(Facility, site.f1).region_id
        for number in range(5):
            f.make_facility(s, s.get(Region, region), name=f"Rutan Tambahan {number}")
    at = run_app(SHOWING_OCTOBER, PAGE)
    assert not at.exception
    with Session(site.engine) as s:
        active = s.exec(select(Facility).where(Facility.active).order_by(Facility.name)).all()
    table = at.dataframe[0].value
    assert table["facility"].tolist() == [facility.name for facility in active]
    assert set(table["to_sign"]) == {6}  # May–Oct 2025 ended, none signed
    assert len(at.subheader) == 1
    at.selectbox(key="signoff_facility").set_value(site.f1).run()
    assert [h.value for h in at.subheader] == ["F1"]
    cell = f"{site.f1}_{AUGUST:%Y%m}"
    at.checkbox(key=f"signoff_confirm_{cell}").check().run()
    at.button(key=f"signoff_sign_{cell}").click().run()
    assert not at.exception
    assert standing(site, AUGUST).signed_by == ADMIN
    table = at.dataframe[0].value
    assert table.loc[table["facility"] == "F1", ["to_sign", "signed"]].values.tolist() == [[5, 1]]
