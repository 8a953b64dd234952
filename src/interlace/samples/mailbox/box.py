"""The development mailbox's contents: every message received over SMTP or the Gmail API, in memory.

One ``Mailbox`` per running service, used from its event loop only (the SMTP server and the HTTP
application share the loop), so no locking is needed around the list itself. With a *store* path,
each received message is also appended, as one JSON line, to that file: a record that outlives the
process (it is written, never read back, and clearing the mailbox does not truncate it).
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import secrets
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path

import orjson

from interlace.samples.mailbox.mail import MailSource, ReceivedMail, parse_mail

__all__ = ["Mailbox", "utc_now"]


def utc_now() -> datetime:
    """The default clock: the current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class Mailbox:
    """The received messages of one account (*address*), oldest first inside, newest first outside.

    Ids are 16 hex digits like Gmail's; a message that starts a thread has its own id as thread id.
    ``history_id`` grows by one with every change (a message received or trashed), like a Gmail
    mailbox's history record id.
    """

    def __init__(
        self,
        *,
        address: str,
        clock: Callable[[], datetime] = utc_now,
        store: Path | None = None,
    ) -> None:
        self.address = address
        self._clock = clock
        self._store = store
        self._messages: dict[str, ReceivedMail] = {}
        self._history_id = 1
        self._write_lock = asyncio.Lock()
        self._arrived = asyncio.Condition()

    def now(self) -> datetime:
        """The mailbox's clock (received times, token expiry and added ``Date`` headers read it)."""
        return self._clock()

    @property
    def history_id(self) -> int:
        return self._history_id

    @property
    def messages(self) -> list[ReceivedMail]:
        """All messages, trashed ones included, newest first."""
        return list(reversed(self._messages.values()))

    @property
    def threads_total(self) -> int:
        return len({message.thread_id for message in self._messages.values()})

    def find(self, message_id: str) -> ReceivedMail | None:
        return self._messages.get(message_id)

    async def receive(
        self,
        raw: bytes,
        *,
        source: MailSource,
        labels: Iterable[str],
        thread_id: str | None = None,
        envelope_from: str | None = None,
        envelope_to: Iterable[str] = (),
    ) -> ReceivedMail:
        """Keep *raw* as a new message and return it; *thread_id* joins an existing thread if it exists."""
        message_id = self._new_id()
        if thread_id is None or not any(m.thread_id == thread_id for m in self._messages.values()):
            thread_id = message_id
        self._history_id += 1
        message = parse_mail(
            raw,
            message_id=message_id,
            thread_id=thread_id,
            received_at=self.now(),
            source=source,
            labels=labels,
            history_id=self._history_id,
            envelope_from=envelope_from,
            envelope_to=envelope_to,
        )
        self._messages[message_id] = message
        if self._store is not None:
            await self._append(message)
        async with self._arrived:
            self._arrived.notify_all()
        return message

    async def wait_for(self, count: int) -> list[ReceivedMail]:
        """Wait until at least *count* messages are kept, then return them all (newest first).

        It waits for ever: callers bound it with ``asyncio.timeout``.
        """
        async with self._arrived:
            await self._arrived.wait_for(lambda: len(self._messages) >= count)
        return self.messages

    def trash(self, message_id: str) -> ReceivedMail | None:
        """Move a message to the trash (label ``TRASH``, without ``INBOX``); ``None`` if there is none."""
        message = self._messages.get(message_id)
        if message is None:
            return None
        labels = [label for label in message.labels if label not in ("INBOX", "TRASH")]
        self._history_id += 1
        trashed = dataclasses.replace(message, labels=(*labels, "TRASH"), history_id=self._history_id)
        self._messages[message_id] = trashed
        return trashed

    def clear(self) -> int:
        """Forget every message; return how many there were."""
        count = len(self._messages)
        self._messages.clear()
        self._history_id += 1
        return count

    def _new_id(self) -> str:
        while True:
            candidate = secrets.token_hex(8)
            if candidate not in self._messages:
                return candidate

    async def _append(self, message: ReceivedMail) -> None:
        assert self._store is not None
        line = orjson.dumps(message.to_json(include_raw=True)) + b"\n"
        async with self._write_lock:
            await asyncio.to_thread(_append_line, self._store, line)


def _append_line(path: Path, line: bytes) -> None:
    # Received mail is private: the file is created readable by its owner only.
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600), "ab") as file:
        file.write(line)
