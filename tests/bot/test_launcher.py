"""The launcher's supervisor (bot.launcher.Supervisor) with real child processes (no model needed)."""
from __future__ import annotations

import logging
import os
import signal
import sys

from bot.launcher import Stack, Supervisor
from tests.support import wait_until

SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]
CRASHER = [sys.executable, "-c", "import sys; sys.exit(3)"]


def run_until(supervisor: Supervisor, condition, timeout: float = 20.0):
    """Run the supervisor's checks until `condition(gave_up)` holds; returns gave_up."""
    last: dict = {}

    def reached() -> bool:
        last["gave_up"] = supervisor.check()
        return condition(last["gave_up"])

    wait_until(reached, timeout, "the supervisor's condition")
    return last["gave_up"]


def test_a_killed_child_is_started_again_and_the_log_says_so(caplog):
    stack = Stack()
    stack.start("actions", SLEEPER, dict(os.environ), None)
    stack.start("web", SLEEPER, dict(os.environ), None)
    supervisor = Supervisor(stack, base_delay=0.2)
    first = stack.process("actions")
    try:
        with caplog.at_level(logging.WARNING, logger="bot.launcher"):
            os.kill(first.pid, signal.SIGKILL)
            run_until(supervisor, lambda _: stack.process("actions") is not first)
        second = stack.process("actions")
        assert second.poll() is None and second.pid != first.pid
        assert [name for name, _ in stack.processes] == ["actions", "web"]  # same stopping order
        messages = [r.getMessage() for r in caplog.records]
        assert any("child actions exited with code -9; restarting it in 0 s" in m for m in messages), messages
        assert any("child actions restarted" in m for m in messages), messages
    finally:
        stack.stop(timeout=5)


def test_pause_grows_between_crashes():
    now = [0.0]
    stack = Stack()
    stack.start("rasa", CRASHER, dict(os.environ), None)
    supervisor = Supervisor(stack, limit=10, window=600, base_delay=1, max_delay=8, clock=lambda: now[0])
    delays = []
    try:
        for _ in range(6):
            stack.process("rasa").wait(10)
            supervisor.check()
            delays.append(supervisor.pending["rasa"] - now[0])
            now[0] = supervisor.pending["rasa"]
            supervisor.check()  # starts it again
        assert delays == [1, 2, 4, 8, 8, 8]
    finally:
        stack.stop(timeout=5)


def test_a_crash_loop_stops_everything(caplog):
    stack = Stack()
    stack.start("web", SLEEPER, dict(os.environ), None)
    stack.start("rasa", CRASHER, dict(os.environ), None)
    supervisor = Supervisor(stack, limit=3, window=60, base_delay=0.01)
    try:
        with caplog.at_level(logging.ERROR, logger="bot.launcher"):
            gave_up = run_until(supervisor, lambda name: name is not None)
        assert gave_up == "rasa"
        assert any("giving up" in r.getMessage() for r in caplog.records)
        assert stack.process("web").poll() is None  # stopping is the launcher's next step
    finally:
        stack.stop(timeout=5)
    assert stack.process("web").poll() is not None
