"""ScheduledTask: a message injected into a flow on a schedule (every interval, at cron ticks, once).

Each run builds a fresh message (the task's payload and variables, templates evaluated at that run) and
runs the flow on it; a run that fails is recorded (``last_error``, ``failures``) and the schedule goes
on. Runs never overlap: a tick that comes while a run is still going waits for it. ``trigger_now``
runs the task at once, active or not, without changing its schedule.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from interlace.mediators.base import Mediator
from interlace.mediators.flow import run_flow
from interlace.message import MessageContext
from interlace.services import EpochTime, Schedule, ServiceIdentity, ServiceKind, ServiceState, Wait

__all__ = ["ScheduledTask", "TaskState"]

_log = logging.getLogger("interlace.inbound")


class TaskState(ServiceState):
    """A snapshot of a task for operators (status ``done``: a ``once`` task that ran, or whose time had
    passed when it was activated)."""

    schedule: str
    target: str
    runs: int = 0
    failures: int = 0
    running: bool = False
    last_run: EpochTime | None = None
    next_run: EpochTime | None = None


class ScheduledTask(ServiceIdentity):
    """Runs ``flow`` on the message ``message()`` builds, on ``schedule``; a
    :class:`~interlace.services.Service` of kind ``task``."""

    kind: ServiceKind = "task"

    def __init__(
        self,
        name: str,
        schedule: Schedule,
        flow: Mediator,
        message: Callable[[], MessageContext],
        *,
        target: str,
        wait: Wait,
        starts_active: bool = True,
        coordinated: bool = False,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(name, starts_active=starts_active, coordinated=coordinated)
        self.schedule = schedule
        self._flow = flow
        self._message = message
        self._target = target
        self._wait = wait
        self._clock = clock
        self._lock = asyncio.Lock()
        self._runs = 0
        self._failures = 0
        self._last_run: float | None = None
        self._next_run: float | None = None

    def state(self) -> TaskState:
        return TaskState(
            name=self._name,
            schedule=self.schedule.describe(),
            target=self._target,
            coordinated=self._coordinated,
            runs=self._runs,
            failures=self._failures,
            running=self._lock.locked(),
            last_run=self._last_run,
            next_run=self._next_run,
            **self.record.fields(),
        )

    async def run(self, stop: asyncio.Event) -> None:
        _log.info("task %s runs %s (%s)", self._name, self._target, self.schedule.describe())
        try:
            delay = self.schedule.first_delay()
            while delay is not None:
                self._next_run = self._clock() + delay
                if await self._wait(stop, delay):
                    return
                self._next_run = None
                await self._run_once()
                delay = self.schedule.next_delay()
            self.record.status = "done"
        finally:
            self._next_run = None

    async def trigger_now(self) -> TaskState:
        """Run the task once now (after a run in progress, if any); its schedule is unchanged."""
        await self._run_once()
        return self.state()

    async def _run_once(self) -> None:
        async with self._lock:
            self._last_run = self._clock()
            self._runs += 1
            try:
                ctx = self._message()
            except Exception as exc:  # a template that fails on this run (a missing value, a bad function)
                error: str | None = f"the task's message could not be built: {exc}"
                _log.warning("task %s: %s", self._name, error)
            else:
                result = await run_flow(
                    self._flow, ctx, what=f"task {self._name}", artifact=("task", self._name)
                )
                error = None if result.settles else result.description
            if error is not None:
                self._failures += 1
                self.record.last_error = error
