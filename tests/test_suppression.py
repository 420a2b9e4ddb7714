"""Small-cell suppression: counts 1–4 hidden, rates of small counts hidden, totals that would give a cell away."""

import math
import re

import pandas as pd
import pytest

from rehabdata.suppression import HIDDEN, Rate, is_marker, numeric, suppress, threshold

NOT_COUNTS = re.compile(
    r"\d{1,2} \w{3,4} \d{4}"  # dates: 1 Okt 2026, 1 Sept 2026
    r"|\d{1,2}:\d{2}"  # times
    r"|[+\-−]\d[\d.,]*(?: pp)?"  # changes since the previous period: +3, -19,3 pp
    r"|\d[\d.,]*\s?%"  # percentages
)
SMALL_COUNT = re.compile(r"(?<![\w.,<])[1-4](?![\w.,])")


def small_counts(text: str) -> list[str]:
    """Counts from 1 to 4 written in ``text`` (dates, times, changes and percentages are not counts)."""
    return SMALL_COUNT.findall(NOT_COUNTS.sub(" ", text))


def test_scanner_finds_small_counts_only():
    """The scanner used on decks, pages and workbooks flags '3 orang' but not dates, rates or '<5'."""
    assert small_counts("Skrining: 3\nRendah 4 dari 12") == ["3", "4"]
    clean = "1 Okt 2026 – 31 Okt 2026 · 09:05 · 4,5% · +3 · -2,1 pp · <5 · 1.234 · P4GN · K3 2025 · 87,5"
    assert small_counts(clean) == []


def test_counts_zero_one_four_five():
    """0 stays 0, 1 and 4 read '<5', 5 and more are shown."""
    frame = pd.DataFrame({"count": [0, 1, 4, 5, 120]})
    assert suppress(frame, counts=["count"])["count"].tolist() == [0, "<5", "<5", 5, 120]


def test_rate_of_a_small_numerator_or_denominator_is_hidden():
    """A rate is shown only when its numerator and denominator both are; NaN (no data) stays NaN."""
    frame = pd.DataFrame({"n": [3, 10, 5, 0, 0], "d": [40, 4, 9, 20, 0]})
    frame["r"] = frame["n"] / frame["d"].where(frame["d"] > 0)
    shown = suppress(frame, rates=[Rate("r", "n", "d")])
    assert shown["n"].tolist() == ["<5", 10, 5, 0, 0]
    assert shown["d"].tolist() == [40, "<5", 9, 20, 0]
    assert shown["r"].tolist()[:4] == [HIDDEN, HIDDEN, 5 / 9, 0.0]
    assert math.isnan(shown["r"].iloc[4])


def test_total_row_that_would_reveal_a_hidden_cell():
    """Column line: with A=3 hidden and the total shown, B is hidden too (the next smallest cell)."""
    frame = pd.DataFrame(
        {"label": ["A", "B", "C", "Total"], "count": [3, 7, 40, 50]}, index=[0, 1, 2, "total"]
    )
    shown = suppress(frame, counts=["count"], total_rows=["total"])
    assert shown["count"].tolist() == ["<5", HIDDEN, 40, 50]


def test_total_column_that_would_reveal_a_hidden_cell():
    """Row line: low + moderate + high = total; moderate=2 hidden, so the next smallest (high) goes too."""
    frame = pd.DataFrame({"low": [20], "moderate": [2], "high": [6], "total": [28]})
    shown = suppress(frame, total_columns={"total": ["low", "moderate", "high"]})
    assert shown.iloc[0].tolist() == [20, "<5", HIDDEN, 28]


def test_zero_cells_are_skipped_when_choosing_the_complement():
    """The complementary cell is the smallest non-zero one: hiding a zero would protect nothing."""
    frame = pd.DataFrame({"a": [4], "b": [0], "c": [9], "d": [30], "total": [43]})
    shown = suppress(frame, total_columns={"total": ["a", "b", "c", "d"]})
    assert shown.iloc[0].tolist() == ["<5", 0, HIDDEN, 30, 43]


def test_total_is_hidden_when_no_other_cell_is_left():
    """A line whose only other part is zero hides its total instead."""
    frame = pd.DataFrame({"a": [3], "b": [0], "total": [3]})
    shown = suppress(frame, total_columns={"total": ["a", "b"]})
    assert shown.iloc[0].tolist() == ["<5", 0, "<5"]  # the total is 3: small itself


def test_complement_propagates_across_rows_and_columns():
    """Hiding a cell for one line re-checks the lines it belongs to until no line has one hidden cell."""
    frame = pd.DataFrame(
        {"a": [2, 10, 12], "b": [10, 10, 20], "total": [12, 20, 32]}, index=["x", "y", "total"]
    )
    shown = suppress(frame, total_columns={"total": ["a", "b"]}, total_rows=["total"])
    hidden = {(row, col) for row in shown.index for col in shown.columns if is_marker(shown.at[row, col])}
    assert ("x", "a") in hidden
    lines = [[("x", "a"), ("x", "b"), ("x", "total")], [("y", "a"), ("y", "b"), ("y", "total")]]
    lines += [[("x", c), ("y", c), ("total", c)] for c in ("a", "b", "total")]
    lines += [[("total", "a"), ("total", "b"), ("total", "total")]]
    assert all(sum(cell in hidden for cell in line) != 1 for line in lines)


def test_nested_totals_protect_the_difference():
    """screenings = low + moderate_high and moderate_high = moderate + high: low cannot be recomputed."""
    frame = pd.DataFrame(
        {"low": [3], "moderate": [12], "high": [7], "moderate_high": [19], "screenings": [22]}
    )
    shown = suppress(
        frame,
        total_columns={"screenings": ["low", "moderate_high"], "moderate_high": ["moderate", "high"]},
    )
    row = shown.iloc[0]
    assert row["low"] == "<5"
    assert not (isinstance(row["moderate_high"], int) and isinstance(row["screenings"], int))


def test_threshold_from_environment(monkeypatch):
    """REHAB_SUPPRESSION_THRESHOLD sets the threshold (default 5); nonsense is refused."""
    monkeypatch.delenv("REHAB_SUPPRESSION_THRESHOLD", raising=False)
    assert threshold() == 5
    monkeypatch.setenv("REHAB_SUPPRESSION_THRESHOLD", "10")
    frame = pd.DataFrame({"count": [4, 9, 10]})
    assert suppress(frame, counts=["count"])["count"].tolist() == ["<10", "<10", 10]
    monkeypatch.setenv("REHAB_SUPPRESSION_THRESHOLD", "zero")
    with pytest.raises(ValueError, match="whole number"):
        threshold()


def test_numeric_turns_markers_into_gaps():
    """Charts get NaN where a cell is suppressed, so no bar reveals it."""
    shown = suppress(pd.DataFrame({"count": [2, 8]}), counts=["count"])
    values = numeric(shown, ["count"])["count"].tolist()
    assert math.isnan(values[0]) and values[1] == 8.0


def test_unknown_column_is_an_error():
    """Naming a column the frame lacks fails loudly rather than showing it unsuppressed."""
    with pytest.raises(KeyError, match="nope"):
        suppress(pd.DataFrame({"count": [1]}), counts=["nope"])
