"""Outgoing email: queued in the `outbox` table, delivered through SMTP when configured.

- `queue()` stores a message (same transaction as the change that causes it).
- `deliver_pending()` sends what is pending through PHARE_SMTP_URL
  (`smtp://user:pass@host:587?starttls=1`, `smtps://…` for implicit TLS),
  sender PHARE_MAIL_FROM. Without PHARE_SMTP_URL nothing is sent: the
  messages stay in the outbox, and regional administrators see them in the
  admin ("Courriels à envoyer") to send them by hand.
- `deliver_in_background()` runs `deliver_pending` in a worker thread, so a
  web handler never waits on an SMTP server.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
import smtplib
import ssl
import threading
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from urllib.parse import parse_qs, unquote, urlsplit

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from phare.settings import settings

from .db import get_engine, open_session
from .models import OutboxMessage, utcnow

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
_deliver_lock = threading.Lock()


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    username: str | None = None
    password: str | None = None
    starttls: bool = False
    implicit_tls: bool = False
    timeout: float = 20.0


def parse_smtp_url(url: str | None) -> SmtpConfig | None:
    """`smtp://user:pass@host:587?starttls=1` -> SmtpConfig; None when empty. ValueError (French) when wrong."""
    url = (url or "").strip()
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError("PHARE_SMTP_URL doit ressembler à smtp://utilisateur:motdepasse@serveur:587?starttls=1")
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    truthy = ("1", "true", "yes", "oui")
    implicit = parts.scheme == "smtps"
    return SmtpConfig(
        host=parts.hostname,
        port=parts.port or (465 if implicit else 25),
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        starttls=query.get("starttls", "").lower() in truthy,
        implicit_tls=implicit,
        timeout=float(query.get("timeout", 20)),
    )


def smtp_config() -> SmtpConfig | None:
    return parse_smtp_url(settings().smtp_url)


def sender() -> str:
    return settings().mail_from


def queue(db: Session, to: str, subject: str, body: str, kind: str = "") -> OutboxMessage:
    """Store one message to send (committed with the caller's transaction)."""
    message = OutboxMessage(to_address=to, subject=subject, body=body, kind=kind, status="pending")
    db.add(message)
    db.flush()
    return message


def build_message(row: OutboxMessage, from_address: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = from_address
    message["To"] = row.to_address
    message["Subject"] = row.subject
    message["Message-ID"] = make_msgid(domain="phare")
    message.set_content(row.body)
    return message


def _connect(config: SmtpConfig) -> smtplib.SMTP:
    if config.implicit_tls:
        client = smtplib.SMTP_SSL(config.host, config.port, timeout=config.timeout,
                                  context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
        if config.starttls:
            client.starttls(context=ssl.create_default_context())
    if config.username:
        try:
            client.login(config.username, config.password or "")
        except BaseException:
            client.close()  # a refused login must not leave the connection open
            raise
    return client


def deliver_pending(engine: Engine | None = None, config: SmtpConfig | None = None) -> dict:
    """Send every pending message; returns {"sent": n, "failed": n, "kept": n}.

    Without an SMTP configuration the messages are kept for sending by hand.
    A message that fails MAX_ATTEMPTS times is marked "failed" (shown in the admin).
    """
    config = config or smtp_config()
    counts = {"sent": 0, "failed": 0, "kept": 0}
    with _deliver_lock, open_session(engine or get_engine()) as db:
        rows = db.execute(select(OutboxMessage).where(OutboxMessage.status == "pending")
                          .order_by(OutboxMessage.created_at)).scalars().all()
        if config is None:
            counts["kept"] = len(rows)
            return counts
        if not rows:
            return counts
        from_address = sender()
        client = None
        try:
            client = _connect(config)
            for row in rows:
                row.attempts = (row.attempts or 0) + 1
                try:
                    client.send_message(build_message(row, from_address))
                except smtplib.SMTPException as exc:
                    row.error = str(exc)[:500]
                    if row.attempts >= MAX_ATTEMPTS:
                        row.status = "failed"
                        counts["failed"] += 1
                    else:
                        counts["kept"] += 1
                else:
                    row.status, row.sent_at, row.sent_by, row.error = "sent", utcnow(), "smtp", None
                    counts["sent"] += 1
                db.commit()
        except (OSError, smtplib.SMTPException) as exc:
            logger.warning("SMTP server unavailable, messages kept in the outbox: %s", exc)
            db.rollback()
            counts["kept"] = len(rows) - counts["sent"] - counts["failed"]
        finally:
            if client is not None:
                try:
                    client.quit()
                except (OSError, smtplib.SMTPException):
                    pass
    return counts


def deliver_in_background(engine: Engine | None = None) -> None:
    """From a web handler: deliver in a worker thread, never on the event loop."""
    if smtp_config() is None:
        return
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        if threading.current_thread() is threading.main_thread():
            deliver_pending(engine)  # a command line: done before it exits
        else:
            # An admin page runs in a worker thread (web.admin.pages): the page never waits for SMTP.
            threading.Thread(target=deliver_pending, args=(engine,), name="phare-mail", daemon=True).start()
        return
    loop.run_in_executor(None, deliver_pending, engine)


def mark_sent_by_hand(db: Session, message_id: str, who: str) -> OutboxMessage | None:
    row = db.get(OutboxMessage, message_id)
    if row is None or row.status == "sent":
        return None
    row.status, row.sent_at, row.sent_by = "sent", utcnow(), who
    return row


def pending(db: Session) -> list[OutboxMessage]:
    return db.execute(select(OutboxMessage).where(OutboxMessage.status.in_(("pending", "failed")))
                      .order_by(OutboxMessage.created_at)).scalars().all()


def recent_sent(db: Session, days: int = 30) -> list[OutboxMessage]:
    since = utcnow() - dt.timedelta(days=days)
    return db.execute(select(OutboxMessage).where(OutboxMessage.status == "sent", OutboxMessage.sent_at >= since)
                      .order_by(OutboxMessage.sent_at.desc()).limit(100)).scalars().all()


__all__ = ["SmtpConfig", "parse_smtp_url", "smtp_config", "queue", "deliver_pending", "deliver_in_background",
           "mark_sent_by_hand", "pending", "recent_sent", "formataddr"]
