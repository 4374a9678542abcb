"""The launcher (`python -m bot run`) supervising its children, on one real stack shared by the tests below.

First a child killed with SIGKILL comes back and serves again, and the JSON
log says so. Then SIGTERM to the launcher while a turn is in flight: the
resident still gets the real answer. (One launcher for both: starting a stack
costs a minute of CI; the SIGTERM test ends it, so it comes last.)

For the SIGTERM test, the action server is paused (SIGSTOP) so that a turn is provably waiting
inside Rasa when the launcher is told to stop; it is resumed a moment later.
The launcher must stop Rasa first and let it finish that turn before it stops
the action server.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import httpx
import pytest

from bot.launcher import MODEL_PATH, PROJECT_ROOT
from tests.support import START_TIMEOUT, free_port, wait_until

# What is tested is the launcher's handling of its children (restart, stop order, draining a turn), the same
# code whatever stores the conversations: the SQLite pass runs it; the production configuration's own behaviour
# under several instances is tests/e2e/test_two_instances.py and sms/test_sms_cluster.py. (It cost 90 s of CI.)
pytestmark = [pytest.mark.e2e, pytest.mark.same_on_every_engine]


def pid_of(fragment: str, port: int) -> int:
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if fragment in command and f"--port {port}" in command:
            return int(entry.name)
    raise LookupError(f"{fragment} on port {port} not found")


def wait_for(url: str, launcher: subprocess.Popen, timeout: float = START_TIMEOUT) -> None:
    def answered() -> bool:
        if launcher.poll() is not None:
            pytest.fail("the launcher stopped while starting")
        return httpx.get(url, timeout=2).status_code == 200

    wait_until(answered, timeout, f"{url} to answer", interval=0.5)


@pytest.fixture(scope="module")
def launcher(stack_env, tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("launcher")
    env = {**os.environ, **{k: v for k, v in stack_env.items() if not k.startswith("_")},
           "PHARE_VAR_DIR": str(tmp_path), "RASA_TELEMETRY_ENABLED": "false",
           # The paused action server must hold the turn, not time it out (see test_web_channels.py for that).
           "PHARE_ACTION_TIMEOUT": "60", "PHARE_TURN_TIMEOUT": "60",
           "PHARE_START_TIMEOUT": str(START_TIMEOUT)}
    if env["PHARE_DATABASE_URL"].startswith("sqlite:///"):
        db = tmp_path / "phare.db"
        shutil.copy(env["PHARE_DATABASE_URL"].removeprefix("sqlite:///"), db)
        env.update(PHARE_DATABASE_URL=f"sqlite:///{db}", PHARE_TRACKER_URL=f"sqlite:///{tmp_path / 'tracker.db'}")
    ports = {"rasa": free_port(), "actions": free_port(), "web": free_port()}
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "run", "--rasa-port", str(ports["rasa"]), "--actions-port", str(ports["actions"]),
         "--web-port", str(ports["web"]), "--model", str(MODEL_PATH)],
        cwd=PROJECT_ROOT, env=env, stdout=open(tmp_path / "launcher.log", "wb"), stderr=subprocess.STDOUT,
    )
    try:
        wait_for(f"http://127.0.0.1:{ports['rasa']}/webhooks/health/", process)
        wait_for(f"http://127.0.0.1:{ports['web']}/health", process)
        # Until it says it is ready, the launcher treats a child's death as a failed start (exit 1), so a test
        # that kills a child must wait for that line, not only for the children to answer.
        def said_ready() -> bool:
            if process.poll() is not None:
                pytest.fail("the launcher stopped while starting")
            return "Ctrl-C pour tout arrêter." in (tmp_path / "launcher.log").read_text(errors="replace")

        wait_until(said_ready, 60, "the launcher's ready line")
        yield process, ports, tmp_path
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        for name in ("bot.action_server", "bot.rasa_server", "-m web"):
            port = ports["actions" if "action" in name else "rasa" if "rasa" in name else "web"]
            try:
                pid = pid_of(name, port)
            except LookupError:
                continue
            try:
                os.kill(pid, signal.SIGCONT)
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def test_killed_children_are_restarted_and_serve(launcher):
    process, ports, work = launcher
    for name, module, url in (("web", "-m web", f"http://127.0.0.1:{ports['web']}/health"),
                              ("actions", "bot.action_server", f"http://127.0.0.1:{ports['actions']}/ready")):
        port = ports[name]
        old = pid_of(module, port)
        os.kill(old, signal.SIGKILL)

        def back(module=module, port=port, old=old, url=url) -> bool:
            if process.poll() is not None:
                pytest.fail("the launcher stopped instead of restarting the child")
            return pid_of(module, port) != old and httpx.get(url, timeout=2).status_code == 200

        wait_until(back, 120, f"{name} to come back", interval=0.5)
    # The restarted action server answers a real turn.
    reply = httpx.post(f"http://127.0.0.1:{ports['rasa']}/webhooks/rest/webhook", timeout=60,
                       json={"sender": str(uuid.uuid4()), "message": "bouffe a trois-pistoles"})
    assert "Croc-Ensemble" in "\n".join(m.get("text", "") for m in reply.json())
    records = [json.loads(line) for line in (work / "launcher.log").read_text().splitlines()
               if line.startswith("{")]
    messages = [r["message"] for r in records if r["logger"] == "bot.launcher"]
    for name in ("web", "actions"):
        assert any(m.startswith(f"child {name} exited with code -9; restarting it in") for m in messages), messages
        assert any(m.startswith(f"child {name} restarted") for m in messages), messages


def test_sigterm_while_a_turn_is_in_flight_loses_no_reply(launcher):
    process, ports, _ = launcher
    rasa = f"http://127.0.0.1:{ports['rasa']}/webhooks/rest/webhook"
    # First turn of a fresh process loads lazily-built parts.
    httpx.post(rasa, json={"sender": str(uuid.uuid4()), "message": "bonjour"}, timeout=60).raise_for_status()

    actions = pid_of("bot.action_server", ports["actions"])
    answer: dict = {}

    def resident() -> None:
        try:
            response = httpx.post(rasa, json={"sender": str(uuid.uuid4()), "message": "jai besoin de bouffe a trois-pistoles"},
                                  timeout=60)
            answer["status"] = response.status_code
            answer["text"] = "\n".join(m.get("text", "") for m in response.json())
        except Exception as exc:  # the assertion below reports it
            answer["error"] = repr(exc)

    os.kill(actions, signal.SIGSTOP)
    try:
        thread = threading.Thread(target=resident)
        thread.start()
        time.sleep(1.5)  # Rasa has understood the message and now waits for the action server
        assert thread.is_alive(), f"the turn did not wait for the paused action server: {answer}"
        process.send_signal(signal.SIGTERM)
        time.sleep(2.0)
        assert process.poll() is None, "the launcher exited with a turn still in flight"
    finally:
        os.kill(actions, signal.SIGCONT)
    thread.join(30)
    assert not thread.is_alive()
    assert answer.get("status") == 200, answer
    assert "Croc-Ensemble" in answer["text"], answer
    assert process.wait(40) == 0
    for name, port in (("bot.action_server", ports["actions"]), ("bot.rasa_server", ports["rasa"]),
                       ("-m web", ports["web"])):
        with pytest.raises(LookupError):
            pid_of(name, port)
