"""A replayed Twilio webhook (same MessageSid, valid signature) is answered once.

Signed with twilio's RequestValidator, posted through SmsWebhook with a fake bot
that records each turn; on memory and on the real Redis.
"""
from __future__ import annotations

import asyncio
import uuid

import pytest

from bot.channels.sms import MemoryReplayMemory, RedisReplayMemory, SmsWebhook
from bot.rate_limit import MemoryRateLimiter, RateRule
from tests.bot.channels.sms.test_sms_channel import FakeBot, form, make_webhook, message_text, post

REPLAYS = 22


def replay_memories(redis_url=None):
    if redis_url is None:
        return MemoryReplayMemory()
    import redis.asyncio as redis_asyncio

    # A fresh client per event loop (each post() runs its own asyncio.run).
    class PerLoop(RedisReplayMemory):
        def __init__(self):
            super().__init__(None, prefix=f"phare-test:{uuid.uuid4().hex[:8]}:seen:")

        def __getattribute__(self, name):
            if name == "client":
                return redis_asyncio.from_url(redis_url)
            return super().__getattribute__(name)

    return PerLoop()


@pytest.fixture(params=["memory", "redis"])
def replays(request):
    if request.param == "memory":
        return MemoryReplayMemory()
    return replay_memories(request.getfixturevalue("redis_url"))


def test_replayed_webhook_makes_one_turn_and_the_same_reply(replays):
    webhook = make_webhook(replays=replays)
    bot = FakeBot()
    params = form("bouffe a rimouski")
    first = post(webhook, params, bot)
    copies = [post(webhook, params, bot) for _ in range(REPLAYS)]
    assert len(bot.received) == 1
    assert first.status == 200 and "Reçu : bouffe a rimouski" in message_text(first)
    for copy in copies:
        assert (copy.status, copy.body) == (first.status, first.body)
        assert copy.outcome == "replay"


def test_replays_do_not_use_up_the_rate_limit(replays):
    limiter = MemoryRateLimiter(RateRule(2, 600))
    webhook = make_webhook(limiter=limiter, replays=replays)
    bot = FakeBot()
    params = form("bonjour")
    for _ in range(REPLAYS):
        post(webhook, params, bot)
    # The resident's next real text still gets an answer (the limit is 2 per 10 min).
    reply = post(webhook, form("frigo a matane"), bot)
    assert "Reçu : frigo a matane" in message_text(reply)
    assert len(bot.received) == 2


def test_new_message_sid_is_a_new_turn(replays):
    webhook = make_webhook(replays=replays)
    bot = FakeBot()
    post(webhook, form("bonjour"), bot)
    post(webhook, form("bonjour"), bot)
    assert len(bot.received) == 2


def test_copy_arriving_during_the_first_answer_gets_that_answer():
    webhook = make_webhook(replays=MemoryReplayMemory())
    bot = FakeBot(delay=0.3)
    params = form("bouffe a rimouski")
    from urllib.parse import urlencode

    from twilio.request_validator import RequestValidator

    from tests.bot.channels.sms.test_sms_channel import TOKEN, URL

    signature = RequestValidator(TOKEN).compute_signature(URL, params)

    async def no_turn(_key):
        return []

    async def both():
        def one():
            return webhook.handle(body=urlencode(params).encode(), content_type="application/x-www-form-urlencoded",
                                  url=URL, signature=signature, on_new_message=bot, last_turn=no_turn)
        return await asyncio.gather(one(), one())

    first, second = asyncio.run(both())
    assert len(bot.received) == 1
    assert first.body == second.body and "Reçu" in message_text(second)


def test_unsigned_copy_is_still_refused(replays):
    webhook = make_webhook(replays=replays)
    bot = FakeBot()
    params = form("bonjour")
    post(webhook, params, bot)
    assert post(webhook, params, bot, signature="aW52YWxpZA==").status == 403


def test_failed_turn_reply_is_the_reply_of_its_copies():
    webhook = make_webhook(replays=MemoryReplayMemory())
    params = form("bonjour")

    async def broken(_message):
        raise RuntimeError("boom")

    reply = post(webhook, params, broken)
    # The safety net answered (211); that answer is what a copy gets too.
    assert "211" in message_text(reply)
    assert post(webhook, params, FakeBot()).body == reply.body


def test_memory_forgets_after_24_hours():
    now = [0.0]
    memory = MemoryReplayMemory(clock=lambda: now[0])

    async def scenario():
        assert await memory.claim("k")
        await memory.remember("k", {"body": "x"})
        assert not await memory.claim("k")
        now[0] += 24 * 3600 + 1
        assert await memory.claim("k")

    asyncio.run(scenario())


def test_redis_replay_memory_shares_between_instances(redis_url):
    prefix = f"phare-test:{uuid.uuid4().hex[:8]}:seen:"

    async def scenario():
        import redis.asyncio as redis_asyncio

        one = RedisReplayMemory(redis_asyncio.from_url(redis_url), prefix=prefix)
        two = RedisReplayMemory(redis_asyncio.from_url(redis_url), prefix=prefix)
        assert await one.claim("sms-abc:SM1")
        assert not await two.claim("sms-abc:SM1")
        await one.remember("sms-abc:SM1", {"status": 200, "body": "<Response />"})
        assert (await two.recall("sms-abc:SM1"))["body"] == "<Response />"
        ttl = await two.client.ttl(prefix + "sms-abc:SM1")
        assert 23 * 3600 < ttl <= 24 * 3600
        await one.close()
        await two.close()

    asyncio.run(scenario())


def test_webhook_remembers_replays_by_default():
    webhook = SmsWebhook(make_webhook().settings)  # no replays= given
    bot = FakeBot()
    params = form("bonjour")
    post(webhook, params, bot)
    post(webhook, params, bot)
    assert len(bot.received) == 1
