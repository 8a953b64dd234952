"""The cache mediator: the same request gets the kept answer until its ttl ends; other requests, non-2xx
answers and entries beyond the bound are not served from it; a kept reply is replied again."""

from __future__ import annotations

from interlace.errors import SourceLocation
from interlace.mediators.base import CONTINUE, STOP
from interlace.mediators.cache import CacheLimits, CacheMediator
from interlace.mediators.sequence import SequenceMediator
from interlace.message import MessageContext, Payload, Reply

from .conftest import CompileFlows
from .harness import message

HERE = SourceLocation("test", 1)


class _Backend:
    """Answers ``{"call": N}`` with the status it is given, counting its calls; replies when asked."""

    location = HERE

    def __init__(self, status: int = 200, reply: bool = False) -> None:
        self.calls, self.status, self.reply = 0, status, reply

    async def mediate(self, ctx: MessageContext) -> bool:
        self.calls += 1
        ctx.payload = Payload.of_json({"call": self.calls})
        ctx.transport["status"] = self.status
        if self.reply:
            ctx.reply = Reply(self.status, ctx.payload)
            return STOP
        return CONTINUE


def _cache(backend: _Backend, now: list[float], max_entries: int = 10) -> CacheMediator:
    flow = SequenceMediator("cache", HERE, (backend,))
    return CacheMediator(None, CacheLimits(60.0, max_entries, 1024), flow, None, HERE, clock=lambda: now[0])


async def test_the_same_request_gets_the_kept_answer_until_the_ttl_ends() -> None:
    backend, now = _Backend(), [0.0]
    cache = _cache(backend, now)
    for expected in (1, 1):
        ctx = message({"q": 1})
        assert await cache.mediate(ctx) is CONTINUE
        assert ctx.payload.json() == {"call": expected} and ctx.status == 200
    other = message({"q": 2})
    await cache.mediate(other)
    assert other.payload.json() == {"call": 2}
    now[0] = 61.0
    ctx = message({"q": 1})
    await cache.mediate(ctx)
    assert ctx.payload.json() == {"call": 3}


async def test_answers_other_than_2xx_are_not_kept() -> None:
    backend = _Backend(status=503)
    cache = _cache(backend, [0.0])
    await cache.mediate(message({}))
    await cache.mediate(message({}))
    assert backend.calls == 2


async def test_a_kept_reply_is_replied_again_and_ends_the_flow() -> None:
    backend = _Backend(reply=True)
    cache = _cache(backend, [0.0])
    await cache.mediate(message({}))
    ctx = message({})
    assert await cache.mediate(ctx) is STOP
    assert ctx.reply is not None and ctx.reply.payload.json() == {"call": 1}
    assert backend.calls == 1


async def test_beyond_max_entries_the_least_recently_used_answer_is_dropped() -> None:
    backend = _Backend()
    cache = _cache(backend, [0.0], max_entries=1)
    await cache.mediate(message({"q": 1}))
    await cache.mediate(message({"q": 2}))
    await cache.mediate(message({"q": 1}))
    assert backend.calls == 3


async def test_on_hit_runs_with_the_kept_answer_and_a_key_template_groups_requests(
    compile_flows: CompileFlows,
) -> None:
    flows = compile_flows(
        flow="""
        - cache:
            key: "${payload.customer}"
            ttl: 1h
            flow: [{payload: {json: {order: "${payload.order}"}}}]
            on-hit: [{variable: {name: hit, value: true}}]
        """
    )
    first = await flows.run(message({"customer": "a", "order": 1}))
    assert first.payload.json() == {"order": 1} and "hit" not in first.variables
    second = await flows.run(message({"customer": "a", "order": 2}))
    assert second.payload.json() == {"order": 1} and second.variables["hit"] is True
