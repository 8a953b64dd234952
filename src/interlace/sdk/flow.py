"""Backpressure for triggers: how many delivered events are not settled yet, bounded.

A trigger takes ``room`` more events from its source at most, calls ``add()`` for each event it yields
and ``settle()`` when the event is acknowledged or not; while there is no room it waits
(``wait_for_room``) instead of reading on, so events in flight stay bounded and memory with them.
A source that may deliver an event it already handed out (a claim that only refreshed it) keys the
events: ``add(key)``, ``key in flight``, ``settle(key)``. One event loop: no lock.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Hashable

__all__ = ["InFlight"]


class InFlight:
    """Events in flight, at most ``limit``; counted, or keyed by their source's ids."""

    __slots__ = ("_changed", "_count", "_keys", "_limit")

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._count = 0
        self._keys: set[Hashable] = set()
        self._changed = asyncio.Event()

    @property
    def room(self) -> int:
        """How many more events may be taken now."""
        return self._limit - self._count - len(self._keys)

    def __contains__(self, key: Hashable) -> bool:
        """Whether the event ``key`` is in flight."""
        return key in self._keys

    def add(self, key: Hashable | None = None) -> None:
        if key is None:
            self._count += 1
        else:
            self._keys.add(key)

    def settle(self, key: Hashable | None = None) -> None:
        if key is None:
            self._count -= 1
        else:
            self._keys.discard(key)
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
