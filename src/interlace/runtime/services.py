"""The background work of one deployment: its message processors, scheduled tasks and inbound endpoints,
started and stopped as a whole.

A deployment starts its services once it is serving (its stores open, its routes in the server's table)
and stops them before its stores and connections close, so a new version's processors never run beside
the old version's on the same store. What an operator switched off stays off across the versions of a
project (:class:`Held`), until switched on again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from interlace.compiler.compile import Artifacts
from interlace.inbound import (
    Coordinator,
    Inbound,
    InboundState,
    ScheduledTask,
    Supervisor,
    TaskState,
)
from interlace.processors import ProcessorState, ProcessorSupervisor

__all__ = ["DeploymentServices", "Held", "ServicesFactory", "SupervisedServices"]


@dataclass(slots=True)
class Held:
    """The names an operator deactivated in a project, by kind; kept from one version to the next."""

    processors: set[str] = field(default_factory=set)
    tasks: set[str] = field(default_factory=set)
    inbound: set[str] = field(default_factory=set)


class DeploymentServices(Protocol):
    """The background work of one deployment, as a whole.

    The deployment calls ``start()`` once, after its stores are open and its APIs are served, and
    ``stop()`` once, before its stores and connections close (also when it never started); both on the
    runtime's event loop. ``start`` runs every service defined active and not held inactive; a service
    that fails to start shows it in its state, neither method raises. ``stop`` returns once everything
    stopped: messages in flight finished or went back to their source, leases released.

    The operator's methods name one service of the deployment; each raises the not-found error of its
    kind (``UnknownProcessorError``, ``UnknownInboundError``) for a name the deployment does not have,
    may be called at any time (also concurrently), and records (de)activations in :class:`Held`.
    """

    def start(self) -> None: ...

    async def stop(self) -> None: ...

    def processor_states(self) -> list[ProcessorState]: ...

    def processor_state(self, name: str) -> ProcessorState: ...

    async def activate_processor(self, name: str) -> ProcessorState: ...

    async def deactivate_processor(self, name: str) -> ProcessorState: ...

    def inbound_states(self) -> list[InboundState]: ...

    def inbound_state(self, name: str) -> InboundState: ...

    def endpoint(self, name: str) -> Inbound: ...

    async def activate_inbound(self, name: str) -> InboundState: ...

    async def deactivate_inbound(self, name: str) -> InboundState: ...

    def task_states(self) -> list[TaskState]: ...

    def task_state(self, name: str) -> TaskState: ...

    async def activate_task(self, name: str) -> TaskState: ...

    async def deactivate_task(self, name: str) -> TaskState: ...

    async def trigger_task(self, name: str) -> TaskState: ...


ServicesFactory = Callable[[str, Artifacts, float, Coordinator | None, Held], DeploymentServices]
"""Makes a deployment's services from its project name, artifacts, graceful timeout, coordinator (None:
not coordinated) and the project's held names; :class:`SupervisedServices` is the default."""


class SupervisedServices:
    """:class:`DeploymentServices` over the processor supervisor and the inbound supervisors. Tasks and
    inbound endpoints start after the processors and stop before them (their messages in flight are
    finished by the processors still running); coordinated ones hold the lease
    ``{project}/task/{name}`` or ``{project}/inbound/{name}``."""

    def __init__(
        self,
        project: str,
        artifacts: Artifacts,
        graceful_timeout: float,
        coordinator: Coordinator | None,
        held: Held,
    ) -> None:
        self._held = held
        self._processors = ProcessorSupervisor(artifacts.processors, graceful_timeout=graceful_timeout)
        self._tasks = Supervisor[ScheduledTask](
            "task",
            artifacts.tasks,
            graceful_timeout=graceful_timeout,
            coordinator=coordinator,
            lease_prefix=f"{project}/task/",
        )
        self._inbound = Supervisor[Inbound](
            "inbound endpoint",
            artifacts.inbound,
            graceful_timeout=graceful_timeout,
            coordinator=coordinator,
            lease_prefix=f"{project}/inbound/",
        )

    def start(self) -> None:
        self._processors.start(keep_inactive=self._held.processors)
        self._tasks.start(keep_inactive=self._held.tasks)
        self._inbound.start(keep_inactive=self._held.inbound)

    async def stop(self) -> None:
        await self._inbound.aclose()
        await self._tasks.aclose()
        await self._processors.aclose()

    # processors ----------------------------------------------------------------------------------
    def processor_states(self) -> list[ProcessorState]:
        return self._processors.states()

    def processor_state(self, name: str) -> ProcessorState:
        return self._processors.state(name)

    async def activate_processor(self, name: str) -> ProcessorState:
        state = await self._processors.activate(name)
        self._held.processors.discard(name)
        return state

    async def deactivate_processor(self, name: str) -> ProcessorState:
        state = await self._processors.deactivate(name)
        self._held.processors.add(name)
        return state

    # inbound endpoints ---------------------------------------------------------------------------
    def inbound_states(self) -> list[InboundState]:
        return [item.state() for item in self._inbound.items.values()]

    def inbound_state(self, name: str) -> InboundState:
        return self._inbound.get(name).state()

    def endpoint(self, name: str) -> Inbound:
        return self._inbound.get(name)

    async def activate_inbound(self, name: str) -> InboundState:
        state = (await self._inbound.activate(name)).state()
        self._held.inbound.discard(name)
        return state

    async def deactivate_inbound(self, name: str) -> InboundState:
        state = (await self._inbound.deactivate(name)).state()
        self._held.inbound.add(name)
        return state

    # tasks ---------------------------------------------------------------------------------------
    def task_states(self) -> list[TaskState]:
        return [task.state() for task in self._tasks.items.values()]

    def task_state(self, name: str) -> TaskState:
        return self._tasks.get(name).state()

    async def activate_task(self, name: str) -> TaskState:
        state = (await self._tasks.activate(name)).state()
        self._held.tasks.discard(name)
        return state

    async def deactivate_task(self, name: str) -> TaskState:
        state = (await self._tasks.deactivate(name)).state()
        self._held.tasks.add(name)
        return state

    async def trigger_task(self, name: str) -> TaskState:
        return await self._tasks.get(name).trigger_now()
