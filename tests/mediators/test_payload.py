"""The payload mediator: JSON with type-preserving substitution, XML and text with content types."""

from __future__ import annotations

from .conftest import CompileFlows
from .harness import message


async def test_json_payload_keeps_the_types_of_single_expressions(compile_flows: CompileFlows) -> None:
    flows = compile_flows(
        flow="""
        - payload:
            json:
              count: "${payload.n}"
              items: "${payload.items}"
              label: "n=${payload.n}"
              fixed: [1, true, null]
              "${vars.key}": "${vars.missing}"
        """
    )
    ctx = await flows.run(message({"n": 2, "items": [{"a": 1}]}, variables={"key": "dynamic"}))
    assert ctx.payload.content_type == "application/json"
    assert ctx.payload.json() == {
        "count": 2,
        "items": [{"a": 1}],
        "label": "n=2",
        "fixed": [1, True, None],
        "dynamic": None,
    }


async def test_json_payload_may_be_a_scalar_or_an_array(compile_flows: CompileFlows) -> None:
    flows = compile_flows(flow='- payload: {json: ["${payload.a}", "${payload.a}"]}')
    ctx = await flows.run(message({"a": 1.5}))
    assert ctx.payload.json() == [1.5, 1.5]


async def test_xml_payload_is_rendered_text_with_the_xml_content_type(compile_flows: CompileFlows) -> None:
    flows = compile_flows(
        flow="""- payload: {xml: "<order id='${payload.id}'><n>${payload.n}</n></order>"}"""
    )
    ctx = await flows.run(message({"id": "A1", "n": 3}))
    assert ctx.payload.content_type == "application/xml"
    assert ctx.payload.kind == "xml"
    element = ctx.payload.xml()
    assert element.get("id") == "A1"
    assert element.findtext("n") == "3"


async def test_text_payload_defaults_to_plain_text(compile_flows: CompileFlows) -> None:
    flows = compile_flows(flow='- payload: {text: "Hello ${payload.name}"}')
    ctx = await flows.run(message({"name": "Ada"}))
    assert ctx.payload.content_type == "text/plain; charset=utf-8"
    assert ctx.payload.text() == "Hello Ada"


async def test_content_type_overrides_the_default(compile_flows: CompileFlows) -> None:
    flows = compile_flows(
        flow="""
        - payload: {text: "a,b", content-type: text/csv}
        - variable: {name: csv, value: "${payload}"}
        - payload: {xml: "<a/>", content-type: application/soap+xml}
        """
    )
    ctx = await flows.run(message({}))
    assert ctx.variables["csv"] == "a,b"
    assert ctx.payload.content_type == "application/soap+xml"
    assert ctx.payload.kind == "xml"


async def test_json_payload_honours_a_json_content_type(compile_flows: CompileFlows) -> None:
    flows = compile_flows(flow="- payload: {json: {a: 1}, content-type: application/vnd.api+json}")
    ctx = await flows.run(message({}))
    assert ctx.payload.content_type == "application/vnd.api+json"
    assert ctx.payload.json() == {"a": 1}
