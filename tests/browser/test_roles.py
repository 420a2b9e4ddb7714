"""What each role sees in a real browser: sidebar pages and the facilities offered by the filter bar."""

import pytest

from rehabdata.i18n import t
from rehabdata.reference import FACILITIES
from tests.browser.session import log_in, open_page, wait_for_figure

NAMES = {facility["code"]: facility["name"] for facility in FACILITIES}
PEKALONGAN = [NAMES[c] for c in ("rutan-pemalang", "rutan-pekalongan", "lapas-pekalongan")]
SELECT_ALL = "Select all"  # Streamlit's own extra option in a multiselect dropdown
ADMIN_TITLES = (t("page.users", "id"), t("page.audit", "id"))


def expand_nav(page) -> None:
    """Show every sidebar link: Streamlit cuts a long navigation after 10 links behind "View N more"."""
    nav = page.get_by_test_id("stSidebarNav")
    nav.get_by_test_id("stSidebarNavLink").first.wait_for(state="visible")
    more = nav.get_by_test_id("stSidebarNavViewButton")
    if more.count() and "more" in more.inner_text():
        more.click()
        more.filter(has_text="less").wait_for(state="visible")


def nav_titles(page) -> list[str]:
    """All page titles in the sidebar navigation (a link's text is "<icon ligature>\\n\\n<title>")."""
    expand_nav(page)
    links = page.get_by_test_id("stSidebarNav").get_by_test_id("stSidebarNavLink")
    return [text.strip().splitlines()[-1].strip() for text in links.all_inner_texts()]


def wait_idle(page) -> None:
    """Wait until the login's first script run has drawn the cards and finished."""
    wait_for_figure(page)
    page.get_by_test_id("stStatusWidget").wait_for(state="hidden")


def facility_options(page) -> list[str]:
    """The choices of the sidebar's facility ("UPT") filter, read from its opened dropdown."""
    from playwright.sync_api import expect

    box = (
        page.get_by_test_id("stSidebar")
        .get_by_test_id("stMultiSelect")
        .filter(has=page.get_by_text(t("filter.facility", "id"), exact=True))
    )
    field = box.get_by_role("combobox")
    for _ in range(3):  # a click landing while the sidebar re-renders can be lost: retry
        field.click()
        try:
            expect(field).to_have_attribute("aria-expanded", "true", timeout=3_000)
            break
        except AssertionError:
            continue
    options = page.get_by_role("listbox").get_by_role("option")
    # the facility options themselves, not only "Select all" (on a loaded machine they come later)
    options.filter(has_not_text=SELECT_ALL).first.wait_for(state="visible")
    names = [text.strip() for text in options.all_inner_texts() if text.strip() != SELECT_ALL]
    page.keyboard.press("Escape")
    expect(field).to_have_attribute("aria-expanded", "false")
    field.blur()
    return names


@pytest.mark.parametrize(
    ("username", "facilities"),
    [("kanwil.jateng", PEKALONGAN), ("petugas.kabanjahe", [NAMES["rutan-kabanjahe"]])],
)
def test_scoped_roles_see_only_their_facilities_and_no_admin_pages(page, demo_app, username, facilities):
    """Leadership (ex-Karesidenan Pekalongan) and Kabanjahe staff are offered only their facilities, no admin pages."""
    from playwright.sync_api import expect

    log_in(page, demo_app.url, username)
    wait_idle(page)
    assert sorted(facility_options(page)) == sorted(facilities)
    titles = nav_titles(page)
    assert t("page.overview", "id") in titles
    assert not set(ADMIN_TITLES) & set(titles), titles
    sidebar = page.get_by_test_id("stSidebar")
    for name in NAMES.values():  # the user menu lists the user's facilities, and only those
        if name in facilities:
            expect(sidebar).to_contain_text(name)
        else:
            expect(sidebar).not_to_contain_text(name)


def test_admin_sees_all_facilities_and_the_admin_pages(page, demo_app):
    """admin.demo is offered all four facilities and reaches Pengguna and Jejak Audit from the sidebar."""
    from playwright.sync_api import expect

    log_in(page, demo_app.url)
    wait_idle(page)
    assert sorted(facility_options(page)) == sorted(NAMES.values())
    titles = nav_titles(page)
    assert set(ADMIN_TITLES) <= set(titles)
    open_page(page, t("page.users", "id"))  # the links were expanded by nav_titles
    expect(page.get_by_test_id("stForm").first).to_be_visible()
    expect(page.get_by_text(t("scope.denied", "id"))).to_have_count(0)
    expand_nav(page)
    open_page(page, t("page.audit", "id"))
    expect(page.get_by_text(t("scope.denied", "id"))).to_have_count(0)
