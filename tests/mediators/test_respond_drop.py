"""The respond and drop mediators: answering the caller and ending the flow."""

from __future__ import annotations

import pytest

from interlace.errors import MediationError

from .conftest import CompileFlows
from .harness import message


async def test_respond_without_options_answers_the_current_message_with_200(
    compile_flows: CompileFlows,
) -> None:
    flows = compile_flows(flow="- respond: {}\n- variable: {name: reached, value: true}")
    ctx = message({"a": 1}, headers={"X-In": "1"})
    returned = await flows.sequence().mediate(ctx)
    assert returned is False
    assert ctx.reply is not None
    assert ctx.reply.status == 200
    assert ctx.reply.payload.json() == {"a": 1}
    assert dict(ctx.reply.headers) == {}
    assert ctx.variables == {}


async def test_respond_answers_with_the_status_the_message_carries(compile_flows: CompileFlows) -> None:
    flows = compile_flows(
        flow="""
        - property: {name: status, scope: transport, value: 404}
        - respond
        """
    )
    ctx = await flows.run(message({}))
    assert ctx.reply is not None and ctx.reply.status == 404


async def test_respond_renders_status_headers_and_json_body(compile_flows: CompileFlows) -> None:
    flows = compile_flows(
        flow="""
        - respond:
            status: "${vars.code}"
            headers: {X-Order: "order-${payload.id}", Location: "/orders/${payload.id}"}
            json: {id: "${payload.id}", ok: true}
        """
    )
    ctx = await flows.run(message({"id": 7}, variables={"code": "201"}))
    assert ctx.reply is not None
    assert ctx.reply.status == 201
    assert dict(ctx.reply.headers) == {"X-Order": "order-7", "Location": "/orders/7"}
    assert ctx.reply.payload.json() == {"id": 7, "ok": True}
    assert ctx.payload is ctx.reply.payload


@pytest.mark.parametrize(
    ("body", "content_type", "text"),
    [
        ('xml: "<ok>${payload.id}</ok>"', "application/xml", "<ok>7</ok>"),
        ('text: "id ${payload.id}"', "text/plain; charset=utf-8", "id 7"),
        ('text: "id,${payload.id}", content-type: text/csv', "text/csv", "id,7"),
    ],
)
async def test_respond_answers_xml_and_text_bodies(
    compile_flows: CompileFlows, body: str, content_type: str, text: str
) -> None:
    flows = compile_flows(flow=f"- respond: {{status: 202, {body}}}")
    ctx = await flows.run(message({"id": 7}))
    assert ctx.reply is not None
    assert (ctx.reply.status, ctx.reply.payload.content_type, ctx.reply.payload.text()) == (
        202,
        content_type,
        text,
    )


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("abc", "respond status must be an HTTP status code (got 'abc')"),
        ("700", "respond status must be between 100 and 599 (got 700)"),
    ],
)
async def test_a_template_status_that_is_not_a_status_code_fails(
    compile_flows: CompileFlows, code: str, expected: str
) -> None:
    flows = compile_flows(flow='- respond: {status: "${vars.code}"}')
    with pytest.raises(MediationError) as caught:
        await flows.run(message({}, variables={"code": code}))
    assert caught.value.message == expected


async def test_drop_ends_the_flow_without_a_reply(compile_flows: CompileFlows) -> None:
    flows = compile_flows(flow="- drop\n- variable: {name: reached, value: true}")
    ctx = message({"a": 1})
    assert await flows.sequence().mediate(ctx) is False
    assert ctx.reply is None
    assert ctx.variables == {}
