"""The respond mediator: answer the caller and end the flow."""

from __future__ import annotations

from multidict import CIMultiDict

from interlace.errors import MediationError, SourceLocation
from interlace.expressions import Template
from interlace.mediators.base import ANSWER_BODIES, NO_BODIES, STOP
from interlace.mediators.body import BodyTemplate
from interlace.message import MessageContext, Reply

__all__ = ["RespondMediator"]


class RespondMediator:
    """Answers with ``body`` (or the current payload), ``status`` (or the message's status, or 200) and
    ``headers``. The message's own headers are not echoed back: only the ones given here.

    A back-end's answer still unread is answered unread (the transport streams it to the client), when
    nothing here reads the payload; the request's own body is read first, since a client may not read
    an answer before it has sent its whole request."""

    __slots__ = ("body", "headers", "location", "status", "unread_bodies")

    def __init__(
        self,
        status: Template | int | None,
        headers: tuple[tuple[str, Template], ...],
        body: BodyTemplate | None,
        location: SourceLocation,
    ) -> None:
        self.status = status
        self.headers = headers
        self.body = body
        self.location = location
        templates = [value for _, value in headers]
        if isinstance(status, Template):
            templates.append(status)
        reads = body is not None or any(template.reads_payload for template in templates)
        self.unread_bodies = NO_BODIES if reads else ANSWER_BODIES

    def _status(self, ctx: MessageContext) -> int:
        if self.status is None:
            return ctx.status or 200
        if isinstance(self.status, int):
            return self.status
        rendered = self.status.render(ctx)
        try:
            status = int(rendered)
        except (TypeError, ValueError) as exc:
            raise MediationError(f"respond status must be an HTTP status code (got {rendered!r})") from exc
        if not 100 <= status <= 599:
            raise MediationError(f"respond status must be between 100 and 599 (got {status})")
        return status

    async def mediate(self, ctx: MessageContext) -> bool:
        if self.body is not None:
            ctx.payload = self.body.render(ctx)
        headers: CIMultiDict[str] = CIMultiDict()
        for name, value in self.headers:
            headers[name] = value.render_str(ctx)
        reason = ctx.transport.get("reason") if self.status is None else None
        ctx.reply = Reply(self._status(ctx), ctx.payload, headers, str(reason) if reason else None)
        return STOP
