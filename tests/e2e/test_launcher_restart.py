"""`python -m bot run`: a child killed with SIGKILL comes back and serves again, and the JSON log says so."""
from __future__ import annotations

import json
import os
import signal
import time
import uuid

import httpx
import pytest

from .test_shutdown import launcher, pid_of  # noqa: F401  (fixture)

pytestmark = pytest.mark.e2e


def test_killed_children_are_restarted_and_serve(launcher, tmp_path):  # noqa: F811
    process, ports = launcher
    for name, module, url in (("web", "-m web", f"http://127.0.0.1:{ports['web']}/health"),
                              ("actions", "bot.action_server", f"http://127.0.0.1:{ports['actions']}/ready")):
        port = ports[name]
        old = pid_of(module, port)
        os.kill(old, signal.SIGKILL)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert process.poll() is None, "the launcher stopped instead of restarting the child"
            try:
                new = pid_of(module, port)
                if new != old and httpx.get(url, timeout=2).status_code == 200:
                    break
            except (LookupError, httpx.HTTPError):
                pass
            time.sleep(0.5)
        else:
            pytest.fail(f"{name} did not come back")
    # The restarted action server answers a real turn.
    reply = httpx.post(f"http://127.0.0.1:{ports['rasa']}/webhooks/rest/webhook", timeout=60,
                       json={"sender": str(uuid.uuid4()), "message": "bouffe a trois-pistoles"})
    assert "Croc-Ensemble" in "\n".join(m.get("text", "") for m in reply.json())
    records = [json.loads(line) for line in (tmp_path / "launcher.log").read_text().splitlines()
               if line.startswith("{")]
    messages = [r["message"] for r in records if r["logger"] == "bot.launcher"]
    for name in ("web", "actions"):
        assert any(m.startswith(f"child {name} exited with code -9; restarting it in") for m in messages), messages
        assert any(m.startswith(f"child {name} restarted") for m in messages), messages
