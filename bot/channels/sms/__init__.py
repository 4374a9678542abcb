"""Phare's SMS channel for Twilio: POST /webhooks/sms/webhook, answered with TwiML.

Registered in credentials.yml as `bot.channels.sms.SmsInput:`; settings come
from the environment (docs/sms.md).

Why not Rasa's own Twilio channel: it accepts forged webhooks, blocks while it
calls Twilio's API, answers 500 on odd input, sends one SMS per paragraph and
per button (payload visible), and keeps residents' phone numbers as
conversation ids. This package, one module per concern:

- `settings`: the environment, read once (SmsSettings);
- `form`: Twilio's form body and its X-Twilio-Signature (twilio's RequestValidator
  against PHARE_SMS_PUBLIC_URL + the path; PHARE_SMS_VALIDATE=false, development
  only, turns the check off and says so loudly at start-up);
- `senders`: phone numbers become HMAC-SHA256(PHARE_SENDER_SECRET, number)
  conversation ids; the texted number only selects an MRC;
- `keywords`: AIDE/HELP, RECOMMENCER/RESET, PLUS/MORE, menu numbers; STOP/ARRET…
  get an empty answer (Twilio and the carrier handle opt-out);
- `pager`: the rest of a cut answer, or a late one, for PLUS;
- `replay`: each MessageSid answered once for 24 h; copies get the same reply;
- `texts`: the channel's own French texts;
- `webhook`: the request -> reply logic, without Sanic (SmsWebhook);
- `channel`: the Rasa InputChannel (SmsInput) and the tracker read for menus.
"""
from .channel import SmsInput, last_bot_turn
from .form import BadRequest, FormParams, SignatureCheck, parse_form
from .keywords import (
    HELP,
    HELP_WORDS,
    MORE,
    MORE_WORDS,
    RESET,
    RESET_WORDS,
    STOP,
    STOP_WORDS,
    choice_number,
    fold,
    has_words,
    keyword,
)
from .pager import PAGER_TTL, MemoryPager, Pager, RedisPager
from .replay import REPLAY_TTL, MemoryReplayMemory, RedisReplayMemory, ReplayMemory, build_replay_memory
from .senders import SMS_ID_PREFIX, normalize_number, parse_numbers, sender_key
from .settings import DEFAULT_TIMEOUT, DEVELOPMENT_SENDER_SECRET, MAX_TIMEOUT, SmsSettings
from .texts import (
    HELP_TEXT,
    MEDIA_TEXT,
    MISSING_SENDER_TEXT,
    NO_SUCH_CHOICE_TEXT,
    RATE_LIMIT_TEXT,
    SYMBOLS_TEXT,
    TIMEOUT_TEXT,
)
from .webhook import MAX_BODY_BYTES, MAX_TEXT_CHARS, WEBHOOK_PATH, SmsWebhook, WebhookReply, twiml

__all__ = [
    "BadRequest", "DEFAULT_TIMEOUT", "DEVELOPMENT_SENDER_SECRET", "FormParams", "HELP", "HELP_TEXT", "HELP_WORDS",
    "MAX_BODY_BYTES", "MAX_TEXT_CHARS", "MAX_TIMEOUT", "MEDIA_TEXT", "MISSING_SENDER_TEXT", "MORE", "MORE_WORDS",
    "MemoryPager", "MemoryReplayMemory", "NO_SUCH_CHOICE_TEXT", "PAGER_TTL", "Pager", "RATE_LIMIT_TEXT",
    "REPLAY_TTL", "RESET", "RESET_WORDS", "RedisPager", "RedisReplayMemory", "ReplayMemory", "SMS_ID_PREFIX",
    "STOP", "STOP_WORDS", "SYMBOLS_TEXT", "SignatureCheck", "SmsInput", "SmsSettings", "SmsWebhook",
    "TIMEOUT_TEXT", "WEBHOOK_PATH", "WebhookReply", "build_replay_memory", "choice_number", "fold", "has_words",
    "keyword", "last_bot_turn", "normalize_number", "parse_form", "parse_numbers", "sender_key", "twiml",
]
