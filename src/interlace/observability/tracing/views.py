"""The message trace as the management API serves it and the console shows it (pydantic models: the
JSON form, camelCase, and the JSON Schema come from one definition).

A :class:`MessageTrace` is one run of a flow on one message, started where a traced artifact received
it; a message that a traced flow stored and a processor later delivers has a second trace with the
same correlation id. Its :class:`TraceStep` list is in the order the mediators started; ``parent``
links a mediator inside a branch, a called sequence or a loop to the step that ran it, so the list
draws as a tree. Every snapshot is redacted (secrets, sensitive fields) and cut to the configured size.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue
from pydantic.alias_generators import to_camel

__all__ = [
    "TRACED_KINDS",
    "MessageSnapshot",
    "MessageTrace",
    "PayloadSnapshot",
    "StepOutcome",
    "TraceOutcome",
    "TraceStep",
    "TraceSummary",
    "TraceSwitch",
    "TracedKind",
]

TracedKind = Literal["api", "sequence", "processor", "inbound", "task"]
"""The kinds of artifact whose messages can be traced."""
TRACED_KINDS: tuple[TracedKind, ...] = ("api", "sequence", "processor", "inbound", "task")

StepOutcome = Literal["running", "continued", "stopped", "failed"]
"""``continued``: the flow went on; ``stopped``: the mediator ended the flow (respond, drop);
``failed``: it raised an error; ``running``: not done yet."""

TraceOutcome = Literal["running", "replied", "finished", "dropped", "failed", "stopped"]
"""How the traced flow ended (the flow outcomes; ``stopped`` when a traced sequence ended the flow of
its caller); ``running`` while it runs."""


class _View(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, json_schema_serialization_defaults_required=True
    )


class PayloadSnapshot(_View):
    """The payload at one moment."""

    content_type: str
    size: int = Field(description="The payload's size in bytes.")
    body: JsonValue = Field(
        description="A JSON payload as its JSON value, other text as text, a binary payload as null; "
        "text when cut (see truncated)."
    )
    truncated: bool = Field(False, description="The body was longer than the configured size and is cut.")


class MessageSnapshot(_View):
    """Payload, headers and variables at one moment, redacted."""

    payload: PayloadSnapshot
    headers: dict[str, str]
    variables: dict[str, JsonValue]


class TraceStep(_View):
    """One mediator's run on the message."""

    index: int = Field(description="Position in the trace's step list.")
    parent: int | None = Field(description="The step that ran this one (a branch, a called sequence).")
    sequence: str = Field(description="The sequence (or resource flow, branch) that holds the mediator.")
    position: int = Field(description="The mediator's position in that sequence, from 0.")
    kind: str = Field(description="The mediator's kind (log, variable, call, ...).")
    name: str | None = Field(description="What it names: an endpoint, a store, a sequence, an operation.")
    location: str = Field(description="Where it is written: file:line in the project.")
    offset_ms: float = Field(description="When it started, in milliseconds after the trace started.")
    duration_ms: float | None = None
    outcome: StepOutcome = "running"
    error: str | None = None
    before: MessageSnapshot
    after: MessageSnapshot | None = None


class TraceSummary(_View):
    """A message trace without its steps."""

    id: int = Field(description="The trace's number on this server.")
    correlation_id: str
    kind: TracedKind = Field(description="The kind of the traced artifact the message entered.")
    name: str = Field(description="The traced artifact's name.")
    started_at: datetime
    duration_ms: float | None = None
    outcome: TraceOutcome = "running"
    error: str | None = None
    step_count: int = 0
    steps_left_out: int = Field(0, description="Steps past the configured most, not recorded.")


class MessageTrace(TraceSummary):
    """A message trace with its steps."""

    steps: list[TraceStep] = Field(default_factory=list)

    def summary(self) -> TraceSummary:
        return TraceSummary.model_validate(self.model_dump(exclude={"steps"}))


class TraceSwitch(_View):
    """Whether the messages of one artifact are traced."""

    kind: TracedKind
    name: str
    enabled: bool
