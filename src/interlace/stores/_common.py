"""What the store kinds share: error wording, safe encoding, owner tokens and lease renewal."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import orjson

from interlace.stores.message import StoredMessage, StoreError, encode_message

__all__ = [
    "LeaseRenewal",
    "closed_error",
    "encode_for",
    "new_owner",
    "owner_is_gone",
    "safe_url",
    "store_error",
]

_log = logging.getLogger("interlace.stores")


def safe_url(url: str) -> str:
    """``url`` without its password, fit for an error message or a log line."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    user = f"{parts.username}:***@" if parts.username else "***@"
    return urlunsplit((parts.scheme, f"{user}{host}", parts.path, "", ""))


def store_error(name: str, where: str, action: str, exc: BaseException) -> StoreError:
    """``message store NAME (WHERE) could not ACTION: CAUSE`` (the caller raises it ``from exc``); a
    client is told ``message store NAME could not ACTION`` only: where the store is, and its server's
    words, are for the log."""
    cause = str(exc) or type(exc).__name__
    if isinstance(exc, TimeoutError) and not str(exc):
        cause = "no answer in time"
    return StoreError(
        f"message store {name} ({where}) could not {action}: {cause}",
        public=f"message store {name} could not {action}",
    )


def closed_error(name: str) -> StoreError:
    return StoreError(f"message store {name} is not open (open it first, or it was closed)")


def encode_for(name: str, message: StoredMessage) -> bytes:
    """The message's encoding; a message that cannot be stored (variables that are not JSON values)
    is a StoreError naming the store."""
    try:
        return encode_message(message)
    except (TypeError, orjson.JSONEncodeError) as exc:
        raise StoreError(
            f"message store {name} cannot store message {message.id}: variables and properties must be "
            f"JSON values ({exc})"
        ) from exc


def new_owner() -> str:
    """A token naming one store instance: host, process id, process start and a random part, so a claim
    shows whose it is and a store on the same host can tell that its owner process is gone."""
    pid = os.getpid()
    return f"{socket.gethostname()}:{pid}:{_process_start(pid) or '-'}:{uuid.uuid4().hex[:12]}"


def owner_is_gone(owner: str) -> bool:
    """True only when ``owner`` (a :func:`new_owner` token) names a process of this host that is no longer
    running: a reused process id is told apart by its start time. Owners on other hosts, and any doubt,
    count as alive (their claims then return when their lease runs out)."""
    host, _, rest = owner.partition(":")
    pid_text, _, rest = rest.partition(":")
    start, _, _ = rest.partition(":")
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    current = _process_start(pid)
    if current is not None and start != "-":
        return current != start
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False


def _process_start(pid: int) -> str | None:
    # Field 22 of /proc/PID/stat: the start time in clock ticks since boot (Linux only); the command
    # name (field 2) may hold spaces and parentheses, so count from the last ')'.
    try:
        fields = Path(f"/proc/{pid}/stat").read_bytes().rsplit(b")", 1)[1].split()
        return fields[19].decode("ascii")
    except (OSError, IndexError, UnicodeDecodeError):
        return None


class LeaseRenewal:
    """Calls ``renew`` every ``interval`` seconds until stopped, so the claims of a live consumer never
    expire; a failing renewal is logged and tried again (the lease covers a few missed ones)."""

    def __init__(self, name: str, interval: float, renew: Callable[[], Awaitable[None]]) -> None:
        self._name = name
        self._interval = interval
        self._renew = renew
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()

    def start(self) -> None:
        if self._task is None:
            self._stopping = asyncio.Event()
            self._task = asyncio.get_running_loop().create_task(
                self._run(self._stopping), name=f"lease:{self._name}"
            )

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            # The event ends the loop even when a client library swallows the cancellation of a
            # renewal in flight (the cancellation only cuts that renewal short).
            self._stopping.set()
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self, stopping: asyncio.Event) -> None:
        while not stopping.is_set():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._interval):
                    await stopping.wait()
            if stopping.is_set():
                return
            try:
                await self._renew()
            except Exception as exc:
                _log.warning("message store %s could not renew its claims: %s", self._name, exc)
