"""The variable mediator: set or remove ``${vars.name}``."""

from __future__ import annotations

from interlace.errors import SourceLocation
from interlace.expressions import ValueTemplate
from interlace.mediators.base import CONTINUE, unread_unless_read
from interlace.mediators.convert import convert_value
from interlace.message import MessageContext

__all__ = ["VariableMediator"]


class VariableMediator:
    """Sets variable ``name`` to ``value`` converted to ``kind``, or removes it when ``value`` is None."""

    __slots__ = ("kind", "location", "name", "unread_bodies", "value")

    def __init__(self, name: str, value: ValueTemplate | None, kind: str, location: SourceLocation) -> None:
        self.name = name
        self.value = value
        self.kind = kind
        self.location = location
        self.unread_bodies = unread_unless_read(value)

    async def mediate(self, ctx: MessageContext) -> bool:
        if self.value is None:
            ctx.variables.pop(self.name, None)
        else:
            ctx.variables[self.name] = convert_value(self.value.render(ctx), self.kind, self.location)
        return CONTINUE
