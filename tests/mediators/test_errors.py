"""throw-error and on-error flows: what an on-error flow sees, at resource, API and sequence level."""

from __future__ import annotations

import logging

import pytest

from interlace.errors import MediationError, SourceLocation
from interlace.message import MessageContext

from .conftest import CompileFlows
from .harness import main_sequence, message

SHOW_ERROR_SEQUENCE = """
sequence: ShowError
flow:
  - respond:
      status: "${error.status}"
      json: {code: "${error.code}", message: "${error.message}", detail: "${error.detail}"}
"""


async def test_throw_error_raises_with_code_status_message_and_detail(compile_flows: CompileFlows) -> None:
    flows = compile_flows(
        flow="""
        - throw-error:
            message: "order ${payload.id} is closed"
            code: ORDER_CLOSED
            status: 409
            detail: {id: "${payload.id}", reasons: [closed]}
        """
    )
    with pytest.raises(MediationError) as caught:
        await flows.run(message({"id": 5}))
    error = caught.value
    assert (error.message, error.code, error.status) == ("order 5 is closed", "ORDER_CLOSED", 409)
    assert error.detail == {"id": 5, "reasons": ["closed"]}


async def test_throw_error_shorthand_has_the_default_code_and_status(compile_flows: CompileFlows) -> None:
    flows = compile_flows(flow="- throw-error: nope")
    with pytest.raises(MediationError) as caught:
        await flows.run()
    assert (caught.value.message, caught.value.code, caught.value.status) == ("nope", "MEDIATION_ERROR", 500)
    assert caught.value.detail is None


async def test_a_sequence_on_error_flow_sees_the_error_and_ends_the_flow(compile_flows: CompileFlows) -> None:
    sequence = """
        sequence: Main
        flow:
          - throw-error: {message: broken, code: E_BROKEN, status: 418, detail: [1, 2]}
          - variable: {name: reached, value: true}
        on-error: ShowError
    """
    flows = compile_flows({"sequences/main.yaml": sequence, "sequences/show-error.yaml": SHOW_ERROR_SEQUENCE})
    ctx = message({})
    assert await flows.sequence().mediate(ctx) is False
    assert ctx.reply is not None
    assert ctx.reply.status == 418
    assert ctx.reply.payload.json() == {"code": "E_BROKEN", "message": "broken", "detail": [1, 2]}
    assert ctx.variables == {}


async def test_an_on_error_sequence_named_by_a_resource_handles_its_errors(
    compile_flows: CompileFlows,
) -> None:
    flows = compile_flows(
        {
            "apis/orders.yaml": """
                api: Orders
                context: /orders
                resources:
                  - methods: [POST]
                    uri-template: /
                    flow:
                      - variable: {name: n, type: integer, value: "${payload.n}"}
                    on-error: ShowError
                  - methods: [GET]
                    uri-template: /
                    flow:
                      - throw-error: {message: from api level}
                on-error:
                  - respond: {status: 503, json: {api: "${error.message}"}}
            """,
            "sequences/show-error.yaml": SHOW_ERROR_SEQUENCE,
        }
    )
    post, get = flows.artifacts.apis[0].resources
    ctx = message({"n": "many"})
    await post.flow.mediate(ctx)
    assert ctx.reply is not None and ctx.reply.status == 500
    assert ctx.reply.payload.json() == {
        "code": "MEDIATION_ERROR",
        "message": "cannot convert 'many' to integer",
        "detail": None,
    }
    ctx = message({})
    await get.flow.mediate(ctx)
    assert ctx.reply is not None and ctx.reply.status == 503
    assert ctx.reply.payload.json() == {"api": "from api level"}


async def test_without_on_error_the_error_goes_to_the_enclosing_sequence(compile_flows: CompileFlows) -> None:
    inner = main_sequence("- throw-error: {message: deep, code: DEEP}", "Inner")
    outer = (
        main_sequence("- sequence: Inner") + "on-error:\n  - variable: {name: code, value: '${error.code}'}\n"
    )
    flows = compile_flows({"sequences/inner.yaml": inner, "sequences/main.yaml": outer})
    ctx = await flows.run(message({}))
    assert ctx.variables == {"code": "DEEP"}


async def test_a_validation_failure_reaches_on_error_with_its_detail(compile_flows: CompileFlows) -> None:
    sequence = (
        main_sequence("- validate: {schema: {type: object, required: [id]}}")
        + "on-error:\n  - variable: {name: error, value: '${error}'}\n"
    )
    flows = compile_flows({"sequences/main.yaml": sequence})
    ctx = await flows.run(message({}))
    assert ctx.variables["error"] == {
        "code": "VALIDATION_ERROR",
        "status": 400,
        "message": "the payload does not match its schema: 'id' is a required property at $",
        "detail": [{"path": "$", "message": "'id' is a required property"}],
    }


class _Exploding:
    """A mediator failing the way a bug would: with an exception outside the error tree."""

    location = SourceLocation("sequences/main.yaml", 3)

    async def mediate(self, ctx: MessageContext) -> bool:
        raise RuntimeError("secret connection string postgres://u:p@db")


async def test_an_unexpected_exception_becomes_an_internal_error_without_its_text(
    compile_flows: CompileFlows, caplog: pytest.LogCaptureFixture
) -> None:
    sequence = main_sequence("- log: start") + "on-error:\n  - variable: {name: error, value: '${error}'}\n"
    flows = compile_flows({"sequences/main.yaml": sequence})
    main = flows.sequence()
    main.mediators = (*main.mediators, _Exploding())
    caplog.set_level(logging.ERROR, logger="interlace.flow")
    ctx = await flows.run(message({}))
    error = ctx.variables["error"]
    assert error == {
        "code": "INTERNAL_ERROR",
        "status": 500,
        "message": "internal error in sequence Main: RuntimeError",
        "detail": None,
    }
    assert "Traceback" not in error["message"] and "postgres" not in str(error)
    [record] = caplog.records
    assert record.exc_info is not None and ctx.correlation_id in record.getMessage()
