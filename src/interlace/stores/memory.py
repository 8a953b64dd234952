"""The memory store: a message store in this process only. Fast, and lost on exit: for tests and for
messages that may be lost (say so where you use it)."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Final

from interlace.stores._common import encode_for
from interlace.stores.bounds import Room, StoreBounds, StoreUsage, put_within_bounds
from interlace.stores.message import StoredMessage, StoreError, decode_message

__all__ = ["MemoryStore"]


class MemoryStore:
    """Messages in insertion order; claims are a set of ids (a restart loses everything anyway).

    A put of an id the store holds is ignored; with ``dedupe_window`` (seconds), so is a put of an id
    stored within the window, even if that message is gone since. Bytes are counted as encoded.
    """

    kind: Final = "memory"

    def __init__(
        self,
        name: str,
        *,
        dedupe_window: float | None = None,
        bounds: StoreBounds | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._name = name
        self._bounds = bounds or StoreBounds()
        self._room = Room()
        self._messages: OrderedDict[str, StoredMessage] = OrderedDict()
        self._sizes: dict[str, int] = {}
        self._bytes = 0
        self._claimed: set[str] = set()
        self._closed = False
        self._dedupe_window = dedupe_window
        self._clock = clock
        self._seen: OrderedDict[str, float] = OrderedDict()  # id -> when stored, oldest first

    @property
    def name(self) -> str:
        return self._name

    @property
    def bounds(self) -> StoreBounds:
        return self._bounds

    def _check_open(self) -> None:
        if self._closed:
            raise StoreError(f"message store {self._name} is closed")

    async def open(self) -> None:
        self._closed = False

    async def aclose(self) -> None:
        self._closed = True

    async def put(self, message: StoredMessage) -> None:
        self._check_open()
        # Kept as a copy through the shared encoding: what another kind would refuse, this refuses too,
        # and a caller changing its variables afterwards does not change the stored message.
        encoded = encode_for(self._name, message)
        stored = decode_message(encoded)

        async def try_put() -> StoreUsage | None:
            self._check_open()
            if message.id in self._messages:
                return None
            usage = StoreUsage(len(self._messages), self._bytes)
            if self._bounds.refuses(usage.messages, usage.bytes, len(encoded)):
                return usage
            if self._seen_recently(message.id):
                return None
            self._messages[message.id] = stored
            self._sizes[message.id] = len(encoded)
            self._bytes += len(encoded)
            return None

        await put_within_bounds(self._name, self._bounds, self._room, try_put)

    def _remove(self, message_id: str) -> bool:
        self._claimed.discard(message_id)
        if self._messages.pop(message_id, None) is None:
            return False
        self._bytes -= self._sizes.pop(message_id, 0)
        self._room.freed()
        return True

    def _seen_recently(self, message_id: str) -> bool:
        if self._dedupe_window is None:
            return False
        now = self._clock()
        while self._seen:
            oldest_id, stored = next(iter(self._seen.items()))
            if now - stored < self._dedupe_window:
                break
            del self._seen[oldest_id]
        if message_id in self._seen:
            return True
        self._seen[message_id] = now
        return False

    async def fetch(self, limit: int = 1) -> list[StoredMessage]:
        self._check_open()
        claimed: list[StoredMessage] = []
        for message_id, message in self._messages.items():
            if len(claimed) >= limit:
                break
            if message_id not in self._claimed:
                self._claimed.add(message_id)
                claimed.append(message)
        return claimed

    async def ack(self, message_id: str) -> None:
        self._check_open()
        self._remove(message_id)

    async def release(self, message: StoredMessage) -> None:
        self._check_open()
        self._claimed.discard(message.id)
        if message.id in self._messages:
            self._messages[message.id] = message  # same key: keeps its place in the order

    async def size(self) -> int:
        self._check_open()
        return len(self._messages)

    async def usage(self) -> StoreUsage:
        self._check_open()
        return StoreUsage(len(self._messages), self._bytes)

    async def browse(self, offset: int = 0, limit: int = 50) -> list[StoredMessage]:
        self._check_open()
        return list(self._messages.values())[offset : offset + limit]

    async def get(self, message_id: str) -> StoredMessage | None:
        self._check_open()
        return self._messages.get(message_id)

    async def delete(self, message_id: str) -> bool:
        self._check_open()
        return self._remove(message_id)

    async def purge(self) -> int:
        self._check_open()
        count = len(self._messages)
        self._messages.clear()
        self._claimed.clear()
        self._sizes.clear()
        self._bytes = 0
        self._room.freed(self._room.waiting)
        return count
