"""``python -m rehabdata bench``: runs every engine on the same rows and fails on any disagreement."""

import pandas as pd
import pytest

from rehabdata.bench import naive
from rehabdata.cli import main


@pytest.fixture
def known_url(known_data, monkeypatch):
    url = known_data.engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("REHAB_DATABASE_URL", url)
    return url


def test_bench_prints_every_page_and_agrees(known_url, capsys):
    """Each page's KPI set is timed on rehabdata, DuckDB and pandas, and every figure agrees."""
    assert main(["bench", "--database", known_url, "--runs", "2", "--end", "2025-10-31"]) == 0
    out = capsys.readouterr().out
    for page in ("overview", "screening", "rehabilitation", "comparison", "agreement delivery"):
        assert any(line.startswith(page) for line in out.splitlines()), out
    assert "every engine gave the same figures" in out
    assert "MISMATCH" not in out


def test_bench_fails_when_an_engine_disagrees(known_url, monkeypatch, capsys):
    """A pandas result off by one is reported and makes the benchmark fail."""
    compute = naive.compute

    def off_by_one(data, name, filters, by=()):
        frame = compute(data, name, filters, by)
        if name == "risk_distribution" and "numerator" in frame and len(frame):
            frame = frame.copy()
            frame.loc[frame.index[0], "numerator"] = frame["numerator"].iloc[0] + 1
        return frame

    monkeypatch.setattr(naive, "compute", off_by_one)
    assert main(["bench", "--database", known_url, "--runs", "1", "--end", "2025-10-31"]) == 1
    out = capsys.readouterr().out
    assert "MISMATCH" in out and "risk_distribution" in out and "pandas" in out


def test_bench_refuses_an_empty_database(engine, capsys):
    url = engine.url.render_as_string(hide_password=False)
    assert main(["bench", "--database", url]) == 2
    assert "empty" in capsys.readouterr().out


def test_duckdb_computes_the_aggregates_from_raw_rows(known_data):
    """DuckDB's daily aggregate tables are views over the raw rows, equal to the stored ones."""
    from sqlmodel import Session, SQLModel

    from rehabdata import aggregates
    from rehabdata.bench.duck import load_duckdb

    duck = load_duckdb(naive.NaiveData.load(known_data.engine))
    with Session(known_data.engine) as s:
        stored = aggregates.snapshot(s)
    with duck.connect() as connection:
        for table, frame in stored.items():
            if table.endswith("_month"):  # DuckDB's month views list day rows (same sums; see bench.duck)
                continue
            keys = [column.name for column in SQLModel.metadata.tables[table].primary_key.columns]
            viewed = pd.read_sql(f"SELECT * FROM {table} ORDER BY {', '.join(keys)}", connection)
            viewed["day"] = pd.to_datetime(viewed["day"]).dt.date
            pd.testing.assert_frame_equal(viewed[frame.columns], frame, check_dtype=False)
