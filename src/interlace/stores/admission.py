"""Admission: how many requests the gate of a refusing store lets run their flow while it is (nearly) full.

A resource that always stores into a store with ``when-full: refuse`` starts with a gate
(:class:`~interlace.mediators.store.FullStoreGate`). Until a put into the store is refused, the gate lets
every request through. From then on it meters them: a count of the store (taken when the requests it
allowed are used up, ``recheck`` seconds after the last count) allows as many requests as the store has
room for; a request that finds none allowed waits for the next count and is refused (503) if that shows
no room for it, before its flow calls back-ends.

Why meter rather than open the gate whenever there is room: a store at its bound gets room one message
at a time, as its processor acknowledges them. A gate that opened on any room let every waiting client
through to run its whole flow (calls to back-ends included), for one of them to be stored and the rest
to be refused at the store; with clients that resend at once after a 503, those refused flows took the
event loop from the processor that makes the room, and it slowed to a fraction of its pace. Metered,
a flow runs only when its message can be stored; and since a refusal waits for the next count, a client
that sends again at once is answered about ten times a second, not as fast as the loop can refuse.

Refusals leave in turns, and yield to a busy loop. A count wakes every request waiting for it at once,
and the clients answered send again at once: a few hundred refusals at each count, then as many new
requests, each burst holding the loop for tens of milliseconds while the processor's next step (an
answer from its back-end, a commit) waited behind it. So the requests a count refuses are answered one
every ``spacing`` seconds (at most ``REFUSALS_PER_SECOND`` a second per store, in arrival order): few
clients are still answered within the count, many wait their turn (50 clients: up to a second), and
the refusals and the new requests they bring come evenly rather than in bursts. A turn that comes late
(its timer fired more than ``spacing`` after it was due: the loop was busy with other work, or the
process short of CPU) is given up for a later one, so that refusals take what the processor and the
flows leave of the loop rather than a share of their own; but no refusal is held more than
``most_held`` seconds (a refused client hears within about a second, whatever the load).

A count allows the room it shows less the flows the gate let through that are still running: each of
them may yet store its message, and a busy machine runs a flow for longer than the time between two
counts. Without that, every count let through again the room the running flows were about to take, and
those flows were refused at the store after calling their back-ends. A flow that ends without reaching
the store gives its place back when it ends (:meth:`Admission.finished`); one that stored is counted
twice until then (in the store and as running), which errs towards refusing, for milliseconds.

One event loop, no lock.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Final

from interlace.stores.bounds import StoreBounds, StoreUsage

__all__ = ["MOST_HELD", "REFUSALS_PER_SECOND", "Admission", "room_for"]

RECHECK: Final = 0.1
"""Seconds between two counts while the gate refuses (a count shows room made since)."""
REFUSALS_PER_SECOND: Final = 50
"""The most requests a store's gate refuses a second while the loop has time to spare. Measured with 64
clients resending at once: 360 refusals a second (unpaced) left the processor 43% of its pace, about
110 a second (200 allowed) 50 to 58%, about 60 a second (50 allowed, the rest held up to ``MOST_HELD``)
73%."""
MOST_HELD: Final = 1.0
"""The longest a refused request waits for its turn, in seconds."""


def room_for(bounds: StoreBounds, usage: StoreUsage) -> int:
    """How many messages (of the store's average size, where it counts bytes) fit in the store now."""
    free = bounds.max_messages - usage.messages
    if bounds.max_bytes is not None and usage.bytes is not None and usage.messages > 0:
        average = max(1, usage.bytes // usage.messages)
        free = min(free, (bounds.max_bytes - usage.bytes) // average)
    return max(0, free)


class Admission:
    """The gate's state for one store (see the module docstring)."""

    __slots__ = (
        "_allowed", "_checked", "_clock", "_counting", "_full", "_next_refusal", "_running", "_sleep",
        "most_held", "recheck", "spacing",
    )  # fmt: skip

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        recheck: float = RECHECK,
        spacing: float = 1 / REFUSALS_PER_SECOND,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        most_held: float = MOST_HELD,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self.recheck = recheck
        self.spacing = spacing
        self.most_held = most_held
        self._next_refusal = float("-inf")  # when the next refusal may leave
        self._allowed: int | None = None  # None: not metering (no put was refused yet)
        self._full = StoreUsage(0, None)  # the usage that left no room, for the refusal
        self._checked = float("-inf")
        self._counting: asyncio.Event | None = None  # set when the count under way is done
        self._running = 0  # flows let through that have not finished

    @property
    def last_full(self) -> StoreUsage:
        """The usage of the store when it was last found full."""
        return self._full

    def refused(self, usage: StoreUsage) -> None:
        """A put found the store full (its ``usage``): let no more through until a count shows room."""
        self._allowed = 0
        self._full = usage
        self._checked = self._clock()

    async def admit(
        self, bounds: StoreBounds, count: Callable[[], Awaitable[StoreUsage]]
    ) -> StoreUsage | None:
        """None: let this request through; else the usage to refuse it with.

        While metering, a request that finds nothing allowed waits for the next count (taken ``recheck``
        seconds after the last one, by the first such request, for all of them) and is let through if
        that count shows room left for it; else it is refused in its turn (one every ``spacing``
        seconds). ``count`` may raise; the request counting then gets the error, the others are
        refused. A request let through calls :meth:`finished` when its flow ends."""
        if self._allowed is None:
            self._running += 1
            return None
        if self._allowed == 0:
            await self._next_count(bounds, count)
        if self._allowed > 0:
            self._allowed -= 1
            self._running += 1
            return None
        await self._turn_to_refuse()
        return self._full

    def finished(self) -> None:
        """The flow of a request :meth:`admit` let through has ended (it stored its message or not)."""
        self._running = max(0, self._running - 1)

    async def _turn_to_refuse(self) -> None:
        """Wait until this refusal may leave: ``spacing`` seconds after the one before it, on a loop that
        kept time (else at a turn ``spacing`` after the late one), and at most ``most_held`` seconds from
        now."""
        earliest = self._clock()
        latest = earliest + self.most_held
        while True:
            now = self._clock()
            due = max(earliest, self._next_refusal)
            if due >= latest:
                if latest > now:
                    await self._sleep(latest - now)
                return
            self._next_refusal = due + self.spacing
            if due > now:
                await self._sleep(due - now)
            now = self._clock()
            if now - due <= self.spacing:
                return
            earliest = now + self.spacing

    async def _next_count(self, bounds: StoreBounds, count: Callable[[], Awaitable[StoreUsage]]) -> None:
        if self._counting is not None:
            await self._counting.wait()
            return
        self._counting = done = asyncio.Event()
        try:
            pause = self._checked + self.recheck - self._clock()
            if pause > 0:
                await self._sleep(pause)
            self._checked = self._clock()
            usage = await count()
            free = max(0, room_for(bounds, usage) - self._running)
            self._allowed = free
            if free == 0:
                self._full = usage
        finally:
            self._counting = None
            done.set()
