"""Group commit: the writes of concurrent callers share one transaction, so one commit (for sqlite with
``synchronous: full``, one disk sync) serves them all.

A caller submits an operation and waits. While a transaction runs, the operations submitted meanwhile
queue up; when it ends, the next transaction takes every one of them, in the order they came. The
commit's cost is shared by as many callers as arrived during the previous one: the busier the store,
the more each commit carries, and no caller waits longer than the transaction before its own.

What a caller of :meth:`GroupCommit.run` can rely on:

- it returns only after the transaction that holds its operation committed: a put that returned is as
  durable as the store's commit makes it, exactly as if it had committed alone;
- an operation that fails fails its own caller only (``run_batch`` rolls it back alone, in a savepoint),
  and the others of its transaction commit;
- a transaction that cannot commit fails every caller in it with the commit's error, and none of its
  operations took effect;
- operations take effect in the order they were submitted.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar, cast

__all__ = ["Failed", "GroupCommit"]

C = TypeVar("C")  # what an operation is given: the store's connection
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Failed:
    """The outcome of an operation that raised ``error`` and was rolled back alone."""

    error: Exception


class GroupCommit(Generic[C]):
    """Runs operations on ``C`` in shared transactions through ``run_batch`` (see the module docstring).

    ``run_batch(operations)`` runs every operation in one transaction, each in its own savepoint, and
    commits; it returns one outcome per operation, in order (its result, or :class:`Failed`), or raises
    when the transaction as a whole failed. It is awaited once at a time. One event loop: no lock.
    """

    __slots__ = ("_flusher", "_pending", "_run_batch")

    def __init__(
        self, run_batch: Callable[[list[Callable[[C], object]]], Awaitable[Sequence[object]]]
    ) -> None:
        self._run_batch = run_batch
        self._pending: list[tuple[Callable[[C], object], asyncio.Future[object]]] = []
        self._flusher: asyncio.Task[None] | None = None

    async def run(self, operation: Callable[[C], T]) -> T:
        """``operation``'s result once its transaction committed; raises what the operation raised, or
        what the transaction's commit raised."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[object] = loop.create_future()
        self._pending.append((operation, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = loop.create_task(self._flush())
        return cast(T, await future)

    async def wait_idle(self) -> None:
        """Wait until every operation submitted so far has its outcome."""
        if self._flusher is not None:
            await self._flusher

    async def _flush(self) -> None:
        while self._pending:
            batch, self._pending = self._pending, []
            try:
                outcomes = await self._run_batch([operation for operation, _ in batch])
            except BaseException as exc:
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc if isinstance(exc, Exception) else asyncio.CancelledError())
                if not isinstance(exc, Exception):
                    raise
                continue
            for (_, future), outcome in zip(batch, outcomes, strict=True):
                if future.done():
                    continue
                if isinstance(outcome, Failed):
                    future.set_exception(outcome.error)
                else:
                    future.set_result(outcome)
