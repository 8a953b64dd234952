"""Claims taken ahead and acknowledgements under way: how a forwarding processor keeps its store's round
trips off the path of its deliveries.

Claiming and acknowledging are each a round trip to the store, and for a durable store a commit (a disk
sync, for sqlite with ``synchronous: full``). A processor that waited for each before its next delivery
would spend most of its time waiting on the disk. Instead it claims its next messages while it delivers
the ones it holds (:class:`ClaimQueue`), and acknowledges a delivered message while it delivers the next
(:class:`Acknowledgements`); a store that groups its commits (sqlite) serves the claim, the
acknowledgements and the puts that meet in it with one disk sync.

Nothing is given up for it: a message is acknowledged only after its delivery succeeded, and a claimed
message that was not delivered goes back to the store, in its place, when the processor stops, when a
delivery fails in an in-order processor, or when the processor is cancelled. A crash before an
acknowledgement is durable delivers that message again (at-least-once, as always); an in-order
processor then delivers again, in their order, the messages it delivered since its last durable
acknowledgement.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable

from interlace.stores import MessageStore, StoredMessage

__all__ = ["Acknowledgements", "ClaimQueue"]


class ClaimQueue:
    """The messages claimed from ``store`` and not yet taken, oldest first, shared by a processor's
    workers (one event loop: no lock).

    ``take`` hands out the oldest one; when ``ahead`` or fewer are left it claims up to ``batch`` more in
    the background, so the claim overlaps the deliveries of those left. One claim is under way at a
    time. A claim that fails is raised by the next ``take``, and the messages held stay held.
    """

    __slots__ = ("_ahead", "_batch", "_claiming", "_error", "_held", "_store")

    def __init__(self, store: MessageStore, *, batch: int, ahead: int) -> None:
        self._store = store
        self._batch = batch
        self._ahead = ahead
        self._held: deque[StoredMessage] = deque()
        self._claiming: asyncio.Task[None] | None = None
        self._error: Exception | None = None

    @property
    def held(self) -> int:
        """How many claimed messages wait to be taken."""
        return len(self._held)

    async def take(self) -> StoredMessage | None:
        """The oldest claimed message, claiming when none is held; None when the store had none to give.
        Raises what the store raised when a claim failed (a :class:`~interlace.stores.StoreError`)."""
        if not self._held and self._error is None:
            # Shielded: a worker cancelled while it waits leaves the claim to the others.
            await asyncio.shield(self._claim_ahead())
        if self._error is not None:
            error, self._error = self._error, None
            raise error
        if not self._held:
            return None
        message = self._held.popleft()
        if len(self._held) <= self._ahead:
            self._claim_ahead()
        return message

    async def give_back(self, release: Callable[[StoredMessage], Awaitable[None]]) -> None:
        """Wait for the claim under way, then ``release`` every message held, oldest first (so each goes
        back to its place and is the next to be claimed)."""
        if self._claiming is not None:
            await asyncio.wait([self._claiming])  # whatever its end: a failed claim claimed nothing
        self._error = None
        while self._held:
            await release(self._held.popleft())

    def cancel(self) -> None:
        """Stop the claim under way (the processor is cancelled): what it claimed comes back when the
        store closes or its lease runs out; the messages held are still given back by ``give_back``."""
        if self._claiming is not None:
            self._claiming.cancel()

    def _claim_ahead(self) -> asyncio.Task[None]:
        if self._claiming is None:
            self._claiming = asyncio.get_running_loop().create_task(self._claim())
        return self._claiming

    async def _claim(self) -> None:
        try:
            self._held.extend(await self._store.fetch(self._batch))
        except Exception as exc:
            self._error = exc
        finally:
            self._claiming = None


class Acknowledgements:
    """Acknowledgements under way: ``start`` begins one and returns at once, unless ``limit`` are under
    way already (then it waits for the oldest, so a slow store slows the deliveries rather than piling
    up work); ``finish`` waits for all of them. ``acknowledge`` settles one message and never raises."""

    __slots__ = ("_acknowledge", "_limit", "_under_way")

    def __init__(self, acknowledge: Callable[[StoredMessage], Awaitable[None]], *, limit: int) -> None:
        self._acknowledge = acknowledge
        self._limit = limit
        self._under_way: deque[asyncio.Future[None]] = deque()

    async def start(self, message: StoredMessage) -> None:
        while self._under_way and self._under_way[0].done():
            self._under_way.popleft()
        if len(self._under_way) >= self._limit:
            await asyncio.shield(self._under_way.popleft())
        self._under_way.append(asyncio.ensure_future(self._acknowledge(message)))

    async def finish(self) -> None:
        while self._under_way:
            await asyncio.shield(self._under_way.popleft())
