"""The web chat routes (web.webchat.routes) on a real web server, with a fake Rasa.

Fast: no model, no browser. The browser tests are in tests/e2e/browser/.
"""
from __future__ import annotations

import gzip
import json
import os
import re
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from tests.support import ROOT, free_port, wait_for_server

STATIC = ROOT / "web" / "webchat" / "static"
MRC_IDS = ["la-matanie", "la-matapedia", "la-mitis", "rimouski-neigette", "les-basques",
           "riviere-du-loup", "temiscouata", "kamouraska"]
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'")



class FakeRasa(BaseHTTPRequestHandler):
    """Rasa's REST channel, scripted by the message text."""

    received: list[dict] = []

    def do_POST(self):  # noqa: N802 (http.server API)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        FakeRasa.received.append(body)
        message = body.get("message", "")
        if message == "__slow__":
            time.sleep(3)
        if message == "__error__":
            self.send_response(500)
            self.end_headers()
            return
        answer = json.dumps([{"recipient_id": body["sender"], "text": f"Écho : {message}",
                              "buttons": [{"title": "Oui", "payload": "/affirm"}]}]).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *_args):
        pass


@pytest.fixture(scope="module")
def fake_rasa():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeRasa)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def start_web(tmp: Path, rasa_url: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = dict(os.environ)
    env.update({
        "PHARE_VAR_DIR": str(tmp),
        "PHARE_DATABASE_URL": f"sqlite:///{tmp / 'phare.db'}",
        "PHARE_TRACKER_URL": f"sqlite:///{tmp / 'tracker.db'}",
        "PHARE_RASA_URL": rasa_url,
        "PHARE_RASA_TIMEOUT": "1",
        "RASA_TELEMETRY_ENABLED": "false",
    })
    log = open(tmp / f"web-{port}.log", "wb")
    process = subprocess.Popen([sys.executable, "-m", "web", "--port", str(port)], cwd=ROOT, env=env,
                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_server(f"{base}/health", process, tmp / f"web-{port}.log", timeout=60)
    except BaseException:
        process.kill()
        raise
    return process, base


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="module")
def web(tmp_path_factory, fake_rasa):
    tmp = tmp_path_factory.mktemp("webchat")
    with sqlite3.connect(tmp / "tracker.db") as db:  # Rasa's table, as far as forgetting needs it
        db.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, "
                   "type_name VARCHAR(255) NOT NULL, timestamp FLOAT, data TEXT)")
    process, base = start_web(tmp, fake_rasa)
    yield {"base": base, "tracker": tmp / "tracker.db"}
    stop(process)


@pytest.fixture()
def client(web):
    with httpx.Client(base_url=web["base"], timeout=10) as c:
        yield c


def sender() -> str:
    return str(uuid.uuid4())


# --- Pages -----------------------------------------------------------------


def assert_strict_page(response: httpx.Response) -> None:
    assert response.headers["content-security-policy"] == CSP
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert '<html lang="fr-CA">' in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script"
    assert "<style" not in html and " style=" not in html, "inline style"
    assert not re.search(r"\son[a-z]+=", html), "inline event handler"


def test_index_lists_the_eight_demo_pages(client):
    response = client.get("/")
    assert response.status_code == 200
    assert_strict_page(response)
    for mrc in MRC_IDS:
        assert f'href="/demo/{mrc}"' in response.text
    assert "MRC des Basques" in response.text and "MRC de La Matapédia" in response.text
    assert '<script src="/widget.js" defer></script>' in response.text  # no preset MRC: asks for the place


@pytest.mark.parametrize("mrc", MRC_IDS)
def test_demo_page_per_mrc(client, mrc):
    response = client.get(f"/demo/{mrc}")
    assert response.status_code == 200
    assert_strict_page(response)
    assert re.search(rf'<script src="/widget.js" data-mrc="{mrc}" data-accent="#[0-9a-f]{{6}}" '
                     rf'data-position="(right|left)"[^>]* defer></script>', response.text)
    assert "Page de démonstration" in response.text


def test_demo_subpage_and_names(client):
    response = client.get("/demo/les-basques", params={"page": "services"})
    assert response.status_code == 200
    assert "Services aux citoyens" in response.text and "MRC des Basques" in response.text
    assert 'aria-current="page"' in response.text


@pytest.mark.parametrize("mrc", ["nulle-part", "LA-MITIS", "%3Cscript%3Ealert(1)%3C%2Fscript%3E"])
def test_unknown_mrc_is_a_french_404(client, mrc):
    response = client.get(f"/demo/{mrc}")
    assert response.status_code == 404
    assert_strict_page(response)
    assert "Page introuvable" in response.text
    assert "<script>alert" not in response.text


def test_accent_colours_are_readable_with_white_text():
    from web.webchat.routes import DEMO_SITES

    def luminance(hex_colour: str) -> float:
        channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    assert [site.id for site in DEMO_SITES] == MRC_IDS
    for site in DEMO_SITES:
        assert (1.05) / (luminance(site.accent) + 0.05) >= 4.5, site


# --- Static files ----------------------------------------------------------


def test_widget_files(client):
    js = client.get("/widget.js")
    assert js.status_code == 200
    assert js.headers["content-type"].startswith("application/javascript")
    assert js.headers["access-control-allow-origin"] == "*"
    css = client.get("/widget.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert client.get("/webchat/demo.css").status_code == 200
    assert client.get("/webchat/phare.svg").headers["content-type"] == "image/svg+xml"
    assert client.get("/webchat/routes.py").status_code == 404
    assert client.get("/webchat/..%2Froutes.py").status_code == 404


def test_widget_gets_mrc_names_and_starters_from_the_data(client):
    import json

    from directory import categories, geography

    js = client.get("/widget.js").text
    assert "/*phare:" not in js
    names = json.loads(re.search(r"const MRC_DISPLAY = (\{.*?\});", js).group(1))
    assert names == {m.id: m.display for m in geography.mrcs()} and names["les-basques"] == "MRC des Basques"
    starters = json.loads(re.search(r"const STARTERS = (\[.*?\]);", js).group(1))
    menu = [[c.menu_label, f"/{c.intent}"] for c in categories.menu()]
    assert len(starters) == 3 and starters == menu[:3]
    assert client.get("/webchat/widget.js").text == js


def test_widget_is_small_and_never_parses_html():
    source = (STATIC / "widget.js").read_text(encoding="utf-8")
    assert len(gzip.compress(source.encode("utf-8"), 9)) < 30_000
    for forbidden in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function",
                      "document.cookie", "setAttribute('style'", ".cssText"):
        assert forbidden not in source, forbidden
    # ES2017: no optional chaining, nullish coalescing, object spread or optional catch binding.
    assert "?." not in source.replace("'?.'", "")
    assert "??" not in source
    assert not re.search(r"catch\s*\{", source)
    assert not re.search(r"\{\s*\.\.\.", source)


# --- Proxy to Rasa ---------------------------------------------------------


def test_proxy_forwards_with_metadata(client):
    FakeRasa.received.clear()
    me = sender()
    response = client.post("/webhooks/rest/webhook", json={
        "sender": me, "message": "allo", "metadata": {"mrc": "la-mitis", "channel": "sms", "extra": "x"}})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.json() == [{"recipient_id": me, "text": "Écho : allo", "buttons": [{"title": "Oui", "payload": "/affirm"}]}]
    assert FakeRasa.received[-1] == {"sender": me, "message": "allo", "metadata": {"channel": "web", "mrc": "la-mitis"}}


def test_proxy_without_mrc_and_long_message(client):
    FakeRasa.received.clear()
    response = client.post("/webhooks/rest/webhook", json={"sender": sender(), "message": "a" * 5000,
                                                           "metadata": {"mrc": "<b>"}})
    assert response.status_code == 200
    forwarded = FakeRasa.received[-1]
    assert forwarded["metadata"] == {"channel": "web"}
    assert len(forwarded["message"]) == 2000


@pytest.mark.parametrize("body", [
    None, [], {"message": "allo"}, {"sender": "sms-hash-123", "message": "allo"},
    {"sender": str(uuid.uuid4()), "message": 12},
])
def test_proxy_rejects_bad_requests(client, body):
    if body is None:
        response = client.post("/webhooks/rest/webhook", content=b"{not json", headers={"Content-Type": "application/json"})
    else:
        response = client.post("/webhooks/rest/webhook", json=body)
    assert response.status_code == 400
    assert response.json()["error"] == "bad_request"


def test_cors_preflight(client):
    for path in ("/webhooks/rest/webhook", "/webhooks/rest/forget"):
        response = client.options(path, headers={"Origin": "https://www.mitis.qc.ca",
                                                 "Access-Control-Request-Method": "POST",
                                                 "Access-Control-Request-Headers": "content-type"})
        assert response.status_code == 204
        assert response.headers["access-control-allow-origin"] == "*"
        assert "POST" in response.headers["access-control-allow-methods"]
        assert "content-type" in response.headers["access-control-allow-headers"].lower()


def test_proxy_rasa_error_is_502(client):
    response = client.post("/webhooks/rest/webhook", json={"sender": sender(), "message": "__error__"})
    assert response.status_code == 502
    assert "211" in response.json()["message"]


def test_proxy_rasa_timeout_is_504(client):
    started = time.monotonic()
    response = client.post("/webhooks/rest/webhook", json={"sender": sender(), "message": "__slow__"})
    assert response.status_code == 504
    assert time.monotonic() - started < 3
    assert "211" in response.json()["message"]


def test_proxy_rasa_down_is_502(tmp_path):
    process, base = start_web(tmp_path, f"http://127.0.0.1:{free_port()}")
    try:
        response = httpx.post(f"{base}/webhooks/rest/webhook", json={"sender": sender(), "message": "allo"}, timeout=10)
        assert response.status_code == 502
        assert response.json()["error"] == "rasa_unavailable"
        assert "211" in response.json()["message"]
        assert response.headers["access-control-allow-origin"] == "*"
    finally:
        stop(process)


# --- Forget ----------------------------------------------------------------


def test_forget_deletes_only_that_conversation(client, web):
    me, other = sender(), sender()
    with sqlite3.connect(web["tracker"]) as db:
        db.executemany("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (?, 'user', 1.0, '{}')",
                       [(me,), (me,), (me,), (other,)])
    response = client.post("/webhooks/rest/forget", json={"sender": me.upper()})
    assert response.status_code == 200
    assert response.json() == {"forgotten": True, "events": 3}
    assert response.headers["access-control-allow-origin"] == "*"
    with sqlite3.connect(web["tracker"]) as db:
        counts = dict(db.execute("SELECT sender_id, COUNT(*) FROM events GROUP BY sender_id").fetchall())
    assert me not in counts and counts[other] == 1
    again = client.post("/webhooks/rest/forget", json={"sender": me})
    assert again.json() == {"forgotten": True, "events": 0}


@pytest.mark.parametrize("body", [{}, {"sender": "+14185550123"}, {"sender": "%"}, {"sender": ["x"]}])
def test_forget_only_web_sender_ids(client, body):
    response = client.post("/webhooks/rest/forget", json=body)
    assert response.status_code == 400


def test_forget_without_events_table(tmp_path, monkeypatch):
    from web.webchat import routes

    monkeypatch.setenv("PHARE_TRACKER_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    assert routes.forget_conversation(sender()) == 0
