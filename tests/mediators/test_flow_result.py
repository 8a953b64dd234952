"""run_flow names how a flow ended: replied, finished, dropped, failed (handled or not), and which settle."""

from __future__ import annotations

import logging

import pytest

from interlace.errors import SourceLocation
from interlace.mediators import SequenceMediator
from interlace.mediators.flow import FlowResult, run_flow
from interlace.message import MessageContext

from .conftest import CompileFlows
from .harness import message


async def test_a_flow_that_responds_is_replied_and_settles(compile_flows: CompileFlows) -> None:
    flows = compile_flows(flow="- respond: {status: 201, json: {ok: true}}")
    ctx = message({})
    result = await run_flow(flows.sequence(), ctx)
    assert result == FlowResult("replied")
    assert result.settles
    assert ctx.reply is not None and ctx.reply.status == 201


async def test_a_flow_that_runs_to_its_end_is_finished(compile_flows: CompileFlows) -> None:
    flows = compile_flows(flow='- variable: {name: seen, value: "yes"}')
    result = await run_flow(flows.sequence(), message({}))
    assert (result.outcome, result.error, result.settles) == ("finished", None, True)


async def test_a_flow_that_drops_the_message_is_dropped(compile_flows: CompileFlows) -> None:
    flows = compile_flows(flow="- drop: {}\n- respond: {json: {never: true}}")
    ctx = message({})
    result = await run_flow(flows.sequence(), ctx)
    assert (result.outcome, result.settles) == ("dropped", True)
    assert ctx.reply is None


async def test_an_error_without_on_error_flow_fails_unhandled_and_does_not_settle(
    compile_flows: CompileFlows,
) -> None:
    flows = compile_flows(
        flow="- throw-error: {message: 'order closed', code: CLOSED, status: 409, detail: {id: 7}}"
    )
    result = await run_flow(flows.sequence(), message({}))
    assert (result.outcome, result.handled, result.settles) == ("failed", False, False)
    assert result.error is not None
    assert (result.error.code, result.error.message, result.error.status) == ("CLOSED", "order closed", 409)
    assert result.error.detail == {"id": 7}
    assert result.description is not None and "order closed" in result.description


async def test_an_error_the_on_error_flow_handled_fails_handled_and_settles(
    compile_flows: CompileFlows,
) -> None:
    sequence = """
        sequence: Main
        flow:
          - throw-error: {message: broken, code: E_BROKEN, status: 503}
        on-error:
          - log: {message: "handled ${error.code}"}
    """
    flows = compile_flows({"sequences/main.yaml": sequence})
    ctx = message({})
    result = await run_flow(flows.sequence(), ctx)
    assert (result.outcome, result.handled, result.settles) == ("failed", True, True)
    assert result.error is not None and (result.error.code, result.error.status) == ("E_BROKEN", 503)
    assert ctx.reply is None


async def test_an_error_raised_in_the_on_error_flow_is_not_handled(compile_flows: CompileFlows) -> None:
    sequence = """
        sequence: Main
        flow:
          - throw-error: {message: broken, code: E_BROKEN}
        on-error:
          - throw-error: {message: "retry later", code: E_RETRY, status: 503}
    """
    flows = compile_flows({"sequences/main.yaml": sequence})
    result = await run_flow(flows.sequence(), message({}))
    assert (result.outcome, result.handled, result.settles) == ("failed", False, False)
    assert result.error is not None and result.error.code == "E_RETRY"


class _Broken:
    location = SourceLocation("sequences/broken.yaml", 1)

    async def mediate(self, ctx: MessageContext) -> bool:
        raise RuntimeError("secret internal state at 10.0.0.7")


async def test_an_unexpected_exception_fails_with_no_internal_detail_for_clients(
    caplog: pytest.LogCaptureFixture,
) -> None:
    flow = SequenceMediator("Broken", SourceLocation("sequences/broken.yaml", 1), (_Broken(),))
    with caplog.at_level(logging.ERROR, logger="interlace.flow"):
        result = await run_flow(flow, message({}), what="task Nightly")
    assert (result.outcome, result.handled, result.settles) == ("failed", False, False)
    assert result.error is not None
    assert (result.error.code, result.error.status) == ("INTERNAL_ERROR", 500)
    assert "10.0.0.7" not in result.error.message
    assert result.description is not None and "RuntimeError" in result.description
    assert any("task Nightly failed unexpectedly" in record.getMessage() for record in caplog.records)
