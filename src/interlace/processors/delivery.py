"""Delivering one stored message to a processor's target (an endpoint, a sequence or another store), and
what the outcome tells the processor to do: ack, retry, or give up at once.

Every delivery carries the stored message's id as the ``Idempotency-Key`` header, so a receiver can
recognise a message it already handled (forwarding is at-least-once). A sequence sees the header on its
message (``${headers["Idempotency-Key"]}``) and its calls send it along with the message's headers.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Literal, Protocol

from interlace.endpoints import Endpoint
from interlace.errors import EndpointError, InterlaceError
from interlace.mediators.base import Mediator
from interlace.mediators.flow import run_flow
from interlace.message import MessageContext
from interlace.stores import MessageStore, StoredMessage

__all__ = [
    "IDEMPOTENCY_HEADER",
    "DeliveryOutcome",
    "DeliveryTarget",
    "EndpointTarget",
    "SequenceTarget",
    "StoreTarget",
    "delivery_context",
]

IDEMPOTENCY_HEADER = "Idempotency-Key"
"""The header that carries a stored message's id on every delivery."""

_DEFAULT_METHOD = "POST"
_log = logging.getLogger("interlace.processors")


@dataclass(frozen=True, slots=True)
class DeliveryOutcome:
    """``delivered``: ack the message. Otherwise ``error`` says why, and ``retry`` is False when trying
    again cannot help (a status in ``never-retry-status``)."""

    delivered: bool
    error: str | None = None
    retry: bool = True


DELIVERED = DeliveryOutcome(True)


class DeliveryTarget(Protocol):
    """Where a processor delivers messages. ``deliver`` is awaited once per attempt, concurrently when
    the processor's concurrency is above 1; it never raises for a failed delivery (it returns the
    outcome), only when cancelled."""

    @property
    def kind(self) -> Literal["endpoint", "sequence", "store"]: ...

    @property
    def name(self) -> str: ...

    async def deliver(self, message: StoredMessage) -> DeliveryOutcome: ...


def delivery_context(message: StoredMessage) -> MessageContext:
    """The context a stored message is delivered as: its own, with the ``Idempotency-Key`` header."""
    ctx = message.to_context()
    ctx.headers[IDEMPOTENCY_HEADER] = message.id
    return ctx


class EndpointTarget:
    """Sends the message to ``endpoint`` (with the endpoint's method, else POST). An answer whose status
    is in ``delivered`` is a delivery; one in ``never_retry`` gives up at once; any other, and any
    endpoint error, is a failure to retry."""

    __slots__ = ("delivered", "endpoint", "never_retry")

    kind: Literal["endpoint"] = "endpoint"

    def __init__(self, endpoint: Endpoint, delivered: frozenset[int], never_retry: frozenset[int]) -> None:
        self.endpoint = endpoint
        self.delivered = delivered
        self.never_retry = never_retry

    @property
    def name(self) -> str:
        return self.endpoint.name

    async def deliver(self, message: StoredMessage) -> DeliveryOutcome:
        ctx = delivery_context(message)
        ctx.method = _DEFAULT_METHOD
        try:
            response = await self.endpoint.send(ctx)
        except EndpointError as exc:
            status = exc.detail.get("status") if isinstance(exc.detail, dict) else None
            return DeliveryOutcome(False, str(exc), retry=status not in self.never_retry)
        except InterlaceError as exc:
            return DeliveryOutcome(False, str(exc))
        if response.status in self.delivered:
            return DELIVERED
        error = f"endpoint {self.endpoint.name} answered {response.status} {response.reason}".rstrip()
        return DeliveryOutcome(False, error, retry=response.status not in self.never_retry)


class SequenceTarget:
    """Runs ``sequence`` on the message. It is delivered when the flow's result settles
    (:attr:`~interlace.mediators.flow.FlowResult.settles`: also when its on-error flow handled an error);
    an error that escapes the flow is a failure, and one whose status (``throw-error``'s ``status``, an
    endpoint error's 502) is in ``never_retry`` gives up at once. ``processor`` names the processor that
    delivers (its deliveries are traced when it is)."""

    __slots__ = ("never_retry", "processor", "sequence", "sequence_name")

    kind: Literal["sequence"] = "sequence"

    def __init__(
        self, name: str, sequence: Mediator, never_retry: frozenset[int], processor: str = ""
    ) -> None:
        self.processor = processor
        self.sequence_name = name
        self.sequence = sequence
        self.never_retry = never_retry

    @property
    def name(self) -> str:
        return self.sequence_name

    async def deliver(self, message: StoredMessage) -> DeliveryOutcome:
        ctx = delivery_context(message)
        result = await run_flow(
            self.sequence,
            ctx,
            what=f"sequence {self.sequence_name} on message {message.id}",
            artifact=("processor", self.processor) if self.processor else None,
        )
        if result.settles:
            return DELIVERED
        status = result.error.status if result.error is not None else 500
        return DeliveryOutcome(False, result.description, retry=status not in self.never_retry)


class StoreTarget:
    """Puts the message into another store (same id and origin, attempts counted afresh): delivered once
    that store has it."""

    __slots__ = ("store",)

    kind: Literal["store"] = "store"

    def __init__(self, store: MessageStore) -> None:
        self.store = store

    @property
    def name(self) -> str:
        return self.store.name

    async def deliver(self, message: StoredMessage) -> DeliveryOutcome:
        try:
            await self.store.put(replace(message, attempts=0, last_error=None))
        except InterlaceError as exc:
            return DeliveryOutcome(False, str(exc))
        return DELIVERED
