"""An unread body: read by the sequence before a mediator that needs it, passed unread to those that
take it so, and never seen half-read."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest

from interlace.expressions import compile_expression, compile_template, compile_value
from interlace.message import BodyOrigin, MessageContext, Payload

from .conftest import CompileFlows


class FakeBody:
    """A body that counts how it was taken."""

    def __init__(self, data: bytes, origin: BodyOrigin = "request") -> None:
        self.data = data
        self._origin: BodyOrigin = origin
        self.reads = 0
        self.closed = False

    @property
    def origin(self) -> BodyOrigin:
        return self._origin

    @property
    def length(self) -> int | None:
        return len(self.data)

    @property
    def started(self) -> bool:
        return self.reads > 0

    async def chunks(self) -> AsyncIterator[bytes]:
        self.reads += 1
        yield self.data

    async def read(self) -> bytes:
        self.reads += 1
        return self.data

    def close(self) -> None:
        self.closed = True


def unread(
    data: bytes, content_type: str = "application/json", origin: BodyOrigin = "request"
) -> tuple[MessageContext, FakeBody]:
    body = FakeBody(data, origin)
    return MessageContext(Payload.streamed(body, content_type)), body


async def test_an_unread_payload_has_a_kind_but_no_bytes_until_read() -> None:
    ctx, body = unread(b'{"a": 1}')
    payload = ctx.payload
    assert (payload.kind, payload.unread) == ("json", body)
    with pytest.raises(RuntimeError, match="request body was not read"):
        payload.json()
    await payload.read()
    await payload.read()
    assert (payload.json(), payload.unread, body.reads) == ({"a": 1}, None, 1)


async def test_an_empty_unread_body_reads_as_empty() -> None:
    ctx, _ = unread(b"")
    await ctx.payload.read()
    assert ctx.payload.kind == "empty"
    assert ctx.payload.value() is None


async def test_the_sequence_reads_the_body_before_a_mediator_that_needs_it(
    compile_flows: CompileFlows,
) -> None:
    flows = compile_flows(flow='- variable: {name: a, value: "${payload.a}"}')
    ctx, body = unread(b'{"a": 1}')
    await flows.run(ctx)
    assert ctx.variables == {"a": 1}
    assert body.reads == 1


async def test_mediators_that_do_not_read_the_payload_leave_it_unread(
    compile_flows: CompileFlows, caplog: pytest.LogCaptureFixture
) -> None:
    flows = compile_flows(
        flow="""
        - log: {message: "id ${headers['X-Id']}"}
        - log: {level: debug, message: "all", full: true}
        - header: {name: X-Seen, value: "${vars.n}"}
        - variable: {name: n, value: "${headers['X-Id']}"}
        - property: {name: p, value: "${vars.n}"}
        """
    )
    caplog.set_level(logging.INFO, logger="interlace.flow")
    ctx, body = unread(b'{"a": 1}')
    ctx.headers["X-Id"] = "7"
    await flows.run(ctx)
    assert (ctx.variables, ctx.properties) == ({"n": "7"}, {"p": "7"})
    assert ctx.payload.unread is body
    assert body.reads == 0


async def test_a_log_that_shows_the_payload_reads_it(
    compile_flows: CompileFlows, caplog: pytest.LogCaptureFixture
) -> None:
    flows = compile_flows(flow="- log: {message: got, full: true}")
    caplog.set_level(logging.INFO, logger="interlace.flow")
    ctx, body = unread(b'{"a": 1}')
    await flows.run(ctx)
    assert body.reads == 1
    assert 'payload={"a": 1}' in caplog.text


async def test_respond_answers_a_back_ends_body_unread_and_reads_the_requests_own(
    compile_flows: CompileFlows,
) -> None:
    flows = compile_flows(flow="- respond: {}")
    answer, answer_body = unread(b"{}", origin="answer")
    await flows.run(answer)
    assert answer.reply is not None and answer.reply.payload.unread is answer_body
    request, request_body = unread(b"{}", origin="request")
    await flows.run(request)
    assert request.reply is not None and request.reply.payload.unread is None
    assert request_body.reads == 1


def test_an_expression_knows_whether_it_reads_the_payload() -> None:
    reads = {
        "payload.a": True,
        "$.items[0]": True,
        "vars.a[payload.i]": True,
        "vars.list[?(@.id == payload.id)]": True,
        "exists(vars.a) ? 1 : payload": True,
        "xpath('//id')": True,
        "vars.a": False,
        "headers['X-Id'] + params.queryParams.q": False,
        "vars.list[?(@.id == 1)]": False,
        "length(vars.a) > 2": False,
    }
    assert {source: compile_expression(source).reads_payload for source in reads} == reads
    assert compile_template("id ${vars.a}").reads_payload is False
    assert compile_template("id ${vars.a} ${payload}").reads_payload is True
    assert compile_value({"a": ["${vars.x}", {"b": "${payload.b}"}]}).reads_payload is True
    assert compile_value({"a": ["${vars.x}"]}).reads_payload is False
