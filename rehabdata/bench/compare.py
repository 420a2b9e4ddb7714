"""Whether two KPI frames hold the same answer, whatever engine computed them and with which dtypes."""

import numpy as np
import pandas as pd

TOLERANCE = 1e-9
"""Floats are equal within this relative or absolute difference."""

_NUMERIC_KINDS = {"integer", "floating", "mixed-integer-float", "decimal", "boolean", "empty"}


def same_result(expected: pd.DataFrame, actual: pd.DataFrame) -> str | None:
    """None when both frames hold the same rows, else a short description of the first difference.

    Column order, row order and dtypes do not matter: numbers compare as floats (``int64``, ``Int64``
    and integral floats alike, within ``TOLERANCE``), and None, NaN and ``pd.NA`` are all "missing".
    Rows are matched by sorting on the key columns first: text and integral numbers.
    """
    missing = sorted(set(expected.columns) - set(actual.columns))
    unexpected = sorted(set(actual.columns) - set(expected.columns))
    if missing or unexpected:
        return f"columns differ: missing {missing}, unexpected {unexpected}"
    if len(expected) != len(actual):
        return f"{len(expected)} rows expected, got {len(actual)}"
    columns = list(expected.columns)
    numeric = {c for c in columns if _is_numeric(expected[c]) and _is_numeric(actual[c])}
    left, right = _normalised(expected, numeric), _normalised(actual[columns], numeric)
    keys = [c for c in columns if c not in numeric or (_integral(left[c]) and _integral(right[c]))]
    order = [*keys, *(c for c in columns if c not in keys)]
    left, right = (
        frame.sort_values(order, na_position="last", kind="stable").reset_index(drop=True)
        for frame in (left, right)
    )
    for column in columns:
        want, got = left[column].to_numpy(), right[column].to_numpy()
        if column in numeric:
            limit = np.maximum(TOLERANCE, TOLERANCE * np.maximum(np.abs(want), np.abs(got)))
            equal = (np.isnan(want) & np.isnan(got)) | (np.abs(want - got) <= limit)
        else:
            equal = want == got  # None == None on object arrays
        if not equal.all():
            row = int(np.flatnonzero(~equal)[0])
            labels = [c for c in keys if c != column and (c not in numeric or c.endswith("_id"))]
            where = ", ".join(f"{c}={_shown(left.at[row, c])}" for c in labels) or "no key columns"
            return f"column {column!r}, row {row} ({where}): expected {_shown(want[row])}, got {_shown(got[row])}"
    return None


def _is_numeric(column: pd.Series) -> bool:
    return pd.api.types.infer_dtype(column, skipna=True) in _NUMERIC_KINDS


def _normalised(frame: pd.DataFrame, numeric: set[str]) -> pd.DataFrame:
    """Numeric columns as ``float64`` with NaN for missing; the others as objects with None for missing."""
    return pd.DataFrame(
        {
            column: values.to_numpy(dtype="float64", na_value=np.nan)
            if column in numeric
            else pd.Series(np.where(values.isna(), None, values.to_numpy(dtype=object)), dtype=object)
            for column, values in frame.items()
        }
    )


def _integral(column: pd.Series) -> bool:
    values = column.to_numpy()
    return bool(np.all(np.isnan(values) | (values == np.round(values))))


def _shown(value: object) -> str:
    """A cell as a reader wants it: ``3`` rather than ``np.float64(3.0)``."""
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return repr(value.item() if isinstance(value, np.generic) else value)
