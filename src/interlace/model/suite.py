"""Test suite definitions: the files in a project's `tests/` folder (one `suite:` per file). These
classes only describe and validate; `interlace.testing` runs them (`interlace test`).

A suite is a list of **cases**. A case gives one input: a `request` to the project's APIs, a message
for a `sequence`, or a message for a `processor` (put into its store; the processor delivers it with
its retries, without their waits, until the store is empty). It mocks the endpoints and connector
operations the flow calls (`mocks`): nothing reaches the network, and a call that no mock answers fails
the case. Then it says what must hold (`expect`); only what is written is checked.

Mocks are checked against the project before any case runs: an endpoint, operation, sequence,
processor or store the project does not have, a parameter the operation does not take, a result the
operation never returns or a method the endpoint never sends is a problem at its line, like any problem
of a project file.

----

A mocked endpoint keeps the endpoint's own rules: its URL and headers are rendered from the message, an
answer with a status it retries on is retried (`retry`), a `delay` of at least its `timeout` times out
(at once: no case waits), and a status it counts as a failure fails the call. An answer list is used
call by call, its last answer for every later call.

`interlace test` prints each case (`ok` or `FAIL` with the differences, JSON as a diff), the coverage
(which mediators and which branches — switch cases, filter then/else, on-error flows — no case
reached), exits with status 1 when a case fails, and writes JUnit XML with `--junit FILE`. The pytest
plugin runs the same cases as pytest items. See the guide, `docs/testing.md`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from interlace.errors import ConfigError, SourceLocation
from interlace.model.base import Definition, validate_definition
from interlace.model.durations import NonNegativeDuration
from interlace.model.yamlsource import decode_source, load_yaml

__all__ = [
    "AnswerDefinition",
    "CallExpectation",
    "CaseDefinition",
    "ErrorExpectation",
    "EventDefinition",
    "ExpectDefinition",
    "MessageDefinition",
    "MocksDefinition",
    "OperationMockDefinition",
    "RequestDefinition",
    "StoredExpectation",
    "SuiteDefinition",
    "load_suite",
    "load_suites",
]

ErrorClass = Literal["FatalError", "RetryableError", "InvalidInput"]
"""The connector SDK's errors a mocked operation may raise."""


class AnswerDefinition(Definition):
    """What a mocked endpoint answers to one call."""

    status: Annotated[int, Field(ge=100, le=599)] = 200
    """The answer's HTTP status."""
    headers: dict[str, str] = Field(default_factory=dict)
    """The answer's headers."""
    json_body: Any = Field(default=None, alias="json")
    """The answer's body as JSON."""
    body: str | None = None
    """The answer's body as text (instead of `json`)."""
    fail: str | None = None
    """The call fails without an answer, for this reason (`connection refused`)."""
    delay: NonNegativeDuration | None = None
    """How long the answer takes; at least the endpoint's timeout makes the call time out."""


class OperationMockDefinition(Definition):
    """What a mocked connector operation returns to one call, or the error it raises."""

    result: Any = None
    """The operation's result (its payload)."""
    error: ErrorClass | None = None
    """The connector SDK error class the operation raises instead of returning."""
    message: str = "the operation failed"
    """The raised error's message."""
    code: str | None = None
    """The raised error's code (`${error.code}`), when not the class's own."""
    status: Annotated[int, Field(ge=100, le=599)] | None = None
    """The raised error's status, when not the class's own."""


class MocksDefinition(Definition):
    """The endpoints and operations a case answers for; an answer list is used call by call, its last
    answer for every later call."""

    endpoints: dict[str, AnswerDefinition | list[AnswerDefinition]] = Field(default_factory=dict)
    """Answers by endpoint name."""
    operations: dict[str, OperationMockDefinition | list[OperationMockDefinition]] = Field(
        default_factory=dict
    )
    """Results by operation, written `connector.operation`."""


class RequestDefinition(Definition):
    """A request to the project's APIs."""

    method: str = "GET"
    """The request's method."""
    path: Annotated[str, Field(min_length=1)]
    """The path with its query string (`/healthcare/querydoctor/surgery?limit=3`)."""
    headers: dict[str, str] = Field(default_factory=dict)
    """The request's headers."""
    json_body: Any = Field(default=None, alias="json")
    """The body as JSON."""
    body: str | None = None
    """The body as text (instead of `json`)."""


class MessageDefinition(Definition):
    """The message a sequence runs on, or a processor delivers."""

    json_body: Any = Field(default=None, alias="json")
    """The payload as JSON."""
    body: str | None = None
    """The payload as text (instead of `json`)."""
    headers: dict[str, str] = Field(default_factory=dict)
    """The message's headers."""
    variables: dict[str, Any] = Field(default_factory=dict)
    """Variables set before the flow (`${vars.x}`)."""


class CallExpectation(Definition):
    """One call a case expects: to an endpoint (method, URL, headers, body) or to an operation (its
    parameters). Only what is written is compared; the n-th expectation of a name is compared with its
    n-th call."""

    endpoint: str | None = None
    """The endpoint called."""
    operation: str | None = None
    """The operation called, written `connector.operation`."""
    method: str | None = None
    """The endpoint call's method."""
    url: str | None = None
    """The endpoint call's whole URL."""
    headers: dict[str, str] = Field(default_factory=dict)
    """Headers the endpoint call carried (others may be there too)."""
    json_body: Any = Field(default=None, alias="json")
    """The endpoint call's body, as JSON."""
    with_: dict[str, Any] = Field(default_factory=dict, alias="with")
    """Parameters the operation was given (others may be there too)."""

    @model_validator(mode="after")
    def _one_target(self) -> CallExpectation:
        if (self.endpoint is None) == (self.operation is None):
            raise ValueError("a call names either an endpoint or an operation")
        return self


class StoredExpectation(Definition):
    """A message a case expects in a message store."""

    json_body: Any = Field(default=None, alias="json")
    """The stored payload, as JSON."""
    json_paths: dict[str, Any] = Field(default_factory=dict)
    """Values at JSON paths of the stored payload (`$.fee`)."""


class ErrorExpectation(Definition):
    """The error a failed flow ended with."""

    code: str | None = None
    """The error's code."""
    status: int | None = None
    """The error's status."""
    message: str | None = None
    """Text the error's message contains."""


class EventDefinition(Definition):
    """The event an inbound endpoint's trigger delivers: its payload, headers and attributes."""

    json_body: Any = Field(default=None, alias="json")
    """The payload as JSON."""
    body: str | None = None
    """The payload as text (instead of `json`)."""
    headers: dict[str, str] = Field(default_factory=dict)
    """The event's headers (the message's headers)."""
    attributes: dict[str, Any] = Field(default_factory=dict)
    """The source's facts about the event (a queue's delivery tag, a mail's uid): message properties."""


class ExpectDefinition(Definition):
    """What must hold after the case ran; only what is written is checked."""

    status: int | None = None
    """The answer's status (requests)."""
    outcome: (
        Literal[
            "replied",
            "finished",
            "dropped",
            "failed",
            "delivered",
            "dead-lettered",
            "deactivated",
            "acknowledged",
            "rejected",
        ]
        | None
    ) = None
    """How the flow ended (requests, sequences: `replied`, `finished`, `dropped`, `failed`), what the
    processor did with the message (`delivered`, `dead-lettered`, `dropped`, `deactivated`), or what the
    inbound endpoint did with the event (`acknowledged`; `dead-lettered` after its last attempt;
    `rejected`: handed back not to be delivered again)."""
    error: ErrorExpectation | None = None
    """The error the flow failed with."""
    headers: dict[str, str] = Field(default_factory=dict)
    """Headers of the answer (others may be there too)."""
    json_body: Any = Field(default=None, alias="json")
    """The whole body (of the answer, or the message after a sequence), as JSON."""
    json_paths: dict[str, Any] = Field(default_factory=dict)
    """Values at JSON paths (RFC 9535) of the body (`$.error.code`; a path without `$` starts there)."""
    body: str | None = None
    """The whole body as text."""
    variables: dict[str, Any] = Field(default_factory=dict)
    """Variables after the flow."""
    calls: list[CallExpectation] = Field(default_factory=list)
    """Calls made to endpoints and operations."""
    not_called: list[str] = Field(default_factory=list)
    """Endpoints and operations (`connector.operation`) that must not have been called."""
    stored: dict[str, list[StoredExpectation]] = Field(default_factory=dict)
    """The messages put into each store, in order (a store named with `[]`: none)."""
    logs: list[str] = Field(default_factory=list)
    """Text that log lines (INFO and above) written during the case contain, one line each."""


class CaseDefinition(Definition):
    """One case: its input, its mocks and its expectations."""

    case: Annotated[str, Field(min_length=1)]
    """The case's name, as reports show it."""
    request: RequestDefinition | None = None
    """A request to the project's APIs."""
    sequence: str | None = None
    """A sequence to run on `message`."""
    processor: str | None = None
    """A message processor to deliver `message` from its store, until the store is empty."""
    inbound: str | None = None
    """An inbound endpoint (of a trigger) to receive `event`, delivered again after each failure (without
    the backoff's waits) until it is settled."""
    message: MessageDefinition = Field(default_factory=MessageDefinition)
    """The message `sequence` runs on, or `processor` delivers."""
    event: EventDefinition = Field(default_factory=EventDefinition)
    """The event `inbound` receives."""
    mocks: MocksDefinition = Field(default_factory=MocksDefinition)
    """Endpoints and operations answered by the case."""
    expect: ExpectDefinition = Field(default_factory=ExpectDefinition)
    """What must hold afterwards."""

    @model_validator(mode="after")
    def _one_input(self) -> CaseDefinition:
        inputs = (self.request, self.sequence, self.processor, self.inbound)
        if sum(given is not None for given in inputs) != 1:
            raise ValueError("a case has one of request, sequence, processor and inbound")
        return self


class SuiteDefinition(Definition):
    """A test suite: cases sharing mocks (a case's own mocks of the same name replace them)."""

    suite: Annotated[str, Field(min_length=1)]
    """The suite's name."""
    description: str = ""
    """What the suite covers."""
    mocks: MocksDefinition = Field(default_factory=MocksDefinition)
    """Mocks every case of the suite starts with."""
    cases: list[CaseDefinition]
    """The cases, run in order."""

    @property
    def file(self) -> str:
        """The suite's file, relative to the project."""
        return self.location.file


def load_suite(path: Path, relative_to: Path) -> SuiteDefinition:
    """The suite in the file at `path`; :class:`ConfigError` lists its problems (`detail`), at
    lines of the file named relative to `relative_to` (the project)."""
    file = path.relative_to(relative_to).as_posix()
    try:
        tree = load_yaml(decode_source(path.read_bytes(), file), file)
    except OSError as exc:
        raise ConfigError(f"cannot read the suite: {exc}", location=SourceLocation(file, 1)) from exc
    return validate_definition(SuiteDefinition, tree, file)


def load_suites(folder: Path, relative_to: Path) -> tuple[list[SuiteDefinition], list[ConfigError]]:
    """The suites in `folder`'s `*.yaml` files (sorted by name), and every problem found; file
    names in locations are relative to `relative_to` (the project)."""
    suites: list[SuiteDefinition] = []
    problems: list[ConfigError] = []
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        try:
            suites.append(load_suite(path, relative_to))
        except ConfigError as exc:
            problems += list(exc.detail) if isinstance(exc.detail, list) else [exc]
    return suites, problems
