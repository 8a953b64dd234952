"""The filter mediator: run one flow or another on a condition."""

from __future__ import annotations

from interlace.errors import SourceLocation
from interlace.expressions import Expression, is_truthy
from interlace.mediators.sequence import SequenceMediator
from interlace.message import MessageContext

__all__ = ["FilterMediator"]


class FilterMediator:
    """Runs ``then`` when ``condition`` is truthy, else ``otherwise``; the flow goes on unless they end it."""

    __slots__ = ("condition", "location", "otherwise", "then")

    def __init__(
        self,
        condition: Expression,
        then: SequenceMediator,
        otherwise: SequenceMediator,
        location: SourceLocation,
    ) -> None:
        self.condition = condition
        self.then = then
        self.otherwise = otherwise
        self.location = location

    async def mediate(self, ctx: MessageContext) -> bool:
        branch = self.then if is_truthy(self.condition.evaluate(ctx)) else self.otherwise
        return await branch.mediate(ctx)
