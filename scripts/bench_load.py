"""Load benchmark of Phare through its real channels (REST web chat and signed SMS).

Starts its own stack (one or two Rasa instances; SQLite, or PostgreSQL + Redis
with --postgres), simulates N concurrent residents for a set duration (or a
set number of turns), and prints start-up time, messages per second,
p50/p95/p99 latency, errors, and CPU and memory per process.

    python scripts/bench_load.py --web 1 --turns 30            # one conversation
    python scripts/bench_load.py --web 20 --duration 30        # 20 concurrent
    python scripts/bench_load.py --web 10 --sms 10 --instances 2 --postgres --duration 60

Traffic goes only to 127.0.0.1; every loop is bounded by count and time.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchlib import free_port, percentile  # noqa: E402

from bot.launcher import Ports, Stack, rasa_command, runtime_endpoints, start_stack, wait_ready, wait_stack  # noqa: E402
from directory.seed import prepare_database  # noqa: E402

SMS_TOKEN = "bench-auth-token-0123456789"
SMS_BASE = "https://phare.example.org"

# What simulated residents say, turn after turn.
SCRIPTS = [
    ["bonjour", "jai besoin de bouffe", "trois pistoles", "c'est tu ouvert?", "merci"],
    ["y a tu un frigo libre-service à Matane?", "pis de la bouffe?", "et à Rimouski?", "merci bye"],
    ["chu tout seul pis jaimerais parler a quelqu'un", "G5L 3A1", "en as-tu d'autres", "merci"],
    ["des repas pour ma mere a Amqui", "es-tu un robot?", "ok merci"],
    ["c quoi la meteo demain", "jai faim", "st-pascal", "bonne journee"],
]


@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=lambda: {"web": [], "sms": []})
    errors: dict[str, int] = field(default_factory=lambda: {"web": 0, "sms": 0})


def proc_stats(pid: int) -> tuple[float, float]:
    """(CPU seconds, RSS MiB) of a process and its children, from /proc."""
    cpu, rss = 0.0, 0.0
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    tick = os.sysconf("SC_CLK_TCK")
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            cpu += (int(fields[11]) + int(fields[12])) / tick
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    rss += int(line.split()[1]) / 1024
        except OSError:
            continue
    return cpu, rss


async def timed_post(client: httpx.AsyncClient, kind: str, results: Results, answered: Callable[[httpx.Response], bool],
                     url: str, **request) -> None:
    """One message: its latency if it was answered, else one more error."""
    start = time.perf_counter()
    try:
        response = await client.post(url, **request)
    except httpx.HTTPError:
        results.errors[kind] += 1
        return
    if response.status_code != 200 or not answered(response):
        results.errors[kind] += 1
        return
    results.latencies[kind].append(time.perf_counter() - start)


async def web_resident(client: httpx.AsyncClient, base: str, script: list[str], results: Results) -> None:
    sender = str(uuid.uuid4())  # the widget's id format
    for text in script:
        await timed_post(client, "web", results, lambda r: bool(r.json()), f"{base}/webhooks/rest/webhook",
                         json={"sender": sender, "message": text})


async def sms_resident(client: httpx.AsyncClient, base: str, script: list[str], results: Results) -> None:
    from twilio.request_validator import RequestValidator

    validator = RequestValidator(SMS_TOKEN)
    phone = f"+1418{random.randint(2000000, 9999999)}"
    url = f"{SMS_BASE}/webhooks/sms/webhook"
    for text in script:
        params = {"From": phone, "To": "+14185550100", "Body": text, "MessageSid": f"SM{uuid.uuid4().hex}",
                  "AccountSid": "AC" + "0" * 32, "NumMedia": "0"}
        headers = {"X-Twilio-Signature": validator.compute_signature(url, params),
                   "Content-Type": "application/x-www-form-urlencoded"}
        await timed_post(client, "sms", results, lambda r: "<Message>" in r.text, f"{base}/webhooks/sms/webhook",
                         content=urlencode(params), headers=headers)


async def drive(bases: list[str], web: int, sms: int, duration: float, max_turns: int, results: Results) -> float:
    deadline = time.monotonic() + duration
    turns = {"n": 0}

    async def loop(kind: str, index: int, client: httpx.AsyncClient) -> None:
        rng = random.Random(index)
        while time.monotonic() < deadline and turns["n"] < max_turns:
            script = rng.choice(SCRIPTS)
            turns["n"] += len(script)
            # Alternate instances turn by turn to exercise shared state.
            base = bases[index % len(bases)]
            if kind == "web":
                await web_resident(client, base, script, results)
            else:
                await sms_resident(client, base, script, results)

    started = time.monotonic()
    limits = httpx.Limits(max_connections=web + sms + 5)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        await asyncio.gather(*[loop("web", i, client) for i in range(web)],
                             *[loop("sms", i, client) for i in range(sms)])
    return time.monotonic() - started


def report(results: Results, elapsed: float, stack: Stack, before: dict[str, float]) -> None:
    total = sum(len(v) for v in results.latencies.values())
    print(f"\nDurée : {elapsed:.1f} s — {total} messages réussis — {total / elapsed:.1f} messages/s")
    for kind, values in results.latencies.items():
        if not values and not results.errors[kind]:
            continue
        ms = [v * 1000 for v in values] or [0.0]
        print(f"  {kind:<4} n={len(values):>5}  p50={statistics.median(ms):7.0f} ms  p95={percentile(ms, 95):7.0f} ms  "
              f"p99={percentile(ms, 99):7.0f} ms  max={max(ms):7.0f} ms  erreurs={results.errors[kind]}")
    print("  Processus (CPU pendant la charge, mémoire résidente) :")
    for name, process in stack.processes:
        cpu, rss = proc_stats(process.pid)
        print(f"    {name:<10} CPU={cpu - before.get(name, 0):6.1f} s  RSS={rss:6.0f} Mio")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--web", type=int, default=1, help="résidents simultanés sur le clavardage (REST)")
    parser.add_argument("--sms", type=int, default=0, help="résidents simultanés par texto (webhooks signés)")
    parser.add_argument("--duration", type=float, default=30.0, help="durée maximale en secondes")
    parser.add_argument("--turns", type=int, default=100_000, help="nombre maximal de messages")
    parser.add_argument("--instances", type=int, choices=(1, 2), default=1)
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL + Redis au lieu de SQLite")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="phare-bench-"))
    env = {"PHARE_VAR_DIR": str(work), "TWILIO_AUTH_TOKEN": SMS_TOKEN, "PHARE_SMS_PUBLIC_URL": SMS_BASE,
           "PHARE_SENDER_SECRET": "bench-secret", "PHARE_SMS_RATE_LIMIT": "100000/600", "PHARE_LOG_LEVEL": "WARNING"}
    cleanup = None
    if args.postgres:
        from sqlalchemy import create_engine, text

        name = f"phare_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine("postgresql://postgres@127.0.0.1:5432/test", isolation_level="AUTOCOMMIT", future=True)
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
        env["PHARE_DATABASE_URL"] = f"postgresql://postgres@127.0.0.1:5432/{name}"
        env["PHARE_REDIS_URL"] = "redis://127.0.0.1:6379/6"

        def cleanup() -> None:
            with admin.connect() as c:
                c.execute(text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"))
                c.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    else:
        env["PHARE_DATABASE_URL"] = f"sqlite:///{work / 'phare.db'}"
        env["PHARE_TRACKER_URL"] = f"sqlite:///{work / 'tracker.db'}"
    if args.instances == 2:
        # Two Rasa processes share conversations only safely with Redis locks.
        env.setdefault("PHARE_REDIS_URL", "redis://127.0.0.1:6379/6")
    prepare_database(env["PHARE_DATABASE_URL"])

    stacks: list[Stack] = []
    bases: list[str] = []
    try:
        started = time.monotonic()
        ports = Ports(rasa=free_port(), actions=free_port(), web=free_port())
        first = start_stack(ports, log_dir=work / "logs", extra_env=env, web=False)
        stacks.append(first)
        wait_stack(first, ports, timeout=300)
        print(f"Démarrage jusqu'à « prêt » : {time.monotonic() - started:.1f} s")
        bases.append(f"http://127.0.0.1:{ports.rasa}")
        if args.instances == 2:
            second_ports = Ports(rasa=free_port(), actions=ports.actions, web=free_port())
            second = Stack()
            second.start("rasa-2", rasa_command(second_ports.rasa, runtime_endpoints(ports)),
                         {**os.environ, **env, "RASA_TELEMETRY_ENABLED": "false"}, work / "logs")
            stacks.append(second)
            wait_ready(f"http://127.0.0.1:{second_ports.rasa}/webhooks/health/", second, 300)
            bases.append(f"http://127.0.0.1:{second_ports.rasa}")
        combined = Stack(processes=[p for s in stacks for p in s.processes])
        # Warm-up: the first turns load lazily-built parts.
        asyncio.run(drive(bases, 1, 0, 30, 5, Results()))
        before = {name: proc_stats(p.pid)[0] for name, p in combined.processes}
        results = Results()
        print(f"Charge : {args.web} web + {args.sms} SMS, {args.instances} instance(s) Rasa, "
              f"{'PostgreSQL + Redis' if args.postgres else 'SQLite'}")
        elapsed = asyncio.run(drive(bases, args.web, args.sms, args.duration, args.turns, results))
        report(results, elapsed, combined, before)
        return 1 if sum(results.errors.values()) else 0
    finally:
        for stack in reversed(stacks):
            stack.stop()
        if cleanup:
            cleanup()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
