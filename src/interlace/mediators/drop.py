"""The drop mediator: end the flow without an answer."""

from __future__ import annotations

from interlace.errors import SourceLocation
from interlace.mediators.base import STOP
from interlace.message import MessageContext

__all__ = ["DropMediator"]


class DropMediator:
    """Ends the flow; an HTTP caller gets 202 Accepted with no body."""

    __slots__ = ("location",)

    def __init__(self, location: SourceLocation) -> None:
        self.location = location

    async def mediate(self, ctx: MessageContext) -> bool:
        ctx.reply = None
        return STOP
