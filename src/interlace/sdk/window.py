"""The events a polling trigger handed out and not yet settled, and the position that follows them.

A trigger that polls its source in order (rows by key, records by modification time) keeps its position
in a :class:`~interlace.sdk.Checkpoint`. The position must never pass an event that is not processed,
though the runtime settles events out of order when several run at once. An :class:`AckWindow` holds
the events handed out since the last rewind, in order; each event's :meth:`AckWindow.delivery` settles
it, and the committed position moves (and is saved) past the longest settled prefix only.

A failed event (``nack(requeue=True)``) makes :attr:`AckWindow.failed` true: the trigger stops handing
out, waits until the events in flight are settled (:meth:`AckWindow.wait_settled`), and reads again from
:attr:`AckWindow.committed` (:meth:`AckWindow.rewind`), so the failed event and those after it run again
(at least once). An event the runtime dead-lettered (``nack(requeue=False)``) counts as settled.
:func:`poll_in_order` is that loop, for a trigger to yield from.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Literal, TypeVar

from interlace.sdk.checkpoint import Checkpoint, CheckpointValue
from interlace.sdk.trigger import Delivery, TriggerEvent

__all__ = ["AckWindow", "poll_in_order"]

T = TypeVar("T")


@dataclass(slots=True)
class _Pending:
    position: CheckpointValue
    outcome: Literal["pending", "done", "failed"] = "pending"


class AckWindow:
    """The unsettled events of one polling trigger (see the module docstring); used by one trigger task
    and by the runtime's acknowledgements, on one event loop."""

    __slots__ = ("_changed", "_events", "_save_lock", "_store", "committed")

    def __init__(self, store: Checkpoint, committed: CheckpointValue | None) -> None:
        self._store = store
        self.committed = committed
        """The position past the last event of the settled prefix: where a rewind reads from."""
        self._events: list[_Pending] = []
        self._changed = asyncio.Event()
        self._save_lock = asyncio.Lock()

    @property
    def failed(self) -> bool:
        """True when an event handed out since the last rewind failed: stop, wait, rewind."""
        return any(event.outcome == "failed" for event in self._events)

    def delivery(self, position: CheckpointValue) -> Delivery:
        """The delivery of the next event handed out, whose source position is ``position``."""
        pending = _Pending(position)
        self._events.append(pending)
        return _WindowDelivery(self, pending)

    async def wait_settled(self) -> None:
        """Return once no event handed out is pending any more."""
        while any(event.outcome == "pending" for event in self._events):
            self._changed.clear()
            await self._changed.wait()

    def rewind(self) -> CheckpointValue | None:
        """Forget the events handed out (all settled) and return the position to read after."""
        self._events.clear()
        return self.committed

    async def _settle(self, pending: _Pending, outcome: Literal["done", "failed"]) -> None:
        pending.outcome = outcome
        self._changed.set()
        moved = False
        while self._events and self._events[0].outcome == "done":
            self.committed = self._events.pop(0).position
            moved = True
        if moved:
            async with self._save_lock:
                committed = self.committed
                if committed is not None:
                    await self._store.save(committed)


class _WindowDelivery:
    __slots__ = ("_pending", "_window")

    def __init__(self, window: AckWindow, pending: _Pending) -> None:
        self._window = window
        self._pending = pending

    async def ack(self) -> None:
        await self._window._settle(self._pending, "done")

    async def nack(self, *, requeue: bool) -> None:
        await self._window._settle(self._pending, "failed" if requeue else "done")


async def poll_in_order(
    window: AckWindow,
    read: Callable[[CheckpointValue | None], Awaitable[Sequence[T]]],
    position: Callable[[T], CheckpointValue],
    event: Callable[[T, Delivery], TriggerEvent],
    *,
    every: float,
    batch: int,
) -> AsyncIterator[TriggerEvent]:
    """The events of a source read in order: ``read(after)`` gives up to ``batch`` items after a
    position (``None``: from the start), ``position(item)`` is an item's, ``event(item, delivery)`` its
    event. Looks again at once after a full batch, else after ``every`` seconds; rewinds after a failure
    (see the module docstring)."""
    read_after = window.committed
    while True:
        if window.failed:
            await window.wait_settled()  # events after the failed one finish before the rewind
            read_after = window.rewind()
            await asyncio.sleep(every)
        items = await read(read_after)
        for item in items:
            read_after = position(item)
            yield event(item, window.delivery(read_after))
            if window.failed:
                break
        if len(items) < batch and not window.failed:
            await asyncio.sleep(every)
