"""When a processor looks at its store: every ``interval``, or at the ticks of a cron expression; and the
one way processors wait (interruptible by their stop event, replaceable in tests)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Protocol

from croniter import croniter

__all__ = ["CronSchedule", "IntervalSchedule", "Schedule", "Wait", "wait_or_stop"]

Wait = Callable[[asyncio.Event, float], Awaitable[bool]]
"""Waits the given seconds unless ``stop`` is set first; True when stopped."""


async def wait_or_stop(stop: asyncio.Event, seconds: float) -> bool:
    """Wait ``seconds`` or until ``stop`` is set; True when ``stop`` is set."""
    if stop.is_set():
        return True
    if seconds <= 0:
        return False
    try:
        async with asyncio.timeout(seconds):
            await stop.wait()
    except TimeoutError:
        return False
    return True


class Schedule(Protocol):
    """Seconds to wait before a processor looks at its store.

    ``first_delay`` before the first look after activation; ``next_delay`` after a look that found
    nothing (forwarding) or after each message (sampling).
    """

    def first_delay(self) -> float: ...

    def next_delay(self) -> float: ...

    def describe(self) -> str: ...


class IntervalSchedule:
    """Look at once, then every ``interval`` seconds."""

    __slots__ = ("interval",)

    def __init__(self, interval: float) -> None:
        self.interval = interval

    def first_delay(self) -> float:
        return 0.0

    def next_delay(self) -> float:
        return self.interval

    def describe(self) -> str:
        return f"every {self.interval:g}s"


class CronSchedule:
    """Look at each tick of a five-field cron ``expression`` in local time; ``clock`` gives the current
    time in seconds since the epoch."""

    __slots__ = ("clock", "expression")

    def __init__(self, expression: str, clock: Callable[[], float] = time.time) -> None:
        self.expression = expression
        self.clock = clock

    def _until_next_tick(self) -> float:
        now = self.clock()
        following: datetime = croniter(self.expression, datetime.fromtimestamp(now)).get_next(datetime)
        return max(0.0, following.timestamp() - now)

    def first_delay(self) -> float:
        return self._until_next_tick()

    def next_delay(self) -> float:
        return self._until_next_tick()

    def describe(self) -> str:
        return f"cron {self.expression!r}"
