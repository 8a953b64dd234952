"""The forwarding processor: every stored message delivered at least once, in order, acked only after
success; failures retried with exponential backoff; exhausted messages dead-lettered, dropped, or the
processor deactivated.

With ``concurrency`` 1 one message is in flight at a time and a failing message blocks the ones behind
it until it is delivered or exhausted: that is what keeps the order. Above 1, that many workers each
take the oldest free message, so messages overtake each other. Either way the processor claims its next
messages and acknowledges its delivered ones while it delivers (:mod:`interlace.processors.claims`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from dataclasses import dataclass, replace
from typing import Literal

from interlace.mediators.base import Mediator
from interlace.mediators.flow import run_flow
from interlace.processors.base import ProcessorCounters, ProcessorState
from interlace.processors.claims import Acknowledgements, ClaimQueue
from interlace.processors.delivery import DeliveryOutcome, DeliveryTarget, delivery_context
from interlace.services import (
    Backoff,
    Schedule,
    ServiceFailedError,
    ServiceIdentity,
    ServiceKind,
    Wait,
    wait_or_stop,
)
from interlace.stores import MessageStore, StoreBell, StoredMessage

__all__ = ["Backoff", "ExhaustedPolicy", "ForwardingProcessor"]

_BATCH = 64
"""Messages a processor claims at once (several workers: 8 per worker, up to ``_MOST_AHEAD``). Enough
that a claim's commit, tens of milliseconds on a busy disk, overlaps the deliveries of the half left."""
_MOST_AHEAD = 256
"""The most messages several workers claim at once."""

_log = logging.getLogger("interlace.processors")


@dataclass(frozen=True, slots=True)
class ExhaustedPolicy:
    """What happens to a message whose attempts ran out: moved to ``dead_letter``, dropped, or kept while
    the processor deactivates; then ``sequence`` (if any) runs on it."""

    action: Literal["dead-letter", "drop", "deactivate"] = "deactivate"
    dead_letter: MessageStore | None = None
    sequence: Mediator | None = None
    sequence_name: str = ""


class ForwardingProcessor(ServiceIdentity):
    """Forwards the messages of ``store`` to ``target`` (see the module docstring); a
    :class:`~interlace.processors.base.MessageProcessor`."""

    kind: ServiceKind = "processor"

    def __init__(
        self,
        name: str,
        store: MessageStore,
        target: DeliveryTarget,
        *,
        schedule: Schedule,
        max_attempts: int = 5,
        backoff: Backoff | None = None,
        exhausted: ExhaustedPolicy | None = None,
        concurrency: int = 1,
        starts_active: bool = True,
        coordinated: bool = False,
        wait: Wait = wait_or_stop,
        bell: StoreBell | None = None,
    ) -> None:
        if exhausted is not None and exhausted.action == "dead-letter" and exhausted.dead_letter is None:
            raise ValueError("the dead-letter action needs a dead-letter store")
        super().__init__(name, starts_active=starts_active, coordinated=coordinated)
        self._store = store
        self._target = target
        self._schedule = schedule
        self._max_attempts = max_attempts
        self._backoff = backoff or Backoff()
        self._exhausted = exhausted or ExhaustedPolicy()
        self._concurrency = concurrency
        self._wait = wait
        # Rung when this runtime stores a message: an idle processor looks at once, not at its next poll.
        self._idle_wait: Wait = bell.wait if bell is not None else wait
        self._counters = ProcessorCounters()

    def state(self) -> ProcessorState:
        return self._counters.snapshot(
            self._name,
            "forwarding",
            self.record,
            self._store.name,
            self._target,
            coordinated=self.coordinated,
        )

    async def run(self, stop: asyncio.Event) -> None:
        _log.info(
            "processor %s forwards %s to %s %s (%s)",
            self._name,
            self._store.name,
            self._target.kind,
            self._target.name,
            self._schedule.describe(),
        )
        exhausted: list[ServiceFailedError] = []
        # Several workers share one queue of claims.
        batch = min(max(_BATCH, 8 * self._concurrency), _MOST_AHEAD)
        claims = ClaimQueue(self._store, batch=batch, ahead=batch // 2)
        acks = Acknowledgements(self._acknowledge, limit=batch)
        try:
            if self._concurrency == 1:
                await self._work(stop, claims, acks, exhausted)
            else:
                async with asyncio.TaskGroup() as group:
                    for index in range(self._concurrency):
                        group.create_task(
                            self._work(stop, claims, acks, exhausted),
                            name=f"processor {self._name} #{index + 1}",
                        )
        except asyncio.CancelledError:
            claims.cancel()
            raise
        finally:
            await claims.give_back(self._give_back)
            await acks.finish()
        if exhausted:
            raise exhausted[0]

    async def _work(
        self,
        stop: asyncio.Event,
        claims: ClaimQueue,
        acks: Acknowledgements,
        exhausted: list[ServiceFailedError],
    ) -> None:
        """Deliver the messages of ``claims`` until ``stop``; an in-order worker (concurrency 1) gives
        back the messages behind a failed one, so they keep their places after it."""
        first = self._schedule.first_delay()
        if first is None or await self._wait(stop, first):
            return
        while not stop.is_set():
            try:
                message = await claims.take()
            except Exception as exc:
                self._record(f"cannot read message store {self._store.name}: {exc}")
                if await self._wait(stop, self._backoff.initial):
                    return
                continue
            if message is None:
                delay = self._schedule.next_delay()
                if delay is None or await self._idle_wait(stop, delay):
                    return
                continue
            outcome = await self._attempt(message)
            if outcome.delivered:
                # Acknowledged while the next message is delivered (see processors.claims).
                await acks.start(message)
                continue
            if self._concurrency == 1:
                await claims.give_back(self._give_back)
            if await self._handle_failure(message, outcome, stop, exhausted):
                return

    async def _acknowledge(self, message: StoredMessage) -> None:
        await self._settle(self._store.ack(message.id), message, "acknowledge")
        self._counters.delivered += 1

    async def _give_back(self, message: StoredMessage) -> None:
        await self._settle(self._store.release(message), message, "give back")

    async def _handle_failure(
        self,
        message: StoredMessage,
        outcome: DeliveryOutcome,
        stop: asyncio.Event,
        exhausted: list[ServiceFailedError],
    ) -> bool:
        """Record a failed attempt and give the message back (or give up on it); True when stopping."""
        failed = message.failed(outcome.error or "delivery failed")
        self._failed(failed.last_error)
        _log.warning(
            "processor %s: attempt %d of %d to deliver message %s failed: %s",
            self._name,
            failed.attempts,
            self._max_attempts,
            message.id,
            failed.last_error,
            extra={"correlation_id": message.correlation_id},
        )
        if not outcome.retry or failed.attempts >= self._max_attempts:
            return await self._give_up(failed, stop, exhausted)
        await self._give_back(failed)
        return await self._wait(stop, self._backoff.delay(failed.attempts))

    async def _attempt(self, message: StoredMessage) -> DeliveryOutcome:
        self._counters.in_flight += 1
        try:
            return await self._target.deliver(message)
        except asyncio.CancelledError:
            # Shutdown ran out of patience: the message goes back as it was, to be delivered again.
            await self._give_back(message)
            raise
        finally:
            self._counters.in_flight -= 1

    async def _give_up(
        self, message: StoredMessage, stop: asyncio.Event, exhausted: list[ServiceFailedError]
    ) -> bool:
        """Apply the exhausted action to ``message``; True when the processor stops."""
        policy = self._exhausted
        if policy.action == "dead-letter":
            assert policy.dead_letter is not None
            dead = replace(message, origin=message.origin or self._store.name)
            try:
                await policy.dead_letter.put(dead)
            except Exception as exc:
                self._record(f"cannot move message {message.id} to {policy.dead_letter.name}: {exc}")
                await self._give_back(message)
                return await self._wait(stop, self._backoff.delay(message.attempts))
            await self._settle(self._store.ack(message.id), message, "acknowledge")
            self._counters.dead_lettered += 1
            _log.error(
                "processor %s moved message %s to dead-letter store %s after %d attempts: %s",
                self._name,
                message.id,
                policy.dead_letter.name,
                message.attempts,
                message.last_error,
                extra={"correlation_id": message.correlation_id},
            )
        elif policy.action == "drop":
            await self._settle(self._store.ack(message.id), message, "drop")
            self._counters.dropped += 1
            _log.error(
                "processor %s dropped message %s after %d attempts: %s",
                self._name,
                message.id,
                message.attempts,
                message.last_error,
                extra={"correlation_id": message.correlation_id},
            )
        else:
            await self._give_back(message)
            _log.error(
                "processor %s deactivated: message %s failed %d attempts: %s",
                self._name,
                message.id,
                message.attempts,
                message.last_error,
                extra={"correlation_id": message.correlation_id},
            )
        await self._run_exhausted_sequence(message)
        if policy.action == "deactivate":
            exhausted.append(
                ServiceFailedError(
                    f"message {message.id} failed {message.attempts} attempts: {message.last_error}"
                )
            )
            stop.set()
            return True
        return False

    async def _run_exhausted_sequence(self, message: StoredMessage) -> None:
        sequence = self._exhausted.sequence
        if sequence is None:
            return
        name = self._exhausted.sequence_name
        what = f"processor {self._name}: sequence {name} on exhausted message {message.id}"
        await run_flow(sequence, delivery_context(message), what=what, artifact=("processor", self._name))

    async def _settle(self, operation: Awaitable[None], message: StoredMessage, action: str) -> None:
        """Await a store operation on a claimed message; a failure leaves the claim to expire (the message
        comes back: at-least-once) and is recorded."""
        try:
            await operation
        except Exception as exc:
            self._record(f"cannot {action} message {message.id} in {self._store.name}: {exc}")
            _log.warning("processor %s: cannot %s message %s: %s", self._name, action, message.id, exc)

    def _failed(self, error: str | None) -> None:
        self._counters.failed_attempts += 1
        self.record.last_error = error

    def _record(self, error: str) -> None:
        self.record.last_error = error
