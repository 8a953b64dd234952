"""Definitions of the built-in mediators: what each accepts in a flow.

A flow item is ``{kind: options}``; a kind whose options are all optional may be written bare
(``- drop``), and some take a shorthand scalar (``- log: "text"``, ``- call: EndpointName``,
``- sequence: Name``). Nested flows (filter, switch, foreach, ...) stay as YAML trees and are compiled
by the compiler, so their problems are reported at their own lines.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from interlace.model.base import Definition
from interlace.model.flow import FlowSource

__all__ = [
    "CallDefinition",
    "DropDefinition",
    "EnrichDefinition",
    "FilterDefinition",
    "ForeachDefinition",
    "HeaderDefinition",
    "LogDefinition",
    "PayloadDefinition",
    "PropertyDefinition",
    "RespondDefinition",
    "ScatterGatherDefinition",
    "SequenceCallDefinition",
    "SwitchDefinition",
    "ThrowErrorDefinition",
    "ValidateDefinition",
    "VariableDefinition",
]

ValueType = Literal["auto", "string", "integer", "number", "boolean", "json"]


def _at_most_one(given: dict[str, bool], *, required: bool = False) -> None:
    names = [name for name, present in given.items() if present]
    if len(names) > 1:
        raise ValueError(f"give only one of {', '.join(given)} (got {', '.join(names)})")
    if required and not names:
        raise ValueError(f"give one of {', '.join(given)}")


def _bodies(definition: PayloadDefinition | RespondDefinition) -> dict[str, bool]:
    return {
        "json": "json_" in definition.model_fields_set,
        "xml": definition.xml is not None,
        "text": definition.text is not None,
    }


class LogDefinition(Definition):
    """Write a log line: ``message`` template at ``level``; optionally the headers or the full message."""

    message: str = ""
    level: Literal["debug", "info", "warning", "error"] = "info"
    category: str = "interlace.flow"
    headers: bool = False
    full: bool = False


class VariableDefinition(Definition):
    """Set (with ``value``, converted to ``type``) or remove a variable (``${vars.name}``)."""

    name: Annotated[str, Field(min_length=1)]
    value: Any = None
    type: ValueType = "auto"
    action: Literal["set", "remove"] = "set"

    @model_validator(mode="after")
    def _value_for_set(self) -> VariableDefinition:
        if self.action == "set" and "value" not in self.model_fields_set:
            raise ValueError("variable needs a value (or action: remove)")
        return self


class PropertyDefinition(Definition):
    """Set or remove a message property (``${props.name}``) or a transport property (status, reason)."""

    name: Annotated[str, Field(min_length=1)]
    value: Any = None
    type: ValueType = "auto"
    scope: Literal["message", "transport"] = "message"
    action: Literal["set", "remove"] = "set"

    @model_validator(mode="after")
    def _known_transport(self) -> PropertyDefinition:
        if self.scope == "transport" and self.name not in ("status", "reason"):
            raise ValueError(f"unknown transport property {self.name!r}; use status or reason")
        if self.action == "set" and "value" not in self.model_fields_set:
            raise ValueError("property needs a value (or action: remove)")
        return self


class HeaderDefinition(Definition):
    """Set or remove a header of the current message (sent on the next call)."""

    name: Annotated[str, Field(min_length=1)]
    value: str | None = None
    action: Literal["set", "remove"] = "set"

    @model_validator(mode="after")
    def _value_for_set(self) -> HeaderDefinition:
        if self.action == "set" and self.value is None:
            raise ValueError("header needs a value (or action: remove)")
        return self


class PayloadDefinition(Definition):
    """Replace the payload with a JSON, XML or text template."""

    json_: Any = Field(default=None, alias="json")
    xml: str | None = None
    text: str | None = None
    content_type: str | None = None

    @model_validator(mode="after")
    def _one(self) -> PayloadDefinition:
        _at_most_one(_bodies(self), required=True)
        return self


class EnrichDefinition(Definition):
    """Copy ``source`` (any value template) into ``target`` (``payload``, ``payload.a.b``, ``vars.x``,
    ``headers.X``, ``props.x``) by replacing it, merging objects or appending to an array."""

    source: Any
    target: Annotated[str, Field(min_length=1)]
    action: Literal["replace", "merge", "append"] = "replace"


class FilterDefinition(Definition):
    """Run ``then`` when ``condition`` is true, else ``else``."""

    condition: str
    then: FlowSource = Field(default_factory=list)
    else_: FlowSource = Field(default_factory=list, alias="else")


class SwitchDefinition(Definition):
    """Run the flow of the first case that matches ``on`` (literal equality or ``match: regex``)."""

    on: str
    match: Literal["literal", "regex"] = "literal"
    cases: dict[str, FlowSource]
    default: FlowSource = Field(default_factory=list)


class CallDefinition(Definition):
    """Call an endpoint; its answer replaces the message, or goes to ``response-variable``."""

    endpoint: Annotated[str, Field(min_length=1)]
    response_variable: str | None = None


class RespondDefinition(Definition):
    """Answer the caller and end the flow: the current message, or the given body."""

    status: int | str | None = None
    headers: dict[str, str] = Field(default_factory=dict)
    json_: Any = Field(default=None, alias="json")
    xml: str | None = None
    text: str | None = None
    content_type: str | None = None

    @model_validator(mode="after")
    def _one(self) -> RespondDefinition:
        _at_most_one(_bodies(self))
        if isinstance(self.status, int) and not 100 <= self.status <= 599:
            raise ValueError(f"status must be between 100 and 599 (got {self.status})")
        return self


class DropDefinition(Definition):
    """End the flow without an answer (HTTP callers get 202 Accepted)."""


class SequenceCallDefinition(Definition):
    """Run a named sequence, passing ``parameters`` (``${params.functionParams.x}``)."""

    name: Annotated[str, Field(min_length=1)]
    parameters: dict[str, Any] = Field(default_factory=dict)


class ForeachDefinition(Definition):
    """Run ``flow`` for each element of ``collection`` (as variable ``as``); collect each run's payload
    (or ``result``) into ``target`` (default: the payload)."""

    collection: str
    as_: str = Field(default="item", alias="as")
    flow: FlowSource
    parallel: bool = False
    concurrency: Annotated[int, Field(ge=1)] = 8
    result: Any = None
    target: str = "payload"


class ScatterGatherDefinition(Definition):
    """Run ``branches`` in parallel on copies of the message; collect their payloads into ``target``."""

    branches: Annotated[list[FlowSource], Field(min_length=1)]
    target: str = "payload"


class ValidateDefinition(Definition):
    """Check ``source`` (default the payload) against a JSON Schema, inline or from a project file."""

    schema_: dict[str, Any] | None = Field(default=None, alias="schema")
    schema_file: str | None = None
    source: str = "${payload}"
    on_fail: FlowSource | None = None

    @model_validator(mode="after")
    def _one(self) -> ValidateDefinition:
        _at_most_one(
            {"schema": self.schema_ is not None, "schema-file": self.schema_file is not None}, required=True
        )
        return self


class ThrowErrorDefinition(Definition):
    """Raise an error that the on-error flow (or the default error answer) handles."""

    message: str
    code: str = "MEDIATION_ERROR"
    status: Annotated[int, Field(ge=400, le=599)] = 500
    detail: Any = None
