"""The enrich mediator: replace, merge and append into the payload, variables, headers and properties."""

from __future__ import annotations

import pytest

from interlace.errors import MediationError

from .conftest import CompileFlows
from .harness import message


async def test_enrich_replaces_a_nested_payload_path_creating_parents(compile_flows: CompileFlows) -> None:
    flows = compile_flows(
        flow="""
        - enrich: {source: "${vars.name}", target: payload.customer.name}
        - enrich: {source: {id: 1}, target: payload.lines.0}
        """
    )
    ctx = await flows.run(message({"keep": True}, variables={"name": "Ada"}))
    assert ctx.payload.json() == {"keep": True, "customer": {"name": "Ada"}, "lines": [{"id": 1}]}


async def test_enrich_replaces_the_whole_payload(compile_flows: CompileFlows) -> None:
    flows = compile_flows(flow='- enrich: {source: "${vars.doc}", target: payload}')
    ctx = await flows.run(message({"old": 1}, variables={"doc": [1, 2]}))
    assert ctx.payload.json() == [1, 2]
    assert ctx.payload.content_type == "application/json"


async def test_enrich_merges_objects_and_appends_to_arrays(compile_flows: CompileFlows) -> None:
    flows = compile_flows(
        flow="""
        - enrich: {source: {b: 2, a: 9}, target: payload.obj, action: merge}
        - enrich: {source: "${payload.obj.b}", target: payload.list, action: append}
        - enrich: {source: x, target: payload.fresh, action: append}
        """
    )
    ctx = await flows.run(message({"obj": {"a": 1, "c": 3}, "list": [1]}))
    assert ctx.payload.json() == {"obj": {"a": 9, "c": 3, "b": 2}, "list": [1, 2], "fresh": ["x"]}


async def test_enrich_writes_variables_headers_and_properties(compile_flows: CompileFlows) -> None:
    flows = compile_flows(
        flow="""
        - enrich: {source: "${payload.id}", target: vars.order.id}
        - enrich: {source: {n: 1}, target: vars.order, action: merge}
        - enrich: {source: "${payload.id}", target: headers.X-Order-Id}
        - enrich: {source: {a: 1}, target: headers.X-Json}
        - enrich: {source: "${payload.id}", target: props.ids, action: append}
        """
    )
    ctx = await flows.run(message({"id": 42}, variables={"order": {"keep": True}}))
    assert ctx.variables["order"] == {"keep": True, "id": 42, "n": 1}
    assert ctx.headers["X-Order-Id"] == "42"
    assert ctx.headers["X-Json"] == '{"a":1}'
    assert ctx.properties["ids"] == [42]


async def test_enriching_a_copy_leaves_the_original_message_alone(compile_flows: CompileFlows) -> None:
    flows = compile_flows(
        flow="""
        - enrich: {source: 2, target: payload.a.b}
        - enrich: {source: 3, target: payload.list, action: append}
        - enrich: {source: 4, target: vars.nested.x}
        """
    )
    original = message({"a": {"b": 1}, "list": [1]}, variables={"nested": {"x": 0}})
    copy = original.clone()
    await flows.run(copy)
    assert copy.payload.json() == {"a": {"b": 2}, "list": [1, 3]}
    assert original.payload.json() == {"a": {"b": 1}, "list": [1]}
    assert original.variables == {"nested": {"x": 0}}


@pytest.mark.parametrize(
    ("flow", "expected"),
    [
        (
            "- enrich: {source: {a: 1}, target: payload.n, action: merge}",
            "merge into payload.n needs two objects (got int and dict)",
        ),
        (
            "- enrich: {source: 1, target: payload.n, action: append}",
            "append to payload.n needs an array there (got int)",
        ),
        (
            "- enrich: {source: 1, target: payload.n.x}",
            "cannot write payload.n.x: 'x' is not a key of an object or an index of an array",
        ),
    ],
)
async def test_enrich_into_the_wrong_shape_fails_the_flow(
    compile_flows: CompileFlows, flow: str, expected: str
) -> None:
    flows = compile_flows(flow=flow)
    with pytest.raises(MediationError) as caught:
        await flows.run(message({"n": 5}))
    assert caught.value.message == expected


async def test_enrich_child_merges_into_an_object_and_appends_to_an_array(
    compile_flows: CompileFlows,
) -> None:
    flows = compile_flows(
        flow="""
        - enrich: {source: {b: 2}, target: payload.obj, action: child}
        - enrich: {source: 3, target: payload.list, action: child}
        - enrich: {source: {n: 1}, target: payload.fresh, action: child}
        """
    )
    ctx = await flows.run(message({"obj": {"a": 1}, "list": [1]}))
    assert ctx.payload.json() == {"obj": {"a": 1, "b": 2}, "list": [1, 3], "fresh": {"n": 1}}
