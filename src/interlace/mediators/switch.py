"""The switch mediator: run the flow of the first case that matches a value."""

from __future__ import annotations

import re
from typing import Any

import orjson

from interlace.errors import SourceLocation
from interlace.expressions import Expression
from interlace.mediators.sequence import SequenceMediator
from interlace.message import MessageContext

__all__ = ["SwitchMediator", "case_text"]


def case_text(value: Any) -> str:
    """How a value is compared with case labels: strings as they are, null as "", others as JSON."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    return orjson.dumps(value).decode()


class SwitchMediator:
    """Literal cases are one dictionary lookup; regex cases are tried in order (full match)."""

    __slots__ = ("default", "literal", "location", "on", "patterns")

    def __init__(
        self,
        on: Expression,
        literal: dict[str, SequenceMediator],
        patterns: tuple[tuple[re.Pattern[str], SequenceMediator], ...],
        default: SequenceMediator,
        location: SourceLocation,
    ) -> None:
        self.on = on
        self.literal = literal
        self.patterns = patterns
        self.default = default
        self.location = location

    async def mediate(self, ctx: MessageContext) -> bool:
        text = case_text(self.on.evaluate(ctx))
        branch = self.literal.get(text)
        if branch is None:
            branch = next((flow for pattern, flow in self.patterns if pattern.fullmatch(text)), self.default)
        return await branch.mediate(ctx)
