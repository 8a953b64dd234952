"""The sampling processor: one message per tick, acknowledged before it is delivered.

At most once: a message is gone from the store before its delivery starts, so a delivery that fails
(or a process that stops mid-delivery) loses it; the failure is logged and counted. Use it where a
steady rate matters more than every message; use forwarding where every message must arrive.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from interlace.processors.base import ProcessorCounters, ProcessorState
from interlace.processors.delivery import DeliveryTarget
from interlace.services import Schedule, ServiceIdentity, ServiceKind, Wait, wait_or_stop
from interlace.stores import MessageStore

__all__ = ["SamplingProcessor"]

_log = logging.getLogger("interlace.processors")


class SamplingProcessor(ServiceIdentity):
    """Takes one message of ``store`` per tick of ``schedule`` and delivers it to ``target`` once; a
    :class:`~interlace.processors.base.MessageProcessor`."""

    kind: ServiceKind = "processor"

    def __init__(
        self,
        name: str,
        store: MessageStore,
        target: DeliveryTarget,
        *,
        schedule: Schedule,
        starts_active: bool = True,
        coordinated: bool = False,
        wait: Wait = wait_or_stop,
    ) -> None:
        super().__init__(name, starts_active=starts_active, coordinated=coordinated)
        self._store = store
        self._target = target
        self._schedule = schedule
        self._wait = wait
        self._counters = ProcessorCounters()

    def state(self) -> ProcessorState:
        return self._counters.snapshot(
            self._name, "sampling", self.record, self._store.name, self._target, coordinated=self.coordinated
        )

    async def run(self, stop: asyncio.Event) -> None:
        _log.info(
            "processor %s samples %s into %s %s (%s, at most once)",
            self._name,
            self._store.name,
            self._target.kind,
            self._target.name,
            self._schedule.describe(),
        )
        delay = self._schedule.first_delay()
        while delay is not None and not await self._wait(stop, delay):
            delay = self._schedule.next_delay()
            await self._take_one()

    async def _take_one(self) -> None:
        counters = self._counters
        try:
            batch = await self._store.fetch(1)
        except Exception as exc:
            self._record(f"cannot read message store {self._store.name}: {exc}")
            return
        if not batch:
            return
        message = batch[0]
        try:
            await self._store.ack(message.id)
        except Exception as exc:
            self._record(f"cannot take message {message.id} from {self._store.name}: {exc}")
            with contextlib.suppress(Exception):  # the claim expires anyway; this is only sooner
                await self._store.release(message)
            return
        counters.in_flight += 1
        try:
            outcome = await self._target.deliver(message)
        finally:
            counters.in_flight -= 1
        if outcome.delivered:
            counters.delivered += 1
            return
        counters.failed_attempts += 1
        self.record.last_error = outcome.error
        _log.error(
            "processor %s lost message %s (sampling delivers at most once): %s",
            self._name,
            message.id,
            outcome.error,
            extra={"correlation_id": message.correlation_id},
        )

    def _record(self, error: str) -> None:
        self.record.last_error = error
        _log.warning("processor %s: %s", self._name, error)
