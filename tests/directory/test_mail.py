"""Outgoing mail: the outbox, and delivery to a real local SMTP server (aiosmtpd), with and without login."""
from __future__ import annotations

import email
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from sqlalchemy import select

from directory import mail
from directory.db import open_session
from directory.models import OutboxMessage
from tests.support import free_port


class Collect:
    def __init__(self):
        self.received = []

    async def handle_DATA(self, server, session, envelope):
        self.received.append((envelope.rcpt_tos, email.message_from_bytes(envelope.content, policy=default_policy)))
        return "250 OK"


@pytest.fixture()
def server():
    handler = Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, handler
    controller.stop()


def _queue(engine, to="org@example.org", subject="Bonjour", body="Un message accentué : été, ça."):
    with open_session(engine) as db:
        row = mail.queue(db, to, subject, body, kind="test")
        db.commit()
        return row.id


def test_parse_smtp_url():
    config = mail.parse_smtp_url("smtp://user%40x:p%C3%A9ss@mail.example.org:587?starttls=1")
    assert (config.host, config.port, config.username, config.password, config.starttls) == (
        "mail.example.org", 587, "user@x", "péss", True)
    assert mail.parse_smtp_url("smtps://mail.example.org").port == 465
    assert mail.parse_smtp_url("smtp://localhost").port == 25
    assert mail.parse_smtp_url("") is None
    with pytest.raises(ValueError, match="PHARE_SMTP_URL"):
        mail.parse_smtp_url("http://mail.example.org")


def test_delivers_pending_messages_to_a_real_smtp_server(engine, server, monkeypatch):
    controller, handler = server
    monkeypatch.setenv("PHARE_MAIL_FROM", "Phare <phare@example.org>")
    message_id = _queue(engine)
    counts = mail.deliver_pending(engine, mail.parse_smtp_url(f"smtp://127.0.0.1:{controller.port}"))
    assert counts == {"sent": 1, "failed": 0, "kept": 0}
    (to, received), = handler.received
    assert to == ["org@example.org"]
    assert received["Subject"] == "Bonjour"
    assert received["From"] == "Phare <phare@example.org>"
    assert "accentué : été, ça." in received.get_content()
    with open_session(engine) as db:
        row = db.get(OutboxMessage, message_id)
        assert (row.status, row.sent_by, row.attempts) == ("sent", "smtp", 1)
    # Sent once: a second run sends nothing.
    assert mail.deliver_pending(engine, mail.parse_smtp_url(f"smtp://127.0.0.1:{controller.port}"))["sent"] == 0
    assert len(handler.received) == 1


def test_logs_in_with_the_url_credentials(engine):
    handler = Collect()
    seen = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        seen.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.login == b"phare" and auth_data.password == b"s3cret")

    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), authenticator=authenticator,
                            auth_require_tls=False)
    controller.start()
    try:
        _queue(engine)
        # with aiosmtpd a refused login ends on the client's timeout (20 s by default): 3 s here
        wrong = mail.deliver_pending(engine, mail.parse_smtp_url(f"smtp://phare:wrong@127.0.0.1:{controller.port}?timeout=3"))
        assert wrong["sent"] == 0 and wrong["kept"] == 1
        right = mail.deliver_pending(engine, mail.parse_smtp_url(f"smtp://phare:s3cret@127.0.0.1:{controller.port}"))
        assert right["sent"] == 1
    finally:
        controller.stop()
    assert (b"phare", b"s3cret") in seen
    assert len(handler.received) == 1


def test_without_smtp_messages_wait_in_the_outbox(engine, monkeypatch):
    monkeypatch.delenv("PHARE_SMTP_URL", raising=False)
    message_id = _queue(engine)
    assert mail.deliver_pending(engine) == {"sent": 0, "failed": 0, "kept": 1}
    with open_session(engine) as db:
        assert [m.id for m in mail.pending(db)] == [message_id]
        assert mail.mark_sent_by_hand(db, message_id, "admin@example.org").sent_by == "admin@example.org"
        db.commit()
        assert mail.pending(db) == []
        assert mail.mark_sent_by_hand(db, message_id, "admin@example.org") is None


def test_unreachable_server_keeps_the_messages(engine):
    _queue(engine)
    counts = mail.deliver_pending(engine, mail.parse_smtp_url(f"smtp://127.0.0.1:{free_port()}?timeout=3"))
    assert counts == {"sent": 0, "failed": 0, "kept": 1}
    with open_session(engine) as db:
        assert db.execute(select(OutboxMessage.status)).scalar() == "pending"
