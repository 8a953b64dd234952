"""The MessageStore seam: a durable, ordered queue of messages with leases.

Contract for every store kind (memory, sqlite, postgres, rabbitmq, redis, ...):

- ``put(message)`` returns only when the message is as durable as the store promises (sqlite: on disk
  per its ``synchronous`` setting; postgres: committed; rabbitmq: confirmed by the broker; redis: acknowledged
  by the server). On failure it raises :class:`StoreError` and the message is NOT stored: the store
  mediator then fails the flow (or uses its failover store), so nothing is lost silently.
- ``fetch(limit)`` claims up to ``limit`` of the oldest unclaimed messages, oldest first. A claimed
  message is not returned by another ``fetch`` (of this or another node) until it is acknowledged
  (``ack``: gone for good) or given back (``release``: back at its place in the queue, with its updated
  attempts and last error). If the consumer dies, its claims return to the queue (a lease that expires,
  a broker channel that closes, a process that restarts). This gives at-least-once delivery.
- ``put`` keeps the store within its ``bounds`` (:mod:`interlace.stores.bounds`): a message that would
  take it over ``max_messages`` or ``max_bytes`` is not stored, and ``put`` raises
  :class:`~interlace.stores.bounds.StoreFullError` (503, with ``Retry-After``), at once or after waiting
  for room, as the bounds say. A put of an id the store holds is ignored, full or not.
- ``size``, ``usage``, ``browse``, ``get``, ``delete`` and ``purge`` serve operators; ``browse``, ``size``
  and ``usage`` include claimed messages.
- Every method is safe to call concurrently from tasks of one event loop. ``open`` before use, ``aclose``
  when done (idempotent). Calls after ``aclose`` raise StoreError.
"""

from __future__ import annotations

from typing import Protocol

from interlace.stores.bounds import StoreBounds, StoreUsage
from interlace.stores.message import StoredMessage

__all__ = ["MessageStore"]


class MessageStore(Protocol):
    """A durable, ordered queue of messages (see the module docstring for the contract)."""

    @property
    def name(self) -> str: ...

    @property
    def kind(self) -> str:
        """The store's kind (``memory``, ``sqlite``, ...), as its definition names it."""
        ...

    @property
    def bounds(self) -> StoreBounds: ...

    async def open(self) -> None: ...

    async def aclose(self) -> None: ...

    async def put(self, message: StoredMessage) -> None: ...

    async def fetch(self, limit: int = 1) -> list[StoredMessage]: ...

    async def ack(self, message_id: str) -> None: ...

    async def release(self, message: StoredMessage) -> None: ...

    async def size(self) -> int: ...

    async def usage(self) -> StoreUsage: ...

    async def browse(self, offset: int = 0, limit: int = 50) -> list[StoredMessage]: ...

    async def get(self, message_id: str) -> StoredMessage | None: ...

    async def delete(self, message_id: str) -> bool: ...

    async def purge(self) -> int: ...
