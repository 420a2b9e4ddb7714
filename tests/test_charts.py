"""Figure builders: one line per series up to MAX_SERIES, the rest merged into one 'others' line."""

import math

import pandas as pd
import pytest

from rehabdata.charts import MAX_SERIES, OTHERS_STYLE, largest_series, rate_trend, series_style

PERIODS = ("2026-01", "2026-02")


def trend_frame(denominators: dict[int, tuple[int, int]]) -> pd.DataFrame:
    """Region ``id`` → its denominators in the two periods; numerator = id (so rates differ)."""
    rows = [
        {
            "region_id": region,
            "region": f"Kanwil {region:02d}",
            "period": period,
            "numerator": region,
            "denominator": denominator,
            "rate": region / denominator if denominator else math.nan,
        }
        for region, pair in denominators.items()
        for period, denominator in zip(PERIODS, pair, strict=True)
    ]
    return pd.DataFrame(rows)


def draw(frame: pd.DataFrame, lang: str = "id"):
    return rate_trend(frame, series="region", series_id="region_id", title="Tren", lang=lang)


def test_few_series_one_line_each_with_rates_and_counts_in_the_hover():
    """Three regions: three lines named after them, the frame's rates, 'n dari d' in the hover."""
    frame = trend_frame({1: (10, 20), 2: (40, 40), 3: (30, 0)})
    figure = draw(frame)
    assert [trace.name for trace in figure.data] == ["Kanwil 01", "Kanwil 02", "Kanwil 03"]
    assert list(figure.data[0].x) == ["Jan 2026", "Feb 2026"]
    assert list(figure.data[1].y) == [2 / 40, 2 / 40]
    assert math.isnan(figure.data[2].y[1])  # no denominator: a gap, not zero
    assert figure.data[0].hovertext[1].endswith("1 dari 20")
    assert figure.data[1].line.color == series_style(2)["color"]


def test_many_series_keep_the_largest_and_merge_the_rest():
    """With more regions than MAX_SERIES: the MAX_SERIES - 1 largest by total denominator stay,
    the others become one line whose rate is their summed numerators over summed denominators."""
    count = MAX_SERIES + 3
    # region r has denominator 10 * r in January and 5 * r in February: larger ids are larger
    frame = trend_frame({region: (10 * region, 5 * region) for region in range(1, count + 1)})
    figure = draw(frame, lang="en")
    assert len(figure.data) == MAX_SERIES
    kept = list(range(count - MAX_SERIES + 2, count + 1))
    assert [trace.name for trace in figure.data[:-1]] == [f"Kanwil {r:02d}" for r in kept]
    others = figure.data[-1]
    merged = range(1, count - MAX_SERIES + 2)
    assert others.name == f"Others ({len(merged)})"
    assert others.line.color == OTHERS_STYLE["color"]
    january = sum(merged) / sum(10 * r for r in merged)
    february = sum(merged) / sum(5 * r for r in merged)
    assert list(others.y) == pytest.approx([january, february])
    assert others.hovertext[0].endswith(f"{sum(merged)} of {sum(10 * r for r in merged):,}")


def test_ties_in_size_keep_the_lower_ids():
    """Equal totals: the series kept do not depend on row order (lower database id first)."""
    frame = trend_frame({region: (10, 10) for region in range(1, MAX_SERIES + 2)})
    shuffled = frame.sample(frac=1, random_state=3)
    kept = largest_series(shuffled, series="region", series_id="region_id", lang="id")
    assert sorted(kept["region_id"].dropna().unique()) == list(range(1, MAX_SERIES))


def test_others_without_a_denominator_are_a_gap():
    """Merged series with no denominator in a period give NaN there, not a division by zero."""
    sizes = {region: (100, 100) for region in range(1, MAX_SERIES)}
    sizes |= {MAX_SERIES: (1, 0), MAX_SERIES + 1: (1, 0)}
    others = draw(trend_frame(sizes)).data[-1]
    assert others.y[0] == pytest.approx((MAX_SERIES + MAX_SERIES + 1) / 2)
    assert math.isnan(others.y[1])
