"""The seams of the inbound package: what a source of events is, what an inbound endpoint is as a
service, and the state shown to operators.

Inbound endpoints and scheduled tasks are :class:`~interlace.services.Service` objects (kinds
``inbound`` and ``task``): the supervisor runs, restarts, coordinates and stops them.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from dataclasses import asdict, dataclass
from typing import Protocol

from interlace.sdk import TriggerEvent
from interlace.services import Service, ServiceRecord, ServiceState

__all__ = ["EventSource", "Inbound", "InboundCounters", "InboundState"]


class EventSource(Protocol):
    """Where an inbound endpoint's events come from (a connector trigger, a folder).

    ``events()`` starts the source afresh and follows the SDK trigger contract
    (:mod:`interlace.sdk.trigger`): it is iterated by one task; the endpoint settles each event exactly
    once (``ack`` after its flow, ``nack`` when the flow failed, or ``dead_letter`` after its last
    attempt), possibly after asking for later events; it is stopped by cancelling the pending
    ``__anext__`` or by ``aclose`` at a ``yield``. A :class:`~interlace.sdk.RetryableError` (or any
    unexpected error) makes the supervisor start the endpoint again after a backoff; a
    :class:`~interlace.sdk.FatalError` stops the endpoint.
    """

    @property
    def kind(self) -> str: ...

    def describe(self) -> str: ...

    def events(self) -> AsyncGenerator[TriggerEvent, None]: ...


class InboundState(ServiceState):
    """A snapshot of an inbound endpoint for operators.

    ``kind`` is the source's kind (trigger, http); ``received`` counts
    events taken from the source, ``processed`` those whose flow finished (and were acknowledged),
    ``failed`` failed attempts (each redelivery counts), ``dead_lettered`` messages whose attempts ran
    out and that went to the dead-letter place; ``restarts`` counts restarts after an error; ``lag`` is
    how many messages waited at the source behind the last event taken, as the source reported it (None:
    the source does not say).
    """

    kind: str
    source: str
    target: str
    received: int = 0
    processed: int = 0
    failed: int = 0
    dead_lettered: int = 0
    in_flight: int = 0
    lag: int | None = None


@dataclass(slots=True)
class InboundCounters:
    """The figures of an inbound endpoint beyond its service record (one event loop: no lock needed)."""

    received: int = 0
    processed: int = 0
    failed: int = 0
    dead_lettered: int = 0
    in_flight: int = 0
    lag: int | None = None

    def snapshot(
        self, name: str, kind: str, source: str, target: str, coordinated: bool, record: ServiceRecord
    ) -> InboundState:
        return InboundState(
            name=name,
            kind=kind,
            source=source,
            target=target,
            coordinated=coordinated,
            **asdict(self),
            **record.fields(),
        )


class Inbound(Service, Protocol):
    """An inbound endpoint of any kind, as the runtime holds it."""

    def state(self) -> InboundState: ...
