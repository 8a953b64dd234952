"""The operation mediator: run a connector operation (``gmail.sendMail``) on a named connection."""

from __future__ import annotations

from typing import Any

from interlace.connections import ConnectionPool
from interlace.errors import InterlaceError, SourceLocation
from interlace.expressions import ValueTemplate
from interlace.mediators.base import CONTINUE
from interlace.message import MessageContext, Payload
from interlace.observability.otel import OTEL
from interlace.sdk import OperationResult, OperationSpec

__all__ = ["OperationMediator", "result_payload"]


def result_payload(value: Any, content_type: str | None = None) -> Payload:
    """An operation's payload as a message payload: bytes as they are, text as text, others as JSON."""
    if isinstance(value, bytes | bytearray):
        return Payload(bytes(value), content_type or "application/octet-stream")
    if isinstance(value, str):
        return Payload.of_text(value, content_type or "text/plain; charset=utf-8")
    return Payload.of_json(value)


class OperationMediator:
    """Renders the parameters, borrows the connection and invokes the operation. The result becomes
    the payload, or goes to ``response_variable`` as ``{payload, headers, attributes}``."""

    __slots__ = ("location", "parameters", "pool", "response_variable", "spec")

    def __init__(
        self,
        spec: OperationSpec,
        pool: ConnectionPool,
        parameters: ValueTemplate,
        response_variable: str | None,
        location: SourceLocation,
    ) -> None:
        self.spec = spec
        self.pool = pool
        self.parameters = parameters
        self.response_variable = response_variable
        self.location = location

    async def mediate(self, ctx: MessageContext) -> bool:
        if OTEL.on:
            name = self.spec.qualified_name
            attributes = {"interlace.operation": name, "interlace.connection": self.pool.name}
            with OTEL.client_span(f"{name} on connection {self.pool.name}", ctx, attributes, None):
                return await self._mediate(ctx)
        return await self._mediate(ctx)

    async def _mediate(self, ctx: MessageContext) -> bool:
        values = self.parameters.render(ctx)
        try:
            async with self.pool.use() as connection:
                result = await self.spec.invoke(connection, values)
        except InterlaceError as exc:
            # A connector's words may hold its peer's address or user (a database URL): they go to the
            # log; a client learns the operation and the connection only. Wrong input (4xx) is kept.
            if exc.public is None and exc.status >= 500:
                exc.public = f"{self.spec.qualified_name} on connection {self.pool.name} failed ({exc.code})"
            raise
        if isinstance(result, OperationResult):
            payload, headers, attributes = result.payload, dict(result.headers), dict(result.attributes)
        else:
            payload, headers, attributes = result, {}, {}
        if self.response_variable is not None:
            ctx.variables[self.response_variable] = {
                "payload": payload,
                "headers": headers,
                "attributes": attributes,
            }
        else:
            content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), None)
            ctx.payload = result_payload(payload, content_type)
        return CONTINUE
