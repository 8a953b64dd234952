"""StoreBell: tells a waiting processor that a message was just stored in this process.

A forwarding processor that finds its store empty waits for its polling interval; when the store
mediator of the same runtime stores a message it rings the bell, so the processor looks at once instead
of at the end of the interval. Messages stored by other nodes (a shared store) are still found by
polling. One event loop: no lock.
"""

from __future__ import annotations

import asyncio
import contextlib

__all__ = ["StoreBell"]


class StoreBell:
    """A ring remembered until a waiter takes it (so a ring between two waits is not lost)."""

    __slots__ = ("_rung",)

    def __init__(self) -> None:
        self._rung = asyncio.Event()

    def ring(self) -> None:
        self._rung.set()

    async def wait(self, stop: asyncio.Event, seconds: float) -> bool:
        """Wait up to ``seconds`` for a ring or ``stop``; True when ``stop`` is set."""
        if stop.is_set():
            return True
        if self._rung.is_set():
            self._rung.clear()
            return False
        if seconds <= 0:
            return False
        waiters = {asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self._rung.wait())}
        try:
            await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await waiter
        self._rung.clear()
        return stop.is_set()
