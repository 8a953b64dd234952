"""The MessageProcessor seam: a background consumer of one message store, and the state it shows.

Contract for every processor kind (forwarding, sampling):

- ``run(stop)`` is awaited in one task owned by the runtime (its supervisor) for as long as the
  processor is active. It returns soon after ``stop`` is set: a message being delivered is finished
  (or, if the task is cancelled because it took too long, given back to the store unchanged). It also
  returns by itself when a failure deactivates it (``deactivated-by-failure``). It never raises for a
  failed delivery or an unreachable store: it records the error, waits and tries again.
- ``state()`` is a cheap snapshot, safe to call at any time.
- A processor object is reusable: after ``run`` returned, it may run again (activation).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Literal, Protocol

__all__ = ["MessageProcessor", "ProcessorCounters", "ProcessorKind", "ProcessorState", "ProcessorStatus"]

ProcessorKind = Literal["forwarding", "sampling"]
ProcessorStatus = Literal["active", "inactive", "deactivated-by-failure"]
"""``active``: running. ``inactive``: not running (never activated, deactivated, or stopped with the
runtime). ``deactivated-by-failure``: it stopped itself because a message ran out of attempts."""
TargetKind = Literal["endpoint", "sequence", "store"]


@dataclass(frozen=True, slots=True)
class ProcessorState:
    """A snapshot of a processor for operators: what it does, whether it runs, and how it went.

    ``failed_attempts`` counts failed deliveries (each retry counts); ``last_error`` is the latest
    failure's text (a delivery or a store that could not be read) and stays after later successes.
    """

    name: str
    kind: ProcessorKind
    status: ProcessorStatus
    store: str
    target_kind: TargetKind
    target: str
    delivered: int = 0
    failed_attempts: int = 0
    dead_lettered: int = 0
    dropped: int = 0
    in_flight: int = 0
    last_error: str | None = None


@dataclass(slots=True)
class ProcessorCounters:
    """The mutable figures behind :class:`ProcessorState` (one event loop: no lock needed)."""

    status: ProcessorStatus = "inactive"
    delivered: int = 0
    failed_attempts: int = 0
    dead_lettered: int = 0
    dropped: int = 0
    in_flight: int = 0
    last_error: str | None = None

    def snapshot(
        self, name: str, kind: ProcessorKind, store: str, target: DeliveryTargetLike
    ) -> ProcessorState:
        """The figures as a :class:`ProcessorState` of processor ``name``."""
        return ProcessorState(
            name,
            kind,
            self.status,
            store,
            target.kind,
            target.name,
            self.delivered,
            self.failed_attempts,
            self.dead_lettered,
            self.dropped,
            self.in_flight,
            self.last_error,
        )


class DeliveryTargetLike(Protocol):
    """What a state snapshot needs of a delivery target."""

    @property
    def kind(self) -> TargetKind: ...

    @property
    def name(self) -> str: ...


class MessageProcessor(Protocol):
    """A background consumer of a message store (see the module docstring for the contract)."""

    @property
    def name(self) -> str: ...

    @property
    def starts_active(self) -> bool:
        """Whether the runtime runs it when it starts (``active: true``)."""
        ...

    def state(self) -> ProcessorState: ...

    async def run(self, stop: asyncio.Event) -> None: ...
