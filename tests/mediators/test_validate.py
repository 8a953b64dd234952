"""The validate mediator: JSON Schema inline or from a project file; on-fail or a 400 ValidationError."""

from __future__ import annotations

import pytest

from interlace.errors import ValidationError

from .conftest import CompileFlows
from .harness import message

INLINE = """
- validate:
    schema:
      type: object
      required: [name]
      properties:
        name: {type: string}
        items: {type: array, items: {type: integer}}
- variable: {name: valid, value: true}
"""


async def test_a_valid_payload_goes_on(compile_flows: CompileFlows) -> None:
    flows = compile_flows(flow=INLINE)
    ctx = await flows.run(message({"name": "Ada", "items": [1, 2]}))
    assert ctx.variables == {"valid": True}


async def test_an_invalid_payload_raises_a_400_validation_error_listing_the_problems(
    compile_flows: CompileFlows,
) -> None:
    flows = compile_flows(flow=INLINE)
    ctx = message({"items": [1, "two", 3.5]})
    with pytest.raises(ValidationError) as caught:
        await flows.run(ctx)
    error = caught.value
    assert (error.code, error.status) == ("VALIDATION_ERROR", 400)
    assert (
        error.message
        == "the payload does not match its schema: 'name' is a required property at $ (and 2 more)"
    )
    assert error.detail == [
        {"path": "$", "message": "'name' is a required property"},
        {"path": "$['items'][1]", "message": "'two' is not of type 'integer'"},
        {"path": "$['items'][2]", "message": "3.5 is not of type 'integer'"},
    ]
    assert ctx.variables == {}


async def test_on_fail_sees_the_error_detail_and_ends_the_flow(compile_flows: CompileFlows) -> None:
    flows = compile_flows(
        flow="""
        - validate:
            schema: {type: object, required: [id]}
            on-fail:
              - respond: {status: 422, json: {problems: "${error.detail}", code: "${error.code}"}}
        - variable: {name: reached, value: true}
        """
    )
    ctx = message({})
    assert await flows.sequence().mediate(ctx) is False
    assert ctx.reply is not None and ctx.reply.status == 422
    assert ctx.reply.payload.json() == {
        "problems": [{"path": "$", "message": "'id' is a required property"}],
        "code": "VALIDATION_ERROR",
    }
    assert ctx.variables == {}


async def test_source_selects_what_is_validated(compile_flows: CompileFlows) -> None:
    flows = compile_flows(flow='- validate: {source: "${vars.n}", schema: {type: integer, minimum: 1}}')
    await flows.run(message({}, variables={"n": 3}))
    with pytest.raises(ValidationError, match=r"0 is less than the minimum of 1 at \$$"):
        await flows.run(message({}, variables={"n": 0}))


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("schemas/order.json", '{"type": "object", "required": ["id"]}'),
        ("schemas/order.yaml", "type: object\nrequired: [id]\n"),
    ],
)
async def test_schema_file_is_read_from_the_project(
    compile_flows: CompileFlows, name: str, text: str
) -> None:
    flows = compile_flows({name: text}, flow=f"- validate: {{schema-file: {name}}}")
    await flows.run(message({"id": 1}))
    with pytest.raises(ValidationError, match="'id' is a required property"):
        await flows.run(message({"other": 1}))
