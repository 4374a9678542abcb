"""Start every Phare process, print the URLs, stop them all on Ctrl-C.

Processes: the action server (rasa_sdk), the Rasa server (REST, socket.io and
SMS channels), and the web server (admin, widget, demo pages) when present.
"""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from directory.db import PROJECT_ROOT, VAR_DIR, create_schema, get_engine, open_session
from directory.seed import is_seeded, seed_all

MODEL_PATH = PROJECT_ROOT / "models" / "phare.tar.gz"


@dataclass
class Ports:
    rasa: int = 5005
    actions: int = 5055
    web: int = 8000


@dataclass
class Stack:
    processes: list[tuple[str, subprocess.Popen]] = field(default_factory=list)

    def start(self, name: str, command: list[str], env: dict[str, str], log_dir: Path | None) -> subprocess.Popen:
        stdout = None
        if log_dir is not None:
            log_dir.mkdir(parents=True, exist_ok=True)
            stdout = open(log_dir / f"{name}.log", "ab")
        process = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=env, stdout=stdout, stderr=subprocess.STDOUT if stdout else None,
            start_new_session=True,
        )
        self.processes.append((name, process))
        return process

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the processes one by one, the last started first.

        SIGTERM lets each Sanic server finish the requests it has accepted
        (up to its 15 s graceful-shutdown window) before it exits. The order
        matters: the action server stops only once Rasa has finished its
        turns, so a turn in flight still gets its real answer.
        """
        deadline = time.monotonic() + timeout
        for _, process in reversed(self.processes):
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                process.wait()

    def failed(self) -> str | None:
        for name, process in self.processes:
            if process.poll() is not None:
                return name
        return None


def ensure_directory() -> None:
    engine = get_engine()
    create_schema(engine)
    with open_session(engine) as session:
        if not is_seeded(session):
            report = seed_all(session)
            session.commit()
            print(f"Répertoire chargé : {report.total} éléments.")


def runtime_endpoints(ports: Ports) -> Path:
    """endpoints.yml with the action server's actual port."""
    source = (PROJECT_ROOT / "endpoints.yml").read_text(encoding="utf-8")
    text = source.replace("http://127.0.0.1:5055/webhook", f"http://127.0.0.1:{ports.actions}/webhook")
    path = VAR_DIR / f"endpoints.{ports.rasa}.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def wait_ready(url: str, stack: Stack, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        dead = stack.failed()
        if dead:
            raise RuntimeError(f"le processus « {dead} » s'est arrêté au démarrage")
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} ne répond pas après {timeout:.0f} s")


def rasa_command(port: int, endpoints: Path, model: Path = MODEL_PATH, interface: str = "127.0.0.1") -> list[str]:
    """`rasa run` through Phare's entry point (structured logs), with Phare's files."""
    return [sys.executable, "-m", "bot.rasa_server", "run", "--model", str(model), "--endpoints", str(endpoints),
            "--credentials", str(PROJECT_ROOT / "credentials.yml"), "--port", str(port), "--interface", interface,
            "--cors", "*"]


def start_stack(ports: Ports, model: Path = MODEL_PATH, log_dir: Path | None = None, extra_env: dict | None = None,
                web: bool = True) -> Stack:
    env = dict(os.environ)
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    env.update(extra_env or {})
    env["PHARE_RASA_URL"] = (extra_env or {}).get("PHARE_RASA_URL", f"http://127.0.0.1:{ports.rasa}")
    python = sys.executable
    stack = Stack()
    stack.start("actions", [python, "-m", "bot.action_server", "--port", str(ports.actions)], env, log_dir)
    stack.start("rasa", rasa_command(ports.rasa, runtime_endpoints(ports), model, env.get("PHARE_BIND", "127.0.0.1")),
                env, log_dir)
    if web:
        stack.start("web", [python, "-m", "bot.web", "--port", str(ports.web)], env, log_dir)
    return stack


def wait_stack(stack: Stack, ports: Ports, timeout: float = 180.0) -> None:
    wait_ready(f"http://127.0.0.1:{ports.actions}/ready", stack, timeout)
    wait_ready(f"http://127.0.0.1:{ports.rasa}/webhooks/health/", stack, timeout)
    if any(name == "web" for name, _ in stack.processes):
        wait_ready(f"http://127.0.0.1:{ports.web}/health", stack, timeout)


def _interrupt(_signum, _frame) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot run")
    parser.add_argument("--rasa-port", type=int, default=int(os.environ.get("PHARE_RASA_PORT", 5005)))
    parser.add_argument("--actions-port", type=int, default=int(os.environ.get("PHARE_ACTIONS_PORT", 5055)))
    parser.add_argument("--web-port", type=int, default=int(os.environ.get("PHARE_WEB_PORT", 8000)))
    parser.add_argument("--model", type=Path, default=MODEL_PATH)
    args = parser.parse_args(argv)
    if not args.model.exists():
        print(f"Modèle introuvable ({args.model}) : lancez « make run » ou « make train ».", file=sys.stderr)
        return 1
    ensure_directory()
    # Stop the children on SIGTERM (systemd, a parent shell) as on Ctrl-C;
    # a background shell job may have SIGINT ignored, so restore it too.
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)
    ports = Ports(args.rasa_port, args.actions_port, args.web_port)
    started = time.monotonic()
    stack = start_stack(ports, args.model)
    try:
        wait_stack(stack, ports)
        print(f"\nPhare est prêt ({time.monotonic() - started:.0f} s).")
        print(f"  Clavardage (REST)   : http://127.0.0.1:{ports.rasa}/webhooks/rest/webhook")
        print(f"  Clavardage (socket) : http://127.0.0.1:{ports.rasa}/socket.io")
        print(f"  Texto (Twilio)      : http://127.0.0.1:{ports.rasa}/webhooks/sms/webhook  (simulateur : make sms)")
        if any(name == "web" for name, _ in stack.processes):
            print(f"  Pages de démo       : http://127.0.0.1:{ports.web}/")
            print(f"  Administration      : http://127.0.0.1:{ports.web}/admin/")
        print("Ctrl-C pour tout arrêter.")
        while True:
            dead = stack.failed()
            if dead:
                print(f"Le processus « {dead} » s'est arrêté; arrêt de Phare.", file=sys.stderr)
                return 1
            time.sleep(1)
    except KeyboardInterrupt:
        print("\nArrêt de Phare…")
        return 0
    except RuntimeError as exc:
        print(f"Phare n'a pas pu démarrer : {exc}", file=sys.stderr)
        return 1
    finally:
        stack.stop()
