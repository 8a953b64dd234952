"""Background work the runtime owns: a task with its stop signal, stopped gracefully or cancelled.

Processors, inbound endpoints and tasks each run as one :class:`BackgroundWork`: ``stop()`` asks the
work to finish (it sees its ``stop`` event), waits up to a grace period, then cancels it — the work's
own cancellation handling gives its in-flight messages back. An unexpected failure is logged, never
lost in an unobserved task.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

__all__ = ["BackgroundWork"]

_log = logging.getLogger("interlace.runtime")


class BackgroundWork:
    """One piece of background work: ``start(run)`` runs ``run(stop_event)`` as a task named ``name``."""

    __slots__ = ("name", "stop_event", "task")

    def __init__(self, name: str, run: Callable[[asyncio.Event], Coroutine[Any, Any, None]]) -> None:
        self.name = name
        self.stop_event = asyncio.Event()
        self.task: asyncio.Task[None] = asyncio.get_running_loop().create_task(
            run(self.stop_event), name=name
        )
        self.task.add_done_callback(_report_crash)

    async def stop(self, grace: float, logger: logging.Logger, what_happens: str) -> None:
        """Ask the work to stop; cancel it if it has not finished within ``grace`` seconds (logging
        ``what_happens`` to its messages in flight)."""
        self.stop_event.set()
        task = self.task
        if task.done():
            return
        done, _ = await asyncio.wait({task}, timeout=grace)
        if task in done:
            return
        logger.warning("%s did not finish within %ss; %s", self.name, grace, what_happens)
        task.cancel()
        await asyncio.wait({task})


def _report_crash(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        _log.error("%s stopped by an unexpected error", task.get_name(), exc_info=task.exception())
