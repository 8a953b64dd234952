"""A flow as written in YAML: a list of mediators, each a one-key mapping (or a bare name).

Flows are kept as their loaded YAML tree (with lines) and compiled mediator by mediator, so each
mediator's problems are reported at its own line.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, WithJsonSchema

from interlace.model.yamlsource import LineList

__all__ = ["FLOW_SCHEMA_MARK", "FlowSource", "OnErrorSource", "check_flow", "check_flow_or_name"]


def check_flow(value: Any) -> Any:
    if not isinstance(value, list):
        raise ValueError("a flow must be a list of mediators")
    if isinstance(value, LineList):
        return value
    flow = LineList()
    flow.extend(value)
    flow.item_lines.extend(0 for _ in value)
    return flow


def check_flow_or_name(value: Any) -> Any:
    if isinstance(value, str):
        if not value.strip():
            raise ValueError("an on-error sequence name must not be empty")
        return value
    return check_flow(value)


FLOW_SCHEMA_MARK = "x-interlace-flow"
"""Marks where a flow is in a definition's JSON Schema: a flow is compiled mediator by mediator, so its
schema (one entry per mediator kind and connector operation) is the compiler's to write
(``interlace.compiler.schema`` puts it where this mark is); definitions only say where."""

FlowSource = Annotated[Any, AfterValidator(check_flow), WithJsonSchema({FLOW_SCHEMA_MARK: True})]
"""A list of mediators."""

OnErrorSource = Annotated[
    Any,
    AfterValidator(check_flow_or_name),
    WithJsonSchema({"anyOf": [{"type": "string", "minLength": 1}, {FLOW_SCHEMA_MARK: True}]}),
]
"""A list of mediators, or the name of a sequence to run on error."""
