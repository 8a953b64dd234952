"""A case's event delivered through an inbound endpoint, as its trigger would deliver it.

The endpoint runs as it does in production (its flow, its redelivery limit, its dead-letter place) on a
source that delivers the one event: a failed event is delivered again at once (the backoff's waits are
skipped, the attempt counted as a broker would count it) until the endpoint settles it; the outcome is
what the endpoint did: ``acknowledged``, ``dead-lettered`` (its attempts ran out) or ``rejected`` (handed
back not to be delivered again).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from interlace.inbound.endpoint import InboundEndpoint
from interlace.message import Payload
from interlace.sdk import TriggerEvent

__all__ = ["EventOutcome", "deliver_event"]

EventOutcome = Literal["acknowledged", "dead-lettered", "rejected"]

_MAX_DELIVERIES: Final = 1_000
"""Deliveries of one event in one case (an endpoint that never settles it ends the case there)."""


@dataclass(slots=True)
class _Settlement:
    """One delivery's handle: what the endpoint did with it. A :class:`~interlace.sdk.DeadLettering`
    delivery with no dead-letter place of its own, so the endpoint uses the project's, as configured."""

    done: asyncio.Event = field(default_factory=asyncio.Event)
    settled: str | None = None
    dead_lettered: bool = False

    async def ack(self) -> None:
        self._settle("acknowledged")

    async def nack(self, *, requeue: bool) -> None:
        self._settle("requeued" if requeue else "rejected")

    async def dead_letter(self, reason: str) -> bool:
        self.dead_lettered = True
        return False

    def _settle(self, how: str) -> None:
        self.settled = how
        self.done.set()


@dataclass(slots=True)
class _OneEvent:
    """An event source delivering one event until it is settled, then setting ``stopped``."""

    payload: Payload
    headers: Mapping[str, str]
    attributes: Mapping[str, Any]
    stopped: asyncio.Event
    last: _Settlement | None = None
    deliveries: int = 0

    @property
    def kind(self) -> str:
        return "trigger"

    def describe(self) -> str:
        return "the case's event"

    async def events(self) -> AsyncGenerator[TriggerEvent, None]:
        while self.deliveries < _MAX_DELIVERIES:
            self.deliveries += 1
            self.last = _Settlement()
            yield TriggerEvent(
                self.payload,
                self.headers,
                self.attributes,
                self.last,
                attempt=self.deliveries,
                key="case",
            )
            await self.last.done.wait()
            if self.last.settled != "requeued":
                break
        self.stopped.set()


async def _no_wait(stop: asyncio.Event, seconds: float) -> bool:
    await asyncio.sleep(0)
    return stop.is_set()


async def deliver_event(
    endpoint: InboundEndpoint, payload: Payload, headers: Mapping[str, str], attributes: Mapping[str, Any]
) -> tuple[EventOutcome, int]:
    """Deliver an event of ``payload``, ``headers`` and ``attributes`` through ``endpoint`` until it is
    settled: what the endpoint did, and how many times the event was delivered."""
    stopped = asyncio.Event()
    source = _OneEvent(payload, headers, attributes, stopped)
    await endpoint.with_source(source, _no_wait).run(stopped)
    last = source.last
    if last is not None and last.dead_lettered:
        return "dead-lettered", source.deliveries
    return ("acknowledged" if last is not None and last.settled == "acknowledged" else "rejected"), (
        source.deliveries
    )
