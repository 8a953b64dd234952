"""The throttle mediator: per-key request windows, concurrency around on-accept, on-reject and the
429 answer with Retry-After, and a bounded number of keys."""

from __future__ import annotations

import asyncio

import pytest

from interlace.errors import ConfigError, SourceLocation, ThrottledError
from interlace.expressions import compile_template
from interlace.mediators.base import CONTINUE
from interlace.mediators.sequence import SequenceMediator
from interlace.mediators.throttle import ThrottleLimits, ThrottleMediator
from interlace.message import MessageContext

from .conftest import CompileFlows
from .harness import message

HERE = SourceLocation("test", 1)


async def test_a_key_over_its_window_is_refused_with_retry_after_and_others_go_on(
    compile_flows: CompileFlows,
) -> None:
    flows = compile_flows(
        flow="""
        - throttle: {key: "${headers['X-Tenant']}", max-requests: 2, window: 1h}
        - variable: {name: passed, value: true}
        """
    )
    for _ in range(2):
        assert (await flows.run(message({}, headers={"X-Tenant": "a"}))).variables == {"passed": True}
    with pytest.raises(ThrottledError) as refused:
        await flows.run(message({}, headers={"X-Tenant": "a"}))
    assert refused.value.status == 429
    assert refused.value.headers["Retry-After"] == "3600"
    assert (await flows.run(message({}, headers={"X-Tenant": "b"}))).variables == {"passed": True}


async def test_on_reject_runs_and_ends_the_flow(compile_flows: CompileFlows) -> None:
    flows = compile_flows(
        flow="""
        - throttle:
            max-requests: 1
            window: 1m
            on-reject: [{respond: {status: 429, json: {error: "${error.code}"}}}]
        - respond: {json: {ok: true}}
        """
    )
    await flows.run(message({}))
    ctx = message({})
    assert await flows.sequence().mediate(ctx) is False
    assert ctx.reply is not None and ctx.reply.status == 429
    assert ctx.reply.payload.json() == {"error": "THROTTLED"}


async def test_the_window_starts_again_after_it_ends() -> None:
    now = [100.0]
    throttle = ThrottleMediator(
        None, ThrottleLimits(1, 10.0, None, 100), None, None, HERE, clock=lambda: now[0]
    )
    assert await throttle.mediate(message({})) is CONTINUE
    with pytest.raises(ThrottledError):
        await throttle.mediate(message({}))
    now[0] += 10.0
    assert await throttle.mediate(message({})) is CONTINUE


class _Gate:
    location = HERE

    def __init__(self) -> None:
        self.entered = asyncio.Event()
        self.release = asyncio.Event()

    async def mediate(self, ctx: MessageContext) -> bool:
        self.entered.set()
        await self.release.wait()
        return CONTINUE


async def test_max_concurrent_limits_the_messages_running_on_accept() -> None:
    gate = _Gate()
    on_accept = SequenceMediator("accept", HERE, (gate,))
    throttle = ThrottleMediator(None, ThrottleLimits(None, 1.0, 1, 100), on_accept, None, HERE)
    first = asyncio.create_task(throttle.mediate(message({})))
    await gate.entered.wait()
    with pytest.raises(ThrottledError):
        await throttle.mediate(message({}))
    gate.release.set()
    assert await first is CONTINUE
    assert await throttle.mediate(message({})) is CONTINUE


async def test_beyond_max_keys_the_least_recently_used_key_is_forgotten() -> None:
    throttle = ThrottleMediator(
        compile_template("${headers['X-Tenant']}"), ThrottleLimits(1, 3600.0, None, 1), None, None, HERE
    )
    assert await throttle.mediate(message({}, headers={"X-Tenant": "a"})) is CONTINUE
    with pytest.raises(ThrottledError):
        await throttle.mediate(message({}, headers={"X-Tenant": "a"}))
    assert await throttle.mediate(message({}, headers={"X-Tenant": "b"})) is CONTINUE
    # Only one key is kept: "a" was forgotten, so its count starts again.
    assert await throttle.mediate(message({}, headers={"X-Tenant": "a"})) is CONTINUE


def test_max_concurrent_needs_an_on_accept_flow(compile_flows: CompileFlows) -> None:
    with pytest.raises(ConfigError, match="max-concurrent limits the on-accept flow"):
        compile_flows(flow="- throttle: {max-concurrent: 2}")
