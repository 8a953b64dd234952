"""The services of every deployment, addressed by name, as operators address them.

Processors, tasks and inbound endpoints are named server-wide (see :mod:`~interlace.runtime.claims`),
so an operator's action finds the one deployment that has the name and goes to its services.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from interlace.compiler.compile import Artifacts
from interlace.inbound import Inbound, InboundState, TaskState, UnknownInboundError
from interlace.processors import ProcessorState, UnknownProcessorError
from interlace.runtime.deployment import Deployment
from interlace.runtime.services import DeploymentServices

__all__ = ["ServicesByName"]


class ServicesByName:
    """The running deployments' services (``running`` gives them by project name); every method has the
    meaning of its namesake in :class:`~interlace.runtime.services.DeploymentServices`, over all."""

    def __init__(self, running: Callable[[], Mapping[str, Deployment]]) -> None:
        self._running = running

    def _all(self) -> list[DeploymentServices]:
        return [d.services for d in self._running().values()]

    def _owner(
        self, names: Callable[[Artifacts], Mapping[str, Any]], name: str, kind: str
    ) -> DeploymentServices:
        deployments = list(self._running().values())
        for deployment in deployments:
            if name in names(deployment.artifacts):
                return deployment.services
        known = ", ".join(sorted(n for d in deployments for n in names(d.artifacts))) or "none"
        message = f"no {kind} named {name!r} ({kind}s: {known})"
        raise UnknownProcessorError(message) if kind == "processor" else UnknownInboundError(message)

    def _processor(self, name: str) -> DeploymentServices:
        return self._owner(lambda a: a.processors, name, "processor")

    def _inbound(self, name: str) -> DeploymentServices:
        return self._owner(lambda a: a.inbound, name, "inbound endpoint")

    def _task(self, name: str) -> DeploymentServices:
        return self._owner(lambda a: a.tasks, name, "task")

    # processors ----------------------------------------------------------------------------------
    def processor_states(self) -> list[ProcessorState]:
        return [state for services in self._all() for state in services.processor_states()]

    def processor_state(self, name: str) -> ProcessorState:
        return self._processor(name).processor_state(name)

    async def activate_processor(self, name: str) -> ProcessorState:
        return await self._processor(name).activate_processor(name)

    async def deactivate_processor(self, name: str) -> ProcessorState:
        return await self._processor(name).deactivate_processor(name)

    # inbound endpoints ---------------------------------------------------------------------------
    def inbound_states(self) -> list[InboundState]:
        return [state for services in self._all() for state in services.inbound_states()]

    def inbound_state(self, name: str) -> InboundState:
        return self._inbound(name).inbound_state(name)

    def endpoint(self, name: str) -> Inbound:
        return self._inbound(name).endpoint(name)

    async def activate_inbound(self, name: str) -> InboundState:
        return await self._inbound(name).activate_inbound(name)

    async def deactivate_inbound(self, name: str) -> InboundState:
        return await self._inbound(name).deactivate_inbound(name)

    # tasks ---------------------------------------------------------------------------------------
    def task_states(self) -> list[TaskState]:
        return [state for services in self._all() for state in services.task_states()]

    def task_state(self, name: str) -> TaskState:
        return self._task(name).task_state(name)

    async def activate_task(self, name: str) -> TaskState:
        return await self._task(name).activate_task(name)

    async def deactivate_task(self, name: str) -> TaskState:
        return await self._task(name).deactivate_task(name)

    async def trigger_task(self, name: str) -> TaskState:
        return await self._task(name).trigger_task(name)
