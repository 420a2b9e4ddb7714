"""Reporting periods: the filter bar's presets and the comparison period (pure functions)."""

from datetime import date, timedelta
from typing import Literal

Preset = Literal["this_month", "last_3_months", "this_year", "since_agreement", "custom"]
PRESETS: tuple[Preset, ...] = ("this_month", "last_3_months", "this_year", "since_agreement", "custom")


def month_start(day: date) -> date:
    """First day of ``day``'s month."""
    return day.replace(day=1)


def add_months(day: date, months: int) -> date:
    """First day of the month ``months`` after ``day``'s month (negative goes back)."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def preset_range(preset: Preset, today: date, agreement_start: date | None = None) -> tuple[date, date]:
    """The (start, end) dates of a preset, ending today; ``custom`` has no range of its own."""
    if preset == "this_month":
        return month_start(today), today
    if preset == "last_3_months":
        return add_months(today, -2), today
    if preset == "this_year":
        return date(today.year, 1, 1), today
    if preset == "since_agreement":
        return (agreement_start or date(today.year, 1, 1)), today
    raise ValueError(f"preset {preset!r} has no fixed range")


def previous_period(start: date, end: date) -> tuple[date, date]:
    """The period of the same length that ends the day before ``start``."""
    length = end - start
    previous_end = start - timedelta(days=1)
    return previous_end - length, previous_end


def months_between(start: date, end: date) -> list[date]:
    """First days of every month touched by [start, end]."""
    months, current = [], month_start(start)
    while current <= end:
        months.append(current)
        current = add_months(current, 1)
    return months
