"""The Mediator seam: one runtime step of a flow.

Contract: ``mediate(ctx)`` is awaited once per message that reaches the mediator, by the sequence that
holds it. A mediator is built once at deployment and shared by all messages, so it keeps no
per-message state on itself and is safe to run concurrently on different contexts. It returns ``True``
to let the flow go on and ``False`` to end it (respond, drop). It raises an
:class:`~interlace.errors.InterlaceError` to fail the flow: the nearest on-error flow handles it.

The body of a message may still be unread (:mod:`interlace.message.body`). Before each mediator the
sequence reads it (:func:`read_body_for`), unless the mediator's optional ``unread_bodies`` attribute
names the body's origin: such a mediator runs on the unread body and never touches its bytes (it
hands it on, or reads it itself with ``await ctx.payload.read()`` when it turns out to need it). A
mediator without the attribute always sees a read body.
"""

from __future__ import annotations

from typing import Final, Protocol

from interlace.errors import SourceLocation
from interlace.message import BodyOrigin, MessageContext

__all__ = [
    "ANSWER_BODIES",
    "CONTINUE",
    "EVERY_BODY",
    "NO_BODIES",
    "STOP",
    "Mediator",
    "read_body_for",
    "unread_unless_read",
]

CONTINUE = True
STOP = False

EVERY_BODY: Final[frozenset[BodyOrigin]] = frozenset({"request", "answer"})
"""``unread_bodies`` of a mediator that takes any body unread."""
ANSWER_BODIES: Final[frozenset[BodyOrigin]] = frozenset({"answer"})
"""``unread_bodies`` of a mediator that takes a back-end's answer unread, not the request's own body."""
NO_BODIES: Final[frozenset[BodyOrigin]] = frozenset()


class Mediator(Protocol):
    """One step of a flow (see the module docstring for the contract)."""

    @property
    def location(self) -> SourceLocation: ...

    async def mediate(self, ctx: MessageContext) -> bool: ...


async def read_body_for(mediator: object, ctx: MessageContext) -> None:
    """Read the message's body if it is unread and ``mediator`` does not take it so (see the module
    docstring); raises :class:`~interlace.errors.PayloadError` as reading it does."""
    unread = ctx.payload.unread
    if unread is not None and unread.origin not in getattr(mediator, "unread_bodies", NO_BODIES):
        await ctx.payload.read()


class _Template(Protocol):
    @property
    def reads_payload(self) -> bool: ...


def unread_unless_read(*templates: _Template | None) -> frozenset[BodyOrigin]:
    """``unread_bodies`` of a mediator that only renders ``templates``: any body, unless one of them
    reads the payload."""
    reads = any(template is not None and template.reads_payload for template in templates)
    return NO_BODIES if reads else EVERY_BODY
