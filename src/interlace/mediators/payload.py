"""The payload mediator: replace the message body with a JSON, XML or text template."""

from __future__ import annotations

from interlace.errors import SourceLocation
from interlace.mediators.base import CONTINUE
from interlace.mediators.body import BodyTemplate
from interlace.message import MessageContext

__all__ = ["PayloadMediator"]


class PayloadMediator:
    """Sets the payload to ``body`` rendered against the message."""

    __slots__ = ("body", "location")

    def __init__(self, body: BodyTemplate, location: SourceLocation) -> None:
        self.body = body
        self.location = location

    async def mediate(self, ctx: MessageContext) -> bool:
        ctx.payload = self.body.render(ctx)
        return CONTINUE
