"""Benchmark of the SMS path: signed Twilio webhook -> TwiML, with 1 and 20 concurrent senders.

Prints p50/p95/max latency (ms) per level of concurrency, the throughput, and
how many answers were the 211 "too late" message or errors. By default it
starts its own Phare (trained model, action server, Rasa server) on free ports
with a temporary directory database and tracker store; `--url` measures a
running Phare instead (then TWILIO_AUTH_TOKEN and PHARE_SMS_PUBLIC_URL must be
the server's). Run with `python scripts/bench_sms.py` (part of `make bench`).
"""
from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.channels.sms import TIMEOUT_TEXT  # noqa: E402
from bot.messages import TECHNICAL_PROBLEM  # noqa: E402
from bot.sms_text import cheapest, segment_info  # noqa: E402
from phare.settings import settings  # noqa: E402

sys.path.insert(0, str(ROOT / "scripts"))
import sms_simulator as simulator  # noqa: E402

# One resident's short conversation; every sender plays it, `rounds` times.
CONVERSATION = [
    "Bonjour",
    "bouffe a trois-pistoles",
    "PLUS",
    "y a tu un frigo libre-service à Matane?",
    "j'ai besoin de parler a quelqu'un, je suis a Rimouski",
    "aide",
    "merci",
]
from benchlib import free_port, percentile  # noqa: E402

BENCH_TOKEN = "bench-auth-token-0123456789"
BENCH_PUBLIC_URL = "https://phare.example.org"




async def play(client: httpx.AsyncClient, server: str, token: str, public_url: str, rounds: int,
               samples: list[float], outcomes: dict) -> None:
    number = f"+1418555{random.randint(0, 9999):04d}"
    url = simulator.webhook_url(public_url)
    for _ in range(rounds):
        for text in CONVERSATION:
            params = simulator.twilio_params(text, number, simulator.DEFAULT_TO)
            headers = {"X-Twilio-Signature": simulator.sign(token, url, params)}
            started = time.perf_counter()
            try:
                response = await client.post(simulator.webhook_url(server), data=params, headers=headers)
            except httpx.HTTPError:
                outcomes["http error"] = outcomes.get("http error", 0) + 1
                continue
            samples.append(time.perf_counter() - started)
            if response.status_code != 200:
                outcome = f"HTTP {response.status_code}"
            else:
                messages = simulator.twiml_messages(response.text)
                body = messages[0] if messages else ""
                if body == cheapest(TIMEOUT_TEXT):
                    outcome = "211 (trop lent)"
                elif body == cheapest(TECHNICAL_PROBLEM):
                    outcome = "211 (problème technique)"
                elif not body:
                    outcome = "vide"
                else:
                    outcome = "ok"
                    segments = segment_info(body).segments
                    outcomes["segments"] = max(outcomes.get("segments", 0), segments)
            outcomes[outcome] = outcomes.get(outcome, 0) + 1


async def level(server: str, token: str, public_url: str, senders: int, rounds: int) -> None:
    samples: list[float] = []
    outcomes: dict = {}
    limits = httpx.Limits(max_connections=senders + 5, max_keepalive_connections=senders + 5)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        started = time.perf_counter()
        await asyncio.gather(*(play(client, server, token, public_url, rounds, samples, outcomes)
                               for _ in range(senders)))
        total = time.perf_counter() - started
    if not samples:
        print(f"{senders:>3} expéditeur(s) : aucune réponse ({outcomes})")
        return
    ms = [s * 1000 for s in samples]
    widest = outcomes.pop("segments", 0)
    details = ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items()))
    print(f"{senders:>3} expéditeur(s) simultané(s)  n={len(ms):>4}  p50={statistics.median(ms):7.1f} ms  "
          f"p95={percentile(ms, 95):7.1f} ms  max={max(ms):7.1f} ms  débit={len(ms) / total:6.1f}/s  "
          f"[{details}; au plus {widest} segment(s)]")


def start_own_stack():
    """A private Phare on free ports: temporary directory DB and tracker store, no rate limit."""
    from bot.launcher import MODEL_PATH, Ports, start_stack, wait_stack
    from directory.seed import prepare_database

    if not MODEL_PATH.exists():
        raise SystemExit(f"Modèle introuvable ({MODEL_PATH}) : lancez « make train ».")
    work = Path(tempfile.mkdtemp(prefix="phare-bench-sms-"))
    prepare_database(f"sqlite:///{work / 'phare.db'}")
    env = {
        "PHARE_DATABASE_URL": f"sqlite:///{work / 'phare.db'}",
        "PHARE_TRACKER_URL": f"sqlite:///{work / 'tracker.db'}",
        "PHARE_VAR_DIR": str(work),
        "PHARE_SMS_VALIDATE": "true",
        "TWILIO_AUTH_TOKEN": BENCH_TOKEN,
        "PHARE_SMS_PUBLIC_URL": BENCH_PUBLIC_URL,
        "PHARE_SENDER_SECRET": "bench-sender-secret-0123456789",
        "PHARE_SMS_RATE_LIMIT": "off",
        "LOG_LEVEL": "WARNING",
    }
    ports = Ports(rasa=free_port(), actions=free_port(), web=free_port())
    stack = start_stack(ports, log_dir=work / "logs", extra_env=env, web=False)
    try:
        wait_stack(stack, ports, timeout=240)
    except Exception:
        stack.stop()
        raise
    return stack, f"http://127.0.0.1:{ports.rasa}", BENCH_TOKEN, BENCH_PUBLIC_URL


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="Phare déjà démarré (ex. http://127.0.0.1:5005) plutôt qu'un Phare privé")
    parser.add_argument("--senders", default="1,20", help="niveaux de concurrence (défaut : %(default)s)")
    parser.add_argument("--rounds", type=int, default=3, help="conversations par expéditeur (défaut : %(default)s)")
    args = parser.parse_args(argv)

    stack = None
    if args.url:
        config = settings()  # the running server's own settings, read the same way
        token = config.twilio_auth_token or ""
        public_url = config.sms_public_url or args.url
        server = args.url
        if not token:
            print("TWILIO_AUTH_TOKEN absent : webhooks signés avec un jeton vide (le serveur doit avoir "
                  "PHARE_SMS_VALIDATE=false).")
    else:
        print("Démarrage d'un Phare privé pour la mesure…")
        stack, server, token, public_url = start_own_stack()
    try:
        print(f"Chemin SMS : webhook Twilio signé -> TwiML ({len(CONVERSATION)} textos par conversation, "
              f"{args.rounds} conversation(s) par expéditeur)")
        # Warm-up: the first turns of a fresh model are slow and not what residents see.
        asyncio.run(level_quiet(server, token, public_url))
        for senders in [int(s) for s in args.senders.split(",") if s.strip()]:
            asyncio.run(level(server, token, public_url, senders, args.rounds))
    finally:
        if stack is not None:
            stack.stop()
    return 0


async def level_quiet(server: str, token: str, public_url: str) -> None:
    async with httpx.AsyncClient(timeout=60) as client:
        await play(client, server, token, public_url, 1, [], {})


if __name__ == "__main__":
    sys.exit(main())
