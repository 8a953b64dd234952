"""The acknowledgement window of a polling trigger: events handed out in order, and a checkpoint that
advances only over the longest run of settled events at its head.

A trigger that reads its source in order (rows by key, objects by time) and keeps its position in a
:class:`~interlace.sdk.Checkpoint` wraps each event's position with :meth:`AckWindow.track`; the
delivery it returns settles the event. The checkpoint moves past an event only when that event and
every one before it were acknowledged (or dead-lettered: settled for good), so a restart goes on after
the last processed event and nothing is skipped. An event handed back (``nack(requeue=True)``) marks
the window :attr:`~AckWindow.failed`: the trigger stops reading, waits with :meth:`AckWindow.rewind`
until the events in flight are settled, and reads again after the committed position (events after
the failed one may run again: at least once).

Called from the trigger's task and from the runtime's acknowledgements, on one event loop; saves are
serialized.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Literal

from interlace.sdk.checkpoint import Checkpoint, CheckpointValue

__all__ = ["AckWindow"]


@dataclass(slots=True)
class _Pending:
    position: CheckpointValue
    outcome: Literal["pending", "done", "failed"] = "pending"


class AckWindow:
    """Events in flight, in the order they were handed out (see the module's contract)."""

    __slots__ = ("_changed", "_pending", "_save_lock", "_store", "committed")

    def __init__(self, store: Checkpoint, committed: CheckpointValue | None) -> None:
        self._store = store
        self.committed = committed
        """The last position saved (or loaded): every event up to it is settled."""
        self._pending: list[_Pending] = []
        self._changed = asyncio.Event()
        self._save_lock = asyncio.Lock()

    @property
    def failed(self) -> bool:
        """Whether an event in the window was handed back: read no further, :meth:`rewind`."""
        return any(item.outcome == "failed" for item in self._pending)

    def track(self, position: CheckpointValue) -> _WindowDelivery:
        """The delivery of the next event, whose position is ``position``."""
        pending = _Pending(position)
        self._pending.append(pending)
        return _WindowDelivery(self, pending)

    async def rewind(self) -> CheckpointValue | None:
        """Wait until every event in the window is settled, empty it, and return the committed position:
        where reading starts again."""
        while any(item.outcome == "pending" for item in self._pending):
            self._changed.clear()
            await self._changed.wait()
        self._pending.clear()
        return self.committed

    async def _settle(self, pending: _Pending, outcome: Literal["done", "failed"]) -> None:
        pending.outcome = outcome
        self._changed.set()
        moved = False
        while self._pending and self._pending[0].outcome == "done":
            self.committed = self._pending.pop(0).position
            moved = True
        if moved:
            async with self._save_lock:
                committed = self.committed
                if committed is not None:
                    await self._store.save(committed)


class _WindowDelivery:
    """Settles one event of an :class:`AckWindow`: acknowledged or dead-lettered it is done; handed back
    with requeue it fails the window."""

    __slots__ = ("_pending", "_window")

    def __init__(self, window: AckWindow, pending: _Pending) -> None:
        self._window = window
        self._pending = pending

    async def ack(self) -> None:
        await self._window._settle(self._pending, "done")

    async def nack(self, *, requeue: bool) -> None:
        await self._window._settle(self._pending, "failed" if requeue else "done")
