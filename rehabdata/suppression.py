"""Small-cell suppression for everything shown outside the team (meeting page, deck, workbook).

DESIGN §6: counts from 1 to ``threshold - 1`` are never shown. ``suppress`` is the one function
that applies the rule; the Rapat Koordinasi page, the PowerPoint deck and the Excel workbook all
show its output and nothing else.

Rules, for a tidy frame whose count, rate and total columns are named by the caller:

1. Primary: a count ``c`` with ``0 < c < threshold`` becomes ``"<5"`` (``small_marker``).
   Zero stays 0: a zero names nobody.
2. Complementary: a *line* is a total and the cells it adds up — a total column and its part
   columns in one row (``total_columns``), or a total row and the other rows in one count
   column (``total_rows``). When exactly one cell of a line is hidden, it could be recomputed
   from the others, so one more is hidden: the smallest non-zero shown part, else a zero part,
   else the total. Lines are checked again until none changes. Hidden-to-protect cells read
   ``"*"`` (``HIDDEN``): they are not small, so they must not read "<5".
3. Rates: a rate is shown only when its numerator and denominator are both shown (neither
   marker); otherwise it reads ``"*"``. A NaN rate (denominator 0, "no data") stays NaN.

Declare nested totals as a hierarchy of direct parts (``screenings = low + moderate_high`` and
``moderate_high = moderate + high``), not as two overlapping sums: the rule checks each declared
line on its own, so an undeclared difference of two totals would give a hidden cell away.
Numerator and denominator columns of a rate are count columns even if not listed in ``counts``.
Columns not named anywhere (labels, text) pass through unchanged. The threshold defaults to 5
and is set by ``REHAB_SUPPRESSION_THRESHOLD``.
"""

import math
import os
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

THRESHOLD_ENV = "REHAB_SUPPRESSION_THRESHOLD"
DEFAULT_THRESHOLD = 5
HIDDEN = "*"
"""A cell hidden so that a small cell cannot be recomputed, or a rate of a small count."""

Cell = tuple[Hashable, str]


@dataclass(frozen=True)
class Rate:
    """A rate column and the count columns it divides (``rate = numerator / denominator``)."""

    rate: str
    numerator: str
    denominator: str


def threshold() -> int:
    """The smallest count that may be shown: ``REHAB_SUPPRESSION_THRESHOLD`` or 5."""
    text = os.environ.get(THRESHOLD_ENV, "").strip()
    if not text:
        return DEFAULT_THRESHOLD
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"{THRESHOLD_ENV} must be a whole number, not {text!r}") from None
    if value < 1:
        raise ValueError(f"{THRESHOLD_ENV} must be at least 1, not {value}")
    return value


def small_marker(limit: int | None = None) -> str:
    """What a count below the threshold reads: ``"<5"``."""
    return f"<{limit or threshold()}"


def is_marker(value: object) -> bool:
    """Whether a display value is a suppression marker rather than a number."""
    return isinstance(value, str) and (value == HIDDEN or value.startswith("<"))


def _is_small(value: object, limit: int) -> bool:
    if value is None or isinstance(value, str):
        return False
    number = float(value)  # type: ignore[arg-type]
    return not math.isnan(number) and 0 < number < limit


def _lines(
    frame: pd.DataFrame,
    count_columns: Sequence[str],
    total_columns: Mapping[str, Sequence[str]],
    total_rows: Sequence[Hashable],
) -> list[tuple[list[Cell], Cell]]:
    """Every (parts, total) line of the table, rows first, then columns."""
    lines: list[tuple[list[Cell], Cell]] = []
    for total, parts in total_columns.items():
        lines += [([(row, part) for part in parts], (row, total)) for row in frame.index]
    others = [row for row in frame.index if row not in set(total_rows)]
    for row in total_rows:
        lines += [([(other, column) for other in others], (row, column)) for column in count_columns]
    return lines


def _protect(frame: pd.DataFrame, hidden: set[Cell], parts: list[Cell], total: Cell) -> Cell | None:
    """The cell to hide next in a line with exactly one hidden cell (None if nothing is left)."""
    shown = [cell for cell in parts if cell not in hidden and pd.notna(frame.at[cell])]
    nonzero = [cell for cell in shown if float(frame.at[cell]) != 0]
    for candidates in (nonzero, shown):
        if candidates:
            return min(candidates, key=lambda cell: float(frame.at[cell]))
    return None if total in hidden else total


def suppress(
    frame: pd.DataFrame,
    *,
    counts: Sequence[str] = (),
    rates: Sequence[Rate] = (),
    total_columns: Mapping[str, Sequence[str]] | None = None,
    total_rows: Sequence[Hashable] = (),
    limit: int | None = None,
) -> pd.DataFrame:
    """The display values of ``frame``: numbers where they may be shown, markers where not.

    ``counts``: count columns. ``rates``: rate columns with their numerator and denominator.
    ``total_columns``: total column → the columns of the same row it sums. ``total_rows``: index
    labels of rows that sum all the other rows, column by column. ``limit``: the threshold
    (default ``threshold()``). Returns a copy; count and rate columns hold numbers or markers.
    """
    limit = limit or threshold()
    total_columns = dict(total_columns or {})
    count_columns = list(
        dict.fromkeys(
            [*counts, *total_columns, *(p for ps in total_columns.values() for p in ps)]
            + [c for r in rates for c in (r.numerator, r.denominator)]
        )
    )
    missing = [c for c in [*count_columns, *(r.rate for r in rates)] if c not in frame.columns]
    if missing:
        raise KeyError(f"columns not in the frame: {missing}")
    hidden: set[Cell] = {
        (row, column)
        for column in count_columns
        for row, value in frame[column].items()
        if _is_small(value, limit)
    }
    primary = set(hidden)
    lines = _lines(frame, count_columns, total_columns, total_rows)
    changed = True
    while changed:
        changed = False
        for parts, total in lines:
            if sum(cell in hidden for cell in [*parts, total]) == 1:
                cell = _protect(frame, hidden, parts, total)
                if cell is not None:
                    hidden.add(cell)
                    changed = True
    shown = frame.copy()
    for column in [*count_columns, *(r.rate for r in rates)]:
        shown[column] = shown[column].astype(object)
    for cell in hidden:
        shown.at[cell] = small_marker(limit) if cell in primary else HIDDEN
    for rate in rates:
        for row in frame.index:
            if (row, rate.numerator) in hidden or (row, rate.denominator) in hidden:
                if pd.notna(frame.at[row, rate.rate]):
                    shown.at[row, rate.rate] = HIDDEN
    return shown


def numeric(display: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """A copy of a ``suppress`` result with ``columns`` as floats, markers as NaN (for charts)."""
    values = display.copy()
    for column in columns:
        values[column] = [math.nan if is_marker(v) or v is None else float(v) for v in display[column]]
    return values
