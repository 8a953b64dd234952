"""The filter and switch mediators: choosing a branch on the message."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import CompileFlows
from .harness import message

FILTER = """
- filter:
    condition: "${payload.total > 100}"
    then:
      - variable: {name: branch, value: then}
    else:
      - variable: {name: branch, value: else}
- variable: {name: after, value: true}
"""


@pytest.mark.parametrize(("total", "branch"), [(150, "then"), (100, "else"), (None, "else")])
async def test_filter_runs_then_or_else_and_goes_on(
    compile_flows: CompileFlows, total: int | None, branch: str
) -> None:
    flows = compile_flows(flow=FILTER)
    ctx = await flows.run(message({"total": total}))
    assert ctx.variables == {"branch": branch, "after": True}


async def test_filter_condition_may_be_written_without_braces_and_without_else(
    compile_flows: CompileFlows,
) -> None:
    flows = compile_flows(
        flow="""
        - filter: {condition: "exists(payload.email)", then: [{variable: {name: mail, value: yes}}]}
        """
    )
    assert (await flows.run(message({"email": "a@b"}))).variables == {"mail": "yes"}
    assert (await flows.run(message({}))).variables == {}


async def test_a_respond_inside_a_filter_ends_the_outer_flow(compile_flows: CompileFlows) -> None:
    flows = compile_flows(
        flow="""
        - filter:
            condition: "${payload.bad}"
            then:
              - respond: {status: 400, json: {error: bad}}
        - variable: {name: reached, value: true}
        """
    )
    ctx = await flows.run(message({"bad": True}))
    assert ctx.reply is not None and ctx.reply.status == 400
    assert "reached" not in ctx.variables


SWITCH = """
- switch:
    on: "${payload.value}"
    cases:
      grand oak: [{variable: {name: case, value: literal}}]
      42: [{variable: {name: case, value: number}}]
      2.5: [{variable: {name: case, value: float}}]
      true: [{variable: {name: case, value: boolean}}]
    default:
      - variable: {name: case, value: default}
- variable: {name: after, value: true}
"""


@pytest.mark.parametrize(
    ("value", "case"),
    [
        ("grand oak", "literal"),
        ("Grand Oak", "default"),
        (42, "number"),
        ("42", "number"),
        (2.5, "float"),
        (True, "boolean"),
        (None, "default"),
        ({"a": 1}, "default"),
    ],
)
async def test_switch_matches_literal_labels_by_text(
    compile_flows: CompileFlows, value: Any, case: str
) -> None:
    flows = compile_flows(flow=SWITCH)
    ctx = await flows.run(message({"value": value}))
    assert ctx.variables == {"case": case, "after": True}


async def test_switch_regex_cases_match_the_whole_text_in_order(compile_flows: CompileFlows) -> None:
    flows = compile_flows(
        flow="""
        - switch:
            on: "${payload.code}"
            match: regex
            cases:
              "A-\\\\d+": [{variable: {name: case, value: first}}]
              "A-.*": [{variable: {name: case, value: second}}]
        """
    )
    assert (await flows.run(message({"code": "A-12"}))).variables == {"case": "first"}
    assert (await flows.run(message({"code": "A-x"}))).variables == {"case": "second"}
    assert (await flows.run(message({"code": "xA-12"}))).variables == {}


async def test_a_respond_inside_a_switch_case_ends_the_outer_flow(compile_flows: CompileFlows) -> None:
    flows = compile_flows(
        flow="""
        - switch:
            on: "${payload.kind}"
            cases:
              stop: [{respond: {status: 204}}]
        - variable: {name: reached, value: true}
        """
    )
    stopped = await flows.run(message({"kind": "stop"}))
    assert stopped.reply is not None and stopped.reply.status == 204
    assert stopped.variables == {}
    assert (await flows.run(message({"kind": "go"}))).variables == {"reached": True}
