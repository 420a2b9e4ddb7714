"""Period presets and comparison periods."""

from datetime import date

import pytest

from rehabdata.periods import add_months, months_between, preset_range, previous_period

TODAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("preset", "expected"),
    [
        ("this_month", (date(2026, 11, 1), TODAY)),
        ("last_3_months", (date(2026, 9, 1), TODAY)),
        ("this_year", (date(2026, 1, 1), TODAY)),
        ("since_agreement", (date(2025, 8, 4), TODAY)),
    ],
)
def test_preset_ranges(preset, expected):
    """Each preset ends today and starts where its name says."""
    assert preset_range(preset, TODAY, agreement_start=date(2025, 8, 4)) == expected


def test_custom_has_no_fixed_range():
    """'custom' takes its dates from the user."""
    with pytest.raises(ValueError, match="no fixed range"):
        preset_range("custom", TODAY)


def test_previous_period_has_same_length():
    """1–31 Oct compares with the 31 days before it."""
    assert previous_period(date(2025, 10, 1), date(2025, 10, 31)) == (date(2025, 8, 31), date(2025, 9, 30))


def test_month_arithmetic_across_years():
    """Adding months wraps the year both ways."""
    assert add_months(date(2025, 11, 15), 3) == date(2026, 2, 1)
    assert add_months(date(2026, 1, 31), -2) == date(2025, 11, 1)
    assert months_between(date(2025, 11, 20), date(2026, 1, 2)) == [
        date(2025, 11, 1),
        date(2025, 12, 1),
        date(2026, 1, 1),
    ]
