"""The foreach mediator: run a flow for each element of a collection and collect the results."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from interlace.errors import MediationError, SourceLocation
from interlace.expressions import Expression, ValueTemplate
from interlace.mediators.base import CONTINUE
from interlace.mediators.parallel import run_all
from interlace.mediators.sequence import SequenceMediator
from interlace.mediators.target import Target
from interlace.message import MessageContext

__all__ = ["ForeachMediator"]


class ForeachMediator:
    """For each element (variable ``as``, its position in variable ``index``) runs ``flow`` on a copy of
    the message and collects the copy's payload, or ``result`` rendered on it, into ``target`` in order."""

    __slots__ = ("collection", "flow", "item", "limit", "location", "parallel", "result", "target")

    def __init__(
        self,
        collection: Expression,
        item: str,
        flow: SequenceMediator,
        parallel: bool,
        limit: int,
        result: ValueTemplate | None,
        target: Target,
        location: SourceLocation,
    ) -> None:
        self.collection = collection
        self.item = item
        self.flow = flow
        self.parallel = parallel
        self.limit = limit
        self.result = result
        self.target = target
        self.location = location

    def _job(self, ctx: MessageContext, index: int, element: Any) -> Callable[[], Awaitable[Any]]:
        async def run() -> Any:
            branch = ctx.clone()
            branch.variables[self.item] = element
            branch.variables["index"] = index
            await self.flow.mediate(branch)
            await branch.payload.read()  # a branch's last call may have left its answer unread
            return self.result.render(branch) if self.result is not None else branch.payload.value()

        return run

    async def mediate(self, ctx: MessageContext) -> bool:
        collection = self.collection.evaluate(ctx)
        if collection is None:
            collection = []
        if not isinstance(collection, list):
            raise MediationError(
                f"foreach needs an array from ${{{self.collection.source}}}"
                f" (got {type(collection).__name__})",
                location=self.location,
            )
        jobs = [self._job(ctx, index, element) for index, element in enumerate(collection)]
        results = await run_all(jobs, parallel=self.parallel, limit=self.limit)
        self.target.assign(ctx, results)
        return CONTINUE
