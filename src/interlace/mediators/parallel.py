"""Running flows on copies of a message, one after another or at once, keeping their order."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from interlace.errors import InterlaceError

__all__ = ["run_all"]

T = TypeVar("T")


async def run_all(jobs: Sequence[Callable[[], Awaitable[T]]], *, parallel: bool, limit: int) -> list[T]:
    """Run ``jobs`` and return their results in order. In parallel at most ``limit`` run at once; the
    first failure cancels the others and is raised as it is (not as an exception group)."""
    if not parallel or len(jobs) <= 1:
        return [await job() for job in jobs]
    gate = asyncio.Semaphore(limit)

    async def gated(job: Callable[[], Awaitable[T]]) -> T:
        async with gate:
            return await job()

    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(gated(job)) for job in jobs]
    except BaseExceptionGroup as group_error:
        first: BaseException = group_error.exceptions[0]
        for error in group_error.exceptions:
            if isinstance(error, InterlaceError):
                first = error
                break
        raise first from None
    return [task.result() for task in tasks]
