"""Phare's SMS channel for Twilio: POST /webhooks/sms/webhook, answered with TwiML.

Why not Rasa's own Twilio channel: it accepts forged webhooks, blocks while it
calls Twilio's API, answers 500 on odd input, sends one SMS per paragraph and
per button (payload visible), and keeps residents' phone numbers as
conversation ids. This channel:

- checks X-Twilio-Signature with twilio's RequestValidator against the public
  URL (PHARE_SMS_PUBLIC_URL + the path); a missing or wrong signature -> 403,
  nothing processed, nothing stored (PHARE_SMS_VALIDATE=false, development only,
  turns the check off and says so loudly at start-up);
- never lets a phone number reach the tracker store, the logs or analytics: the
  conversation id is HMAC-SHA256(PHARE_SENDER_SECRET, number), the reply goes
  back in the webhook response (TwiML), the texted number only selects an MRC;
- answers within PHARE_SMS_TIMEOUT seconds (10 by default, Twilio waits 15):
  a turn that takes longer keeps running in the background, the resident gets a
  short message with 211 and can text PLUS to read the late answer;
- renders the turn as one SMS of at most 3 segments (bot.sms_render), with a
  numbered menu for buttons ("2" picks the second choice of the last menu, read
  from the tracker store so it works across several Rasa instances);
- keywords in French and English: AIDE/HELP, RECOMMENCER/RESET, PLUS/MORE;
  STOP/ARRET… get an empty answer (Twilio and the carrier handle opt-out);
- a per-sender rate limit (bot.rate_limit), keyed by the hashed id;
- never a 500: every failure becomes a polite French SMS with 211, or a 4xx.
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import os
import re
import time
import traceback
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Dict, List, Mapping, Optional, Sequence, Text
from urllib.parse import parse_qsl

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.shared.exceptions import RasaException
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from bot.messages import EMPTY_MESSAGE, TECHNICAL_PROBLEM
from bot.rate_limit import Decision, MemoryRateLimiter, RateLimiter, RateRule, build_rate_limiter, window_text
from bot.sms_render import MAX_SEGMENTS, Rendered, menu_choices, menu_prompt, render, render_text

from .safety import never_silent

logger = logging.getLogger(__name__)

WEBHOOK_PATH = "/webhooks/sms/webhook"
MAX_BODY_BYTES = 64 * 1024
MAX_TEXT_CHARS = 1600  # Twilio's own limit for one (concatenated) inbound message
DEFAULT_TIMEOUT = 10.0
MAX_TIMEOUT = 14.0  # Twilio gives up after 15 s
PAGER_TTL = 3600  # seconds a cut answer stays available for PLUS
DEVELOPMENT_SENDER_SECRET = "phare-development-sender-secret-not-for-production"
MRC_IDS = frozenset({
    "la-matanie", "la-matapedia", "la-mitis", "rimouski-neigette",
    "les-basques", "riviere-du-loup", "temiscouata", "kamouraska",
})
FALSE_VALUES = frozenset({"0", "false", "no", "non", "off"})

# ------------------------------------------------------------------ fixed French texts

HELP_TEXT = (
    "Phare trouve les services d'entraide du Bas-Saint-Laurent : aide alimentaire, frigos, repas, "
    "quelqu'un à qui parler… Écrivez votre besoin et votre municipalité, ex. « épicerie à Rimouski ». "
    "PLUS : la suite. RECOMMENCER : tout effacer. ARRET : ne plus recevoir de textos. "
    "Une personne : 211. Urgence : 911."
)
TIMEOUT_TEXT = (
    "Je cherche encore… Répondez PLUS dans une minute pour voir ma réponse. "
    "Le 211 (gratuit et confidentiel) peut aussi vous aider. Urgence : 911."
)
MEDIA_TEXT = (
    "Je ne peux pas lire les photos ni les fichiers. Écrivez-moi en mots ce dont vous avez besoin "
    "et votre municipalité. Une personne peut aussi vous aider au 211."
)
SYMBOLS_TEXT = (
    "Je lis seulement les mots, pas les émojis. Écrivez-moi ce dont vous avez besoin "
    "(manger, un frigo, quelqu'un à qui parler…) et votre municipalité."
)
RATE_LIMIT_TEXT = (
    "Vous m'avez écrit beaucoup de messages. Je vous répondrai de nouveau dans {wait}. "
    "Parler à quelqu'un maintenant : 211. Urgence : 911."
)
NO_SUCH_CHOICE_TEXT = "Je n'ai pas de choix {number}. {prompt}"
MISSING_SENDER_TEXT = "Requête invalide : le paramètre From manque."

# ------------------------------------------------------------------ keywords

STOP_WORDS = frozenset({
    "stop", "stopall", "arret", "arreter", "unsubscribe", "cancel", "end", "quit", "revoke", "optout",
    "opt out", "opt-out", "start", "unstop",
})
HELP_WORDS = frozenset({"aide", "help", "info"})
RESET_WORDS = frozenset({"recommencer", "reset", "restart", "recommence"})
MORE_WORDS = frozenset({"plus", "more", "suite", "next"})
_CHOICE = re.compile(r"^#?\s*(\d{1,2})\s*[.)]?$")

STOP, HELP, RESET, MORE = "stop", "help", "reset", "more"


def fold(text: str) -> str:
    """Lower case, no accents, no surrounding punctuation: "ARRÊT!" -> "arret"."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    plain = re.sub(r"\s+", " ", plain)
    return plain.strip(" \t\n.!?,;:'\"«»()[]*-_")


def keyword(text: str) -> Optional[str]:
    word = fold(text)
    if word in STOP_WORDS:
        return STOP
    if word in HELP_WORDS:
        return HELP
    if word in RESET_WORDS:
        return RESET
    if word in MORE_WORDS:
        return MORE
    return None


def choice_number(text: str) -> Optional[int]:
    match = _CHOICE.match(text.strip())
    return int(match.group(1)) if match else None


def has_words(text: str) -> bool:
    return any(c.isalnum() for c in text)


# ------------------------------------------------------------------ numbers and ids

_DIGITS = re.compile(r"\D+")


def normalize_number(number: str) -> str:
    """A phone number in E.164 when it looks like one (+14185550123), else the trimmed text."""
    raw = (number or "").strip()
    for prefix in ("whatsapp:", "sms:", "tel:"):
        if raw.lower().startswith(prefix):
            raw = raw[len(prefix):]
    digits = _DIGITS.sub("", raw)
    if len(digits) == 10 and not raw.startswith("+"):
        return f"+1{digits}"
    if len(digits) == 11 and digits.startswith("1"):
        return f"+{digits}"
    if raw.startswith("+") and 8 <= len(digits) <= 15:
        return f"+{digits}"
    return raw.lower()


def sender_key(secret: bytes, number: str) -> str:
    """The conversation id of a phone number: a keyed hash, the number cannot be read back."""
    digest = hmac.new(secret, normalize_number(number).encode("utf-8"), hashlib.sha256).hexdigest()
    return f"sms-{digest[:32]}"


def parse_numbers(text: Optional[str]) -> Dict[str, str]:
    """"+14185550101=les-basques,+14185550102=la-matapedia" -> {"+14185550101": "les-basques", …}."""
    numbers: Dict[str, str] = {}
    for item in re.split(r"[,;\n]+", text or ""):
        item = item.strip()
        if not item:
            continue
        if "=" not in item:
            raise ValueError(f"PHARE_SMS_NUMBERS: '{item}' should be NUMBER=mrc-id")
        number, mrc = (part.strip() for part in item.split("=", 1))
        if mrc not in MRC_IDS:
            raise ValueError(f"PHARE_SMS_NUMBERS: unknown MRC id '{mrc}' (expected one of {sorted(MRC_IDS)})")
        numbers[normalize_number(number)] = mrc
    return numbers


# ------------------------------------------------------------------ settings


@dataclass(frozen=True)
class SmsSettings:
    validate: bool = True
    auth_token: Optional[str] = None
    public_url: Optional[str] = None
    sender_secret: bytes = b""
    numbers: Mapping[str, str] = field(default_factory=dict)
    rate_rule: RateRule = field(default_factory=lambda: RateRule.parse(None))
    timeout: float = DEFAULT_TIMEOUT
    redis_url: Optional[str] = None
    max_segments: int = MAX_SEGMENTS
    warnings: tuple = ()
    enabled: bool = True  # False: SMS not configured at all, every webhook gets 503

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None) -> "SmsSettings":
        env = os.environ if env is None else env
        warnings: list[str] = []
        validate = (env.get("PHARE_SMS_VALIDATE") or "true").strip().lower() not in FALSE_VALUES
        token = (env.get("TWILIO_AUTH_TOKEN") or "").strip() or None
        public_url = (env.get("PHARE_SMS_PUBLIC_URL") or "").strip().rstrip("/") or None
        secret = (env.get("PHARE_SENDER_SECRET") or "").strip()
        if public_url and not re.match(r"^https?://[^/\s]+", public_url):
            raise RasaException(f"SMS: PHARE_SMS_PUBLIC_URL must be an http(s) URL, got '{public_url}'")
        if validate:
            missing = [name for name, value in (("TWILIO_AUTH_TOKEN", token), ("PHARE_SMS_PUBLIC_URL", public_url),
                                                ("PHARE_SENDER_SECRET", secret)) if not value]
            if len(missing) == 3 and not (env.get("PHARE_SMS_VALIDATE") or "").strip():
                # SMS simply not set up (a deployment without Twilio): the channel stays closed
                # (503, nothing processed) rather than stopping the web chat with it.
                return cls(validate=True, enabled=False, warnings=(
                    "SMS channel not configured (TWILIO_AUTH_TOKEN, PHARE_SMS_PUBLIC_URL, PHARE_SENDER_SECRET): "
                    "/webhooks/sms/webhook answers 503. See docs/sms.md.",))
            if missing:
                raise RasaException(
                    "SMS channel: " + ", ".join(missing) + " not set. Set them (see docs/sms.md), or, for local "
                    "development only, set PHARE_SMS_VALIDATE=false."
                )
            if len(secret) < 16:
                warnings.append("PHARE_SENDER_SECRET is short (< 16 characters): use a long random value")
        else:
            warnings.append(
                "SMS SIGNATURE CHECK IS OFF (PHARE_SMS_VALIDATE=false): anyone can post to /webhooks/sms/webhook. "
                "Development only, NEVER in production."
            )
            if not secret:
                secret = DEVELOPMENT_SENDER_SECRET
                warnings.append("PHARE_SENDER_SECRET not set: using the fixed development key")
        try:
            numbers = parse_numbers(env.get("PHARE_SMS_NUMBERS"))
            rate_rule = RateRule.parse(env.get("PHARE_SMS_RATE_LIMIT"))
            timeout = float(env.get("PHARE_SMS_TIMEOUT") or DEFAULT_TIMEOUT)
            max_segments = int(env.get("PHARE_SMS_MAX_SEGMENTS") or MAX_SEGMENTS)
        except ValueError as exc:
            raise RasaException(f"SMS channel: {exc}") from exc
        if not 0 < timeout <= MAX_TIMEOUT:
            warnings.append(f"PHARE_SMS_TIMEOUT={timeout} outside (0, {MAX_TIMEOUT}]: using {DEFAULT_TIMEOUT}")
            timeout = DEFAULT_TIMEOUT
        return cls(
            validate=validate, auth_token=token, public_url=public_url, sender_secret=secret.encode("utf-8"),
            numbers=numbers, rate_rule=rate_rule, timeout=timeout,
            redis_url=(env.get("PHARE_REDIS_URL") or "").strip() or None,
            max_segments=max(1, max_segments), warnings=tuple(warnings),
        )


# ------------------------------------------------------------------ form parsing


class FormParams(dict):
    """Form fields as lists of values; `getall` lets twilio's validator sign repeated fields."""

    def getall(self, name: str) -> List[str]:
        return list(self[name])

    def first(self, name: str) -> Optional[str]:
        values = self.get(name)
        return values[0] if values else None


class BadRequest(Exception):
    def __init__(self, status: int, text: str) -> None:
        super().__init__(text)
        self.status = status
        self.text = text


def _charset(content_type: str) -> Optional[str]:
    match = re.search(r"charset=\"?([\w.-]+)", content_type or "", re.IGNORECASE)
    return match.group(1) if match else None


def _decode(raw: bytes, charset: Optional[str]) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if charset:
        try:
            return raw.decode(charset)
        except (LookupError, UnicodeDecodeError):
            pass
    return raw.decode("cp1252", errors="replace")


def parse_form(body: bytes, content_type: str = "application/x-www-form-urlencoded") -> FormParams:
    """application/x-www-form-urlencoded -> FormParams, blank values kept (Twilio signs them).

    Percent-decoded bytes that are not UTF-8 are read in the declared charset, else
    Windows-1252, so a badly encoded message still gets an answer instead of an error.
    """
    media_type = (content_type or "").split(";")[0].strip().lower()
    if media_type and media_type != "application/x-www-form-urlencoded":
        raise BadRequest(415, "Type de contenu non pris en charge.")
    charset = _charset(content_type)
    text = body.decode("latin-1")  # one char per byte; parse_qsl below keeps the bytes
    params = FormParams()
    for key, value in parse_qsl(text, keep_blank_values=True, encoding="latin-1"):
        params.setdefault(_decode(key.encode("latin-1"), charset), []).append(
            _decode(value.encode("latin-1"), charset)
        )
    return params


# ------------------------------------------------------------------ continuation store (PLUS)


class Pager:
    """What a resident reads after "PLUS": the rest of a cut answer, or a late answer.

    Public directory texts only (never a number), kept PAGER_TTL seconds.
    """

    async def get(self, key: str) -> Optional[dict]:  # pragma: no cover - interface
        raise NotImplementedError

    async def set(self, key: str, value: dict) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    async def clear(self, key: str) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class MemoryPager(Pager):
    def __init__(self, ttl: float = PAGER_TTL, clock: Callable[[], float] = time.monotonic, max_keys: int = 50_000):
        self.ttl = ttl
        self.clock = clock
        self.max_keys = max_keys
        self._items: Dict[str, tuple] = {}

    async def get(self, key: str) -> Optional[dict]:
        item = self._items.get(key)
        if not item:
            return None
        if item[0] < self.clock():
            self._items.pop(key, None)
            return None
        return item[1]

    async def set(self, key: str, value: dict) -> None:
        now = self.clock()
        if len(self._items) >= self.max_keys:
            for k in [k for k, (expires, _) in self._items.items() if expires < now]:
                self._items.pop(k, None)
            while len(self._items) >= self.max_keys:
                self._items.pop(next(iter(self._items)))
        self._items[key] = (now + self.ttl, value)

    async def clear(self, key: str) -> None:
        self._items.pop(key, None)


class RedisPager(Pager):
    def __init__(self, url: str, ttl: int = PAGER_TTL, prefix: str = "phare:sms:more:") -> None:
        import redis.asyncio as redis_asyncio

        self.client = redis_asyncio.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0)
        self.ttl = int(ttl)
        self.prefix = prefix
        self._fallback = MemoryPager(ttl)

    async def get(self, key: str) -> Optional[dict]:
        try:
            raw = await self.client.get(self.prefix + key)
            return json.loads(raw) if raw else await self._fallback.get(key)
        except Exception:
            return await self._fallback.get(key)

    async def set(self, key: str, value: dict) -> None:
        try:
            await self.client.set(self.prefix + key, json.dumps(value, ensure_ascii=False), ex=self.ttl)
        except Exception:
            await self._fallback.set(key, value)

    async def clear(self, key: str) -> None:
        await self._fallback.clear(key)
        try:
            await self.client.delete(self.prefix + key)
        except Exception:
            pass


# ------------------------------------------------------------------ the webhook


@dataclass
class WebhookReply:
    status: int
    body: str
    content_type: str = "text/xml; charset=utf-8"
    outcome: str = ""  # for logs and tests: "answer", "keyword", "stop", "limited", "timeout", …
    segments: int = 0


def twiml(text: Optional[str]) -> str:
    reply = MessagingResponse()
    if text:
        reply.message(_xml_safe(text))
    return str(reply)


def _xml_safe(text: str) -> str:
    # Characters XML 1.0 cannot carry (control characters) are dropped.
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", "", text)


LastTurn = Callable[[str], Awaitable[List[Dict[str, Any]]]]


def _stored_messages(messages: Sequence[Mapping[str, Any]]) -> List[Dict[str, Any]]:
    """Only what the renderer needs (text and buttons), JSON-ready for the pager."""
    kept = []
    for message in messages:
        item: Dict[str, Any] = {}
        if isinstance(message.get("text"), str):
            item["text"] = message["text"]
        if isinstance(message.get("custom"), Mapping) and message["custom"].get("type") == "phare.answer":
            item["custom"] = dict(message["custom"])  # a structured answer is packed by bot.sms_render
        if isinstance(message.get("buttons"), list):
            item["buttons"] = [{"title": str(b.get("title") or ""), "payload": str(b.get("payload") or "")}
                               for b in message["buttons"] if isinstance(b, Mapping)]
        if item:
            kept.append(item)
    return kept


class SmsWebhook:
    """The webhook's logic, independent of Sanic (tested directly)."""

    def __init__(self, settings: SmsSettings, limiter: Optional[RateLimiter] = None,
                 pager: Optional[Pager] = None) -> None:
        self.settings = settings
        self.validator = RequestValidator(settings.auth_token) if settings.validate and settings.auth_token else None
        self.limiter = limiter or MemoryRateLimiter(settings.rate_rule)
        self.pager = pager or MemoryPager()
        self.background: set = set()

    # -- helpers
    def public_url(self, path: str, query_string: str = "", fallback: str = "") -> str:
        base = self.settings.public_url
        if not base:
            return fallback
        return base + path + (f"?{query_string}" if query_string else "")

    def authentic(self, url: str, params: FormParams, signature: Optional[str]) -> bool:
        if not self.settings.validate:
            return True
        if not signature or self.validator is None:
            return False
        try:
            return bool(self.validator.validate(url, params, signature))
        except Exception:
            return False

    def reply(self, text: Optional[str], outcome: str, rendered: Optional[Rendered] = None) -> WebhookReply:
        if text is None:
            return WebhookReply(200, twiml(None), outcome=outcome)
        rendered = rendered or render_text(text, self.settings.max_segments)
        return WebhookReply(200, twiml(rendered.body), outcome=outcome, segments=rendered.segments)

    async def _keep(self, key: str, rendered: Rendered) -> None:
        if rendered.rest:
            await self.pager.set(key, {"messages": [{"text": block} for block in rendered.rest],
                                       "more": rendered.more})
        else:
            await self.pager.clear(key)

    # -- entry point
    async def handle(self, *, body: bytes, content_type: str, url: str, signature: Optional[str],
                     on_new_message: Callable[[UserMessage], Awaitable[Any]],
                     last_turn: LastTurn) -> WebhookReply:
        started = time.monotonic()
        try:
            if not self.settings.enabled:
                return WebhookReply(503, "Texto non configuré.", "text/plain; charset=utf-8", "disabled")
            if len(body) > MAX_BODY_BYTES:
                return WebhookReply(413, "Requête trop volumineuse.", "text/plain; charset=utf-8", "too_large")
            try:
                params = parse_form(body, content_type)
            except BadRequest as exc:
                return WebhookReply(exc.status, exc.text, "text/plain; charset=utf-8", "bad_request")
            if not self.authentic(url, params, signature):
                return WebhookReply(403, "Signature invalide.", "text/plain; charset=utf-8", "forbidden")
            reply = await self._authentic(params, on_new_message, last_turn)
        except Exception as exc:  # the boundary: never a 500, never the text or the number in the logs
            logger.error("SMS webhook failed: %s\n%s", type(exc).__name__, "".join(traceback.format_tb(exc.__traceback__)))
            reply = self.reply(TECHNICAL_PROBLEM, "error")
        logger.info("SMS webhook: %s, status %s, %s segment(s), %.0f ms", reply.outcome, reply.status,
                    reply.segments, (time.monotonic() - started) * 1000)
        return reply

    async def _authentic(self, params: FormParams, on_new_message, last_turn: LastTurn) -> WebhookReply:
        sender = (params.first("From") or "").strip()
        if not sender:
            return WebhookReply(400, MISSING_SENDER_TEXT, "text/plain; charset=utf-8", "no_sender")
        key = sender_key(self.settings.sender_secret, sender)
        text = unicodedata.normalize("NFC", params.first("Body") or "").replace("¡", "@").strip()
        text = text[:MAX_TEXT_CHARS]
        word = keyword(text)
        if word == STOP:
            return self.reply(None, "stop")  # Twilio and the carrier confirm the opt-out themselves

        decision = await self.limiter.hit(key)
        if decision == Decision.SILENT:
            return self.reply(None, "limited")
        if decision == Decision.NOTIFY:
            return self.reply(RATE_LIMIT_TEXT.format(wait=window_text(self.settings.rate_rule.window)), "limited")

        try:
            media = int(params.first("NumMedia") or 0)
        except ValueError:
            media = 0
        if not text:
            return self.reply(MEDIA_TEXT if media else EMPTY_MESSAGE, "empty")
        if not has_words(text):
            return self.reply(SYMBOLS_TEXT, "symbols")
        if word == HELP:
            return self.reply(HELP_TEXT, "help")
        if word == MORE:
            pending = await self.pager.get(key)
            if pending and pending.get("messages"):
                rendered = render(pending["messages"], self.settings.max_segments, more=bool(pending.get("more")))
                await self._keep(key, rendered)
                return self.reply(rendered.body, "more", rendered)
            text = "/more_results"
        elif word == RESET:
            await self.pager.clear(key)
            text = "/restart"
        else:
            number = choice_number(text)
            if number is not None:
                choices = menu_choices(await last_turn(key))
                if choices:
                    if not 1 <= number <= len(choices):
                        prompt = menu_prompt(len(choices))
                        return self.reply(NO_SUCH_CHOICE_TEXT.format(number=number, prompt=prompt), "bad_choice")
                    text = choices[number - 1].payload
            else:
                text = text.lstrip("/").strip() or text  # residents' words are never read as intents
        metadata: Dict[str, Any] = {"channel": "sms"}
        mrc = self.settings.numbers.get(normalize_number(params.first("To") or ""))
        if mrc:
            metadata["mrc"] = mrc
        return await self._turn(key, text, metadata, on_new_message)

    async def _turn(self, key: str, text: str, metadata: Dict[str, Any], on_new_message) -> WebhookReply:
        collector = CollectingOutputChannel()
        message = UserMessage(text, collector, key, input_channel="sms", metadata=metadata)
        loop = asyncio.get_running_loop()
        # True: the turn ended in time; False: the timeout came first. A bare
        # future set from both sides wakes this handler in one step (wait_for
        # plus shield took three, each a full turn of a busy event loop).
        in_time: asyncio.Future = loop.create_future()

        async def turn() -> None:
            try:
                await never_silent(on_new_message)(message)
            finally:
                if not in_time.done():
                    in_time.set_result(True)

        timer = loop.call_later(self.settings.timeout, lambda: in_time.done() or in_time.set_result(False))
        task = asyncio.ensure_future(turn())
        try:
            answered = await in_time
        finally:
            timer.cancel()
        if not answered:
            # The turn goes on (cancelling it could leave the conversation half written);
            # its answer waits for "PLUS".
            self.background.add(task)
            task.add_done_callback(lambda t: self._late(key, collector, t))
            return self.reply(TIMEOUT_TEXT, "timeout")
        rendered = render(collector.messages, self.settings.max_segments)
        await self._keep(key, rendered)
        return self.reply(rendered.body, "answer", rendered)

    def _late(self, key: str, collector: CollectingOutputChannel, task: asyncio.Future) -> None:
        self.background.discard(task)
        messages = _stored_messages(collector.messages)
        if not messages:
            return

        async def store() -> None:
            try:
                await self.pager.set(key, {"messages": messages, "more": False})
            except Exception as exc:
                logger.warning("SMS late answer not kept: %s", type(exc).__name__)

        stored = asyncio.ensure_future(store())
        self.background.add(stored)
        stored.add_done_callback(self.background.discard)


# ------------------------------------------------------------------ tracker access


async def last_bot_turn(agent: Any, sender_id: str) -> List[Dict[str, Any]]:
    """The bot messages after the resident's last message, from the tracker store."""
    from rasa.shared.core.events import BotUttered, UserUttered

    if agent is None or getattr(agent, "tracker_store", None) is None:
        return []
    tracker = await agent.tracker_store.retrieve(sender_id)
    if tracker is None:
        return []
    messages: List[Dict[str, Any]] = []
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            break
        if isinstance(event, BotUttered):
            messages.append({"text": event.text, **(event.data or {})})
    messages.reverse()
    return messages


# ------------------------------------------------------------------ the Rasa input channel


class SmsInput(InputChannel):
    """Registered in credentials.yml as `bot.channels.sms.SmsInput:` (settings come from the environment)."""

    @classmethod
    def name(cls) -> Text:
        return "sms"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        settings = SmsSettings.from_env()
        for warning in settings.warnings:
            logger.warning("!!! %s", warning)
        limiter = build_rate_limiter(settings.rate_rule, settings.redis_url)
        pager: Pager = RedisPager(settings.redis_url) if settings.redis_url else MemoryPager()
        if not settings.enabled:
            return cls(settings, MemoryRateLimiter(settings.rate_rule), MemoryPager())
        logger.info(
            "SMS channel: signature check %s, public URL %s, %d Twilio number(s) with an MRC, rate limit %s, "
            "timeout %.0f s, %s", "ON" if settings.validate else "OFF",
            (settings.public_url or "-") + WEBHOOK_PATH, len(settings.numbers),
            f"{settings.rate_rule.limit}/{settings.rate_rule.window:.0f}s" if settings.rate_rule.enabled else "off",
            settings.timeout, "Redis" if settings.redis_url else "in memory",
        )
        return cls(settings, limiter, pager)

    def __init__(self, settings: Optional[SmsSettings] = None, limiter: Optional[RateLimiter] = None,
                 pager: Optional[Pager] = None) -> None:
        self.settings = settings or SmsSettings.from_env()
        self.webhook = SmsWebhook(self.settings, limiter, pager)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        sms = Blueprint("phare_sms_webhook", __name__)
        webhook = self.webhook

        @sms.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sms.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                agent = getattr(request.app.ctx, "agent", None)
                url = webhook.public_url(request.path, request.query_string or "", fallback=request.url)
                reply = await webhook.handle(
                    body=request.body or b"",
                    content_type=request.headers.get("content-type", ""),
                    url=url,
                    signature=request.headers.get("x-twilio-signature"),
                    on_new_message=on_new_message,
                    last_turn=lambda key: last_bot_turn(agent, key),
                )
            except Exception as exc:
                logger.error("SMS webhook failed outside the handler: %s", type(exc).__name__)
                reply = WebhookReply(200, twiml(TECHNICAL_PROBLEM), outcome="error")
            return response.text(reply.body, status=reply.status, content_type=reply.content_type)

        return sms
