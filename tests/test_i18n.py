"""Translations and locale formats."""

import math
from datetime import date

import pytest

from rehabdata.i18n import MESSAGES, format_day, format_month, format_number, format_period, format_rate, t


def test_every_message_has_both_languages():
    """No key lacks an Indonesian or an English text."""
    missing = [key for key, texts in MESSAGES.items() if not texts.get("id") or not texts.get("en")]
    assert missing == []


def test_indonesian_is_default_and_english_on_request():
    """t() speaks Indonesian unless asked for English; placeholders are filled."""
    assert t("kpi.screenings") == "Skrining"
    assert t("kpi.screenings", "en") == "Screenings"
    assert t("kpi.of", "id", numerator="42", denominator="60") == "42 dari 60"


def test_unknown_key_is_visible():
    """A missing key shows itself rather than crashing a page."""
    assert t("no.such.key") == "no.such.key"


@pytest.mark.parametrize(
    ("value", "lang", "decimals", "expected"),
    [(1234, "id", 0, "1.234"), (1234, "en", 0, "1,234"), (1234.5, "id", 1, "1.234,5"), (None, "id", 0, "–")],
)
def test_format_number(value, lang, decimals, expected):
    """Thousands and decimal separators follow the language."""
    assert format_number(value, lang, decimals) == expected


def test_format_rate_and_no_data():
    """A rate is a percentage; a missing rate reads 'no data', never 0 %."""
    assert format_rate(0.705, "id") == "70,5%"
    assert format_rate(0.705, "en") == "70.5%"
    assert format_rate(math.nan, "id") == "tidak ada data"
    assert format_rate(None, "en") == "no data"


def test_format_dates():
    """Dates read '5 Agu 2025' in Indonesian."""
    assert format_day(date(2025, 8, 5), "id") == "5 Agu 2025"
    assert format_day(date(2025, 8, 5), "en") == "5 Aug 2025"
    assert format_month(date(2025, 8, 5), "id") == "Agu 2025"


def test_format_period_labels():
    """KPI period labels read as month names or quarters in the user's language."""
    assert format_period("2025-08", "id") == "Agu 2025"
    assert format_period("2025-08", "en") == "Aug 2025"
    assert format_period("2025-Q3", "id") == "K3 2025"
    assert format_period("2025-Q3", "en") == "Q3 2025"
