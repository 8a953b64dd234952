"""MessageContext: the thing that flows through sequences of mediators.

One context per message (an HTTP request, a stored message, a trigger event). Mediators read and
replace its payload and change its headers, variables and properties. A context is used by one flow at
a time; mediators that fan out (foreach, scatter-gather) work on :meth:`MessageContext.clone` copies.
"""

from __future__ import annotations

import copy
import itertools
import os
from dataclasses import dataclass, field
from typing import Any, Protocol

from multidict import CIMultiDict

from interlace.message.json import JsonValue
from interlace.message.payload import Payload

__all__ = [
    "CORRELATION_HEADER",
    "ErrorInfo",
    "FlowTrace",
    "MessageContext",
    "Params",
    "Reply",
    "new_correlation_id",
]

CORRELATION_HEADER = "X-Correlation-ID"
"""The header that carries a message's correlation id in and out of Interlace."""


_PREFIX = os.urandom(8).hex()
_SEQUENCE = itertools.count(1)


def new_correlation_id() -> str:
    """A 32-hex-digit id, unique across processes: a random per-process prefix and a counter (a fraction
    of the cost of a UUID, on every request)."""
    return f"{_PREFIX}{next(_SEQUENCE):016x}"


@dataclass(slots=True)
class ErrorInfo:
    """The error an on-error flow handles: ``${error.code}``, ``${error.message}``, ``${error.detail}``."""

    code: str
    message: str
    detail: JsonValue = None
    status: int = 500
    headers: dict[str, str] = field(default_factory=dict)
    """Headers an answer with this error's status carries (``Retry-After``)."""

    def as_dict(self) -> dict[str, JsonValue]:
        return {"code": self.code, "message": self.message, "detail": self.detail, "status": self.status}


@dataclass(slots=True)
class Reply:
    """The answer a flow gives its caller (set by the respond mediator)."""

    status: int
    payload: Payload
    headers: CIMultiDict[str] = field(default_factory=CIMultiDict)
    reason: str | None = None


@dataclass(slots=True)
class Params:
    """Parameters of the message: ``path`` from the URI template, ``query`` from the URL and ``function``
    given to the sequence being run (``${params.pathParams.x}``, ``${params.queryParams.x}``,
    ``${params.functionParams.x}``)."""

    path: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)
    function: dict[str, Any] = field(default_factory=dict)


class FlowTrace(Protocol):
    """The message trace of a traced message (``interlace.observability.tracing``).

    Called by a sequence once per mediator it runs on a traced message, instead of ``mediate``: it runs
    ``mediator.mediate(ctx)`` with what it records around it, and returns or raises what that did.
    Branches running in parallel (clones of the message) share it.
    """

    async def step(self, sequence: str, position: int, mediator: Any, ctx: MessageContext) -> bool: ...

    @property
    def records(self) -> bool:
        """Whether a message trace is being recorded (not only OpenTelemetry spans)."""
        ...

    def record_into(self, recorder: FlowTrace | None) -> None:
        """Also record into ``recorder`` (a traced sequence starting inside the flow), or stop (None)."""


class MessageContext:
    """Payload, headers, variables and properties of one message in flight.

    ``properties`` hold message-scope properties (``${props.x}``); ``transport`` holds transport
    properties, of which ``status`` and ``reason`` set the HTTP response status and reason.
    ``correlation_id`` identifies the message in logs, errors and outbound calls. ``reply``, once set,
    is the answer to the caller; a flow that ends without one answers with its current message.
    ``trace`` is the message's trace while it is traced (None otherwise, the usual case);
    ``traceparent`` the W3C trace context of where the message is in an OpenTelemetry trace, kept with
    it when it is stored.
    """

    __slots__ = (
        "correlation_id",
        "error",
        "headers",
        "method",
        "params",
        "path",
        "payload",
        "properties",
        "reply",
        "trace",
        "traceparent",
        "transport",
        "variables",
    )

    def __init__(
        self,
        payload: Payload | None = None,
        *,
        headers: CIMultiDict[str] | None = None,
        variables: dict[str, Any] | None = None,
        params: Params | None = None,
        method: str = "",
        path: str = "",
        correlation_id: str | None = None,
    ) -> None:
        self.payload: Payload = payload if payload is not None else Payload.empty()
        self.headers: CIMultiDict[str] = headers if headers is not None else CIMultiDict()
        self.variables: dict[str, Any] = variables if variables is not None else {}
        self.properties: dict[str, Any] = {}
        self.transport: dict[str, Any] = {}
        self.params: Params = params if params is not None else Params()
        self.method = method
        self.path = path
        self.correlation_id: str = correlation_id or new_correlation_id()
        self.error: ErrorInfo | None = None
        self.reply: Reply | None = None
        self.trace: FlowTrace | None = None
        self.traceparent: str | None = None

    def clone(self) -> MessageContext:
        """An independent copy for a parallel branch: same payload bytes, copied headers and variables."""
        other = MessageContext(
            self.payload,
            headers=CIMultiDict(self.headers),
            variables=copy.deepcopy(self.variables),
            params=Params(dict(self.params.path), dict(self.params.query), dict(self.params.function)),
            method=self.method,
            path=self.path,
            correlation_id=self.correlation_id,
        )
        other.properties = dict(self.properties)
        other.transport = dict(self.transport)
        other.error = self.error
        other.trace = self.trace
        other.traceparent = self.traceparent
        return other

    @property
    def status(self) -> int | None:
        """The HTTP status the message carries: the last call's answer, or what a flow set."""
        status = self.transport.get("status")
        return int(status) if status is not None else None

    def __repr__(self) -> str:
        return f"MessageContext({self.method} {self.path} {self.payload!r} id={self.correlation_id})"
