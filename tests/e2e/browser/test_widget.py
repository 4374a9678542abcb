"""The embeddable web chat in a real headless Chromium, against the real running Phare.

Trained model, Rasa, action server and web server come from the `phare`
fixture (tests/e2e/conftest.py); Chromium is Debian's, driven by Playwright.
"""
from __future__ import annotations

import json
import re
import sqlite3
import time

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

LAUNCHER = ".phare-launcher"
PANEL = "#phare-panel"
INPUT = "#phare-input"
BOT = ".phare-msg--bot"
USER = ".phare-msg--user"
ANSWER_TIMEOUT = 60_000
XSS = "<img src=x onerror=alert(1)>"
FOOD_IN_TROIS_PISTOLES = "J'ai besoin d'aide alimentaire à Trois-Pistoles"


# --- Helpers ---------------------------------------------------------------


def open_widget(page: Page) -> None:
    page.locator(LAUNCHER).click()
    expect(page.locator(PANEL)).to_be_visible()
    expect(page.locator(BOT).first).to_be_visible()


def wait_answer(page: Page, before: int) -> None:
    """Until a bot message beyond the first `before` is shown and Phare stopped typing."""
    page.wait_for_function(
        """(before) => {
            const root = document.getElementById('phare-widget').shadowRoot;
            return root.querySelectorAll('.phare-msg--bot').length > before
                && root.querySelector('.phare-typing').childElementCount === 0;
        }""",
        arg=before, timeout=ANSWER_TIMEOUT,
    )


def say(page: Page, text: str) -> str:
    """Types a message, sends it with Enter, returns the text of the answer."""
    before = page.locator(BOT).count()
    page.locator(INPUT).fill(text)
    page.locator(INPUT).press("Enter")
    wait_answer(page, before)
    return answer_since(page, before)


def answer_since(page: Page, before: int) -> str:
    """The text of the bot messages after the first `before` (answer cards included)."""
    texts = page.locator(BOT).all_inner_texts()
    return "\n".join(texts[before:])


def focused(page: Page) -> dict:
    """The focused element, looking inside the widget's shadow root."""
    return page.evaluate(
        """() => {
            let el = document.activeElement;
            while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
            if (!el) return {};
            const cls = typeof el.className === 'string' ? el.className : '';
            return {tag: el.tagName, cls, id: el.id, text: (el.textContent || '').trim(),
                    outline: getComputedStyle(el).outlineStyle};
        }"""
    )


def scroll_to_question(page: Page) -> None:
    """For the screenshots: the resident's last question at the top of the conversation."""
    page.locator(".phare-scroll").evaluate(
        "s => { const asked = s.querySelectorAll('.phare-msg--user'); s.scrollTop = asked[asked.length - 1].offsetTop - 8; }"
    )


def stored(page: Page) -> dict:
    return page.evaluate("() => JSON.parse(localStorage.getItem('phare-chat:v1'))")


def tracker_events(phare, sender: str) -> int:
    path = phare["env"]["PHARE_TRACKER_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path, timeout=10) as db:
        return db.execute("SELECT COUNT(*) FROM events WHERE sender_id = ?", (sender,)).fetchone()[0]


def run_axe(page: Page, axe_source: str) -> list[dict]:
    page.add_script_tag(content=axe_source)
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in results["violations"] if v["impact"] in ("serious", "critical")
    ]


def assert_clean(tab) -> None:
    assert tab.dialogs == [], tab.dialogs
    assert tab.page_errors == [], tab.page_errors
    assert tab.console_errors == [], tab.console_errors


# --- Conversation ----------------------------------------------------------


def test_food_aid_in_trois_pistoles(new_tab, web, screenshots_dir):
    tab = new_tab()
    page = tab.page
    page.goto(f"{web}/demo/la-mitis")
    expect(page.locator(LAUNCHER)).to_have_attribute("aria-expanded", "false")
    open_widget(page)
    expect(page.locator(LAUNCHER)).to_have_attribute("aria-expanded", "true")
    assert focused(page)["id"] == "phare-input"
    assert "MRC de La Mitis" in page.locator(PANEL).inner_text()

    answer = say(page, FOOD_IN_TROIS_PISTOLES)  # another MRC than the site's: the resident's place wins
    assert "Croc-Ensemble" in answer
    expect(page.locator(USER).last).to_contain_text(FOOD_IN_TROIS_PISTOLES)
    # Phone numbers are links; messages have a time; "Demander de l'aide, c'est normal."
    phones = page.locator(f"{BOT} a[href^='tel:']")
    assert phones.count() >= 1
    for href in phones.evaluate_all("links => links.map(a => a.getAttribute('href'))"):
        assert re.fullmatch(r"tel:(\+1\d{10}|[289]11)", href), href
    assert re.fullmatch(r"\d{1,2} h \d{2}", page.locator(f"{USER} time").last.inner_text())
    white_space = page.locator(f"{BOT} .phare-msg__text").last.evaluate("e => getComputedStyle(e).whiteSpace")
    assert white_space == "pre-line"

    scroll_to_question(page)
    page.screenshot(path=str(screenshots_dir / "widget-desktop.png"))
    # No cookies, nothing broken, nothing refused by the page's strict CSP.
    assert tab.context.cookies() == []
    assert page.evaluate("() => document.cookie") == ""
    assert_clean(tab)


def test_quick_replies(new_tab, web):
    tab = new_tab()
    page = tab.page
    page.goto(f"{web}/demo/les-basques")
    open_widget(page)
    # The opening message offers needs as buttons; the site's MRC (Les Basques) is the place.
    greeting = page.locator(BOT).first
    expect(greeting).to_contain_text("Bonjour! Ici Phare")  # the demo page's data-greeting
    before = page.locator(BOT).count()
    page.get_by_role("button", name="Aide alimentaire").click()
    expect(page.locator(USER).last).to_have_text(re.compile("Aide alimentaire"))
    wait_answer(page, before)
    assert "Croc-Ensemble" in answer_since(page, before)
    expect(page.get_by_role("button", name="Frigo libre-service")).to_have_count(0)  # used: gone
    assert focused(page)["id"] == "phare-input"

    # Buttons sent by Phare itself (the fallback offers the categories).
    say(page, "blurp zzkq")
    replies = page.locator(".phare-replies .phare-reply")
    assert replies.count() >= 2
    title = replies.first.inner_text()
    before = page.locator(BOT).count()
    replies.first.click()
    expect(page.locator(USER).last).to_contain_text(title)
    wait_answer(page, before)
    assert answer_since(page, before).strip()
    assert_clean(tab)


def test_transcript_survives_reload_and_other_pages(new_tab, web):
    tab = new_tab()
    page = tab.page
    page.goto(f"{web}/demo/les-basques")
    open_widget(page)
    say(page, "bouffe à Trois-Pistoles")
    sender = stored(page)["sender"]
    transcript = page.locator(".phare-msg__text").all_inner_texts()

    page.reload()
    expect(page.locator(PANEL)).to_be_visible()  # still open
    assert page.locator(".phare-msg__text").all_inner_texts() == transcript
    assert stored(page)["sender"] == sender

    page.get_by_role("link", name="Services aux citoyens").click()
    page.wait_for_url("**/demo/les-basques?page=services")
    expect(page.locator(PANEL)).to_be_visible()
    assert page.locator(".phare-msg__text").all_inner_texts() == transcript
    answer = say(page, "c'est tu ouvert aujourd'hui?")  # the same conversation goes on
    assert "Croc-Ensemble" in answer or "Moisson" in answer
    assert stored(page)["sender"] == sender
    assert_clean(tab)


def test_clear_forgets_here_and_on_server(new_tab, web, phare):
    tab = new_tab()
    page = tab.page
    page.goto(f"{web}/demo/la-mitis")
    open_widget(page)
    say(page, FOOD_IN_TROIS_PISTOLES)
    sender = stored(page)["sender"]
    assert tracker_events(phare, sender) > 0

    clear = page.get_by_role("button", name="Effacer la conversation")
    expect(clear).to_be_visible()
    clear.click()
    expect(page.locator(".phare-system")).to_have_text("Conversation effacée.")
    expect(page.locator(USER)).to_have_count(0)
    expect(page.locator(BOT)).to_have_count(1)  # a fresh greeting
    assert "Croc-Ensemble" not in page.locator(PANEL).inner_text()
    assert stored(page)["sender"] != sender
    # The server confirmed: nothing left to forget later, nothing left in the tracker store.
    page.wait_for_function("() => JSON.parse(localStorage.getItem('phare-chat:v1')).forget.length === 0")
    assert tracker_events(phare, sender) == 0

    page.reload()
    assert "Croc-Ensemble" not in page.locator(PANEL).inner_text()
    assert_clean(tab)


# --- Safety ----------------------------------------------------------------


@pytest.fixture()
def croc_description_with_markup(phare):
    """Croc-Ensemble's description in the directory carries an XSS attempt, for one test."""
    path = phare["env"]["PHARE_DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path, timeout=10) as db:
        rows = db.execute(
            "SELECT s.id, s.description FROM service s JOIN organization o ON o.id = s.organization_id "
            "WHERE s.name LIKE '%Croc-Ensemble%' OR o.name LIKE '%Croc-Ensemble%'"
        ).fetchall()
        assert rows, "Croc-Ensemble is in the seed directory"
        db.executemany("UPDATE service SET description = ? WHERE id = ?",
                       [(f"{description} {XSS}".strip(), sid) for sid, description in rows])
    yield
    with sqlite3.connect(path, timeout=10) as db:
        db.executemany("UPDATE service SET description = ? WHERE id = ?", [(d, sid) for sid, d in rows])


def test_markup_is_shown_as_text(new_tab, web, croc_description_with_markup):
    tab = new_tab()
    page = tab.page
    page.goto(f"{web}/demo/la-mitis")
    open_widget(page)
    resident = f"{XSS}<script>alert(2)</script><b>gras</b> bouffe à Trois-Pistoles"
    answer = say(page, resident)
    expect(page.locator(USER).last.locator(".phare-msg__text")).to_have_text(resident)
    assert "Croc-Ensemble" in answer
    # Staff-entered markup is removed before any front end sees it (directory.plain_text).
    assert XSS not in answer and "onerror" not in answer, "directory markup never reaches the widget"
    assert page.locator("#phare-widget img, #phare-widget script, #phare-widget b").count() == 0
    page.wait_for_timeout(500)
    assert tab.dialogs == []
    assert_clean(tab)


def test_crafted_answers_render_as_text_with_links(new_tab, web):
    """Rendering rules, with Phare's answer replaced by a crafted one in the browser."""
    tab = new_tab()
    page = tab.page
    crafted = [
        {"recipient_id": "x", "text": f"Titre {XSS}\n<script>alert(3)</script>\nTél. : 418 555-0123\n"
                                      "Sans frais : 1 866 277-3553, ou (418) 722-1897 poste 2"},
        {"recipient_id": "x", "text": "Web : https://www.croc-ensemble.org/aide. Courriel : info@exemple.qc.ca\n"
                                      "Adresse : 211, rue Principale\nComposez le 2-1-1 ou le 211; urgence : 911."},
        {"recipient_id": "x", "text": "Choisissez :", "buttons": [
            {"title": "<b>Oui</b>", "payload": "/affirm"}, {"title": XSS, "payload": "/deny"}]},
        {"recipient_id": "x", "text": "javascript:alert(4) et data:text/html,<script>alert(5)</script>"},
    ]
    page.route("**/webhooks/rest/webhook", lambda route: route.fulfill(
        status=200, content_type="application/json", body=json.dumps(crafted)))
    page.goto(f"{web}/demo/la-mitis")
    open_widget(page)
    say(page, "bonjour")
    texts = page.locator(f"{BOT} .phare-msg__text").all_inner_texts()[1:]
    assert texts[0].splitlines()[0] == f"Titre {XSS}"
    assert "<script>alert(3)</script>" in texts[0]
    hrefs = page.locator(f"{BOT} a").evaluate_all("links => links.map(a => [a.textContent, a.getAttribute('href')])")
    links = {text.replace(" (nouvel onglet)", ""): href for text, href in hrefs}
    assert links["418 555-0123"] == "tel:+14185550123"
    assert links["1 866 277-3553"] == "tel:+18662773553"
    assert links["(418) 722-1897"] == "tel:+14187221897"
    assert links["https://www.croc-ensemble.org/aide"] == "https://www.croc-ensemble.org/aide"
    assert links["info@exemple.qc.ca"] == "mailto:info@exemple.qc.ca"
    assert links["2-1-1"] == "tel:211" and links["211"] == "tel:211" and links["911"] == "tel:911"
    assert sum(1 for _, href in hrefs if href == "tel:211") == 2  # not the street address
    assert not any(href.startswith(("javascript:", "data:")) for _, href in hrefs)
    external = page.locator(f"{BOT} a[href^='https:']").first
    assert external.get_attribute("rel") == "noopener noreferrer"
    expect(page.get_by_role("button", name="<b>Oui</b>")).to_be_visible()
    expect(page.get_by_role("button", name=XSS)).to_be_visible()
    assert page.locator("#phare-widget img, #phare-widget script, #phare-widget b").count() == 0
    assert_clean(tab)


@pytest.mark.parametrize("where", ["index", "other-site"])
def test_without_a_known_mrc_asks_for_the_place(new_tab, web, other_site, where):
    """The index page has no data-mrc; an MRC website (another origin) has an unknown one, and options."""
    tab = new_tab()
    page = tab.page
    if where == "index":
        page.goto(f"{web}/")
    else:
        # An MRC website on another origin loads widget.js from Phare; an older browser without
        # crypto.randomUUID.
        site = other_site(
            '<!doctype html><html lang="fr-CA"><head><meta charset="utf-8"><title>Site d\'une MRC</title>'
            '<link rel="icon" href="data:,"></head>'
            '<body><main><h1>Site d\'une MRC</h1><p>Bienvenue.</p></main>'
            f'<script src="{web}/widget.js" data-mrc="nulle-part" data-position="left" data-accent="#ffcc00" '
            'data-greeting="Allô! Message d\'accueil de notre site." defer></script></body></html>'
        )
        page.add_init_script("delete Crypto.prototype.randomUUID;")
        page.goto(site)
    open_widget(page)
    if where == "other-site":
        expect(page.locator(BOT).first).to_contain_text("Allô! Message d'accueil de notre site.")
        launcher = page.locator(LAUNCHER)
        assert launcher.bounding_box()["x"] < 100  # data-position="left"
        colours = launcher.evaluate("e => [getComputedStyle(e).backgroundColor, getComputedStyle(e).color]")
        assert colours == ["rgb(255, 204, 0)", "rgb(0, 0, 0)"]  # data-accent, readable text on it
        assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}",
                            stored(page)["sender"])  # a v4 UUID all the same
    else:
        expect(page.locator(BOT).first).to_contain_text("votre municipalité")
    answer = say(page, "jai faim")
    assert "municipalité" in answer
    assert_clean(tab)


# --- Accessibility ---------------------------------------------------------


def test_keyboard_only(new_tab, web):
    tab = new_tab()
    page = tab.page
    page.goto(f"{web}/demo/la-mitis")
    for _ in range(40):  # Tab through the page up to the launcher
        page.keyboard.press("Tab")
        if "phare-launcher" in focused(page).get("cls", ""):
            break
    else:
        pytest.fail("the launcher cannot be reached with Tab")
    assert focused(page)["outline"] != "none", "visible focus"
    page.keyboard.press("Enter")
    expect(page.locator(PANEL)).to_be_visible()
    assert focused(page)["id"] == "phare-input"

    # Pick the "Aide alimentaire" quick reply with Shift+Tab and Space.
    for _ in range(10):
        page.keyboard.press("Shift+Tab")
        if focused(page).get("text") == "Aide alimentaire":
            break
    else:
        pytest.fail("the quick replies cannot be reached with the keyboard")
    before = page.locator(BOT).count()
    page.keyboard.press("Space")
    wait_answer(page, before)
    assert focused(page)["id"] == "phare-input"

    before = page.locator(BOT).count()
    page.keyboard.type("Trois-Pistoles")
    page.keyboard.press("Enter")
    wait_answer(page, before)
    assert "Croc-Ensemble" in answer_since(page, before)

    # The log can be scrolled from the keyboard; links and buttons are reachable.
    assert page.locator(".phare-log").get_attribute("tabindex") == "0"
    page.keyboard.press("Escape")
    expect(page.locator(PANEL)).to_be_hidden()
    assert "phare-launcher" in focused(page)["cls"], "focus returns to the launcher"
    expect(page.locator(LAUNCHER)).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Enter")
    expect(page.locator(PANEL)).to_be_visible()
    assert "Croc-Ensemble" in page.locator(PANEL).inner_text()
    assert_clean(tab)


def test_screen_reader_semantics(new_tab, web):
    tab = new_tab()
    page = tab.page
    page.goto(f"{web}/demo/la-mitis")
    launcher = page.get_by_role("button", name=re.compile(r"^Besoin d'aide\? Clavarder avec Phare"))
    expect(launcher).to_have_count(1)
    launcher.click()
    dialog = page.get_by_role("dialog", name="Phare")
    expect(dialog).to_be_visible()
    log = page.get_by_role("log", name="Conversation avec Phare")
    expect(log).to_have_attribute("aria-live", "polite")
    expect(page.get_by_role("textbox", name="Votre message")).to_be_visible()
    expect(page.get_by_role("button", name="Envoyer")).to_be_visible()
    expect(page.get_by_role("button", name="Fermer le clavardage")).to_be_visible()
    expect(page.locator(".phare")).to_have_attribute("lang", "fr-CA")
    say(page, "bonjour")
    expect(page.locator(f"{BOT} .phare-sr").last).to_have_text("Phare a écrit : ")
    expect(page.locator(f"{USER} .phare-sr").last).to_have_text("Vous avez écrit : ")
    assert_clean(tab)


def test_axe_finds_no_serious_violation(new_tab, web, axe_source):
    # bypass_csp lets Playwright inject axe-core; the widget itself is tested under CSP elsewhere.
    tab = new_tab(bypass_csp=True)
    page = tab.page
    page.goto(f"{web}/")
    assert run_axe(page, axe_source) == []
    page.goto(f"{web}/demo/la-mitis")
    assert run_axe(page, axe_source) == []  # closed widget
    open_widget(page)
    say(page, FOOD_IN_TROIS_PISTOLES)
    say(page, "blurp zzkq")  # quick replies from Phare
    assert run_axe(page, axe_source) == []
    page.get_by_role("button", name="Effacer la conversation").click()
    expect(page.locator(".phare-system")).to_be_visible()
    assert run_axe(page, axe_source) == []

    mobile = new_tab(bypass_csp=True, viewport={"width": 375, "height": 667}, is_mobile=True, has_touch=True)
    mobile.page.goto(f"{web}/demo/temiscouata")
    open_widget(mobile.page)
    assert run_axe(mobile.page, axe_source) == []


def test_reduced_motion_stops_the_typing_animation(new_tab, web):
    check = """() => {
        const root = document.getElementById('phare-widget').shadowRoot;
        const dots = document.createElement('span');
        dots.className = 'phare-dots';
        const dot = document.createElement('span');
        dots.appendChild(dot);
        root.querySelector('.phare-typing').appendChild(dots);
        const name = getComputedStyle(dot).animationName;
        dots.remove();
        return name;
    }"""
    for motion, expected in (("reduce", "none"), ("no-preference", "phare-blink")):
        page = new_tab(reduced_motion=motion).page
        page.goto(f"{web}/demo/la-mitis")
        open_widget(page)
        assert page.evaluate(check) == expected


def test_text_zoom_200_percent(new_tab, web):
    """1280 × 800 at 200 % is a 640 × 400 CSS-pixel window: everything still fits and works."""
    tab = new_tab(viewport={"width": 640, "height": 400})
    page = tab.page
    page.goto(f"{web}/demo/la-mitis")
    open_widget(page)
    box = page.locator(PANEL).bounding_box()
    assert box == {"x": 0, "y": 0, "width": 640, "height": 400}
    for selector in (INPUT, ".phare-send", ".phare-close", ".phare-clear"):
        b = page.locator(selector).bounding_box()
        assert b["x"] >= 0 and b["y"] >= 0 and b["x"] + b["width"] <= 640 and b["y"] + b["height"] <= 400, selector
    assert page.locator(".phare-scroll").evaluate("e => e.scrollWidth <= e.clientWidth")
    say(page, "bonjour")
    assert_clean(tab)


# --- Mobile ----------------------------------------------------------------


def test_mobile_375_px(new_tab, web, screenshots_dir):
    tab = new_tab(viewport={"width": 375, "height": 667}, device_scale_factor=2, is_mobile=True, has_touch=True)
    page = tab.page
    page.goto(f"{web}/demo/la-mitis")
    launcher = page.locator(LAUNCHER)
    b = launcher.bounding_box()
    assert b["width"] >= 44 and b["height"] >= 44
    assert b["x"] + b["width"] <= 375 and b["y"] + b["height"] <= 667  # within thumb reach, bottom right
    launcher.tap()
    expect(page.locator(PANEL)).to_be_visible()
    assert page.locator(PANEL).bounding_box() == {"x": 0, "y": 0, "width": 375, "height": 667}  # full screen
    expect(launcher).to_be_hidden()
    font_size = page.locator(INPUT).evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert font_size >= 16  # no zoom on focus (iOS)
    for selector in (INPUT, ".phare-send", ".phare-close", ".phare-clear", ".phare-reply"):
        box = page.locator(selector).first.bounding_box()
        assert box["height"] >= 44, selector  # touch targets
    send = page.locator(".phare-send").bounding_box()
    assert send["y"] > 667 - 80  # the composer is at the bottom, under the thumb
    answer = say(page, FOOD_IN_TROIS_PISTOLES)
    assert "Croc-Ensemble" in answer
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
    assert page.locator(".phare-scroll").evaluate("e => e.scrollWidth <= e.clientWidth")
    scroll_to_question(page)
    page.screenshot(path=str(screenshots_dir / "widget-mobile.png"))
    page.locator(".phare-close").tap()
    expect(page.locator(PANEL)).to_be_hidden()
    expect(launcher).to_be_visible()
    assert_clean(tab)


# --- Server down -----------------------------------------------------------


def test_server_down_shows_211_and_retry(new_tab, web_without_rasa):
    tab = new_tab()
    page = tab.page
    page.goto(f"{web_without_rasa}/demo/la-mitis")
    open_widget(page)
    started = time.monotonic()
    page.locator(INPUT).fill("bouffe à Trois-Pistoles")
    page.locator(INPUT).press("Enter")
    alert = page.get_by_role("alert")
    expect(alert).to_be_visible(timeout=15_000)
    assert time.monotonic() - started < 15
    expect(alert).to_contain_text("Phare ne répond pas pour le moment")
    expect(alert).to_contain_text("211")
    expect(alert.locator("a[href='tel:211']")).to_have_count(1)
    expect(page.locator(".phare-typing")).to_be_empty()  # no spinner forever
    retry = alert.get_by_role("button", name="Réessayer")
    retry.click()
    expect(page.get_by_role("alert")).to_be_visible(timeout=15_000)  # still down: the message again
    expect(page.locator(USER)).to_have_count(1)  # the message is kept, not duplicated
    # Only the failed requests show up in the console.
    assert tab.dialogs == [] and tab.page_errors == []
    assert all("502" in e for e in tab.console_errors), tab.console_errors


def test_retry_after_a_network_failure(new_tab, web):
    tab = new_tab()
    page = tab.page
    page.goto(f"{web}/demo/les-basques")
    open_widget(page)
    page.route("**/webhooks/rest/webhook", lambda route: route.abort("connectionrefused"))
    page.locator(INPUT).fill("bouffe à Trois-Pistoles")
    page.locator(INPUT).press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("211")
    page.unroute("**/webhooks/rest/webhook")
    before = page.locator(BOT).count()
    page.get_by_role("button", name="Réessayer").click()
    wait_answer(page, before)
    expect(page.get_by_role("alert")).to_have_count(0)
    assert "Croc-Ensemble" in answer_since(page, before)
    assert tab.dialogs == [] and tab.page_errors == []
