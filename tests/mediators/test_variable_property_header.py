"""The variable, property and header mediators: set, remove and convert values."""

from __future__ import annotations

from typing import Any

import pytest

from interlace.errors import MediationError

from .conftest import CompileFlows
from .harness import message


async def test_variable_keeps_the_type_of_a_single_expression(compile_flows: CompileFlows) -> None:
    flows = compile_flows(
        flow="""
        - variable: {name: items, value: "${payload.items}"}
        - variable: {name: label, value: "n=${payload.n}"}
        """
    )
    ctx = await flows.run(message({"items": [1, {"a": True}], "n": 2}))
    assert ctx.variables == {"items": [1, {"a": True}], "label": "n=2"}


async def test_variable_remove_deletes_it_and_removing_a_missing_one_is_fine(
    compile_flows: CompileFlows,
) -> None:
    flows = compile_flows(
        flow="""
        - variable: {name: gone, action: remove}
        - variable: {name: never, action: remove}
        """
    )
    ctx = await flows.run(message({}, variables={"gone": 1, "kept": 2}))
    assert ctx.variables == {"kept": 2}


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        ("string", '"${payload.number}"', "42"),
        ("string", '"${payload.flag}"', "true"),
        ("string", '"${payload.object}"', '{"a":[1,2]}'),
        ("integer", "'17'", 17),
        ("integer", '"${payload.whole}"', 3),
        ("number", "'2.5'", 2.5),
        ("number", '"${payload.number}"', 42),
        ("boolean", "'yes'", True),
        ("boolean", "'0'", False),
        ("boolean", '"${payload.flag}"', True),
        ("json", "'{\"a\": [1, null]}'", {"a": [1, None]}),
        ("json", '"${payload.object}"', {"a": [1, 2]}),
        ("auto", "'17'", "17"),
    ],
)
async def test_variable_converts_to_its_type(
    compile_flows: CompileFlows, kind: str, value: str, expected: Any
) -> None:
    flows = compile_flows(flow=f"- variable: {{name: v, type: {kind}, value: {value}}}")
    ctx = await flows.run(message({"number": 42, "flag": True, "object": {"a": [1, 2]}, "whole": 3.0}))
    assert ctx.variables["v"] == expected
    assert type(ctx.variables["v"]) is type(expected)


@pytest.mark.parametrize(
    ("kind", "value", "shown"),
    [
        ("integer", "'abc'", "'abc'"),
        ("integer", '"${payload.half}"', "2.5"),
        ("integer", '"${payload.flag}"', "True"),
        ("number", "'many'", "'many'"),
        ("boolean", "'maybe'", "'maybe'"),
        ("json", "'{not json'", "'{not json'"),
    ],
)
async def test_a_failing_conversion_is_a_mediation_error_at_the_mediator(
    compile_flows: CompileFlows, kind: str, value: str, shown: str
) -> None:
    flows = compile_flows(flow=f"- log: x\n- variable: {{name: v, type: {kind}, value: {value}}}")
    with pytest.raises(MediationError) as caught:
        await flows.run(message({"half": 2.5, "flag": True}))
    assert str(caught.value) == f"cannot convert {shown} to {kind} at sequences/main.yaml:4"
    assert caught.value.code == "MEDIATION_ERROR"


async def test_property_in_message_scope_is_readable_as_props(compile_flows: CompileFlows) -> None:
    flows = compile_flows(
        flow="""
        - property: {name: tier, value: "${payload.tier}"}
        - property: {name: old, action: remove}
        - variable: {name: seen, value: "${props.tier}"}
        """
    )
    ctx = message({"tier": "gold"})
    ctx.properties["old"] = 1
    await flows.run(ctx)
    assert ctx.properties == {"tier": "gold"}
    assert ctx.variables["seen"] == "gold"
    assert ctx.transport == {}


async def test_transport_status_is_an_integer_and_sets_the_message_status(
    compile_flows: CompileFlows,
) -> None:
    flows = compile_flows(
        flow="""
        - property: {name: status, scope: transport, value: "${payload.code}"}
        - property: {name: reason, scope: transport, value: Created here}
        """
    )
    ctx = await flows.run(message({"code": "201"}))
    assert ctx.transport == {"status": 201, "reason": "Created here"}
    assert ctx.status == 201


async def test_transport_status_can_be_removed(compile_flows: CompileFlows) -> None:
    flows = compile_flows(flow="- property: {name: status, scope: transport, action: remove}")
    ctx = message({})
    ctx.transport["status"] = 404
    await flows.run(ctx)
    assert ctx.status is None


async def test_header_set_replaces_every_value_and_remove_deletes_them(compile_flows: CompileFlows) -> None:
    flows = compile_flows(
        flow="""
        - header: {name: X-Order, value: "order-${payload.id}"}
        - header: {name: x-drop, action: remove}
        """
    )
    ctx = message({"id": 9})
    ctx.headers.add("X-Order", "a")
    ctx.headers.add("X-Order", "b")
    ctx.headers.add("X-Drop", "1")
    ctx.headers.add("X-Drop", "2")
    await flows.run(ctx)
    assert list(ctx.headers.items()) == [("X-Order", "order-9")]
