"""When a service does its next piece of work, and the one way services wait.

A schedule gives the seconds to wait: ``first_delay`` after activation, ``next_delay`` after each run
(a processor's look at its store, a task's run); None when there is no further run (a ``once`` task).
:func:`wait_or_stop` is how every service waits: interruptible by its stop event, and replaceable in
tests (services take a :data:`Wait`).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Protocol

__all__ = ["CronSchedule", "IntervalSchedule", "OnceSchedule", "Schedule", "Wait", "wait_or_stop"]

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
    """Seconds to wait before the next run (see the module docstring)."""

    def first_delay(self) -> float | None: ...

    def next_delay(self) -> float | None: ...

    def describe(self) -> str: ...


class IntervalSchedule:
    """Run at once, then every ``interval`` seconds."""

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
    """Run at each tick of a five-field cron ``expression`` in local time; ``clock`` gives the current
    time in seconds since the epoch."""

    __slots__ = ("clock", "expression")

    def __init__(self, expression: str, clock: Callable[[], float] = time.time) -> None:
        self.expression = expression
        self.clock = clock

    def _until_next_tick(self) -> float:
        from croniter import croniter  # imported by the projects with a cron schedule only

        now = self.clock()
        following: datetime = croniter(self.expression, datetime.fromtimestamp(now)).get_next(datetime)
        return max(0.0, following.timestamp() - now)

    def first_delay(self) -> float:
        return self._until_next_tick()

    def next_delay(self) -> float:
        return self._until_next_tick()

    def describe(self) -> str:
        return f"cron {self.expression!r}"


class OnceSchedule:
    """One run: at activation (``at`` None), or at the date-time ``at`` if it is still to come."""

    __slots__ = ("at", "clock")

    def __init__(self, at: datetime | None = None, clock: Callable[[], float] = time.time) -> None:
        self.at = at
        self.clock = clock

    def first_delay(self) -> float | None:
        if self.at is None:
            return 0.0
        delay = self.at.timestamp() - self.clock()
        return delay if delay >= 0 else None

    def next_delay(self) -> float | None:
        return None

    def describe(self) -> str:
        return "once" if self.at is None else f"once at {self.at.isoformat()}"
