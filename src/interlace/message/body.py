"""A message body that has not been read yet: the request's, or a back-end's answer, still on its socket.

A :class:`~interlace.message.Payload` made with ``Payload.streamed(stream, ...)`` holds a ``BodyStream``
until something needs its bytes: then ``await payload.read()`` reads it whole (within the stream's own
size limit) and the payload is an ordinary one. Until then the body can be handed on as it is, chunk
by chunk: an HTTP endpoint sends an unread body to its back-end, and the transport answers with an
unread back-end answer, so a body that only passes through is never held in memory.

Who reads: the sequence loop, before each mediator that does not declare that it takes the body
unread (``Mediator.unread_bodies``); a message trace, before each snapshot; the transport, when a
flow answers with the request's own body. Nothing else may touch the bytes of an unread payload: its
views raise ``RuntimeError``, a bug rather than a client's mistake.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Literal, Protocol

__all__ = ["BodyOrigin", "BodyStream"]

BodyOrigin = Literal["request", "answer"]
"""``request``: the body of the request the message came in with; ``answer``: the body of a back-end's
answer to a call."""


class BodyStream(Protocol):
    """The source of an unread body; used by one message at a time, read once.

    ``chunks()`` yields the body once, as it arrives (the endpoint sending it on, the transport
    answering with it); ``read()`` returns it whole, raising
    :class:`~interlace.errors.PayloadError` when it is larger than the stream's limit (413
    ``PAYLOAD_TOO_LARGE``) or cannot be read (400), and an error naming where it went when
    ``chunks()`` began already. ``started`` says ``chunks()`` began (a call that failed after it cannot
    send the body again). ``length`` is the body's length in bytes when known beforehand (a
    ``Content-Length`` that still holds for the bytes ``chunks()`` gives). ``close()`` gives up the
    body unread (the connection it came on is not reused for the rest); it is safe to call at any
    time, also after the body was read.
    """

    @property
    def origin(self) -> BodyOrigin: ...

    @property
    def length(self) -> int | None: ...

    @property
    def started(self) -> bool: ...

    def chunks(self) -> AsyncIterator[bytes]: ...

    async def read(self) -> bytes: ...

    def close(self) -> None: ...
