"""Benchmark of the Alliance dashboard's work on a year of anonymous need-log rows (prints figures).

`python scripts/bench_dashboard.py [--rows 200000]`: a temporary SQLite database gets
--rows NeedLog rows over 52 weeks, 8 MRC, 12 categories, 2 channels and 5 kinds; then
the dashboard's query, pivots and three SVG charts run 5 times and the median is printed.
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from directory.db import create_schema, make_engine, open_session  # noqa: E402
from directory.models import NeedLog  # noqa: E402
from web.admin import charts, dashboard  # noqa: E402
from web.admin.stats import NeedFilters  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    args = parser.parse_args()
    rng = random.Random(17)
    mrcs = ["kamouraska", "la-matanie", "la-matapedia", "la-mitis", "les-basques", "rimouski-neigette",
            "riviere-du-loup", "temiscouata", None]
    categories = [f"cat-{i}" for i in range(12)]
    kinds = ["search"] * 16 + ["fallback", "fallback", "outside", "crisis", "language"]
    start = dt.date(2025, 12, 1)
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/bench.db")
        create_schema(engine)
        with engine.begin() as connection:
            connection.execute(NeedLog.__table__.insert(), [
                {"day": start + dt.timedelta(days=rng.randrange(364)), "mrc_id": rng.choice(mrcs),
                 "category_id": rng.choice(categories), "result_count": rng.choice([0, 0, 1, 2, 3, 5]),
                 "channel": rng.choice(["sms", "socketio"]), "kind": rng.choice(kinds)} for _ in range(args.rows)])
        names = {c: c for c in categories}
        timings = []
        for _ in range(5):
            began = time.perf_counter()
            with open_session(engine) as db:
                counts = dashboard.load_counts(db, NeedFilters())
            rows = dashboard.table_rows(counts, {}, names)
            svg = [charts.weekly_columns("s", dashboard.weekly_bars(counts)),
                   charts.horizontal_bars("m", dashboard.grouped_bars(counts, lambda c: c.mrc_id, {}, "?")),
                   charts.horizontal_bars("c", dashboard.grouped_bars(counts, lambda c: c.category_id, names, "?"))]
            timings.append(time.perf_counter() - began)
        engine.dispose()
    print(f"need_log rows: {args.rows}")
    print(f"grouped counts: {len(counts)}; table rows: {len(rows)}; SVG bytes: {sum(len(s) for s in svg)}")
    print(f"dashboard (query + pivots + 3 charts), median of 5: {statistics.median(timings) * 1000:.0f} ms "
          f"(min {min(timings) * 1000:.0f} ms, max {max(timings) * 1000:.0f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
