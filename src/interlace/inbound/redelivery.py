"""Bounded redelivery: how often an inbound message is tried, how long to wait between attempts, and
where it goes after its last attempt.

A message whose flow failed is handed back to its source for another delivery after a backoff, until
``max_attempts`` deliveries failed; then it is dead-lettered: into the source's own dead-letter place
when its delivery offers one (:class:`~interlace.sdk.DeadLettering`), otherwise into a message store of
the project (:class:`StoreDeadLetters`), body and headers kept and the reason added; only then is it
acknowledged. Attempts are the source's delivery count when it gives one, otherwise counted here per
message key (:class:`AttemptCounter`), in a file of the project's state folder, so that a restart does
not reset them.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import orjson

from interlace.sdk import DEAD_LETTER_REASON, TriggerEvent
from interlace.services import Backoff, write_state_file
from interlace.stores import MessageStore, StoredMessage

__all__ = ["AttemptCounter", "DeadLetters", "Redelivery", "StoreDeadLetters"]

_log = logging.getLogger("interlace.inbound")

_REMEMBERED = 10_000
"""Messages whose failures are counted here at once, at most (the oldest are forgotten first)."""


@dataclass(frozen=True, slots=True)
class Redelivery:
    """At most ``max_attempts`` deliveries per message, ``backoff`` between them."""

    max_attempts: int = 5
    backoff: Backoff = field(default_factory=lambda: Backoff(initial=1.0, factor=2.0, maximum=30.0))


class DeadLetters(Protocol):
    """Where an inbound endpoint puts messages whose attempts ran out, when their source has no
    dead-letter place of its own. ``keep`` raises when the message could not be kept (it is then handed
    back to its source)."""

    @property
    def name(self) -> str: ...

    async def keep(self, event: TriggerEvent, reason: str, attempts: int, origin: str) -> None: ...


class StoreDeadLetters:
    """Dead letters kept in a message store (opened by the runtime with the project's stores)."""

    __slots__ = ("store",)

    def __init__(self, store: MessageStore) -> None:
        self.store = store

    @property
    def name(self) -> str:
        return self.store.name

    async def keep(self, event: TriggerEvent, reason: str, attempts: int, origin: str) -> None:
        headers = (*event.headers.items(), (DEAD_LETTER_REASON, reason))
        await self.store.put(
            StoredMessage(
                id=uuid.uuid4().hex,
                payload=event.payload.raw,
                content_type=event.payload.content_type,
                headers=tuple(headers),
                properties=dict(event.attributes),
                created=time.time(),
                attempts=attempts,
                last_error=reason,
                origin=origin,
            )
        )


class AttemptCounter:
    """Failed deliveries per message key, for sources that do not count deliveries; bounded, the
    oldest forgotten first. With a ``path`` the counts are kept in that file of the state folder (read
    on first use, written whenever a count changes), so a restart does not give a poison message its
    attempts again. One event loop: no lock but the one ordering the writes."""

    __slots__ = ("_failures", "_loaded", "_path", "_writing")

    def __init__(self, path: Path | None = None) -> None:
        self._failures: OrderedDict[str, int] = OrderedDict()
        self._path = path
        self._loaded = path is None
        self._writing = asyncio.Lock()

    @staticmethod
    def key_of(event: TriggerEvent) -> str:
        """The event's key, or a digest of its body and headers."""
        if event.key is not None:
            return event.key
        digest = hashlib.blake2b(event.payload.raw, digest_size=16)
        for name, value in sorted(event.headers.items()):
            digest.update(f"\0{name}\0{value}".encode())
        return digest.hexdigest()

    async def failed(self, key: str) -> int:
        """Record a failed delivery of ``key``; how many failed so far."""
        await self._load()
        count = self._failures.pop(key, 0) + 1
        self._failures[key] = count
        if len(self._failures) > _REMEMBERED:
            self._failures.popitem(last=False)
        await self._save()
        return count

    async def forget(self, key: str) -> None:
        """``key`` is done with (delivered or dead-lettered)."""
        await self._load()
        if self._failures.pop(key, None) is not None:
            await self._save()

    async def _load(self) -> None:
        if self._loaded or self._path is None:
            return
        self._loaded = True
        try:
            data = orjson.loads(await asyncio.to_thread(self._path.read_bytes))
        except FileNotFoundError:
            return
        except (OSError, orjson.JSONDecodeError) as exc:
            _log.warning("attempt counts in %s cannot be read (%s); counting afresh", self._path, exc)
            return
        if isinstance(data, dict):
            for key, count in data.items():
                if isinstance(count, int) and count > 0:
                    self._failures[str(key)] = count

    async def _save(self) -> None:
        if self._path is None:
            return
        async with self._writing:
            text = orjson.dumps(dict(self._failures)).decode()
            await asyncio.to_thread(write_state_file, self._path, text)
