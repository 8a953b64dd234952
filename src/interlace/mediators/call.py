"""The call mediator: send the message to an endpoint and take its answer."""

from __future__ import annotations

from interlace.endpoints import Endpoint, StreamingEndpoint
from interlace.errors import SourceLocation
from interlace.mediators.base import CONTINUE, EVERY_BODY, NO_BODIES
from interlace.message import MessageContext

__all__ = ["CallMediator"]


class CallMediator:
    """Calls ``endpoint``. The answer replaces payload, headers and the transport status; with
    ``response_variable`` it goes to that variable as ``{payload, headers, status}`` instead.

    With an endpoint that passes bodies through (:class:`~interlace.endpoints.StreamingEndpoint`), an
    unread body is sent on unread and the answer replaces the payload unread: a body that only passes
    through is never held whole."""

    __slots__ = ("_streaming", "endpoint", "location", "response_variable", "unread_bodies")

    def __init__(self, endpoint: Endpoint, response_variable: str | None, location: SourceLocation) -> None:
        self.endpoint = endpoint
        self.response_variable = response_variable
        self.location = location
        streaming = isinstance(endpoint, StreamingEndpoint) and endpoint.takes_unread_body
        self._streaming = endpoint if isinstance(endpoint, StreamingEndpoint) else None
        self.unread_bodies = EVERY_BODY if streaming else NO_BODIES

    async def mediate(self, ctx: MessageContext) -> bool:
        streaming = self._streaming
        if self.response_variable is None and streaming is not None:
            response = await streaming.send_streaming(ctx)
        else:
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
