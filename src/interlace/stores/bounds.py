"""How much a message store may hold, and what a put does when the store is full.

Every store kind has a bound: ``max_messages``, and ``max_bytes`` where the kind can tell how many bytes
it holds (the size of the stored messages as encoded: payload in base64 plus their metadata). A put
that would go over the bound is not stored: with ``when_full = "refuse"`` it raises
:class:`StoreFullError` at once (the store mediator's flow fails with 503 and ``Retry-After``); with
``"wait"`` it waits up to ``full_wait`` for room, in line with the other waiting puts (the oldest first),
and raises StoreFullError when none came. A put of an id the store already holds is ignored, as
ever, full or not.

Room is noticed when this store instance acknowledges, deletes or purges messages (the waiter first in
line is woken at once), and, for messages taken by other nodes of a shared store, by the first waiter
looking again every ``_RECHECK`` seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Final, Literal

from interlace.model.durations import format_duration
from interlace.stores.message import StoreError

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_MESSAGES",
    "Room",
    "StoreBounds",
    "StoreFullError",
    "StoreUsage",
    "UsageGauge",
    "put_within_bounds",
]

DEFAULT_MAX_MESSAGES: Final = 10_000
DEFAULT_MAX_BYTES: Final = 100 * 1024 * 1024
_RECHECK: Final = 0.25
"""Seconds between two looks of the first waiting put (room made by other nodes is not announced)."""

WhenFull = Literal["refuse", "wait"]


@dataclass(frozen=True, slots=True)
class StoreBounds:
    """The most a store holds (``max_bytes`` None: the kind cannot count bytes) and what a put does when
    the store is full (see the module docstring)."""

    max_messages: int = DEFAULT_MAX_MESSAGES
    max_bytes: int | None = DEFAULT_MAX_BYTES
    when_full: WhenFull = "refuse"
    full_wait: float = 5.0
    retry_after: float = 5.0

    def refuses(self, messages: int, size: int | None, adding: int) -> bool:
        """Whether a store holding ``messages`` of ``size`` bytes has no room for one of ``adding`` bytes."""
        if messages + 1 > self.max_messages:
            return True
        return self.max_bytes is not None and size is not None and size + adding > self.max_bytes


@dataclass(frozen=True, slots=True)
class StoreUsage:
    """What a store holds now: messages (claimed ones included) and their bytes (None: not known)."""

    messages: int
    bytes: int | None


class StoreFullError(StoreError):
    """The store is at its bound: the message was not stored. Clients are told to come back after
    ``Retry-After`` seconds; the message names the store only (its figures are in the log line)."""

    code = "STORE_FULL"
    status = 503

    def __init__(self, name: str, bounds: StoreBounds, usage: StoreUsage) -> None:
        held = f"{usage.messages} messages"
        if usage.bytes is not None:
            held += f", {usage.bytes} bytes"
        limit = f"at most {bounds.max_messages} messages"
        if bounds.max_bytes is not None:
            limit += f" and {bounds.max_bytes} bytes"
        waited = (
            f" (waited {format_duration(bounds.full_wait)} for room)" if bounds.when_full == "wait" else ""
        )
        retry_after = max(1, round(bounds.retry_after))
        super().__init__(
            f"message store {name} is full: it holds {held} ({limit}){waited}; the message was not stored",
            public=f"message store {name} is full: try again in {retry_after}s",
            headers={"Retry-After": str(retry_after)},
            detail={"store": name, "retryAfter": retry_after},
        )
        self.usage = usage


class Room:
    """The puts waiting for room in one store instance, in line, oldest first; one event loop, no lock.

    A waiting put keeps its place until it is stored or gives up. The first in line also looks again
    every ``_RECHECK`` seconds (room made by other nodes is not announced); when it leaves, the next one
    takes over.
    """

    __slots__ = ("_line", "clock")

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._line: deque[asyncio.Event] = deque()
        self.clock = clock

    @property
    def waiting(self) -> int:
        return len(self._line)

    def freed(self, count: int = 1) -> None:
        """``count`` messages left the store: wake as many waiting puts, oldest first."""
        for turn in list(self._line)[:count]:
            turn.set()

    async def wait_for_room(
        self, try_put: Callable[[], Awaitable[StoreUsage | None]], full: StoreUsage, until: float
    ) -> StoreUsage | None:
        """Try ``try_put`` again each time this put is woken, until it is stored (None) or ``until``
        (the usage that left no room)."""
        turn = asyncio.Event()
        self._line.append(turn)
        usage: StoreUsage | None = full
        try:
            while usage is not None and (left := until - self.clock()) > 0:
                first = self._line[0] is turn
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(min(left, _RECHECK) if first else left):
                        await turn.wait()
                turn.clear()
                usage = await try_put()
        finally:
            self._line.remove(turn)
            if self._line:
                self._line[0].set()  # the next in line looks (there may be room) and takes over the looks
        return usage


async def put_within_bounds(
    name: str,
    bounds: StoreBounds,
    room: Room,
    try_put: Callable[[], Awaitable[StoreUsage | None]],
) -> None:
    """Store with ``try_put`` (None: stored or ignored; a usage: no room for it) under ``bounds``' policy:
    refuse at once, or wait in line for room; StoreFullError when the message was not stored."""
    usage = await try_put()
    if usage is not None and bounds.when_full == "wait":
        usage = await room.wait_for_room(try_put, usage, room.clock() + bounds.full_wait)
    if usage is not None:
        raise StoreFullError(name, bounds, usage)


class UsageGauge:
    """The usage of a shared store as this instance sees it: counted by the server (``count``) at most
    every ``fresh`` seconds, plus this instance's puts and removals since. A put is checked and counted
    without a round trip while the count is fresh; before refusing, the count is taken again (at most
    every ``_RECHECK`` seconds), so a store that was drained by other nodes takes puts again soon.

    Several nodes putting at once may go over the bound by what they store within ``fresh`` seconds.
    """

    __slots__ = ("_clock", "_count", "_counted_at", "_fresh", "_usage")

    def __init__(
        self,
        count: Callable[[], Awaitable[StoreUsage]],
        *,
        fresh: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._count = count
        self._fresh = fresh
        self._clock = clock
        self._usage: StoreUsage | None = None
        self._counted_at = float("-inf")

    async def reserve(self, bounds: StoreBounds, size: int) -> StoreUsage | None:
        """Count a put of ``size`` bytes in (None), or the usage that leaves no room for it."""
        age = self._clock() - self._counted_at
        if self._usage is None or age >= self._fresh:
            await self.recount()
        usage = self._usage
        assert usage is not None
        if bounds.refuses(usage.messages, usage.bytes, size) and age >= _RECHECK:
            await self.recount()
            usage = self._usage
            assert usage is not None
        if bounds.refuses(usage.messages, usage.bytes, size):
            return usage
        self._usage = StoreUsage(usage.messages + 1, None if usage.bytes is None else usage.bytes + size)
        return None

    def unreserve(self, size: int) -> None:
        """A reserved put did not store its message (it failed, or the id was there already)."""
        self.removed(1, size)

    def removed(self, count: int = 1, size: int | None = None) -> None:
        """``count`` messages (of ``size`` bytes, when known) left the store through this instance."""
        usage = self._usage
        if usage is None:
            return
        if size is None and usage.bytes is not None:
            self._counted_at = float("-inf")  # their bytes are unknown: count again on the next put
        size_left = None if usage.bytes is None or size is None else max(0, usage.bytes - size)
        self._usage = StoreUsage(
            max(0, usage.messages - count), size_left if size is not None else usage.bytes
        )

    def forget(self) -> None:
        """The store changed beyond counting (purged): count again on the next put."""
        self._usage = None

    async def recount(self) -> StoreUsage:
        self._usage = await self._count()
        self._counted_at = self._clock()
        return self._usage
