"""Benchmark of the directory: place resolution and search over generated services.

Prints p50/p95 latency (ms) and throughput; run with `make bench-directory`.
Uses its own temporary SQLite database, never the live one.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchlib import percentile
from sqlalchemy import insert, select

from directory.db import create_schema, make_engine, open_session
from directory.gazetteer import default_gazetteer
from directory.models import Category, Municipality, Organization, Schedule, Service, ServiceArea, service_category
from directory.search import TZ, search
from directory.seed import SeedReport, load_categories, load_geography

PLACE_INPUTS = [
    "Matane", "trois pistoles", "st-pascal", "Rimouski", "G5L 3A1", "la vallée", "Témis",
    "chu à st-jean de dieu depuis 2 ans", "y a tu un frigo libre-service à Matane?", "riviere du loup",
    "Sainte-Luce", "pohenegamook", "amqui", "le bic", "G0L 4K0", "kamouraska", "mont joli", "degelis",
]




def report(name: str, samples: list[float]) -> None:
    ms = [s * 1000 for s in samples]
    total = sum(samples)
    print(
        f"{name:<28} n={len(ms):>6}  p50={statistics.median(ms):6.2f} ms  p95={percentile(ms, 95):6.2f} ms  "
        f"max={max(ms):7.2f} ms  débit={len(ms) / total:8.0f}/s"
    )


def generate(session, count: int, rng: random.Random) -> None:
    categories = [c.id for c in session.execute(select(Category).where(Category.resident_facing)).scalars()]
    municipalities = session.execute(select(Municipality.id, Municipality.mrc_id)).all()
    mrcs = sorted({m for _, m in municipalities})
    org_id = "bench-org"
    session.execute(insert(Organization), [{"id": org_id, "name": "Organisme de test", "description": "", "source": "bench"}])
    services, links, areas, schedules = [], [], [], []
    for i in range(count):
        sid = f"bench-{i:05d}"
        services.append({"id": sid, "organization_id": org_id, "name": f"Service {i}", "description": "Service généré",
                         "status": "active", "source": "bench", "priority": 0,
                         "last_modified": dt.datetime(2026, 1, 1)})
        for cat in rng.sample(categories, k=rng.choice((1, 1, 2))):
            links.append({"service_id": sid, "category_id": cat})
        roll = rng.random()
        if roll < 0.02:
            areas.append({"id": f"a-{sid}", "service_id": sid, "scope": "region", "mrc_id": None, "municipality_id": None})
        elif roll < 0.5:
            areas.append({"id": f"a-{sid}", "service_id": sid, "scope": "mrc", "mrc_id": rng.choice(mrcs), "municipality_id": None})
        else:
            mun, mrc = rng.choice(municipalities)
            areas.append({"id": f"a-{sid}", "service_id": sid, "scope": "municipality", "municipality_id": mun, "mrc_id": mrc})
        schedules.append({"id": f"s-{sid}", "service_id": sid, "freq": "WEEKLY", "interval": 1, "byday": "MO,WE,FR",
                          "opens_at": dt.time(9), "closes_at": dt.time(16), "timezone": "America/Toronto",
                          "open_24_7": False, "closed_on_holidays": True})
    session.execute(insert(Service), services)
    session.execute(insert(service_category), links)
    session.execute(insert(ServiceArea), areas)
    session.execute(insert(Schedule), schedules)
    session.commit()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--services", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=2000)
    args = parser.parse_args()
    rng = random.Random(42)

    gazetteer = default_gazetteer()
    for text in PLACE_INPUTS:  # warm-up
        gazetteer.find_in_text(text)
    samples = []
    for i in range(args.rounds):
        text = PLACE_INPUTS[i % len(PLACE_INPUTS)]
        start = time.perf_counter()
        gazetteer.find_in_text(text)
        samples.append(time.perf_counter() - start)
    report("résolution de lieu", samples)

    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        create_schema(engine)
        with open_session(engine) as session:
            seed_report = SeedReport()
            load_geography(session, seed_report)
            load_categories(session, seed_report)
            session.commit()
            start = time.perf_counter()
            generate(session, args.services, rng)
            print(f"{args.services} services générés en {time.perf_counter() - start:.1f} s")
            categories = [c.id for c in session.execute(select(Category).where(Category.resident_facing)).scalars()]
            places = [p for p in gazetteer.all_municipalities()] + gazetteer.all_mrcs()
            now = dt.datetime(2026, 11, 30, 10, 0, tzinfo=TZ)
            for _ in range(50):
                search(session, rng.choice(categories), rng.choice(places), now=now, limit=3)
            samples, free_text = [], []
            for _ in range(args.rounds):
                need, place = rng.choice(categories), rng.choice(places)
                start = time.perf_counter()
                search(session, need, place, now=now, limit=3)
                samples.append(time.perf_counter() - start)
            report("recherche (catégorie)", samples)
            for _ in range(max(200, args.rounds // 4)):
                start = time.perf_counter()
                search(session, rng.choice(["bouffe", "frigo partagé", "popote roulante", "parler à quelqu'un"]),
                       rng.choice(PLACE_INPUTS[:7]), now=now, limit=3)
                free_text.append(time.perf_counter() - start)
            report("recherche (texte + lieu)", free_text)
        engine.dispose()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"RSS max du processus : {rss_mb:.0f} Mo (Python {sys.version.split()[0]}, {os.cpu_count()} cœurs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
