"""The property mediator: message properties (``${props.x}``) and transport properties (status, reason)."""

from __future__ import annotations

from interlace.errors import SourceLocation
from interlace.expressions import ValueTemplate
from interlace.mediators.base import CONTINUE, unread_unless_read
from interlace.mediators.convert import convert_value
from interlace.message import MessageContext

__all__ = ["PropertyMediator"]


class PropertyMediator:
    """Sets or removes (``value`` None) property ``name`` in the message or transport scope."""

    __slots__ = ("kind", "location", "name", "transport", "unread_bodies", "value")

    def __init__(
        self, name: str, value: ValueTemplate | None, kind: str, transport: bool, location: SourceLocation
    ) -> None:
        self.name = name
        self.value = value
        self.kind = "integer" if transport and name == "status" and kind == "auto" else kind
        self.transport = transport
        self.location = location
        self.unread_bodies = unread_unless_read(value)

    async def mediate(self, ctx: MessageContext) -> bool:
        scope = ctx.transport if self.transport else ctx.properties
        if self.value is None:
            scope.pop(self.name, None)
        else:
            scope[self.name] = convert_value(self.value.render(ctx), self.kind, self.location)
        return CONTINUE
