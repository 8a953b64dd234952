"""The throw-error mediator: fail the flow on purpose, for the on-error flow or the caller to handle."""

from __future__ import annotations

from interlace.errors import MediationError, SourceLocation
from interlace.expressions import Template, ValueTemplate
from interlace.message import MessageContext

__all__ = ["ThrowErrorMediator"]


class ThrowErrorMediator:
    """Raises MediationError with ``code``, ``status``, a rendered ``message`` and ``detail``."""

    __slots__ = ("code", "detail", "location", "message", "status")

    def __init__(
        self,
        message: Template,
        code: str,
        status: int,
        detail: ValueTemplate | None,
        location: SourceLocation,
    ) -> None:
        self.message = message
        self.code = code
        self.status = status
        self.detail = detail
        self.location = location

    async def mediate(self, ctx: MessageContext) -> bool:
        detail = self.detail.render(ctx) if self.detail is not None else None
        raise MediationError(self.message.render_str(ctx), code=self.code, status=self.status, detail=detail)
