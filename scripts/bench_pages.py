"""Time each dashboard page with demo data: one cold run and the median/max of 5 warm runs.

    python scripts/bench_pages.py [--runs 5]

Builds a fresh demo database (SQLite, today's date), logs in as admin through the login form under
Streamlit's AppTest, and times each page's script run (queries, cache, charts; no browser paint).
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PAGES = (
    "pages/overview.py",
    "pages/screening.py",
    "pages/rehabilitation.py",
    "pages/comparison.py",
    "pages/outreach.py",
    "pages/agreements.py",
)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    directory = tempfile.mkdtemp(prefix="rehab-bench-")
    os.environ["REHAB_DATABASE_URL"] = f"sqlite:///{directory}/bench.db"
    os.environ["REHAB_DEMO_ON_EMPTY"] = "0"

    import streamlit as st

    from rehabdata.db import make_engine, upgrade_schema
    from rehabdata.demo import load_demo
    from tests.pages.apptest import run_app

    engine = make_engine(os.environ["REHAB_DATABASE_URL"])
    upgrade_schema(engine)
    load_demo(engine)
    print(f"{'page':28} {'cold ms':>8} {'warm median ms':>15} {'warm max ms':>12}")
    for page in PAGES:
        at = run_app({})  # logged in on Ringkasan
        st.cache_data.clear()  # cold: no cached KPI frame
        start = time.perf_counter()
        at.switch_page(page).run()
        cold = time.perf_counter() - start
        warm = []
        for _ in range(args.runs):
            start = time.perf_counter()
            at.run()
            warm.append(time.perf_counter() - start)
        assert not at.exception, at.exception
        print(f"{page:28} {cold * 1000:8.0f} {statistics.median(warm) * 1000:15.0f} {max(warm) * 1000:12.0f}")


if __name__ == "__main__":
    main()
