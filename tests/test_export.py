"""CSV exports neutralise spreadsheet formula injection."""

import io

import pandas as pd
import pytest

from rehabdata.export import neutralise_cell, to_csv_bytes


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x","y")', "+1+1", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_formula_cells_become_text(text):
    """A cell starting with = + - @ tab or CR is prefixed with a quote."""
    assert neutralise_cell(text) == "'" + text


def test_numbers_and_plain_text_untouched():
    """Negative numbers stay numbers; ordinary text is unchanged."""
    assert neutralise_cell(-5) == -5
    assert neutralise_cell("Rutan Pemalang") == "Rutan Pemalang"


def test_csv_round_trip_is_inert():
    """A participant code '=HYPERLINK(...)' comes out of the CSV as inert text; numbers stay numeric."""
    frame = pd.DataFrame({"code": ['=HYPERLINK("http://evil")', "KBJ-2025-0001"], "count": [3, -1]})
    text = to_csv_bytes(frame).decode("utf-8-sig")
    back = pd.read_csv(io.StringIO(text))
    assert back["code"].tolist() == ['\'=HYPERLINK("http://evil")', "KBJ-2025-0001"]
    assert back["count"].tolist() == [3, -1]
