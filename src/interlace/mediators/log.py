"""The log mediator: one log line per message, with the correlation id."""

from __future__ import annotations

import logging

from interlace.errors import SourceLocation
from interlace.expressions import Template
from interlace.mediators.base import CONTINUE, EVERY_BODY
from interlace.message import MessageContext

__all__ = ["LogMediator"]

_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING, "error": logging.ERROR}


class LogMediator:
    """Logs ``message`` (a template) at ``level`` to logger ``category``; optionally headers and payload.

    An unread body is read only when a line is logged that shows it (``full``, or a message that reads
    the payload); otherwise it passes on unread."""

    __slots__ = ("_reads_payload", "full", "headers", "level", "location", "logger", "message")

    unread_bodies = EVERY_BODY

    def __init__(
        self,
        message: Template,
        level: str,
        category: str,
        headers: bool,
        full: bool,
        location: SourceLocation,
    ) -> None:
        self.message = message
        self.level = _LEVELS[level]
        self.logger = logging.getLogger(category)
        self.headers = headers
        self.full = full
        self.location = location
        self._reads_payload = full or message.reads_payload

    async def mediate(self, ctx: MessageContext) -> bool:
        if not self.logger.isEnabledFor(self.level):
            return CONTINUE
        if self._reads_payload:
            await ctx.payload.read()
        parts = [self.message.render_str(ctx)] if self.message.source else []
        if self.headers or self.full:
            parts.append("headers=" + ", ".join(f"{name}: {value}" for name, value in ctx.headers.items()))
        if self.full:
            payload = ctx.payload
            parts.append(f"payload={payload.text() if payload.kind != 'binary' else repr(payload)}")
        self.logger.log(self.level, " | ".join(parts), extra={"correlation_id": ctx.correlation_id})
        return CONTINUE
