"""The IMAP session of a connection: one logged-in session, opened on first use and opened again after
the server closed it; operations take turns on it, each in the folder it selected.

The client library neither fails a command when the connection drops nor bounds every command in time,
so each command here races the session's loss and the connection's timeout.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import aioimaplib  # type: ignore[import-untyped]

from interlace.sdk import ConnectorError, FatalError, InvalidInput, RetryableError, Secret

from .config import Endpoint
from .imapwire import FetchItems, fetched, mailbox_name, quote, searched
from .tls import tls_failure

__all__ = ["ImapClient", "ImapRefused", "ImapSession", "ImapSettings"]


@dataclass(frozen=True, slots=True)
class ImapSettings:
    """What an IMAP session needs; ``connection`` names the connection in messages."""

    connection: str
    endpoint: Endpoint
    username: str | None
    password: Secret | None = field(repr=False)
    timeout: float
    tls: ssl.SSLContext = field(repr=False)

    @property
    def where(self) -> str:
        return f"the IMAP server {self.endpoint} of connection {self.connection}"


class ImapRefused(Exception):  # noqa: N818 -- a server's answer, not a failure of ours
    """The server answered a command with NO or BAD; ``text`` is its explanation."""

    def __init__(self, command: str, result: str, text: str) -> None:
        super().__init__(f"{command} answered {result} {text}".strip())
        self.command = command
        self.result = result
        self.text = text


class _SessionLostError(Exception):
    """The session is gone or out of step (closed, timed out): it must be opened again."""


@dataclass(frozen=True, slots=True)
class _Reply:
    lines: list[bytes]
    text: str


class ImapClient:
    """One live session. Each method sends one command and returns its data; a NO or BAD answer raises
    :class:`ImapRefused`. Used by one operation at a time (the session's lock)."""

    def __init__(self, settings: ImapSettings, imap: Any, lost: asyncio.Event) -> None:
        self._settings = settings
        self._imap = imap
        self._lost = lost

    @property
    def settings(self) -> ImapSettings:
        return self._settings

    def has(self, capability: str) -> bool:
        """Whether the server announced ``capability`` (``MOVE``, ``UIDPLUS``)."""
        return capability in self._imap.protocol.capabilities

    async def select(self, folder: str) -> None:
        await self._call("SELECT", lambda: self._imap.select(mailbox_name(folder)))

    async def search(self, criteria: Sequence[str], *, utf8: bool = False) -> list[int]:
        """The UIDs matching ``criteria`` (already encoded atoms and quoted strings)."""
        reply = await self._call(
            "UID SEARCH", lambda: self._imap.uid_search(*criteria, charset="UTF-8" if utf8 else None)
        )
        return searched(reply.lines)

    async def fetch(self, uids: Sequence[int], items: str) -> list[FetchItems]:
        reply = await self._call("UID FETCH", lambda: self._imap.uid("fetch", _uid_set(uids), items))
        return fetched(reply.lines)

    async def store(self, uid: int, change: str, flags: str) -> None:
        await self._call("UID STORE", lambda: self._imap.uid("store", str(uid), change, flags))

    async def move(self, uid: int, folder: str) -> tuple[list[bytes], str]:
        reply = await self._call("UID MOVE", lambda: self._imap.uid("move", str(uid), mailbox_name(folder)))
        return reply.lines, reply.text

    async def copy(self, uid: int, folder: str) -> tuple[list[bytes], str]:
        reply = await self._call("UID COPY", lambda: self._imap.uid("copy", str(uid), mailbox_name(folder)))
        return reply.lines, reply.text

    async def relocate(self, uid: int, folder: str) -> tuple[list[bytes], str]:
        """Move message ``uid`` to ``folder``: MOVE, or COPY, mark deleted and expunge where the server
        lacks MOVE. Returns the response data and text (for the new UID)."""
        if self.has("MOVE"):
            return await self.move(uid, folder)
        lines, text = await self.copy(uid, folder)
        await self.store(uid, "+FLAGS.SILENT", "(\\Deleted)")
        await self.expunge(uid)
        return lines, text

    async def expunge(self, uid: int) -> None:
        """Remove the message ``uid`` if marked deleted; without UIDPLUS, every message so marked."""
        if self.has("UIDPLUS"):
            await self._call("UID EXPUNGE", lambda: self._imap.uid("expunge", str(uid)))
        else:
            await self._call("EXPUNGE", lambda: self._imap.expunge())

    async def noop(self) -> None:
        await self._call("NOOP", lambda: self._imap.noop())

    async def _call(self, command: str, send: Callable[[], Awaitable[Any]]) -> _Reply:
        if self._lost.is_set():
            raise _SessionLostError("the server closed the session")
        reply = asyncio.ensure_future(send())
        lost = asyncio.ensure_future(self._lost.wait())
        try:
            done, _ = await asyncio.wait(
                {reply, lost}, timeout=self._settings.timeout, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            lost.cancel()
            if not reply.done():
                reply.cancel()
        if reply not in done:
            reason = "the server closed the session" if lost in done else "no answer in time"
            raise _SessionLostError(f"{command}: {reason}")
        try:
            response = reply.result()
        except ValueError as exc:  # a CR, LF or NUL in an argument, refused before sending
            raise InvalidInput(f"{command}: {exc}") from exc
        except (aioimaplib.AioImapException, OSError, TimeoutError) as exc:
            # The library's messages may repeat a command's arguments, so only the kind is shown.
            raise _SessionLostError(f"{command}: {type(exc).__name__}") from exc
        if response is None:  # the library's CAPABILITY keeps what it read and returns nothing
            return _Reply([], "")
        lines = [bytes(line) for line in response.lines]
        text = lines[-1].decode("utf-8", errors="replace") if lines else ""
        if response.result != "OK":
            raise ImapRefused(command, str(response.result), text)
        return _Reply(lines[:-1], text)

    async def _login(self) -> None:
        settings = self._settings
        if settings.username is None or settings.password is None:
            raise FatalError(f"{settings.where} asks for a login: set username and password")
        if self.has("LOGINDISABLED"):
            raise FatalError(f"{settings.where} refuses to log in over plain text: set imap-security")
        protocol = self._imap.protocol
        secret = quote(settings.password.reveal())
        # The library logs each command with the scrubbed text removed; quoting changes a password
        # holding a quote or backslash, so the command is sent here with the quoted text scrubbed.
        user = quote(settings.username)
        try:
            await self._call(
                "LOGIN",
                lambda: protocol.execute(
                    aioimaplib.Command("LOGIN", protocol.new_tag(), user, secret), scrub=secret
                ),
            )
        except ImapRefused as exc:
            raise FatalError(
                f"wrong username or password for connection {settings.connection}:"
                f" {settings.where} answered {exc.result} {exc.text}"
            ) from exc
        protocol.state = aioimaplib.AUTH
        await self._call("CAPABILITY", lambda: protocol.capability())

    async def _starttls(self) -> None:
        settings = self._settings
        if not self.has("STARTTLS"):
            raise FatalError(f"{settings.where} does not offer STARTTLS: set imap-security to tls or none")
        protocol = self._imap.protocol
        command = aioimaplib.Command("STARTTLS", protocol.new_tag())
        await self._call("STARTTLS", lambda: protocol.execute(command))
        loop = asyncio.get_running_loop()
        protocol.transport = await loop.start_tls(
            protocol.transport, protocol, settings.tls, server_hostname=settings.endpoint.host
        )
        # What the server said before TLS does not count (RFC 3501 6.2.1).
        await self._call("CAPABILITY", lambda: protocol.capability())

    def _abort(self) -> None:
        transport = self._imap.protocol.transport
        if transport is not None:
            transport.close()

    async def _logout(self) -> None:
        try:
            if not self._lost.is_set():
                await self._call("LOGOUT", lambda: self._imap.logout())
        except (_SessionLostError, ImapRefused, ConnectorError):
            pass
        finally:
            self._abort()


class ImapSession:
    """The IMAP session of one connection. :meth:`folder` hands an operation the session with its
    folder selected; operations take turns. A session found closed is opened again once; a session
    lost during an operation is dropped and the operation fails with ``RetryableError``."""

    def __init__(self, settings: ImapSettings) -> None:
        self._settings = settings
        self._client: ImapClient | None = None
        self._lock = asyncio.Lock()

    @asynccontextmanager
    async def folder(self, name: str) -> AsyncIterator[ImapClient]:
        """The session, logged in, with folder ``name`` selected (``InvalidInput`` if there is none)."""
        async with self._lock:
            client = await self._ready(lambda client: self._select(client, name))
            try:
                yield client
            except _SessionLostError as exc:
                self._drop()
                raise self._lost_error(exc) from exc
            except ImapRefused as exc:
                raise FatalError(
                    f"{self._settings.where} refused {exc.command} in folder {name!r}: {exc.text}"
                ) from exc

    async def noop(self) -> None:
        """Check the session with NOOP, opening it if needed."""
        async with self._lock:
            await self._ready(lambda client: client.noop())

    async def aclose(self) -> None:
        """Log out, if a session is open; never raises."""
        async with self._lock:
            client, self._client = self._client, None
            if client is not None:
                await client._logout()

    async def _ready(self, first: Callable[[ImapClient], Awaitable[None]]) -> ImapClient:
        """The session after ``first`` ran on it; a reused session found lost is opened again, once."""
        reused = self._client is not None
        for attempt in (1, 2):
            client = await self._open()
            try:
                await first(client)
                return client
            except _SessionLostError as exc:
                self._drop()
                if not reused or attempt == 2:
                    raise self._lost_error(exc) from exc
        raise AssertionError("unreachable")  # pragma: no cover

    async def _select(self, client: ImapClient, name: str) -> None:
        try:
            await client.select(name)
        except ImapRefused as exc:
            raise InvalidInput(
                f"folder {name!r} cannot be opened on {self._settings.where}: {exc.text}"
            ) from exc

    async def _open(self) -> ImapClient:
        if self._client is None:
            self._client = await _connect(self._settings)
        return self._client

    def _drop(self) -> None:
        # A lost or timed-out session is not logged out politely: it would only wait again.
        client, self._client = self._client, None
        if client is not None:
            client._abort()

    def _lost_error(self, exc: _SessionLostError) -> RetryableError:
        return RetryableError(f"the session with {self._settings.where} was lost ({exc}); try again")


async def _connect(settings: ImapSettings) -> ImapClient:
    lost = asyncio.Event()
    imap = aioimaplib.IMAP4(
        host=settings.endpoint.host,
        port=settings.endpoint.port,
        timeout=settings.timeout,
        conn_lost_cb=lambda _exc: lost.set(),
        ssl_context=settings.tls if settings.endpoint.security == "tls" else None,
    )
    client = ImapClient(settings, imap, lost)
    try:
        async with asyncio.timeout(settings.timeout):
            await imap.wait_hello_from_server()
        if settings.endpoint.security == "starttls":
            await client._starttls()
        if imap.protocol.state == aioimaplib.NONAUTH:
            await client._login()
    except ConnectorError:
        client._abort()
        raise
    except (aioimaplib.AioImapException, ImapRefused, _SessionLostError, OSError, TimeoutError) as exc:
        client._abort()
        raise _connect_failure(exc, settings) from exc
    except BaseException:
        client._abort()
        raise
    return client


def _connect_failure(exc: Exception, settings: ImapSettings) -> ConnectorError:
    where = settings.where
    tls_error = tls_failure(exc, where)
    if tls_error is not None:
        return tls_error
    if isinstance(exc, ImapRefused):
        return FatalError(f"{where} refused {exc.command}: {exc.text}")
    if isinstance(exc, TimeoutError):
        return RetryableError(f"{where} did not answer within {settings.timeout:g}s")
    if isinstance(exc, _SessionLostError):
        return RetryableError(f"{where} closed the session while logging in ({exc})")
    reason = getattr(exc, "strerror", None) or type(exc).__name__
    return RetryableError(f"cannot reach {where}: {reason}")


def _uid_set(uids: Sequence[int]) -> str:
    return ",".join(str(uid) for uid in uids)
