"""The Endpoint seam: what the call mediator and message processors send messages through.

An endpoint is an outbound destination with its policy (timeout, retry, suspension). ``HttpEndpoint``
calls one URL; ``LoadBalanceEndpoint`` and ``FailoverEndpoint`` are groups of other endpoints.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

from multidict import CIMultiDict

from interlace.message import MessageContext, Payload

__all__ = [
    "Endpoint",
    "EndpointResponse",
    "EndpointState",
    "StateName",
    "StreamingEndpoint",
    "SwitchableEndpoint",
    "TextTemplate",
]

StateName = Literal["active", "suspended", "half-open"]
"""``active``: calls go through. ``suspended``: calls are refused until the suspension ends.
``half-open``: the suspension ended; the next call is a trial that decides whether it resumes."""


class TextTemplate(Protocol):
    """A compiled text template (a URL or a header value) rendered against one message.

    Rendering may raise :class:`interlace.errors.ExpressionError`; endpoints let it through unchanged
    (it is a flow problem, not an endpoint failure, so it never counts toward a suspension).
    """

    def render_str(self, ctx: MessageContext, /) -> str: ...


@dataclass(frozen=True, slots=True)
class EndpointResponse:
    """The answer of an endpoint: status, headers (hop-by-hop headers removed) and body."""

    status: int
    headers: CIMultiDict[str]
    payload: Payload
    reason: str = ""


@dataclass(frozen=True, slots=True)
class EndpointState:
    """A snapshot of an endpoint for management: what it is and whether it takes calls now.

    ``resumes_in`` is the number of seconds until a suspended endpoint takes a trial call (``None``
    unless suspended by its circuit breaker). ``url`` is the configured URL with any user and password
    removed. A group's ``state`` is ``suspended`` only when all of its ``members`` are, or when the
    group itself was deactivated. ``deactivated``: an operator switched the endpoint off (its ``state``
    is then ``suspended`` until it is activated again).
    """

    name: str
    kind: Literal["http", "load-balance", "failover"]
    state: StateName
    consecutive_failures: int = 0
    resumes_in: float | None = None
    url: str = ""
    members: tuple[EndpointState, ...] = ()
    deactivated: bool = False


class Endpoint(Protocol):
    """An outbound destination that takes a message and gives back the answer.

    Called by the call mediator (once per message that reaches it) and by message processors that
    forward stored messages. One endpoint object serves every message of a deployment, so ``send`` is
    safe to call concurrently; it reads ``ctx`` and never changes it: the caller decides what to do
    with the answer.

    ``send`` returns every answer the endpoint was not told to treat as a failure, whatever its
    status (a 404 is an answer). It raises, after the endpoint's retries:

    - :class:`~interlace.errors.EndpointTimeoutError` when no answer came within the timeout;
    - :class:`~interlace.errors.EndpointSuspendedError` at once, without a call, while the endpoint
      (or every member of a group) is suspended; ``detail["resumes_in"]`` says when it takes calls again;
    - :class:`~interlace.errors.EndpointError` when the connection failed or the answer had a status the
      endpoint counts as a failure (``detail["status"]``).

    Callers treat all three as "the destination is unavailable now, maybe try later": the call
    mediator runs the on-error sequence, a forwarding processor keeps the message and retries.
    ``detail`` always holds ``endpoint`` (the name) and, for HTTP endpoints, ``url`` (without
    credentials). Errors of the message itself (a template that cannot be rendered) are raised as
    they are and never suspend an endpoint.
    """

    @property
    def name(self) -> str: ...

    async def send(self, ctx: MessageContext) -> EndpointResponse: ...

    def state(self) -> EndpointState:
        """A snapshot for management; cheap, and safe to call at any time."""
        ...


@runtime_checkable
class SwitchableEndpoint(Endpoint, Protocol):
    """An endpoint an operator can switch off and on at run time (the management API does).

    ``deactivate``: every later ``send`` fails at once with
    :class:`~interlace.errors.EndpointSuspendedError` (``detail["deactivated"]`` is true and
    ``detail["resumes_in"]`` is ``None``: only ``activate`` ends it), whatever the circuit breaker says;
    calls in flight finish. ``activate``: calls go through again and any suspension by the circuit
    breaker ends now (its failure count is reset). Both are idempotent, never await, and last until the
    deployment is replaced (a redeploy builds new endpoints).
    """

    def activate(self) -> None: ...

    def deactivate(self) -> None: ...


@runtime_checkable
class StreamingEndpoint(Endpoint, Protocol):
    """An endpoint that passes bodies through without holding them (an HTTP endpoint does).

    ``takes_unread_body``: ``send`` and ``send_streaming`` may be given a message whose payload is
    unread (:class:`~interlace.message.BodyStream`); they send it as it arrives. It is fixed when the
    endpoint is built (false when the endpoint's own templates read the payload). ``send_streaming``
    is ``send`` whose answer's body comes back unread; the caller reads it (``await
    payload.read()``), hands it on (to the client, to another call) or closes it (``payload.close()``).
    """

    @property
    def takes_unread_body(self) -> bool: ...

    async def send_streaming(self, ctx: MessageContext) -> EndpointResponse: ...
