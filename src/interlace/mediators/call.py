"""The call mediator: send the message to an endpoint and take its answer."""

from __future__ import annotations

from interlace.endpoints import Endpoint
from interlace.errors import SourceLocation
from interlace.mediators.base import CONTINUE
from interlace.message import MessageContext

__all__ = ["CallMediator"]


class CallMediator:
    """Calls ``endpoint``. The answer replaces payload, headers and the transport status; with
    ``response_variable`` it goes to that variable as ``{payload, headers, status}`` instead."""

    __slots__ = ("endpoint", "location", "response_variable")

    def __init__(self, endpoint: Endpoint, response_variable: str | None, location: SourceLocation) -> None:
        self.endpoint = endpoint
        self.response_variable = response_variable
        self.location = location

    async def mediate(self, ctx: MessageContext) -> bool:
        response = await self.endpoint.send(ctx)
        if self.response_variable is not None:
            ctx.variables[self.response_variable] = {
                "payload": response.payload.value(),
                "headers": dict(response.headers),
                "status": response.status,
            }
        else:
            ctx.payload = response.payload
            ctx.headers = response.headers
            ctx.transport["status"] = response.status
            ctx.transport["reason"] = response.reason
        return CONTINUE
