"""The scatter-gather mediator: run branches in parallel on copies of the message and gather them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from interlace.errors import SourceLocation
from interlace.mediators.base import CONTINUE
from interlace.mediators.parallel import run_all
from interlace.mediators.sequence import SequenceMediator
from interlace.mediators.target import Target
from interlace.message import MessageContext

__all__ = ["ScatterGatherMediator"]


class ScatterGatherMediator:
    """Runs every branch at once; their payloads, in branch order, go to ``target`` as an array. The first
    failing branch fails the mediator and cancels the others."""

    __slots__ = ("branches", "location", "target")

    def __init__(
        self, branches: tuple[SequenceMediator, ...], target: Target, location: SourceLocation
    ) -> None:
        self.branches = branches
        self.target = target
        self.location = location

    def _job(self, ctx: MessageContext, branch: SequenceMediator) -> Callable[[], Awaitable[Any]]:
        async def run() -> Any:
            copy = ctx.clone()
            await branch.mediate(copy)
            await copy.payload.read()  # a branch's last call may have left its answer unread
            return copy.payload.value()

        return run

    async def mediate(self, ctx: MessageContext) -> bool:
        jobs = [self._job(ctx, branch) for branch in self.branches]
        results = await run_all(jobs, parallel=True, limit=len(jobs))
        self.target.assign(ctx, results)
        return CONTINUE
