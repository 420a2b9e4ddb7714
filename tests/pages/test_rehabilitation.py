"""The Rehabilitasi page under AppTest shows exactly what the KPI functions return."""

from dataclasses import replace
from datetime import date

import pandas as pd

from rehabdata.i18n import format_number, format_rate
from rehabdata.kpis import Filters
from rehabdata.models import ProgrammeType
from tests.pages.apptest import metric, run_app

PAGE = "pages/rehabilitation.py"
H1_2026 = {"filters_preset": "custom", "filters_from": date(2026, 1, 1), "filters_to": date(2026, 6, 30)}
H1 = Filters(start=date(2026, 1, 1), end=date(2026, 6, 30))


def rate_card(
    frame: pd.DataFrame,
    rate: str = "rate",
    numerator: str = "numerator",
    denominator: str = "denominator",
    lang: str = "id",
) -> tuple[str, str]:
    """The value and the "x dari y" line a rate card shows for an ungrouped KPI frame."""
    row = frame.iloc[0]
    part, whole = (format_number(float(row[column]), lang) for column in (numerator, denominator))
    return format_rate(float(row[rate]), lang), f"{part} {'dari' if lang == 'id' else 'of'} {whole}"


def shown_card(at, label: str) -> tuple[str, str]:
    """A rate card's value and its "x dari y" line (the card's help text, also shown as a caption)."""
    card = metric(at, label)
    assert card.help in [caption.value for caption in at.main.caption], f"no caption {card.help!r}"
    return card.value, card.help


def test_cards_equal_kpi_functions(demo_env, demo_kpi):
    """Attendance, completion, drop-out and median-days cards show the KPI functions' values."""
    at = run_app(H1_2026, page=PAGE)
    assert not at.exception
    attendance = demo_kpi("attendance_rate", H1)
    outcomes = demo_kpi("programme_outcomes", H1)
    assert shown_card(at, "Tingkat kehadiran") == rate_card(attendance)
    assert shown_card(at, "Tingkat penyelesaian") == rate_card(outcomes)
    assert shown_card(at, "Tingkat putus program") == rate_card(
        outcomes, rate="dropout_rate", numerator="dropout_numerator"
    )
    assert metric(at, "Median hari dalam program").value == format_number(
        float(outcomes["median_days"].iloc[0]), "id"
    )
    released = int(outcomes["released"].iloc[0] + outcomes["transferred"].iloc[0])
    assert f"Bebas / dipindah (tidak dihitung gagal): {format_number(released, 'id')}" in [
        caption.value for caption in at.main.caption
    ]


def test_progress_cards_equal_kpi_functions(demo_env, demo_kpi):
    """Score change, risk-fell and negative-urine cards show the ``progress`` KPI's values."""
    at = run_app(H1_2026, page=PAGE)
    assert not at.exception
    progress = demo_kpi("progress", H1)
    change = float(progress["mean_score_change"].iloc[0])
    assert metric(at, "Perubahan skor ASSIST rata-rata").value == format_number(change, "id", decimals=1)
    assert shown_card(at, "Risiko menurun") == rate_card(progress)
    assert shown_card(at, "Tes urine negatif") == rate_card(
        progress, rate="urine_negative_rate", numerator="urine_negative", denominator="urine_tested"
    )


def test_outcomes_table_per_facility(demo_env, demo_kpi, facility_names):
    """The outcomes table has one row per facility with the KPI's completed and dropped-out counts."""
    at = run_app(H1_2026, page=PAGE)
    assert not at.exception
    expected = demo_kpi("programme_outcomes", H1, ("facility",))
    tables = [frame.value for frame in at.dataframe if "completed" in frame.value.columns]
    assert len(tables) == 1
    table = tables[0]
    assert table["facility"].tolist() == [facility_names[int(i)] for i in expected["facility_id"]]
    assert table["completed"].tolist() == expected["completed"].tolist()
    assert table["dropped_out"].tolist() == expected["dropped_out"].tolist()
    assert len(table) == len(facility_names)


def test_social_programme_filter(demo_env, demo_kpi):
    """Choosing the social programme turns the attendance card into the social-only attendance."""
    at = run_app({**H1_2026, "filters_programme": "social"}, page=PAGE)
    assert not at.exception
    social = rate_card(demo_kpi("attendance_rate", replace(H1, programme=ProgrammeType.SOCIAL)))
    assert social != rate_card(demo_kpi("attendance_rate", H1)), "social should differ from all programmes"
    assert shown_card(at, "Tingkat kehadiran") == social


def test_default_preset(demo_env, demo_kpi, default_filters):
    """With the default filters (last 3 months, everywhere) the attendance card shows that KPI."""
    at = run_app({"filters_preset": "last_3_months"}, page=PAGE)
    assert not at.exception
    attendance = demo_kpi("attendance_rate", default_filters)
    if not attendance["sessions"].sum():  # demo data older than the last 3 months
        assert any("Belum ada data" in info.value for info in at.info)
        return
    assert shown_card(at, "Tingkat kehadiran") == rate_card(attendance)


def test_english_labels_and_numbers(demo_env, demo_kpi):
    """Switching the language to English relabels the cards and formats their numbers in English."""
    at = run_app(H1_2026, page=PAGE)
    at.session_state["lang"] = "en"
    at.run()
    assert not at.exception
    attendance = demo_kpi("attendance_rate", H1)
    assert shown_card(at, "Attendance rate") == rate_card(attendance, lang="en")
    assert "Tingkat kehadiran" not in [m.label for m in at.metric]
