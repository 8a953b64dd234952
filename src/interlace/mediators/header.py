"""The header mediator: set or remove a header of the current message."""

from __future__ import annotations

from interlace.errors import SourceLocation
from interlace.expressions import Template
from interlace.mediators.base import CONTINUE, unread_unless_read
from interlace.message import MessageContext

__all__ = ["HeaderMediator"]


class HeaderMediator:
    """Sets header ``name`` (replacing every value it had) or removes it when ``value`` is None."""

    __slots__ = ("location", "name", "unread_bodies", "value")

    def __init__(self, name: str, value: Template | None, location: SourceLocation) -> None:
        self.name = name
        self.value = value
        self.location = location
        self.unread_bodies = unread_unless_read(value)

    async def mediate(self, ctx: MessageContext) -> bool:
        if self.value is None:
            ctx.headers.popall(self.name, None)
        else:
            ctx.headers[self.name] = self.value.render_str(ctx)
        return CONTINUE
