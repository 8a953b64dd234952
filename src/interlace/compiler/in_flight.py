"""RequestsInFlight: the HTTP requests that one deployment's resources are answering now, so that a
replaced or undeployed version can drain them before its connections and stores close.

The HTTP dispatcher counts a request from the moment its route is matched (the body is read after) until
its answer is made (:meth:`RequestsInFlight.counting`, entered in the request's own task). After a swap,
new requests match the new version's resources; the old version waits for its own requests, up to a
drain timeout, and cancels those still running (the client's connection is closed: they are cut).
One event loop, no lock.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["Drained", "RequestsInFlight"]


@dataclass(frozen=True, slots=True)
class Drained:
    """How a drain ended: requests that finished in time, and requests cut at the timeout."""

    finished: int
    cut: int

    @property
    def waited_for(self) -> int:
        return self.finished + self.cut


class RequestsInFlight:
    """The requests a deployment is answering (see the module docstring)."""

    __slots__ = ("_idle", "_tasks")

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[object]] = set()
        self._idle = asyncio.Event()
        self._idle.set()

    @property
    def count(self) -> int:
        return len(self._tasks)

    @contextlib.contextmanager
    def counting(self) -> Iterator[None]:
        """Count the current task's request while the block runs."""
        task = asyncio.current_task()
        if task is None:  # not in a task: nothing that could be waited for or cut
            yield
            return
        self._tasks.add(task)
        self._idle.clear()
        try:
            yield
        finally:
            self._tasks.discard(task)
            if not self._tasks:
                self._idle.set()

    async def drain(self, patience: float) -> Drained:
        """Wait up to ``patience`` seconds for the requests in flight to finish, then cancel the others."""
        waited_for = len(self._tasks)
        if waited_for == 0:
            return Drained(0, 0)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(patience):
                await self._idle.wait()
        left = list(self._tasks)
        for task in left:
            task.cancel()
        return Drained(waited_for - len(left), len(left))
