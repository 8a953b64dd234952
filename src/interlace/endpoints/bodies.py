"""HTTP bodies still on their socket, as :class:`~interlace.message.BodyStream`: a request's (the
transport makes one per request with a body) and an answer's (an endpoint makes one per call whose
answer goes on unread).

Reading one whole keeps to its limit: a request body is held in memory only up to the server's
``max-body-size`` (a larger one is refused with 413 ``PAYLOAD_TOO_LARGE``, at once when its
``Content-Length`` says so). Handing it on chunk by chunk holds one chunk at a time, whatever its
size: such a body is bounded in time (the server's ``body-timeout``, the endpoint's ``timeout``),
not in size.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Final

from aiohttp import StreamReader

from interlace.errors import InterlaceError, PayloadError
from interlace.message import BodyOrigin

__all__ = ["READ_AT_ONCE", "StreamedBody", "too_large"]

READ_AT_ONCE: Final = 64 * 1024
"""A body that says it has at most this many bytes (and is not encoded) is read at once rather than
left unread: held whole, it costs less than a stream."""

_CLOSE: Final = {"Connection": "close"}
"""A body refused or unreadable part way is not read to its end: the connection it came on closes."""


def too_large(limit: int, length: int | None) -> PayloadError:
    """The error for a request body above ``limit`` bytes (``length``: what it declared, if known)."""
    got = f" (got {length} bytes)" if length is not None else ""
    return PayloadError(
        f"the request body must be at most {limit} bytes{got}",
        code="PAYLOAD_TOO_LARGE",
        status=413,
        headers=_CLOSE,
    )


class StreamedBody:
    """A body on an aiohttp ``StreamReader``; see :class:`~interlace.message.BodyStream`.

    ``limit``: the most bytes :meth:`read` holds (None: no limit); ``declared``: the length the
    sender declared, refused at once when above the limit; ``length``: the length the chunks will
    have when known (not when the body arrives encoded and is decoded on the way). ``failure`` turns
    an error of the socket into the error the flow sees; ``on_close`` gives up what the body came on.
    """

    __slots__ = (
        "_content",
        "_declared",
        "_failed",
        "_failure",
        "_length",
        "_limit",
        "_on_close",
        "_origin",
        "_started",
    )

    def __init__(
        self,
        content: StreamReader,
        origin: BodyOrigin,
        *,
        failure: Callable[[Exception], InterlaceError],
        length: int | None = None,
        limit: int | None = None,
        declared: int | None = None,
        on_close: Callable[[], None] | None = None,
    ) -> None:
        self._content = content
        self._origin: BodyOrigin = origin
        self._failure = failure
        self._length = length
        self._limit = limit
        self._declared = declared
        self._on_close = on_close
        self._started = False
        self._failed: InterlaceError | None = None

    @property
    def origin(self) -> BodyOrigin:
        return self._origin

    @property
    def length(self) -> int | None:
        return self._length

    @property
    def started(self) -> bool:
        return self._started

    def _begin(self) -> None:
        if self._failed is not None:  # whoever asks again learns why, not that the body is gone
            raise self._failed
        if self._started:
            raise InterlaceError(
                f"the {self._origin} body was sent on as it arrived and cannot be read again",
                code="BODY_SENT_ON",
            )
        self._started = True

    async def chunks(self) -> AsyncIterator[bytes]:
        self._begin()  # on the first chunk asked for: an attempt that sent nothing may be repeated
        async for chunk in self._pieces():
            yield chunk

    async def read(self) -> bytes:
        limit, declared = self._limit, self._declared
        if limit is not None and declared is not None and declared > limit:
            raise self._fail(too_large(limit, declared))
        self._begin()
        parts: list[bytes] = []
        size = 0
        async for chunk in self._pieces():
            size += len(chunk)
            if limit is not None and size > limit:
                raise self._fail(too_large(limit, None))
            parts.append(chunk)
        return b"".join(parts)

    async def _pieces(self) -> AsyncIterator[bytes]:
        content = self._content
        while True:
            try:
                chunk = await content.readany()
            except Exception as exc:
                raise self._fail(self._failure(exc)) from exc
            if not chunk:
                return
            yield chunk

    def _fail(self, error: InterlaceError) -> InterlaceError:
        self._failed = error
        return error

    def close(self) -> None:
        on_close, self._on_close = self._on_close, None
        if on_close is not None:
            on_close()
