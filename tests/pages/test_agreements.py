"""The Kerja Sama page under AppTest shows exactly what ``agreement_delivery`` returns."""

from dataclasses import replace
from datetime import date

from sqlmodel import Session, select

from rehabdata import kpis
from rehabdata.db import session_scope
from rehabdata.i18n import format_number
from rehabdata.kpis import Filters
from rehabdata.models import Facility, Region, ScopeMetric
from tests import factories as f
from tests.pages.apptest import run_app

PAGE = "pages/agreements.py"
H1_2026 = {"filters_preset": "custom", "filters_from": date(2026, 1, 1), "filters_to": date(2026, 6, 30)}
H1 = Filters(start=date(2026, 1, 1), end=date(2026, 6, 30))


def expected_cards(engine, demo_kpi, filters: Filters) -> tuple[list[str], list[str], list[int]]:
    """Card titles, progress texts ("… — X dari target Y") and bar values, in the page's order."""
    with Session(engine) as session:
        agreements = kpis.agreement_list(session, filters)
    delivery = demo_kpi("agreement_delivery", filters)
    titles = [f"{a.kind.upper()} · {a.title}" for a in agreements.itertuples()]
    items = [
        item
        for agreement_id in agreements["agreement_id"]
        for item in delivery[delivery["agreement_id"] == agreement_id].itertuples()
    ]
    texts = [
        f"{i.description} — {format_number(i.delivered, 'id')} dari target {format_number(i.target, 'id')}"
        for i in items
    ]
    return titles, texts, [int(min(float(i.rate), 1.0) * 100) for i in items]


def shown_cards(at) -> tuple[list[str], list[str], list[int]]:
    bars = at.get("progress")
    return [s.value for s in at.subheader], [bar.text for bar in bars], [bar.value for bar in bars]


def test_two_agreement_cards_with_delivery(demo_env, demo_kpi):
    """Both agreements get a card, each scope item a bar reading 'X dari target Y' from agreement_delivery."""
    at = run_app(H1_2026, page=PAGE)
    assert not at.exception
    titles, texts, values = expected_cards(demo_env, demo_kpi, H1)
    assert len(titles) == 2
    assert len(texts) == len(demo_kpi("agreement_delivery", H1)) > 0
    assert shown_cards(at) == (titles, texts, values)
    assert len(at.get("plotly_chart")) == 2


def test_facility_filter_keeps_its_agreement(demo_env, demo_kpi, demo_codes):
    """Choosing Rutan Kabanjahe leaves only the agreement covering it, with the same delivery figures."""
    at = run_app({**H1_2026, "filters_facility": ["rutan-kabanjahe"]}, page=PAGE)
    assert not at.exception
    kabanjahe = replace(H1, facility_ids=(demo_codes("facility", "rutan-kabanjahe"),))
    titles, texts, values = expected_cards(demo_env, demo_kpi, kabanjahe)
    assert len(titles) == 1
    assert shown_cards(at) == (titles, texts, values)


def test_default_preset(demo_env, demo_kpi, default_filters):
    """With the default filters, delivery is counted from signing up to today, as agreement_delivery says."""
    at = run_app({"filters_preset": "last_3_months"}, page=PAGE)
    assert not at.exception
    assert shown_cards(at) == expected_cards(demo_env, demo_kpi, default_filters)


def test_before_signing_says_no_data(demo_env):
    """A period ending before any agreement was signed shows the 'no data' sentence, not empty cards."""
    at = run_app({**H1_2026, "filters_from": date(2024, 1, 1), "filters_to": date(2024, 12, 31)}, page=PAGE)
    assert not at.exception
    assert any("Belum ada data" in info.value for info in at.info)
    assert len(at.get("progress")) == 0


def test_many_agreements_a_table_and_the_picked_card(db):
    """Beyond CARDS_AT_ONCE agreements: one table row each and a single card, of the one picked."""
    with session_scope(db) as session:
        facility = session.exec(select(Facility).order_by(Facility.id)).first()
        partner = f.make_partner(session, session.get(Region, facility.region_id))
        for month in range(1, 6):
            f.make_agreement(
                session, partner, date(2025, month, 1), (facility,), items=((ScopeMetric.SCREENINGS, 10),)
            )
    period = {"filters_preset": "custom", "filters_from": date(2025, 8, 1), "filters_to": date(2025, 10, 31)}
    filters = Filters(start=date(2025, 8, 1), end=date(2025, 10, 31))
    with Session(db) as session:
        agreements = kpis.agreement_list(session, filters)
    assert len(agreements) > 5
    at = run_app(period, page=PAGE)
    assert not at.exception
    table = at.dataframe[0].value
    assert table["code"].tolist() == agreements["code"].tolist()
    assert len(at.get("plotly_chart")) == 1
    first, other = agreements.iloc[0], agreements.iloc[2]  # two of the five signed in 2025 H1
    assert [s.value for s in at.subheader] == [f"{first.kind.upper()} · {first.title}"]
    at.selectbox(key="agreements_pick").set_value(other.agreement_id).run()
    assert not at.exception
    assert [s.value for s in at.subheader] == [f"{other.kind.upper()} · {other.title}"]
    assert at.get("progress")[0].text.endswith(f"dari target {format_number(10, 'id')}")
