"""Bot messages -> one SMS body (pure functions, no I/O).

What a resident's phone shows must be short, plain and cheap:
- the texts of one turn are joined into one SMS (never one SMS per paragraph);
- buttons become a numbered menu ("1. Aide alimentaire … Répondez 1, 2 ou 3."),
  and never show their payload;
- markdown is removed, URLs lose what a phone does not need (https://, www.),
  phone numbers are written the Québec way (418 555-0123);
- the body fits in `max_segments` SMS segments (3 by default); what does not fit
  is cut between two messages (one service each), kept as `rest` for the next
  "PLUS", and the body ends with "Répondez PLUS pour la suite.";
- characters outside GSM-7 are replaced (ê -> e, ’ -> ', « » -> ") only when that
  saves segments (see bot.sms_text).
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from directory.formatting import phones_in_text
from directory.text import fold_keyword, sentences, shorten
from phare.settings import DEFAULT_SMS_MAX_SEGMENTS

from .sms_text import cheapest, segment_info

MAX_SEGMENTS = DEFAULT_SMS_MAX_SEGMENTS  # PHARE_SMS_MAX_SEGMENTS may lower or raise it
MORE_PROMPT = "Répondez PLUS pour la suite."
MORE_PAYLOADS = frozenset({"/more_results"})
BLOCK_SEPARATOR = "\n\n"
CUT_MARK = "…"


@dataclass(frozen=True)
class Choice:
    title: str
    payload: str


@dataclass(frozen=True)
class Rendered:
    body: str  # exactly what is sent (possibly transliterated to GSM-7)
    segments: int
    encoding: str
    rest: tuple[str, ...] = ()  # cleaned blocks left for "PLUS"
    more: bool = False  # the bot itself has more results after `rest` (PLUS -> /more_results)
    choices: tuple[Choice, ...] = field(default_factory=tuple)


# --------------------------------------------------------------------------- cleaning

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"'()\[\]]+", re.IGNORECASE)
_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]+)\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
_MD_BOLD = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_MD_ITALIC_STAR = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_MD_ITALIC_UNDERSCORE = re.compile(r"(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])")
_MD_CODE = re.compile(r"`([^`\n]*)`")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+", re.MULTILINE)
_MD_BULLET = re.compile(r"^\s*[*+•]\s+", re.MULTILINE)
_MD_RULE = re.compile(r"^\s*([-*_])(\s*\1){2,}\s*$", re.MULTILINE)
_TRACKING_PARAMS = ("utm_", "fbclid", "gclid", "mc_")
_SPACES = re.compile(r"[ \t\u00a0\u202f]+")


def short_url(url: str) -> str:
    """The shortest form a phone still opens: no scheme, no www., no tracking, no trailing slash."""
    trailing = ""
    while url and url[-1] in ".,;:!?":
        trailing = url[-1] + trailing
        url = url[:-1]
    candidate = url if "://" in url else f"http://{url}"
    try:
        parts = urlsplit(candidate)
    except ValueError:
        return url + trailing
    host = parts.netloc.lower()
    if host.startswith("www."):
        host = host[4:]
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                       if not k.lower().startswith(_TRACKING_PARAMS)])
    path = parts.path.rstrip("/")
    text = host + path + (f"?{query}" if query else "")
    return text + trailing


def quebec_phones(text: str) -> str:
    """"(418) 555-0123", "418.555.0123", "+1 418 555 0123" -> "418 555-0123"; toll-free "1 800 363-9010"."""
    return phones_in_text(text)


def strip_markdown(text: str) -> str:
    text = _MD_IMAGE.sub(lambda m: m.group(1), text)
    text = _MD_LINK.sub(lambda m: _link_text(m.group(1), m.group(2)), text)
    text = _MD_CODE.sub(lambda m: m.group(1), text)
    text = _MD_BOLD.sub(lambda m: m.group(2), text)
    text = _MD_ITALIC_STAR.sub(lambda m: m.group(1), text)
    text = _MD_ITALIC_UNDERSCORE.sub(lambda m: m.group(1), text)
    text = _MD_HEADING.sub("", text)
    text = _MD_RULE.sub("", text)
    text = _MD_BULLET.sub("- ", text)
    return text


def _link_text(label: str, url: str) -> str:
    if url.lower().startswith(("tel:", "mailto:", "sms:")):
        target = url.split(":", 1)[1]
        return label if _digits(label) == _digits(target) or label == target else f"{label} : {target}"
    short = short_url(url)
    if label.strip().lower() in (short.lower(), url.lower()):
        return short
    return f"{label} : {short}"


def _digits(text: str) -> str:
    digits = re.sub(r"\D", "", text)
    return digits[1:] if len(digits) == 11 and digits.startswith("1") else digits


def clean_text(text: str) -> str:
    """A bot text as plain SMS text (markdown, URLs, phones, spacing)."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", str(text)).replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    text = strip_markdown(text)
    # Protect URLs from the phone rewriting, and shorten them.
    urls: list[str] = []

    def keep_url(match: re.Match) -> str:
        urls.append(short_url(match.group(0)))
        return f"\x00{len(urls) - 1}\x00"

    text = _URL.sub(keep_url, text)
    text = quebec_phones(text)
    text = re.sub(r"\x00(\d+)\x00", lambda m: urls[int(m.group(1))], text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    text = "\n".join(lines)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


# --------------------------------------------------------------------------- menus


def _buttons(message: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    buttons = message.get("buttons") or []
    if not isinstance(buttons, list):
        return []
    return [b for b in buttons if isinstance(b, Mapping)]


def menu_choices(messages: Sequence[Mapping[str, Any]]) -> list[Choice]:
    """The numbered choices of one bot turn, in order ("/more_results" is PLUS, not a number).

    The channel uses the same function on the tracker's last bot messages to
    turn a reply "2" into the second choice, so numbering must stay identical.
    After a list of services, "N" asks for the details of service N (every
    number shown so far in the list, pages before this one included).
    """
    for message in messages:
        answer = _answer_from(message) if isinstance(message, Mapping) else None
        if answer is not None and answer.choices:
            from actions.answer_model import details_payload

            return [Choice(f"Détails du {n}", details_payload(n)) for n in range(1, max(answer.choices) + 1)]
    return button_choices(messages)


def button_choices(messages: Sequence[Mapping[str, Any]]) -> list[Choice]:
    """The buttons of one bot turn as numbered choices."""
    choices = []
    for message in messages:
        for button in _buttons(message):
            payload = str(button.get("payload") or "").strip()
            title = clean_text(str(button.get("title") or "")).replace("\n", " ")
            if not payload or payload in MORE_PAYLOADS:
                continue
            choices.append(Choice(title or payload.lstrip("/"), payload))
    return choices


def _has_more_button(messages: Sequence[Mapping[str, Any]]) -> bool:
    return any(str(b.get("payload") or "").strip() in MORE_PAYLOADS for m in messages for b in _buttons(m))


def menu_prompt(count: int) -> str:
    if count <= 0:
        return ""
    if count == 1:
        return "Répondez 1."
    if count <= 4:
        numbers = [str(i) for i in range(1, count + 1)]
        return f"Répondez {', '.join(numbers[:-1])} ou {numbers[-1]}."
    return f"Répondez par un chiffre de 1 à {count}."


def menu_text(choices: Sequence[Choice]) -> str:
    if not choices:
        return ""
    lines = [f"{i}. {choice.title}" for i, choice in enumerate(choices, start=1)]
    lines.append(menu_prompt(len(choices)))
    return "\n".join(lines)


# --------------------------------------------------------------------------- fitting


def _is_more_prompt(block: str) -> bool:
    return _fold(block).rstrip(".! ") == _fold(MORE_PROMPT).rstrip(".! ")


def _fold(text: str) -> str:
    return fold_keyword(text)


def _message_text(message: Mapping[str, Any]) -> str:
    text = message.get("text")
    if not text and isinstance(message.get("custom"), Mapping):
        text = message["custom"].get("text")
    return clean_text(text) if isinstance(text, str) else ""


def _segments(text: str) -> int:
    return segment_info(cheapest(text)).segments


def _join(parts: Iterable[str], separator: str = BLOCK_SEPARATOR) -> str:
    return separator.join(p for p in parts if p)


def _split_block(block: str, budget_fits) -> tuple[str, str]:
    """Cut one block too long to be shown whole: at a line break if possible, else between words."""
    lines = block.split("\n")
    head: list[str] = []
    for i, line in enumerate(lines):
        if budget_fits("\n".join(head + [line])):
            head.append(line)
            continue
        if head:
            return "\n".join(head), "\n".join(lines[i:])
        words = line.split(" ")
        taken: list[str] = []
        for j, word in enumerate(words):
            if budget_fits(" ".join(taken + [word]) + CUT_MARK):
                taken.append(word)
                continue
            if not taken:  # a single giant "word": cut by characters
                low, high = 0, len(word)
                while low < high:
                    mid = (low + high + 1) // 2
                    if budget_fits(word[:mid] + CUT_MARK):
                        low = mid
                    else:
                        high = mid - 1
                low = max(low, 1)
                rest_line = word[low:] + " " + " ".join(words[j + 1:])
                return word[:low] + CUT_MARK, "\n".join([rest_line.strip()] + lines[i + 1:])
            rest_line = " ".join(words[j:])
            return " ".join(taken) + CUT_MARK, "\n".join([rest_line] + lines[i + 1:])
    return "\n".join(head), ""


def fit_blocks(
    blocks: Sequence[str],
    choices: Sequence[Choice] = (),
    more: bool = False,
    max_segments: int = MAX_SEGMENTS,
    pinned: Sequence[int] = (),
) -> Rendered:
    """Fit cleaned blocks (+ a numbered menu) into at most `max_segments` segments.

    `pinned` blocks (the question that goes with the menu) are always shown;
    the others are shown in order while they fit, the remainder becomes `rest`.
    """
    blocks = [b for b in blocks if b]
    more = more or any(_is_more_prompt(b) for b in blocks)
    pinned_set = {i for i in pinned if 0 <= i < len(blocks)}
    kept_prompts = [i for i, b in enumerate(blocks) if _is_more_prompt(b)]
    # The "Répondez PLUS" line is placed once, at the end, by this function.
    order = [i for i in range(len(blocks)) if i not in kept_prompts]
    menu = menu_text(choices)

    def compose(shown: Sequence[int], extra_first: str = "", cut: bool = False, separator: str = BLOCK_SEPARATOR) -> str:
        parts = []
        if extra_first:
            parts.append(extra_first)
        parts += [blocks[i] for i in order if i in shown]
        if menu:
            parts.append(menu)
        if cut or more:
            parts.append(MORE_PROMPT)
        return _join(parts, separator)

    def fits(text: str) -> bool:
        return _segments(text) <= max_segments

    everything = compose(order)
    if fits(everything):
        return _result(everything, (), more, choices)
    # Blank lines between messages read better, but not at the price of a cut.
    tight = compose(order, separator="\n")
    if fits(tight):
        return _result(tight, (), more, choices)

    movable = [i for i in order if i not in pinned_set]
    shown = set(pinned_set)
    for count, index in enumerate(movable):
        if fits(compose(shown | {index}, cut=True)):
            shown.add(index)
            continue
        rest = [blocks[i] for i in movable[count:]]
        if count == 0 or not shown - pinned_set:
            # Not even the first block fits: show as much of it as possible.
            head, tail = _split_block(rest[0], lambda t: fits(compose(shown, extra_first=t, cut=True)))
            if head:
                rest = ([tail] if tail else []) + rest[1:]
                return _result(compose(shown, extra_first=head, cut=bool(rest)), tuple(rest), more, choices)
        return _result(compose(shown, cut=True), tuple(rest), more, choices)
    # Only the pinned blocks and the menu are left and they still do not fit: cut the menu's titles.
    return _fit_oversized(compose(shown, cut=False), max_segments, more, choices)


def _fit_oversized(text: str, max_segments: int, more: bool, choices: Sequence[Choice]) -> Rendered:
    lines = text.split("\n")
    while len(lines) > 1 and _segments("\n".join(lines)) > max_segments:
        lines.pop(-2 if len(lines) > 2 else -1)
    body = "\n".join(lines)
    while _segments(body) > max_segments and len(body) > 1:
        body = body[: int(len(body) * 0.9)].rstrip() + CUT_MARK
    return _result(body, (), more, choices)


def _result(body: str, rest: tuple[str, ...], more: bool, choices: Sequence[Choice]) -> Rendered:
    sent = cheapest(body)
    info = segment_info(sent)
    return Rendered(sent, info.segments, info.encoding, rest, more, tuple(choices))


def render(messages: Sequence[Mapping[str, Any]], max_segments: int = MAX_SEGMENTS, more: bool = False) -> Rendered:
    """One bot turn (Rasa's collected messages) -> one SMS.

    `more`: the bot has further results after these messages (the SMS then ends with the PLUS prompt).
    """
    messages = [m for m in messages if isinstance(m, Mapping)]
    answers = [a for a in (_answer_from(m) for m in messages) if a is not None]
    if answers:
        # The structured answer replaces its own plain-text rendering (same text, sent alongside).
        return render_answers(answers, max_segments)
    blocks: list[str] = []
    pinned: list[int] = []
    for message in messages:
        text = _message_text(message)
        if text:
            blocks.append(text)
            if button_choices([message]):
                pinned.append(len(blocks) - 1)
    choices = button_choices(messages)
    more = more or _has_more_button(messages)
    return fit_blocks(blocks, choices, more=more, max_segments=max_segments, pinned=pinned)


def render_text(text: str, max_segments: int = MAX_SEGMENTS) -> Rendered:
    """A fixed text (help, notices) as one SMS."""
    return fit_blocks([clean_text(text)], max_segments=max_segments)


def render_rest(rest: Sequence[str], more: bool = False, max_segments: int = MAX_SEGMENTS) -> Rendered:
    """The next part of a cut answer (after "PLUS")."""
    return fit_blocks(list(rest), more=more, max_segments=max_segments)


# --------------------------------------------------------------------------- structured answers
#
# An action's `actions.answer_model.Answer` (custom payload "phare.answer") is
# packed here by priority, never cut between two messages: first what lets a
# resident act (each service's name, phone and town, a closure, the prompt and
# the 211 line), then the opening hours, the street address, what it offers
# (whole sentences, or a clause), the verification date, and last the campaign
# and the anti-stigma line. Every service of the answer is always named, so the
# numbers a resident can answer ("2": details) and PLUS (the next page, kept in
# the tracker's slots) always match what the phone shows.

ANSWER_SEPARATOR = "\n"
NEXT_STEP_211 = "Autre chose : faites le 211 (gratuit)."
NEXT_STEP_211_MISSING = "Pas de numéro ici? Faites le 211 (gratuit), on vous le donnera."
NORMAL_LINE = "Demander de l'aide, c'est normal."
MAX_NAME_CHARS = 100


def _answer_from(message: Mapping[str, Any]):
    from actions.answer_model import Answer, is_answer_payload

    custom = message.get("custom")
    if not is_answer_payload(custom):
        return None
    try:
        return Answer.from_payload(custom)
    except (TypeError, ValueError):
        return None


def _numbers_text(numbers: Sequence[int]) -> str:
    words = [str(n) for n in numbers]
    if len(words) == 1:
        return words[0]
    return f"{', '.join(words[:-1])} ou {words[-1]}"


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def _clip_name(name: str, limit: int = MAX_NAME_CHARS) -> str:
    if len(name) <= limit:
        return name
    head = name[:limit].rsplit(" ", 1)[0].rstrip(" ,;:-—")
    return head + CUT_MARK


@dataclass
class _ServiceLines:
    """What is shown of one service; fields are switched on by priority while they fit."""

    card: Any
    details: bool = False  # the "details of N" answer: every field is a candidate
    name_limit: int = MAX_NAME_CHARS
    phones: int = 1
    address: bool = False
    opening: bool = False
    offer: str = ""
    extras: tuple[str, ...] = ()
    freshness: bool = False

    def head(self) -> str:
        card = self.card
        name = _clip_name(card.name, self.name_limit)
        head = f"{card.number}. {name}" if card.number else name
        contacts = [p.display + (f" ({p.label})" if p.label and self.details else "") for p in card.phones[: self.phones]]
        if contacts:
            head += " : " + ", ".join(contacts)
        where = card.address if (self.address and card.address) else card.town
        if where:
            head += f", {where}" if contacts else f" ({where})"
        return head

    def text(self) -> str:
        card = self.card
        lines = [self.head()]
        if card.closed_note:
            lines.append(card.closed_note)
        if self.opening:
            lines.append(card.opening or f"Heures : {card.hours}")
        if self.offer:
            lines.append(self.offer)
        lines.extend(self.extras)
        if self.freshness and card.freshness:
            lines.append(card.freshness)
        return "\n".join(lines)


def _answer_head(answer) -> str:
    from actions.answer_model import DETAILS, NO_MORE, NONE_LOCAL

    what = f"{answer.need_phrase} {answer.place}".strip()
    if answer.kind == NONE_LOCAL:
        text = f"Aucun service pour {what} dans mon répertoire."
        if answer.services:
            text += " Dans une MRC voisine :"
        elif answer.lines:
            text += " Une ligne pour tous :"
        return text
    if answer.kind == NO_MORE:
        return f"C'est tout ce que j'ai pour {what}." if what else "Je n'ai pas d'autres résultats."
    if answer.kind == DETAILS:
        return ""
    if answer.services and answer.services[0].number and answer.services[0].number > 1:
        return f"Autres services pour {what} :"
    return _capitalised(f"pour {what} :") if what else ""


def _prompt(answer) -> str:
    shown = [c.number for c in answer.services if c.number]
    parts = []
    if shown and answer.kind != "details":
        parts.append(f"Détails : répondez {_numbers_text(shown)}.")
    if answer.more:
        parts.append("La suite : PLUS.")
    return " ".join(parts)


def _closing(answer) -> str:
    """The end of every SMS answer: the list is over (if so), and the 211 — once."""
    lines = []
    if answer.end_note and answer.kind != "no_more":
        lines.append(answer.end_note)
    missing = any(not c.has_contact for c in answer.all_services)
    lines.append(NEXT_STEP_211_MISSING if missing else NEXT_STEP_211)
    return " ".join(lines)


def render_answer(answer, max_segments: int = MAX_SEGMENTS) -> Rendered:
    """One structured answer -> one SMS of at most `max_segments` segments, packed by priority."""
    services = [_ServiceLines(card, details=answer.kind == "details", phones=1) for card in answer.all_services]
    head = _answer_head(answer)
    prompt = _prompt(answer)
    closing = _closing(answer)
    extras: list[str] = []

    def compose() -> str:
        parts = [head] + [s.text() for s in services] + extras + [prompt, closing]
        return ANSWER_SEPARATOR.join(p for p in parts if p)

    def fits() -> bool:
        return _segments(compose()) <= max_segments

    # Essentials that do not fit (very long names): shorter names.
    for limit in (60, 40, 25, 12):
        if fits():
            break
        for s in services:
            s.name_limit = limit

    def try_set(service: _ServiceLines, name: str, value) -> bool:
        old = getattr(service, name)
        setattr(service, name, value)
        if fits():
            return True
        setattr(service, name, old)
        return False

    for s in services:
        if s.card.opening or (s.card.hours and s.details):
            try_set(s, "opening", True)
    for s in services:
        if s.card.opening is None and s.card.hours and not s.details:
            try_set(s, "opening", True)
    for s in services:
        if s.card.address and s.card.address != s.card.town:
            try_set(s, "address", True)
    if any(s.details for s in services):
        for s in services:
            for count in range(2, len(s.card.phones) + 1):
                try_set(s, "phones", count)
    # The anti-stigma line (short), what each service offers (one sentence or clause each), the
    # campaign, then whole descriptions while they fit.
    for first_only in (True, False):
        for extra in ((NORMAL_LINE if answer.normal else None,) if first_only else (answer.campaign,)):
            if extra:
                extras.append(clean_text(extra))
                if not fits():
                    extras.pop()
        for s in services:
            if not s.card.offer:
                continue
            text = sentences(s.card.offer)[0] if first_only else s.card.offer
            kept = s.offer

            def offer_fits(candidate: str, service=s, kept=kept) -> bool:
                if len(candidate) <= len(kept):
                    return True
                service.offer = candidate
                ok = fits()
                service.offer = kept
                return ok
            better = shorten(text, offer_fits)
            if len(better) > len(kept):
                s.offer = better
    for s in services:
        if s.details:
            card = s.card
            for extra in (card.area_note, card.eligibility and f"Pour qui : {card.eligibility}",
                          card.fees and f"Coût : {card.fees}", card.how_to and f"Comment : {card.how_to}",
                          card.url and short_url(card.url), card.email):
                if extra:
                    try_set(s, "extras", s.extras + (extra,))
    for s in services:
        try_set(s, "freshness", True)
    body = compose()
    if not fits():  # pathological (a 1-segment limit): the essentials, cut as plain text
        return _fit_oversized(body, max_segments, answer.more, ())
    return _result(body, (), answer.more, ())


def render_answers(answers: Sequence[Any], max_segments: int = MAX_SEGMENTS) -> Rendered:
    """Several answers of one turn (several needs): each gets its share of the segments."""
    if len(answers) == 1:
        return render_answer(answers[0], max_segments)
    for share in range(max_segments, 0, -1):
        bodies = [render_answer(a, share).body for a in answers]
        body = BLOCK_SEPARATOR.join(bodies)
        if _segments(body) <= max_segments:
            return _result(body, (), any(a.more for a in answers), ())
    return render_answer(answers[0], max_segments)
