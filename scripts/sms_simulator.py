"""Simulateur de texto : clavardez avec Phare comme depuis un téléphone (`make sms`).

Envoie de vrais webhooks au format de Twilio (formulaire POST signé avec
X-Twilio-Signature, comme Twilio le fait) au serveur Phare en marche, puis
affiche la réponse TwiML comme un téléphone la montrerait, avec le nombre de
segments facturés.

Réglages lus comme le serveur les lit (phare.settings), chacun remplaçable par une option :
  TWILIO_AUTH_TOKEN     jeton qui signe les webhooks (sans lui : envoi non signé,
                        accepté seulement si le serveur a PHARE_SMS_VALIDATE=false)  --token
  PHARE_SMS_PUBLIC_URL  adresse publique configurée chez Twilio (partie signée)       --public-url
  PHARE_RASA_URL        serveur Rasa (défaut : http://127.0.0.1:PHARE_RASA_PORT)     --url
  PHARE_SMS_NUMBERS     numéros Twilio -> MRC (le premier sert de numéro « To »)     --to

Commandes pendant la conversation :
  /photo     envoie une « photo » (MMS sans texte)
  /numero    change de numéro de téléphone (nouvelle personne)
  /vers N    texte un autre numéro Twilio (ex. celui d'une MRC)
  /quitter   quitte (Ctrl-D aussi)
"""
from __future__ import annotations

import argparse
import random
import sys
import time
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from pathlib import Path

import httpx
from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.sms_text import segment_info  # noqa: E402
from phare.settings import SettingError, settings  # noqa: E402

WEBHOOK_PATH = "/webhooks/sms/webhook"
DEFAULT_TO = "+14185550100"


def fake_number() -> str:
    """A fictional Québec number (555 exchange)."""
    return f"+1418555{random.randint(0, 9999):04d}"


def twilio_params(body: str | None, sender: str | None, to: str = DEFAULT_TO, media: tuple = (),
                  extra: Mapping[str, str] | None = None) -> dict:
    """The form Twilio posts for an incoming SMS/MMS (same field names)."""
    sid = "SM" + uuid.uuid4().hex
    params = {
        "ToCountry": "CA", "ToState": "QC", "ToCity": "RIMOUSKI", "ToZip": "", "To": to,
        "FromCountry": "CA", "FromState": "QC", "FromCity": "TROIS-PISTOLES", "FromZip": "",
        "SmsMessageSid": sid, "SmsSid": sid, "MessageSid": sid, "SmsStatus": "received",
        "AccountSid": "AC" + "0" * 32, "MessagingServiceSid": "", "ApiVersion": "2010-04-01",
        "NumSegments": "1", "NumMedia": str(len(media)), "Body": body if body is not None else "",
    }
    if sender is not None:
        params["From"] = sender
    for i, (url, content_type) in enumerate(media):
        params[f"MediaUrl{i}"] = url
        params[f"MediaContentType{i}"] = content_type
    params.update(extra or {})
    return params


def sign(token: str, url: str, params: Mapping[str, str]) -> str:
    return RequestValidator(token).compute_signature(url, dict(params))


def webhook_url(base: str) -> str:
    return base.rstrip("/") + WEBHOOK_PATH


def post(client: httpx.Client, server: str, params: Mapping[str, str], token: str | None = None,
         public_url: str | None = None, signed_url: str | None = None) -> httpx.Response:
    """POST the form to the server; signed for `public_url` (the address Twilio would call)."""
    headers = {}
    if token:
        headers["X-Twilio-Signature"] = sign(token, signed_url or webhook_url(public_url or server), params)
    return client.post(webhook_url(server), data=dict(params), headers=headers)


def twiml_messages(xml: str) -> list[str]:
    root = ET.fromstring(xml)
    messages = []
    for message in root.iter("Message"):
        body = message.find("Body")
        messages.append((body.text if body is not None else message.text) or "")
    return messages


def describe(text: str) -> str:
    info = segment_info(text)
    plural = "s" if info.segments > 1 else ""
    return f"{info.segments} segment{plural} {info.encoding}, {info.characters} caractères"


def show(messages: list[str], elapsed: float, out=sys.stdout) -> None:
    if not messages:
        print(f"  (aucune réponse — {elapsed:.1f} s)", file=out)
        return
    for text in messages:
        print(f"  ┌─ Phare · {describe(text)} · {elapsed:.1f} s", file=out)
        for line in text.split("\n"):
            print(f"  │ {line}", file=out)
        print("  └─", file=out)


def main(argv: list[str] | None = None) -> int:
    try:
        config = settings()
    except SettingError as exc:
        print(exc, file=sys.stderr)
        return 2
    # Only the numbers, in their order: the server checks the MRCs (bot.channels.sms.senders).
    numbers = [item.split("=")[0].strip() for item in (config.sms_numbers or "").split(",") if "=" in item]
    parser = argparse.ArgumentParser(description="Simulateur de texto pour Phare (webhooks Twilio signés).")
    parser.add_argument("--url", default=config.rasa_url, help="serveur Rasa de Phare (défaut : %(default)s)")
    parser.add_argument("--from", dest="sender", default=None, help="votre numéro simulé (défaut : un 418 555-xxxx)")
    parser.add_argument("--to", default=numbers[0] if numbers else DEFAULT_TO, help="numéro Twilio texté")
    parser.add_argument("--token", default=config.twilio_auth_token, help="jeton Twilio (signature)")
    parser.add_argument("--public-url", default=config.sms_public_url,
                        help="adresse publique configurée chez Twilio (défaut : --url)")
    parser.add_argument("--no-sign", action="store_true", help="n'envoie pas de signature")
    parser.add_argument("-m", "--message", action="append", help="envoie ce texto puis quitte (répétable)")
    args = parser.parse_args(argv)

    sender = args.sender or fake_number()
    token = None if args.no_sign else args.token
    client = httpx.Client(timeout=30)
    if not args.message:
        print("Simulateur de texto Phare — écrivez comme sur un téléphone (/quitter pour sortir).")
        print(f"  Serveur : {webhook_url(args.url)}")
        print(f"  Votre numéro simulé : {sender} · numéro texté : {args.to}")
        if token:
            print(f"  Webhooks signés pour {webhook_url(args.public_url or args.url)}")
        else:
            print("  Webhooks NON signés : le serveur doit avoir PHARE_SMS_VALIDATE=false (développement seulement).")
        try:
            import readline  # noqa: F401  (history with the arrow keys)
        except ImportError:
            pass

    def send(body: str, media: tuple = ()) -> int:
        params = twilio_params(body, sender, args.to, media)
        started = time.monotonic()
        try:
            response = post(client, args.url, params, token, args.public_url)
        except httpx.HTTPError as exc:
            print(f"  Phare ne répond pas à {args.url} ({type(exc).__name__}). Est-il démarré (make run)?")
            return 2
        elapsed = time.monotonic() - started
        if response.status_code == 403:
            print("  403 : signature refusée. Le simulateur et le serveur doivent avoir le même TWILIO_AUTH_TOKEN "
                  "et le même PHARE_SMS_PUBLIC_URL (ou le serveur PHARE_SMS_VALIDATE=false).")
            return 1
        if response.status_code != 200:
            print(f"  Réponse HTTP {response.status_code} : {response.text[:200]}")
            return 1
        show(twiml_messages(response.text), elapsed)
        return 0

    if args.message:
        return max(send(text) for text in args.message)

    while True:
        try:
            text = input("Vous › ")
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        command = text.strip().lower()
        if command in ("/quitter", "/quit", "/q"):
            return 0
        if command == "/numero":
            sender = fake_number()
            print(f"  Nouveau numéro simulé : {sender}")
            continue
        if command.startswith("/vers "):
            args.to = text.split(None, 1)[1].strip()
            print(f"  Numéro texté : {args.to}")
            continue
        if command == "/photo":
            send("", (("https://api.twilio.com/2010-04-01/Accounts/AC0/Messages/MM0/Media/ME0", "image/jpeg"),))
            continue
        send(text)


if __name__ == "__main__":
    sys.exit(main())
