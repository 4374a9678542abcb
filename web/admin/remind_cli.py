"""`python -m web.admin remind` — email the organisations whose listing is due for a check (daily timer)."""
from __future__ import annotations

import datetime as dt
import sys

from directory import mail
from directory.db import create_schema, get_engine, open_session
from directory.geography import TZ
from phare.settings import settings

from . import freshness, messages, reminders


def cmd_remind(args) -> int:
    if args.months < 1 or args.every_days < 1 or args.max_reminders < 1:
        print("--months, --every-days et --max-reminders doivent être des nombres entiers positifs.", file=sys.stderr)
        return 2
    if not settings().secret_key:
        print("PHARE_SECRET_KEY n'est pas défini : les liens de confirmation ne fonctionneraient pas sur le site. "
              "Utilisez la même valeur que le serveur web (/etc/phare/phare.env).", file=sys.stderr)
        return 2
    try:
        mail.smtp_config()
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    engine = get_engine()
    create_schema(engine)
    today = dt.datetime.now(TZ).date()
    base = args.base_url.rstrip("/") if args.base_url else messages.public_base()
    with open_session(engine) as db:
        report = reminders.run(db, base, today, months=args.months, every_days=args.every_days,
                               max_reminders=args.max_reminders)
    delivery = mail.deliver_pending(engine)
    print(f"Rappels envoyés : {len(report.reminded)}")
    for name, address in report.reminded:
        print(f" - {name} <{address}>")
    print(f"Signalés au personnel des MRC (sans réponse après {args.max_reminders} rappels) : {len(report.escalated)}")
    for name, recipients in report.escalated:
        print(f" - {name} → {', '.join(recipients) or 'personne (aucun compte)'}")
    print(f"Sans courriel, à appeler : {len(report.to_call)}")
    for name, phones in report.to_call:
        print(f" - {name} : {', '.join(phones) or 'aucun numéro'}")
    print(f"Déjà relancés récemment : {report.waiting}")
    if mail.smtp_config() is None:
        print(f"Aucun serveur de courriel (PHARE_SMTP_URL) : {delivery['kept']} courriel(s) attendent "
              "dans « Courriels à envoyer » de l'administration.")
    else:
        print(f"Courriels partis : {delivery['sent']}; en attente : {delivery['kept']}; en échec : {delivery['failed']}")
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser("remind", help="rappelle aux organismes de confirmer leur fiche (minuterie quotidienne)")
    p.add_argument("--months", type=int, default=freshness.DEFAULT_MONTHS,
                   help="fiche à vérifier après ce nombre de mois sans confirmation (6 par défaut)")
    p.add_argument("--every-days", type=int, default=reminders.DEFAULT_EVERY_DAYS,
                   help="jours entre deux rappels au même organisme (14 par défaut)")
    p.add_argument("--max-reminders", type=int, default=reminders.DEFAULT_MAX_REMINDERS,
                   help="rappels sans réponse avant d'avertir le personnel de la MRC (2 par défaut)")
    p.add_argument("--base-url", help="adresse publique de Phare dans les liens (sinon PHARE_PUBLIC_URL)")
    p.set_defaults(func=cmd_remind)
