"""The validate mediator: check a value against a JSON Schema."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from interlace.errors import SourceLocation, ValidationError
from interlace.expressions import Template
from interlace.mediators.base import CONTINUE, STOP
from interlace.mediators.sequence import SequenceMediator, error_info
from interlace.message import MessageContext

if TYPE_CHECKING:
    from jsonschema.protocols import Validator

__all__ = ["ValidateMediator"]

_MAX_REPORTED = 20


class ValidateMediator:
    """Validates ``source`` with a schema compiled at load time. On failure runs ``on_fail`` (which sees
    ``${error.detail}``: a list of ``{path, message}``) and ends the flow, or raises ValidationError (400)."""

    __slots__ = ("location", "on_fail", "source", "source_text", "validator")

    def __init__(
        self,
        validator: Validator,
        source: Template,
        on_fail: SequenceMediator | None,
        location: SourceLocation,
        source_text: str = "${payload}",
    ) -> None:
        self.validator = validator
        self.source = source
        self.source_text = source_text
        """The template as written (the API's OpenAPI document shows a payload's schema)."""
        self.on_fail = on_fail
        self.location = location

    async def mediate(self, ctx: MessageContext) -> bool:
        value = self.source.render(ctx)
        problems = sorted(self.validator.iter_errors(value), key=lambda error: list(error.absolute_path))
        if not problems:
            return CONTINUE
        detail: list[dict[str, Any]] = [
            {
                "path": "$"
                + "".join(f"[{p!r}]" if isinstance(p, str) else f"[{p}]" for p in e.absolute_path),
                "message": e.message,
            }
            for e in problems[:_MAX_REPORTED]
        ]
        first = detail[0]
        error = ValidationError(
            f"the payload does not match its schema: {first['message']} at {first['path']}"
            + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""),
            detail=detail,
        )
        if self.on_fail is None:
            raise error
        ctx.error = error_info(error)
        await self.on_fail.mediate(ctx)
        return STOP
