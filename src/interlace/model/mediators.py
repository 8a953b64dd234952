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
    "StoreMediatorDefinition",
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
    """The line to log: a template (``"Routing to ${vars.hospital}"``)."""
    level: Literal["debug", "info", "warning", "error"] = "info"
    """The log level."""
    category: str = "interlace.flow"
    """The logger name, to filter or route these lines."""
    headers: bool = False
    """Also log the message's headers."""
    full: bool = False
    """Also log the headers and the payload."""


class VariableDefinition(Definition):
    """Set (with ``value``, converted to ``type``) or remove a variable (``${vars.name}``)."""

    name: Annotated[str, Field(min_length=1)]
    """The variable's name (``${vars.NAME}``)."""
    value: Any = None
    """The value: any YAML value whose strings are templates; a whole ``${...}`` keeps its type."""
    type: ValueType = "auto"
    """Convert the value to this type (``auto`` keeps it as it is)."""
    action: Literal["set", "remove"] = "set"
    """``remove`` deletes the variable."""

    @model_validator(mode="after")
    def _value_for_set(self) -> VariableDefinition:
        if self.action == "set" and "value" not in self.model_fields_set:
            raise ValueError("variable needs a value (or action: remove)")
        return self


class PropertyDefinition(Definition):
    """Set or remove a message property (``${props.name}``) or a transport property (status, reason)."""

    name: Annotated[str, Field(min_length=1)]
    """The property's name; in the transport scope ``status`` or ``reason``."""
    value: Any = None
    """The value: any YAML value whose strings are templates."""
    type: ValueType = "auto"
    """Convert the value to this type (``auto`` keeps it as it is)."""
    scope: Literal["message", "transport"] = "message"
    """``message`` (``${props.NAME}``) or ``transport`` (the HTTP answer's status and reason)."""
    action: Literal["set", "remove"] = "set"
    """``remove`` deletes the property."""

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
    """The header's name (case does not matter)."""
    value: str | None = None
    """The header's value: a template."""
    action: Literal["set", "remove"] = "set"
    """``remove`` deletes every value of the header."""

    @model_validator(mode="after")
    def _value_for_set(self) -> HeaderDefinition:
        if self.action == "set" and self.value is None:
            raise ValueError("header needs a value (or action: remove)")
        return self


class PayloadDefinition(Definition):
    """Replace the payload with a JSON, XML or text template."""

    json_: Any = Field(default=None, alias="json")
    """A JSON body: any YAML value whose strings are templates (type-preserving)."""
    xml: str | None = None
    """An XML body: a string template."""
    text: str | None = None
    """A text body: a string template."""
    content_type: str | None = None
    """The body's content type (default ``application/json``, ``application/xml`` or ``text/plain``)."""

    @model_validator(mode="after")
    def _one(self) -> PayloadDefinition:
        _at_most_one(_bodies(self), required=True)
        return self


class EnrichDefinition(Definition):
    """Copy ``source`` (any value template) into ``target`` (``payload``, ``payload.a.b``, ``vars.x``,
    ``headers.X``, ``props.x``) by replacing it, merging objects or appending to an array."""

    source: Any
    """The value to copy: any YAML value whose strings are templates (``"${vars.fee}"``)."""
    target: Annotated[str, Field(min_length=1)]
    """Where it goes: ``payload``, ``payload.a.b``, ``vars.x``, ``vars.x.y``, ``headers.X`` or ``props.x``."""
    action: Literal["replace", "merge", "append", "child"] = "replace"
    """``replace`` the target, ``merge`` two objects, ``append`` to an array, or ``child``: whichever of
    the two the target holds (merge into an object, append to an array; nothing there: the value)."""


class FilterDefinition(Definition):
    """Run ``then`` when ``condition`` is true, else ``else``."""

    condition: str
    """An expression; its truthiness picks the branch."""
    then: FlowSource = Field(default_factory=list)
    """The flow run when the condition holds."""
    else_: FlowSource = Field(default_factory=list, alias="else")
    """The flow run otherwise."""


class SwitchDefinition(Definition):
    """Run the flow of the first case that matches ``on`` (literal equality or ``match: regex``)."""

    on: str
    """An expression; strings compare as they are, null as "", other values as JSON text."""
    match: Literal["literal", "regex"] = "literal"
    """``literal`` compares case labels for equality; ``regex`` matches them as regular expressions."""
    cases: dict[str, FlowSource]
    """Case label → flow; the first match runs."""
    default: FlowSource = Field(default_factory=list)
    """The flow run when no case matches."""


class CallDefinition(Definition):
    """Call an endpoint; its answer replaces the message, or goes to ``response-variable``.

    A body nothing has read yet is sent to an HTTP endpoint as it arrives (when the endpoint's URL and
    headers do not read the payload), and the answer replaces the message unread: a body that only
    passes through is never held whole, whatever its size. An attempt that failed after it began
    sending such a body is not repeated."""

    endpoint: Annotated[str, Field(min_length=1)]
    """The endpoint's name."""
    response_variable: str | None = None
    """Put the answer in this variable as ``{payload, headers, status}`` and keep the message as it was."""


class RespondDefinition(Definition):
    """Answer the caller and end the flow: the current message, or the given body.

    A back-end's answer that nothing has read is streamed to the client as it arrives (with its
    length when the back-end gave one, else chunked); the request's own body is read first (within
    ``max-body-size``)."""

    status: int | str | None = None
    """The HTTP status: a number or a template; default the message's status (after a call) or 200."""
    headers: dict[str, str] = Field(default_factory=dict)
    """Headers of the answer; values are templates."""
    json_: Any = Field(default=None, alias="json")
    """Answer this JSON body instead of the current payload (strings are templates)."""
    xml: str | None = None
    """Answer this XML body (a string template)."""
    text: str | None = None
    """Answer this text body (a string template)."""
    content_type: str | None = None
    """The body's content type, when ``xml`` or ``text`` need another one."""

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
    """The sequence's name."""
    parameters: dict[str, Any] = Field(default_factory=dict)
    """Values for the sequence (``${params.functionParams.NAME}``); strings are templates."""


class StoreMediatorDefinition(Definition):
    """Keep the message in a message store; the flow goes on only once it is durable there, else it fails.

    ```yaml
    - store: PaymentRequestMessageStore                                # shorthand
    - store: {name: PaymentRequestMessageStore, failover-store: PaymentRequestFailoverStore}
    ```

    - The flow goes on only after the store confirmed the message. When no store took it, the flow fails
      with `STORE_ERROR` (HTTP 503 by default); the on-error flow sees `${error.message}`, which names both
      stores when a failover store was tried too.
    - The primary store is tried for every message; the failover store is used only for the messages the
      primary refused. A message in the failover store keeps the primary as its `origin`. To bring such
      messages back, run a forwarding processor from the failover store into the primary:
      `forwarding: {store: PaymentRequestFailoverStore, to-store: PaymentRequestMessageStore}`.
    - What is stored: the payload (bytes and content type), the headers, the variables and the properties
      (variables and properties must be JSON values), the correlation id, and a new message id.
    - After the mediator, `${props.storedMessageId}` holds the stored message's id (e.g. to answer it as a
      tracking number)."""

    name: Annotated[str, Field(min_length=1)]
    """The message store's name (`stores/NAME.yaml`)."""
    failover_store: str | None = None
    """A store that keeps the message when `name` cannot (it raised a store error: unreachable, closed,
    full)."""

    @model_validator(mode="after")
    def _two_stores(self) -> StoreMediatorDefinition:
        if self.failover_store is not None and self.failover_store == self.name:
            raise ValueError(f"failover-store must be another store than {self.name!r}")
        return self


class ForeachDefinition(Definition):
    """Run ``flow`` for each element of ``collection`` (as variable ``as``); collect each run's payload
    (or ``result``) into ``target`` (default: the payload)."""

    collection: str
    """An expression that gives an array (null counts as empty)."""
    as_: str = Field(default="item", alias="as")
    """The variable holding the element; ``${vars.index}`` holds its position."""
    flow: FlowSource
    """The flow run for each element, on a copy of the message."""
    parallel: bool = False
    """Run the elements at once instead of one after another (results keep their order)."""
    concurrency: Annotated[int, Field(ge=1)] = 8
    """At most this many elements run at once when parallel."""
    result: Any = None
    """What to collect from each run (a value template); default the run's payload."""
    target: str = "payload"
    """Where the array of results goes (as for enrich)."""


class ScatterGatherDefinition(Definition):
    """Run ``branches`` in parallel on copies of the message; collect their payloads into ``target``."""

    branches: Annotated[list[FlowSource], Field(min_length=1)]
    """The flows to run at once, each on its own copy of the message."""
    target: str = "payload"
    """Where the array of the branches' payloads goes (as for enrich)."""


class ValidateDefinition(Definition):
    """Check ``source`` (default the payload) against a JSON Schema, inline or from a project file."""

    schema_: dict[str, Any] | None = Field(default=None, alias="schema")
    """An inline JSON Schema."""
    schema_file: str | None = None
    """A JSON or YAML schema file, relative to the project folder."""
    source: str = "${payload}"
    """What to validate: a template."""
    on_fail: FlowSource | None = None
    """The flow run on failure (``${error.detail}`` lists each problem); it ends the flow."""

    @model_validator(mode="after")
    def _one(self) -> ValidateDefinition:
        _at_most_one(
            {"schema": self.schema_ is not None, "schema-file": self.schema_file is not None}, required=True
        )
        return self


class ThrowErrorDefinition(Definition):
    """Raise an error that the on-error flow (or the default error answer) handles."""

    message: str
    """The error's message: a template."""
    code: str = "MEDIATION_ERROR"
    """The error's code (``${error.code}``)."""
    status: Annotated[int, Field(ge=400, le=599)] = 500
    """The HTTP status of the default error answer."""
    detail: Any = None
    """Extra data for the on-error flow (``${error.detail}``); strings are templates."""
