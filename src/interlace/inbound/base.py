"""The seams of the inbound package: what the supervisor runs, what a source of events is, schedules and
the one way to wait, and the state views shown to operators.

Contract of a :class:`Supervised` object (an inbound endpoint or a scheduled task):

- ``run(stop)`` is awaited in one task owned by a :class:`~interlace.inbound.supervisor.Supervisor` for
  as long as the object is active (and, when coordinated, this node holds its lease). It returns soon
  after ``stop`` is set, once the messages in flight are finished; if it takes longer than the graceful
  timeout the task is cancelled, and messages still in flight are handed back to their source (nack).
  It never raises for a failed message or an unreachable source: it records the error and goes on.
- ``standby(True)`` is called while a coordinated object waits for its lease, ``standby(False)`` when
  the wait is over; ``state()`` is a cheap snapshot, safe at any time.
- The object is reusable: after ``run`` returned it may run again (activation, a lease won back).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import dataclass
from typing import Literal, Protocol

from interlace.sdk import TriggerEvent

__all__ = [
    "EventSource",
    "Inbound",
    "InboundCounters",
    "InboundState",
    "InboundStatus",
    "Schedule",
    "Supervised",
    "Wait",
]

InboundStatus = Literal["active", "inactive", "standby", "failed"]
"""``active``: running. ``inactive``: not running (never activated, deactivated, stopped with the runtime).
``standby``: coordinated, and another node holds the lease. ``failed``: stopped by a fatal error of its
source (activate it again once the cause is fixed)."""

Wait = Callable[[asyncio.Event, float], Awaitable[bool]]
"""Waits the given seconds unless ``stop`` is set first; True when stopped (replaceable in tests)."""


class Schedule(Protocol):
    """Seconds to wait before the next run: ``first_delay`` after activation, ``next_delay`` after each
    run; None when there is no further run (a ``once`` task)."""

    def first_delay(self) -> float | None: ...

    def next_delay(self) -> float | None: ...

    def describe(self) -> str: ...


class EventSource(Protocol):
    """Where an inbound endpoint's events come from (a connector trigger, a folder, a table, a channel).

    ``events()`` starts the source afresh and follows the SDK trigger contract
    (:mod:`interlace.sdk.trigger`): it is iterated by one task; the endpoint settles each event exactly
    once (``ack`` after its flow, ``nack`` when the flow failed), possibly after asking for later events;
    it is stopped by cancelling the pending ``__anext__`` or by ``aclose`` at a ``yield``. A
    :class:`~interlace.sdk.RetryableError` (or any unexpected error) makes the endpoint start it again
    after a backoff; a :class:`~interlace.sdk.FatalError` stops the endpoint.
    """

    @property
    def kind(self) -> str: ...

    def describe(self) -> str: ...

    def events(self) -> AsyncGenerator[TriggerEvent, None]: ...


class Supervised(Protocol):
    """What a supervisor runs (see the module docstring for the contract)."""

    @property
    def name(self) -> str: ...

    @property
    def starts_active(self) -> bool: ...

    @property
    def coordinated(self) -> bool: ...

    async def run(self, stop: asyncio.Event) -> None: ...

    def standby(self, waiting: bool) -> None: ...


class Inbound(Supervised, Protocol):
    """An inbound endpoint of any kind, as the runtime holds it."""

    @property
    def kind(self) -> str: ...

    def state(self) -> InboundState: ...


@dataclass(frozen=True, slots=True)
class InboundState:
    """A snapshot of an inbound endpoint for operators.

    ``received`` counts events taken from the source, ``processed`` those whose flow finished (and were
    acknowledged), ``failed`` those whose flow failed (handed back, or dropped when ``requeue`` is off);
    ``restarts`` counts restarts of the source after an error; ``last_error`` stays after later successes.
    """

    name: str
    kind: str
    source: str
    target: str
    status: InboundStatus
    coordinated: bool
    received: int = 0
    processed: int = 0
    failed: int = 0
    in_flight: int = 0
    restarts: int = 0
    last_error: str | None = None


@dataclass(slots=True)
class InboundCounters:
    """The mutable figures behind :class:`InboundState` (one event loop: no lock needed)."""

    status: InboundStatus = "inactive"
    received: int = 0
    processed: int = 0
    failed: int = 0
    in_flight: int = 0
    restarts: int = 0
    last_error: str | None = None

    def snapshot(self, name: str, kind: str, source: str, target: str, coordinated: bool) -> InboundState:
        return InboundState(
            name,
            kind,
            source,
            target,
            self.status,
            coordinated,
            self.received,
            self.processed,
            self.failed,
            self.in_flight,
            self.restarts,
            self.last_error,
        )
