"""InboundEndpoint: runs one event source into a flow, with bounded concurrency, acknowledgement after
processing and bounded redelivery.

Per event: a fresh message (the event's payload and headers; its attributes become message properties)
runs through the flow; when its result settles (:attr:`~interlace.mediators.flow.FlowResult.settles`:
also when its on-error flow handled a failure) the event is acknowledged. When an error escapes the flow,
the event is handed back for another delivery after a backoff, until its attempts ran out; then it is
dead-lettered (:mod:`interlace.inbound.redelivery`).
At most ``max_in_flight`` events are being processed (or waiting out their backoff) at once: the source
is not asked for another one until one is settled, which is the backpressure. On stop, the source is
closed first, then the events in flight finish; if the supervisor cancels them (graceful timeout), each
is handed back with requeue. A source that fails is started again by the supervisor, after a backoff.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, Awaitable

from multidict import CIMultiDict

from interlace.errors import InterlaceError
from interlace.inbound.base import EventSource, InboundCounters, InboundState
from interlace.inbound.redelivery import AttemptCounter, DeadLetters, Redelivery
from interlace.mediators.base import Mediator
from interlace.mediators.flow import run_flow
from interlace.message import MessageContext
from interlace.sdk import NO_ACK, DeadLettering, FatalError, RetryableError, TriggerEvent
from interlace.services import ServiceFailedError, ServiceIdentity, ServiceKind, Wait

__all__ = ["InboundEndpoint", "message_of"]

_log = logging.getLogger("interlace.inbound")


def message_of(event: TriggerEvent) -> MessageContext:
    """The message an event starts: its payload, its headers, its attributes as properties."""
    ctx = MessageContext(event.payload, headers=CIMultiDict(event.headers))
    ctx.properties.update(event.attributes)
    return ctx


class InboundEndpoint(ServiceIdentity):
    """An event source bound to a flow (see the module docstring); an
    :class:`~interlace.inbound.base.Inbound` service.

    ``requeue`` False dead-letters a failed message at once; ``dead_letters`` takes messages whose
    attempts ran out when their source has no dead-letter place of its own (None: they are rejected,
    ``nack(requeue=False)``).
    """

    kind: ServiceKind = "inbound"

    def __init__(
        self,
        name: str,
        source: EventSource,
        flow: Mediator,
        *,
        target: str,
        wait: Wait,
        max_in_flight: int = 16,
        requeue: bool = True,
        redelivery: Redelivery | None = None,
        dead_letters: DeadLetters | None = None,
        starts_active: bool = True,
        coordinated: bool = False,
        attempts: AttemptCounter | None = None,
    ) -> None:
        super().__init__(name, starts_active=starts_active, coordinated=coordinated)
        self.source = source
        self._flow = flow
        self._target = target
        self._wait = wait
        self.max_in_flight = max_in_flight
        self._requeue = requeue
        self.redelivery = redelivery or Redelivery()
        self.dead_letters = dead_letters
        self._counters = InboundCounters()
        self._attempts = attempts or AttemptCounter()

    def with_source(self, source: EventSource, wait: Wait) -> InboundEndpoint:
        """The same endpoint (flow, redelivery, dead-letter place) reading ``source`` and waiting out
        backoffs with ``wait``, with counters of its own: how a test delivers a given event through it."""
        return InboundEndpoint(
            self._name,
            source,
            self._flow,
            target=self._target,
            wait=wait,
            max_in_flight=self.max_in_flight,
            requeue=self._requeue,
            redelivery=self.redelivery,
            dead_letters=self.dead_letters,
            starts_active=self.starts_active,
        )

    def state(self) -> InboundState:
        return self._counters.snapshot(
            self._name,
            self.source.kind,
            self.source.describe(),
            self._target,
            self._coordinated,
            self.record,
        )

    async def run(self, stop: asyncio.Event) -> None:
        _log.info("inbound endpoint %s: %s into %s", self._name, self.source.describe(), self._target)
        try:
            await self._consume(stop)
        except FatalError as exc:
            raise ServiceFailedError(exc.message) from exc
        if not stop.is_set():
            raise RetryableError(f"{self.source.describe()} ended")

    async def _consume(self, stop: asyncio.Event) -> None:
        """Take events until ``stop`` or until the source ends or fails; return once the events in flight
        are settled, raising the source's error if it failed."""
        events = self.source.events()
        slots = asyncio.Semaphore(self.max_in_flight)
        try:
            async with asyncio.TaskGroup() as handlers:
                puller = asyncio.create_task(self._pull(events, slots, handlers, stop))
                stopped = asyncio.create_task(stop.wait())
                try:
                    await asyncio.wait({puller, stopped}, return_when=asyncio.FIRST_COMPLETED)
                finally:
                    stopped.cancel()
                    if not puller.done():
                        puller.cancel()  # a pending __anext__ is cancelled inside the source
                        await asyncio.wait({puller})
        finally:
            try:
                await events.aclose()
            except Exception:
                _log.exception("inbound endpoint %s: the source did not close cleanly", self._name)
        error = None if puller.cancelled() else puller.exception()
        if error is not None:
            raise error

    async def _pull(
        self,
        events: AsyncGenerator[TriggerEvent, None],
        slots: asyncio.Semaphore,
        handlers: asyncio.TaskGroup,
        stop: asyncio.Event,
    ) -> None:
        while True:
            await slots.acquire()
            try:
                event = await anext(events)
            except StopAsyncIteration:
                slots.release()
                return
            except BaseException:
                slots.release()
                raise
            self._counters.received += 1
            if event.lag is not None:
                self._counters.lag = event.lag
            task = handlers.create_task(self._handle(event, stop), name=f"inbound {self._name} event")
            task.add_done_callback(lambda _: slots.release())

    async def _handle(self, event: TriggerEvent, stop: asyncio.Event) -> None:
        counters = self._counters
        ctx = message_of(event)
        counters.in_flight += 1
        try:
            what = f"inbound endpoint {self._name}"
            result = await run_flow(self._flow, ctx, what=what, artifact=("inbound", self._name))
            if result.settles:
                counters.processed += 1
                if event.attempt is None:
                    await self._attempts.forget(AttemptCounter.key_of(event))
                await self._settle(ctx, "acknowledging", event.ack())
            else:
                await self._failed(event, ctx, result.description or "the flow failed", stop)
        except asyncio.CancelledError:
            # Stopped before the flow finished: the source delivers the event again.
            await self._settle(ctx, "handing back", event.nack(requeue=True))
            raise
        finally:
            counters.in_flight -= 1

    async def _failed(
        self, event: TriggerEvent, ctx: MessageContext, error: str, stop: asyncio.Event
    ) -> None:
        """Hand a failed event back after the backoff, or dead-letter it after its last attempt."""
        self._counters.failed += 1
        self.record.last_error = error
        if event.attempt is not None:
            attempts = event.attempt
        else:
            attempts = await self._attempts.failed(AttemptCounter.key_of(event))
        # A source that cannot deliver again (a notification, NO_ACK) has its one attempt.
        redelivers = self._requeue and event.delivery is not NO_ACK
        limit = self.redelivery.max_attempts if redelivers else 1
        if attempts < limit:
            # Waiting holds the event's slot: a message that keeps failing is not read again at once.
            await self._wait(stop, self.redelivery.backoff.delay(attempts))
            await self._settle(ctx, "handing back", event.nack(requeue=True))
            return
        reason = f"failed {attempts} of {limit} attempts; last error: {error}"
        if await self._dead_letter(event, ctx, reason, attempts):
            if event.attempt is None:
                await self._attempts.forget(AttemptCounter.key_of(event))
            self._counters.dead_lettered += 1

    async def _dead_letter(
        self, event: TriggerEvent, ctx: MessageContext, reason: str, attempts: int
    ) -> bool:
        """Move the event to its dead-letter place; whether it went there."""
        where = "its source's dead-letter place"
        try:
            if isinstance(event.delivery, DeadLettering) and await event.delivery.dead_letter(reason):
                pass
            elif self.dead_letters is not None:
                where = f"dead-letter store {self.dead_letters.name}"
                await self.dead_letters.keep(event, reason, attempts, f"inbound {self._name}")
                await self._settle(ctx, "acknowledging", event.ack())
            else:
                where = "its source (rejected)"
                await event.nack(requeue=False)
        except Exception as exc:
            text = exc.message if isinstance(exc, InterlaceError) else repr(exc)
            self.record.last_error = f"dead-lettering a message failed: {text}"
            _log.error(
                "inbound endpoint %s: moving a message to %s failed (%s); it is handed back",
                self._name,
                where,
                text,
                extra={"correlation_id": ctx.correlation_id},
            )
            await self._settle(ctx, "handing back", event.nack(requeue=True))
            return False
        _log.error(
            "inbound endpoint %s: message moved to %s: %s",
            self._name,
            where,
            reason,
            extra={"correlation_id": ctx.correlation_id},
        )
        return True

    async def _settle(self, ctx: MessageContext, what: str, settle: Awaitable[None]) -> None:
        try:
            await settle
        except Exception as exc:
            text = str(exc) if isinstance(exc, InterlaceError) else repr(exc)
            self.record.last_error = f"{what} an event failed: {text}"
            _log.warning(
                "inbound endpoint %s: %s an event failed: %s",
                self._name,
                what,
                text,
                extra={"correlation_id": ctx.correlation_id},
            )
