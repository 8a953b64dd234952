"""Backpressure for triggers: how many delivered events are not settled yet, bounded.

A trigger takes ``room`` more events from its source at most, calls ``add()`` for each event it yields
and ``settle()`` when the event is acknowledged or not; while there is no room it waits
(``wait_for_room``) instead of reading on, so events in flight stay bounded and memory with them.
One event loop: no lock.
"""

from __future__ import annotations

import asyncio
import contextlib

__all__ = ["InFlight"]


class InFlight:
    """A count of events in flight, at most ``limit``."""

    __slots__ = ("_changed", "_count", "_limit")

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._count = 0
        self._changed = asyncio.Event()

    @property
    def room(self) -> int:
        """How many more events may be taken now."""
        return self._limit - self._count

    def add(self) -> None:
        self._count += 1

    def settle(self) -> None:
        self._count -= 1
        self._changed.set()

    async def wait_for_room(self, seconds: float | None = None) -> bool:
        """Wait until an event is settled and there is room (at most ``seconds``, when given); whether
        there is room."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                while self.room <= 0:
                    self._changed.clear()
                    await self._changed.wait()
        return self.room > 0
