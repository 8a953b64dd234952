"""InboundEndpoint: runs one event source into a flow, with bounded concurrency and acknowledgement
after processing.

Per event: a fresh message (the event's payload and headers; its attributes become message properties)
runs through the flow; when the flow finishes (also when its on-error flow handled a failure) the event
is acknowledged, when an error escapes the flow it is handed back (``nack``, ``requeue`` as configured).
At most ``max_in_flight`` events are being processed at once: the source is not asked for another one
until one finishes, which is the backpressure. On stop, the source is closed first, then the events in
flight finish; if the supervisor cancels them (graceful timeout), each is handed back with requeue.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, Awaitable

from multidict import CIMultiDict

from interlace.errors import InterlaceError
from interlace.inbound.base import EventSource, InboundCounters, InboundState, Wait
from interlace.mediators.base import Mediator
from interlace.message import MessageContext
from interlace.sdk import FatalError, TriggerEvent

__all__ = ["InboundEndpoint", "message_of", "run_flow"]

_log = logging.getLogger("interlace.inbound")


async def run_flow(flow: Mediator, ctx: MessageContext, what: str) -> str | None:
    """Run ``flow`` on ``ctx``; None when it finished (an on-error flow that ended counts as finished),
    else the error's text. Never raises but for cancellation."""
    try:
        await flow.mediate(ctx)
    except InterlaceError as exc:
        _log.warning("%s failed: %s", what, exc, extra={"correlation_id": ctx.correlation_id})
        return str(exc)
    except Exception as exc:
        _log.exception("%s failed unexpectedly", what, extra={"correlation_id": ctx.correlation_id})
        return f"internal error: {type(exc).__name__}: {exc}"
    return None


def message_of(event: TriggerEvent) -> MessageContext:
    """The message an event starts: its payload, its headers, its attributes as properties."""
    ctx = MessageContext(event.payload, headers=CIMultiDict(event.headers))
    ctx.properties.update(event.attributes)
    return ctx


class InboundEndpoint:
    """An event source bound to a flow (see the module docstring); a
    :class:`~interlace.inbound.base.Supervised` object."""

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
        starts_active: bool = True,
        coordinated: bool = False,
        retry_delay: float = 1.0,
        max_retry_delay: float = 30.0,
    ) -> None:
        self._name = name
        self.source = source
        self._flow = flow
        self._target = target
        self._wait = wait
        self.max_in_flight = max_in_flight
        self._requeue = requeue
        self._starts_active = starts_active
        self._coordinated = coordinated
        self._retry_delay = retry_delay
        self._max_retry_delay = max_retry_delay
        self._counters = InboundCounters()
        self._failures_in_a_row = 0

    @property
    def name(self) -> str:
        return self._name

    @property
    def starts_active(self) -> bool:
        return self._starts_active

    @property
    def coordinated(self) -> bool:
        return self._coordinated

    @property
    def kind(self) -> str:
        return self.source.kind

    def state(self) -> InboundState:
        return self._counters.snapshot(
            self._name, self.source.kind, self.source.describe(), self._target, self._coordinated
        )

    def standby(self, waiting: bool) -> None:
        if waiting:
            self._counters.status = "standby"
        elif self._counters.status == "standby":
            self._counters.status = "inactive"

    async def run(self, stop: asyncio.Event) -> None:
        counters = self._counters
        counters.status = "active"
        _log.info("inbound endpoint %s: %s into %s", self._name, self.source.describe(), self._target)
        try:
            while not stop.is_set():
                try:
                    await self._consume(stop)
                except FatalError as exc:
                    counters.last_error = str(exc)
                    counters.status = "failed"
                    _log.error("inbound endpoint %s stopped: %s", self._name, exc)
                    return
                except Exception as exc:  # retryable, or unexpected: start the source again after a pause
                    counters.last_error = str(exc) if isinstance(exc, InterlaceError) else repr(exc)
                    _log.warning("inbound endpoint %s: source failed: %s", self._name, counters.last_error)
                if stop.is_set():
                    break
                counters.restarts += 1
                self._failures_in_a_row += 1
                delay = min(self._retry_delay * 2 ** (self._failures_in_a_row - 1), self._max_retry_delay)
                if await self._wait(stop, delay):
                    break
        finally:
            if counters.status == "active":
                counters.status = "inactive"

    async def _consume(self, stop: asyncio.Event) -> None:
        """Take events until ``stop`` or until the source ends or fails; return once the events in flight
        are settled, raising the source's error if it failed."""
        events = self.source.events()
        slots = asyncio.Semaphore(self.max_in_flight)
        try:
            async with asyncio.TaskGroup() as handlers:
                puller = asyncio.create_task(self._pull(events, slots, handlers))
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
            self._failures_in_a_row = 0
            self._counters.received += 1
            task = handlers.create_task(self._handle(event), name=f"inbound {self._name} event")
            task.add_done_callback(lambda _: slots.release())

    async def _handle(self, event: TriggerEvent) -> None:
        counters = self._counters
        ctx = message_of(event)
        counters.in_flight += 1
        try:
            error = await run_flow(self._flow, ctx, f"inbound endpoint {self._name}")
        except asyncio.CancelledError:
            # Stopped before the flow finished: the source delivers the event again.
            await self._settle(ctx, "handing back", event.nack(requeue=True))
            raise
        finally:
            counters.in_flight -= 1
        if error is None:
            counters.processed += 1
            await self._settle(ctx, "acknowledging", event.ack())
        else:
            counters.failed += 1
            counters.last_error = error
            await self._settle(ctx, "handing back", event.nack(requeue=self._requeue))

    async def _settle(self, ctx: MessageContext, what: str, settle: Awaitable[None]) -> None:
        try:
            await settle
        except Exception as exc:
            text = str(exc) if isinstance(exc, InterlaceError) else repr(exc)
            self._counters.last_error = f"{what} an event failed: {text}"
            _log.warning(
                "inbound endpoint %s: %s an event failed: %s",
                self._name,
                what,
                text,
                extra={"correlation_id": ctx.correlation_id},
            )
