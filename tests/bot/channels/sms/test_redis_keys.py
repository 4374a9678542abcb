"""The SMS stores' Redis keys live under the installation's PHARE_LOCK_PREFIX, like the locks and the login throttle.

Two installations (or two test runs) sharing one Redis: a message id seen by
one is new to the other, a PLUS page of one is not the other's, and one's rate
limit does not count the other's texts. Real Redis (`redis_url` of
tests/conftest.py: skipped with the reason where it does not answer, failed in CI).
"""
from __future__ import annotations

import asyncio
import uuid

import pytest
import redis

from bot.channels.sms import SmsInput
from bot.rate_limit import Decision
from phare.settings import Settings
from tests.support import set_env


def test_default_prefix_keeps_the_keys_of_earlier_versions():
    assert Settings.from_env({}).redis_prefix("sms") == "phare:sms:"
    assert Settings.from_env({"PHARE_LOCK_PREFIX": "bsl"}).redis_prefix("sms") == "bsl:sms:"


@pytest.fixture()
def installations(redis_url, monkeypatch):
    """SMS channels of two installations on the same Redis, built as Rasa builds them (from the environment)."""
    prefixes = [f"phare-test-{uuid.uuid4().hex[:8]}" for _ in range(2)]
    channels = []
    for prefix in prefixes:
        set_env(monkeypatch, PHARE_REDIS_URL=redis_url, PHARE_LOCK_PREFIX=prefix, PHARE_SMS_VALIDATE="false",
                PHARE_SMS_RATE_LIMIT="1/600")
        channels.append(SmsInput.from_credentials(None).webhook)
    yield list(zip(prefixes, channels, strict=True))
    client = redis.Redis.from_url(redis_url)
    for prefix in prefixes:
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)


def test_two_prefixes_do_not_see_each_others_keys(installations, redis_url):
    (prefix_a, a), (prefix_b, b) = installations

    async def scenario():
        # Replay guard: the same MessageSid is new to each installation.
        assert await a.replays.claim("sms-abc:SM1")
        assert not await a.replays.claim("sms-abc:SM1")
        assert await b.replays.claim("sms-abc:SM1")
        # PLUS pager: one's page is not the other's.
        await a.pager.set("sms-abc", {"rest": ["page 2"]})
        assert await a.pager.get("sms-abc") == {"rest": ["page 2"]}
        assert await b.pager.get("sms-abc") is None
        # Rate limit (1 text per 10 minutes): one's texts do not count for the other.
        assert await a.limiter.hit("sms-abc") == Decision.ALLOW
        assert await a.limiter.hit("sms-abc") == Decision.NOTIFY
        assert await b.limiter.hit("sms-abc") == Decision.ALLOW
        for webhook in (a, b):  # their clients belong to this event loop
            await webhook.replays.close()
            await webhook.limiter.close()
            await webhook.pager.client.close()

    asyncio.run(scenario())
    # In Redis, not in a fallback memory: every key under its installation's prefix.
    client = redis.Redis.from_url(redis_url)

    def kinds(prefix: str) -> set[str]:
        return {key.decode().split(":")[2] for key in client.scan_iter(f"{prefix}:sms:*")}

    assert kinds(prefix_a) == {"seen", "more", "rate"}
    assert kinds(prefix_b) == {"seen", "rate"}
