"""The widget's answer cards in Debian's Chromium (Playwright), at 375 px and 1280 px.

The widget and its CSS are served as in production (files of web/webchat/static);
the chat endpoint answers with what the real action and Rasa's own output
channel produce for a structured answer (text + custom payload), so no trained
model is needed. Screenshots go to docs/screenshots/answer-cards-*.png.
"""
from __future__ import annotations

import asyncio
import json
import os
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.support import ROOT
from web.webchat.routes import widget_script

pytestmark = [pytest.mark.browser]

STATIC = ROOT / "web" / "webchat" / "static"
SCREENSHOTS = ROOT / "docs" / "screenshots"
CHROMIUM = os.environ.get("PHARE_CHROMIUM", "/usr/bin/chromium")
PAGE = """<!doctype html><html lang="fr-CA"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>MRC de La Matanie</title></head>
<body><h1>MRC de La Matanie</h1><script src="/widget.js" data-mrc="la-matanie" defer></script></body></html>"""


def rasa_replies(dispatched: dict) -> list[dict]:
    """What Rasa's REST channel returns for one dispatched message (its own CollectingOutputChannel)."""
    from rasa.core.channels.channel import CollectingOutputChannel

    channel = CollectingOutputChannel()
    message = {"text": dispatched.get("text"), "buttons": dispatched.get("buttons"), "custom": dispatched.get("json_message")}
    # In a thread of its own: Playwright's sync API keeps an event loop running in this one.
    worker = threading.Thread(target=lambda: asyncio.run(channel.send_response("web-test", message)))
    worker.start()
    worker.join()
    return channel.messages


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("site")
    (root / "widget.js").write_text(widget_script(), encoding="utf-8")
    (root / "widget.css").write_bytes((STATIC / "widget.css").read_bytes())
    (root / "index.html").write_text(PAGE, encoding="utf-8")
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(SimpleHTTPRequestHandler, directory=str(root)))
    server.RequestHandlerClass.log_message = lambda *a, **k: None
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("Chromium missing (run scripts/ensure_test_tools.sh)")
        pytest.skip("Chromium missing: run scripts/ensure_test_tools.sh")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        yield chromium
        chromium.close()


def answer_replies():
    from actions import answers
    from tests.actions.test_answers import FIVE, NOW, outcome

    # normal=False: what the action answers when the widget says its greeting said the line.
    first = answers.answer_message(answers.results_answer(outcome(FIVE), NOW, normal=False)).as_dispatch()
    details = answers.answer_message(answers.details_answer(outcome(FIVE), 2, NOW)).as_dispatch()
    return rasa_replies(first), rasa_replies(details)


@pytest.mark.parametrize("width", [375, 1280])
def test_answer_cards(browser, site, width):
    first, details = answer_replies()
    context = browser.new_context(viewport={"width": width, "height": 800 if width > 500 else 740},
                                  locale="fr-CA", timezone_id="America/Toronto")
    page = context.new_page()
    sent: list[dict] = []
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    def webhook(route):
        body = json.loads(route.request.post_data or "{}")
        sent.append(body)
        reply = details if body.get("message", "").startswith("/more_results") else first
        route.fulfill(status=200, content_type="application/json", body=json.dumps(reply),
                      headers={"Access-Control-Allow-Origin": "*"})

    page.route("**/webhooks/rest/webhook", webhook)
    page.goto(site)
    page.locator(".phare-launcher").click()
    page.locator("#phare-input").fill("un frigo à Matane")
    page.locator("#phare-input").press("Enter")
    cards = page.locator(".phare-card")
    cards.first.wait_for()
    assert cards.count() == 3
    # Metadata: the widget greeted, and its greeting said the anti-stigma line.
    assert sent[0]["metadata"] == {"channel": "web", "greeted": True, "normal_said": True, "mrc": "la-matanie"}
    # One card: name, tap-to-call, address, open now, one line of the offer, "Détails".
    first_card = cards.first
    assert first_card.locator(".phare-card__call").get_attribute("href") == "tel:+14185550101"
    assert "123, rue Saint-Jérôme" in first_card.locator(".phare-card__where").inner_text()
    assert "Ouvert maintenant" in first_card.locator(".phare-card__open").inner_text()
    offer = first_card.locator(".phare-card__offer")
    line = float(offer.evaluate("n => parseFloat(getComputedStyle(n).lineHeight)"))
    assert offer.evaluate("n => n.getBoundingClientRect().height") <= line * 1.5  # one line
    # The text twin of the answer is not shown, and "c'est normal" is said once.
    log = page.locator(".phare-log").inner_text()
    assert log.count("Demander de l'aide, c'est normal.") == 1
    assert "Tél. :" not in log
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator(".phare-panel").screenshot(path=str(SCREENSHOTS / f"answer-cards-{width}.png"))
    # "Détails" expands the card.
    toggle = first_card.locator(".phare-card__toggle")
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert first_card.locator(".phare-card__fresh").inner_text() == "Vérifié le 12 mars 2026."
    assert offer.evaluate("n => n.getBoundingClientRect().height") > line * 1.5
    # A typed "2" asks for the details of result 2.
    page.locator("#phare-input").fill("2")
    page.locator("#phare-input").press("Enter")
    page.locator(".phare-card.is-open").nth(1).wait_for()
    assert sent[-1]["message"] == '/more_results{"result_number": "2"}'
    # After a reload the transcript opens on its last message.
    page.reload()
    page.locator(".phare-card").first.wait_for()
    page.wait_for_timeout(300)
    at_end = page.evaluate("""() => {
        const s = document.getElementById('phare-widget').shadowRoot.querySelector('.phare-scroll');
        return s.scrollHeight - s.clientHeight - s.scrollTop;
    }""")
    assert at_end <= 2
    assert errors == []
    context.close()
