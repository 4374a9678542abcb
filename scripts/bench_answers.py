"""Benchmark and census of the answers residents read: every need at every MRC of the seeded directory.

For each (need, place) and each page, builds the structured answer and its
SMS; prints how long building and packing take (p50/p95, ms), the segments
used, and the share of first SMS that name a service with its phone (when the
answer has one). Uses its own temporary SQLite database, never the live one.

    .venv/bin/python scripts/bench_answers.py
"""
from __future__ import annotations

import collections
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchlib import percentile  # noqa: E402
from sqlalchemy import select  # noqa: E402

from actions import answers  # noqa: E402
from actions.answer_model import Answer  # noqa: E402
from bot.sms_render import render_answer  # noqa: E402
from directory.db import create_schema, make_engine, open_session  # noqa: E402
from directory.gazetteer import default_gazetteer  # noqa: E402
from directory.models import Category, Mrc  # noqa: E402
from directory.search import TZ, search  # noqa: E402
from directory.seed import seed_all  # noqa: E402


def main() -> None:
    work = tempfile.mkdtemp(prefix="phare-bench-answers-")
    engine = make_engine(f"sqlite:///{work}/phare.db")
    create_schema(engine)
    with open_session(engine) as session:
        seed_all(session)
        session.commit()
    now = dt.datetime(2026, 11, 30, 10, 0, tzinfo=TZ)
    gazetteer = default_gazetteer()
    build, pack = [], []
    segments = collections.Counter()
    first_with_phone = first_total = 0
    with open_session(engine) as session:
        categories = session.execute(select(Category.id)).scalars().all()
        mrcs = session.execute(select(Mrc.name)).scalars().all()
        for mrc in mrcs:
            place = gazetteer.resolve(f"MRC {mrc}").place or gazetteer.resolve(mrc).place
            for category in categories:
                outcome = search(session, category, place, now=now, limit=30)
                listed = answers.listing(outcome)
                for offset in range(0, len(listed) + answers.RESULTS_PER_ANSWER, answers.RESULTS_PER_ANSWER):
                    started = time.perf_counter()
                    answer = answers.results_answer(outcome, now, offset=offset, normal=offset == 0)
                    payload = answers.answer_message(answer).as_dispatch()["json_message"]
                    build.append(time.perf_counter() - started)
                    started = time.perf_counter()
                    rendered = render_answer(Answer.from_payload(payload))
                    pack.append(time.perf_counter() - started)
                    segments[rendered.segments] += 1
                    if offset == 0:
                        cards = [c for c in answer.all_services if c.phones]
                        if cards:
                            first_total += 1
                            first_with_phone += cards[0].phones[0].display in rendered.body
    ms = lambda xs, p: percentile([x * 1000 for x in xs], p)  # noqa: E731
    print(f"answers: {len(pack)} SMS over {len(mrcs)} MRC x {len(categories)} needs")
    print(f"build answer + payload: p50 {ms(build, 50):.2f} ms, p95 {ms(build, 95):.2f} ms")
    print(f"pack SMS (render_answer): p50 {ms(pack, 50):.2f} ms, p95 {ms(pack, 95):.2f} ms")
    print("segments: " + ", ".join(f"{k}: {v}" for k, v in sorted(segments.items())))
    print(f"first SMS naming a service with its phone (when one has a phone): {first_with_phone}/{first_total}")


if __name__ == "__main__":
    main()
