"""Browser fixtures: Debian's Chromium driven by Playwright, axe-core from npm.

Chromium comes from the Debian package (scripts/ensure_test_tools.sh), never from
`playwright install`. The pages are served by the real Phare stack (`phare`).
"""
from __future__ import annotations

import os
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.support import ROOT, free_port, wait_for_server

HERE = Path(__file__).resolve().parent
CHROMIUM = os.environ.get("PHARE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
AXE_PATH = HERE / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "docs" / "screenshots"


def _missing(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (run scripts/ensure_test_tools.sh)")
    pytest.skip(f"{reason}: run scripts/ensure_test_tools.sh")


@pytest.fixture(scope="module")
def browser():
    # Module scope: Playwright's sync API keeps an event loop running in this
    # thread while it is open, which would break asyncio.run() in later tests.
    if not Path(CHROMIUM).exists():
        _missing(f"Chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_PATH.exists():
        _missing(f"axe-core not found at {AXE_PATH}")
    return AXE_PATH.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def web(phare) -> str:
    return phare["web"]


@dataclass
class Tab:
    """A page and what happened in it: dialogs (alert…), console errors, page errors."""

    page: object
    context: object
    dialogs: list = field(default_factory=list)
    console_errors: list = field(default_factory=list)
    page_errors: list = field(default_factory=list)


@pytest.fixture()
def new_tab(browser):
    contexts = []

    def make(**options) -> Tab:
        options.setdefault("locale", "fr-CA")
        options.setdefault("timezone_id", "America/Toronto")
        options.setdefault("viewport", {"width": 1280, "height": 800})
        context = browser.new_context(**options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        tab = Tab(page, context)

        def on_dialog(dialog):
            tab.dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

        page.on("dialog", on_dialog)
        page.on("console", lambda m: tab.console_errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: tab.page_errors.append(str(e)))
        return tab

    yield make
    for context in contexts:
        context.close()



@pytest.fixture()
def web_without_rasa(phare, tmp_path):
    """A second web server whose Rasa is a closed port: "the server is down"."""
    port = free_port()
    env = dict(os.environ)
    env.update({k: v for k, v in phare["env"].items() if not k.startswith("_")})
    env["PHARE_RASA_URL"] = f"http://127.0.0.1:{free_port()}"
    log = open(tmp_path / "web-down.log", "wb")
    process = subprocess.Popen([sys.executable, "-m", "web", "--port", str(port)], cwd=ROOT, env=env,
                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_server(f"{base}/health", process, tmp_path / "web-down.log", timeout=60)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture()
def other_site():
    """Another website (another origin: another port), serving the HTML it is given at /."""
    pages: dict[str, str] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server API)
            body = pages.get(self.path, "").encode("utf-8")
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def serve(html: str, path: str = "/") -> str:
        pages[path] = html
        return f"http://127.0.0.1:{server.server_address[1]}{path}"

    yield serve
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def screenshots_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
