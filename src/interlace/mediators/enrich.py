"""The enrich mediator: copy a value into the payload, a variable, a header or a property."""

from __future__ import annotations

from interlace.errors import SourceLocation
from interlace.expressions import ValueTemplate
from interlace.mediators.base import CONTINUE
from interlace.mediators.target import Target
from interlace.message import MessageContext

__all__ = ["EnrichMediator"]


class EnrichMediator:
    """Writes ``source`` (rendered) to ``target`` by replacing, merging objects or appending to an array."""

    __slots__ = ("action", "location", "source", "target")

    def __init__(self, source: ValueTemplate, target: Target, action: str, location: SourceLocation) -> None:
        self.source = source
        self.target = target
        self.action = action
        self.location = location

    async def mediate(self, ctx: MessageContext) -> bool:
        self.target.assign(ctx, self.source.render(ctx), self.action)
        return CONTINUE
