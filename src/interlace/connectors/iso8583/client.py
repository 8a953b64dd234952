"""The TCP client of the ``send`` operation: one socket to the peer, shared by the requests in flight,
each response matched to its request by the system trace audit number (STAN, field 11).

Requests are written whole, one frame each, in the order they are sent; responses may come in any
order. A reader task (owned by the client and cancelled by :meth:`Iso8583Client.aclose`) reads the
frames and hands each response to the request with its STAN. What can go wrong, and who is told:

- the socket cannot be opened, or the peer closes it (between frames or inside one): every request in
  flight on it fails with :class:`~interlace.sdk.RetryableError`, and the next request opens a new one;
- a frame header that is not a possible length (the framing settings do not match the peer's): every
  request in flight fails with :class:`~interlace.sdk.FatalError` and the socket is closed;
- a response that cannot be unpacked: the request in flight fails with :class:`~interlace.sdk.FatalError`
  naming the field, or, with several in flight (whose it was is unknown), it is logged and dropped and
  its request times out;
- a response whose STAN matches no request in flight (it came after its request timed out): logged and
  dropped;
- no response within the timeout: :class:`~interlace.sdk.RetryableError`. The peer may still have
  carried the request out: ISO 8583 peers expect a reversal rather than a second request.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from interlace.connectors.iso8583.codec import CodecError, Unpacked
from interlace.connectors.iso8583.framing import FrameError, Framing
from interlace.sdk import ConnectorError, FatalError, InvalidInput, RetryableError

__all__ = ["Iso8583Client"]

_log = logging.getLogger(__name__)


@dataclass(eq=False, slots=True)
class _Link:
    """One open socket and the requests in flight on it, by STAN."""

    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    pending: dict[str, asyncio.Future[Unpacked]] = field(default_factory=dict)
    task: asyncio.Task[None] | None = None
    closed: bool = False


class Iso8583Client:
    """Requests and responses over one TCP socket, opened at the first request and again after it
    closed. Safe for concurrent requests from any task of one event loop."""

    def __init__(
        self,
        host: str,
        port: int,
        framing: Framing,
        decode: Callable[[bytes], Unpacked],
        *,
        connect_timeout: float,
        name: str,
    ) -> None:
        self._host, self._port = host, port
        self._framing = framing
        self._decode = decode
        self._connect_timeout = connect_timeout
        self._where = f"connection {name} to {host}:{port}"
        self._link: _Link | None = None
        self._opening = asyncio.Lock()
        self._writing = asyncio.Lock()

    async def exchange(self, stan: str, message: bytes, timeout: float) -> Unpacked:  # noqa: ASYNC109 -- per request, the operation's parameter
        """Send ``message`` (packed, with ``stan`` in field 11) and return its unpacked response."""
        frame = self._frame(message)
        link = await self._open()
        if stan in link.pending:
            raise InvalidInput(f"send on {self._where}: a request with STAN {stan} is in flight already")
        answer: asyncio.Future[Unpacked] = asyncio.get_running_loop().create_future()
        link.pending[stan] = answer
        try:
            async with self._writing:
                link.writer.write(frame)
                await link.writer.drain()
            return await asyncio.wait_for(answer, timeout)
        except TimeoutError:
            raise RetryableError(
                f"send on {self._where}: no response to STAN {stan} within {timeout:g} s"
                " (the peer may still have carried the request out)"
            ) from None
        except OSError as exc:
            link.pending.pop(stan, None)
            self._fail(link, RetryableError(f"send on {self._where}: {exc.strerror or exc}"))
            raise RetryableError(f"send on {self._where}: {exc.strerror or exc}") from exc
        finally:
            if link.pending.get(stan) is answer:
                del link.pending[stan]

    async def ping(self) -> None:
        """Open the socket if it is not open (the peer accepts connections)."""
        await self._open()

    async def aclose(self) -> None:
        """Close the socket; requests in flight fail as if the peer had closed it."""
        link, self._link = self._link, None
        if link is not None:
            self._fail(link, RetryableError(f"send on {self._where}: the connection was closed"))
            if link.task is not None:
                link.task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await link.task

    def _frame(self, message: bytes) -> bytes:
        try:
            return self._framing.frame(message)
        except ValueError as exc:
            raise InvalidInput(f"send on {self._where}: {exc}") from exc

    async def _open(self) -> _Link:
        async with self._opening:
            if self._link is not None and not self._link.closed:
                return self._link
            try:
                reader, writer = await asyncio.wait_for(
                    asyncio.open_connection(self._host, self._port), self._connect_timeout
                )
            except TimeoutError:
                raise RetryableError(
                    f"{self._where}: not connected within {self._connect_timeout:g} s"
                ) from None
            except OSError as exc:
                raise RetryableError(f"{self._where}: cannot connect ({exc.strerror or exc})") from exc
            link = _Link(reader, writer)
            link.task = asyncio.create_task(self._read(link), name=f"iso8583 reader {self._where}")
            self._link = link
            return link

    async def _read(self, link: _Link) -> None:
        while True:
            try:
                data = await self._framing.read(link.reader)
            except FrameError as exc:
                kind = RetryableError if exc.cut else FatalError
                self._fail(link, kind(f"send on {self._where}: {exc}"))
                return
            except OSError as exc:
                self._fail(link, RetryableError(f"send on {self._where}: {exc.strerror or exc}"))
                return
            if data is None:
                self._fail(link, RetryableError(f"send on {self._where}: the peer closed the connection"))
                return
            self._deliver(link, data)

    def _deliver(self, link: _Link, data: bytes) -> None:
        try:
            response = self._decode(data)
        except CodecError as exc:
            problem = f"send on {self._where}: the response cannot be unpacked: {exc}"
            waiting = [future for future in link.pending.values() if not future.done()]
            if len(waiting) == 1:
                waiting[0].set_exception(FatalError(problem))
            else:
                _log.warning("%s; %d requests in flight, so it is dropped", problem, len(waiting))
            return
        stan = response.fields.get("11")
        answer = link.pending.pop(stan, None) if stan is not None else None
        if answer is None or answer.done():
            _log.warning(
                "%s: a response (MTI %s, STAN %s) matches no request in flight; dropped",
                self._where,
                response.mti,
                stan,
            )
            return
        answer.set_result(response)

    def _fail(self, link: _Link, error: ConnectorError) -> None:
        """Close ``link`` and fail its requests in flight with ``error``."""
        if link.closed:
            return
        link.closed = True
        for answer in link.pending.values():
            if not answer.done():
                answer.set_exception(error)
        link.pending.clear()
        link.writer.close()
        if self._link is link:
            self._link = None
