"""Start every Phare process, print the URLs, restart one that crashes, stop them all on Ctrl-C.

Processes: the action server (rasa_sdk), the Rasa server (REST, socket.io and
SMS channels), and the web server (admin, widget, demo pages) when present.

A child that dies is started again after a growing pause (1 s, 2 s, 4 s… up
to 30 s), and the launcher says so in its JSON log. If one child crashes
RESTART_LIMIT times within RESTART_WINDOW seconds, something is wrong that a
restart will not fix (a bad setting, a broken model): the launcher stops
everything and exits with an error, rather than loop for ever.
"""
from __future__ import annotations

import argparse
import logging
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bot.logging_setup import configure_logging
from directory.db import create_schema, get_engine, open_session
from directory.seed import is_seeded, seed_all
from phare.settings import PROJECT_ROOT, SettingError, Settings, settings

MODEL_PATH = PROJECT_ROOT / "models" / "phare.tar.gz"
RESTART_LIMIT = 5  # crashes of one child…
RESTART_WINDOW = 120.0  # …within this many seconds: give up
RESTART_BASE_DELAY = 1.0
RESTART_MAX_DELAY = 30.0

logger = logging.getLogger("bot.launcher")


@dataclass
class Ports:
    rasa: int = 5005
    actions: int = 5055
    web: int = 8000


@dataclass
class Child:
    name: str
    command: list[str]
    env: dict[str, str]
    log_dir: Path | None


@dataclass
class Stack:
    processes: list[tuple[str, subprocess.Popen]] = field(default_factory=list)
    children: dict[str, Child] = field(default_factory=dict)

    def _spawn(self, child: Child) -> subprocess.Popen:
        stdout = None
        if child.log_dir is not None:
            child.log_dir.mkdir(parents=True, exist_ok=True)
            stdout = open(child.log_dir / f"{child.name}.log", "ab")
        return subprocess.Popen(
            child.command, cwd=PROJECT_ROOT, env=child.env, stdout=stdout,
            stderr=subprocess.STDOUT if stdout else None, start_new_session=True,
        )

    def start(self, name: str, command: list[str], env: dict[str, str], log_dir: Path | None) -> subprocess.Popen:
        child = Child(name, command, env, log_dir)
        self.children[name] = child
        process = self._spawn(child)
        self.processes.append((name, process))
        return process

    def restart(self, name: str) -> subprocess.Popen:
        """Start the named child again, in its place in the stopping order."""
        process = self._spawn(self.children[name])
        self.processes = [(n, process if n == name else p) for n, p in self.processes]
        return process

    def process(self, name: str) -> subprocess.Popen:
        return dict(self.processes)[name]

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


class Supervisor:
    """Restarts crashed children with a growing pause; gives up on one that keeps crashing.

    `check()` is called about once a second by the launcher's loop; it returns
    the name of a child that crashed too often (everything must stop), else None.
    """

    def __init__(self, stack: Stack, limit: int = RESTART_LIMIT, window: float = RESTART_WINDOW,
                 base_delay: float = RESTART_BASE_DELAY, max_delay: float = RESTART_MAX_DELAY,
                 clock=time.monotonic) -> None:
        self.stack = stack
        self.limit = limit
        self.window = window
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.clock = clock
        self.crashes: dict[str, list[float]] = {}
        self.pending: dict[str, float] = {}  # child -> when to start it again

    def check(self) -> str | None:
        now = self.clock()
        for name, process in list(self.stack.processes):
            if name in self.pending:
                if now >= self.pending[name]:
                    del self.pending[name]
                    new = self.stack.restart(name)
                    logger.warning("child %s restarted (pid %s)", name, new.pid)
                continue
            code = process.poll()
            if code is None:
                continue
            recent = [t for t in self.crashes.get(name, []) if now - t < self.window] + [now]
            self.crashes[name] = recent
            if len(recent) >= self.limit:
                logger.error("child %s exited with code %s, %d times within %.0f s: giving up, stopping Phare",
                             name, code, len(recent), self.window)
                return name
            delay = min(self.max_delay, self.base_delay * 2 ** (len(recent) - 1))
            self.pending[name] = now + delay
            logger.warning("child %s exited with code %s; restarting it in %.0f s (crash %d of %d allowed within %.0f s)",
                           name, code, delay, len(recent), self.limit - 1, self.window)
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
    path = settings().var_dir / f"endpoints.{ports.rasa}.yml"
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
    stack.start("rasa", rasa_command(ports.rasa, runtime_endpoints(ports), model, Settings.from_env(env).bind),
                env, log_dir)
    if web:
        stack.start("web", [python, "-m", "web", "--port", str(ports.web)], env, log_dir)
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
    try:
        # The children read the same environment: a bad value is said here, once, in French.
        config = settings()
    except SettingError as exc:
        print(exc, file=sys.stderr)
        return 2
    parser.add_argument("--rasa-port", type=int, default=config.rasa_port)
    parser.add_argument("--actions-port", type=int, default=config.actions_port)
    parser.add_argument("--web-port", type=int, default=config.web_port)
    start_timeout = config.start_timeout
    parser.add_argument("--model", type=Path, default=MODEL_PATH)
    args = parser.parse_args(argv)
    configure_logging()
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
        wait_stack(stack, ports, start_timeout)
        print(f"\nPhare est prêt ({time.monotonic() - started:.0f} s).")
        print(f"  Clavardage (REST)   : http://127.0.0.1:{ports.rasa}/webhooks/rest/webhook")
        print(f"  Clavardage (socket) : http://127.0.0.1:{ports.rasa}/socket.io")
        print(f"  Texto (Twilio)      : http://127.0.0.1:{ports.rasa}/webhooks/sms/webhook  (simulateur : make sms)")
        if any(name == "web" for name, _ in stack.processes):
            print(f"  Pages de démo       : http://127.0.0.1:{ports.web}/")
            print(f"  Administration      : http://127.0.0.1:{ports.web}/admin/")
        print("Ctrl-C pour tout arrêter.", flush=True)
        supervisor = Supervisor(stack)
        while True:
            gave_up = supervisor.check()
            if gave_up:
                print(f"Le processus « {gave_up} » s'arrête sans cesse; arrêt de Phare. Voyez son journal.",
                      file=sys.stderr)
                return 1
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("\nArrêt de Phare…")
        return 0
    except RuntimeError as exc:
        print(f"Phare n'a pas pu démarrer : {exc}", file=sys.stderr)
        return 1
    finally:
        stack.stop()
