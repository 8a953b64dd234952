"""InboundRunner: the scheduled tasks and inbound endpoints of the active deployment, as the runtime runs
them, and what operators do with them (state, activate, deactivate, trigger now).

The runtime owns one runner. ``deploy`` starts a deployment's tasks and endpoints (after its message
processors), ``stop`` stops them gracefully (before the processors); activation survives redeploys:
an object deactivated by an operator stays inactive in the next deployment until activated. Coordinated
objects run under a lease when the project names a coordination database.
"""

from __future__ import annotations

from collections.abc import Mapping

from interlace.inbound.base import Inbound, InboundState, Wait
from interlace.inbound.coordination import Coordinator, default_node_name
from interlace.inbound.supervisor import Supervisor
from interlace.inbound.tasks import ScheduledTask, TaskState
from interlace.model.project import CoordinationDefinition

__all__ = ["InboundRunner"]


class InboundRunner:
    """Tasks and inbound endpoints of one runtime (see the module docstring). Methods are called from the
    runtime's event loop; the state views are cheap snapshots."""

    def __init__(self, wait: Wait) -> None:
        self._wait = wait
        self._inbound = Supervisor[Inbound]("inbound endpoint", {})
        self._tasks = Supervisor[ScheduledTask]("task", {})
        self._inactive: dict[str, set[str]] = {"inbound": set(), "task": set()}
        self._coordinator: Coordinator | None = None
        self.node = default_node_name()
        """This node's name in the coordination database (``[coordination] node`` when given)."""

    @property
    def coordinator(self) -> Coordinator | None:
        return self._coordinator

    async def deploy(
        self,
        project: str,
        tasks: Mapping[str, ScheduledTask],
        inbound: Mapping[str, Inbound],
        coordination: CoordinationDefinition | None,
        graceful_timeout: float,
    ) -> None:
        """Run ``tasks`` and ``inbound`` (those defined active and not deactivated by an operator); call
        :meth:`stop` for the previous deployment first."""
        wanted = any(item.coordinated for item in [*tasks.values(), *inbound.values()])
        current = self._coordinator
        if current is not None and (coordination is None or current.dsn != coordination.dsn or not wanted):
            self._coordinator = None
            await current.aclose()
        if coordination is not None and wanted and self._coordinator is None:
            self.node = coordination.node or self.node
            self._coordinator = Coordinator(
                coordination.dsn,
                node=self.node,
                lease=coordination.lease,
                renew=coordination.renew,
                wait=self._wait,
            )
        self._tasks = Supervisor(
            "task",
            tasks,
            graceful_timeout=graceful_timeout,
            coordinator=self._coordinator,
            lease_prefix=f"{project}/task/",
        )
        self._inbound = Supervisor(
            "inbound endpoint",
            inbound,
            graceful_timeout=graceful_timeout,
            coordinator=self._coordinator,
            lease_prefix=f"{project}/inbound/",
        )
        self._tasks.start(keep_inactive=self._inactive["task"])
        self._inbound.start(keep_inactive=self._inactive["inbound"])

    async def stop(self) -> None:
        """Stop every endpoint and task gracefully (leases released); safe to call twice."""
        await self._inbound.aclose()
        await self._tasks.aclose()

    async def aclose(self) -> None:
        """Stop, then close the coordination database's connections."""
        await self.stop()
        coordinator, self._coordinator = self._coordinator, None
        if coordinator is not None:
            await coordinator.aclose()

    # inbound endpoints ---------------------------------------------------------------------------
    def inbound_states(self) -> list[InboundState]:
        """Every inbound endpoint: status, counts and last error."""
        return [item.state() for item in self._inbound.items.values()]

    def inbound_state(self, name: str) -> InboundState:
        """One inbound endpoint's state; UnknownInboundError (404) when there is none of that name."""
        return self._inbound.get(name).state()

    def endpoint(self, name: str) -> Inbound:
        """The inbound endpoint ``name`` (an HttpListener shows its bound ``port``)."""
        return self._inbound.get(name)

    async def activate_inbound(self, name: str) -> InboundState:
        """Run inbound endpoint ``name`` (also after a fatal error stopped it)."""
        state = (await self._inbound.activate(name)).state()
        self._inactive["inbound"].discard(name)
        return state

    async def deactivate_inbound(self, name: str) -> InboundState:
        """Stop inbound endpoint ``name`` gracefully; it stays inactive until activated."""
        item = await self._inbound.deactivate(name)
        self._inactive["inbound"].add(name)
        return item.state()

    # tasks ---------------------------------------------------------------------------------------
    def task_states(self) -> list[TaskState]:
        """Every task: status, runs, last and next run, last error."""
        return [task.state() for task in self._tasks.items.values()]

    def task_state(self, name: str) -> TaskState:
        """One task's state; UnknownInboundError (404) when there is none of that name."""
        return self._tasks.get(name).state()

    async def activate_task(self, name: str) -> TaskState:
        """Schedule task ``name`` again."""
        state = (await self._tasks.activate(name)).state()
        self._inactive["task"].discard(name)
        return state

    async def deactivate_task(self, name: str) -> TaskState:
        """Stop scheduling task ``name`` (a run in progress finishes); it stays inactive until activated."""
        task = await self._tasks.deactivate(name)
        self._inactive["task"].add(name)
        return task.state()

    async def trigger_task(self, name: str) -> TaskState:
        """Run task ``name`` once now, on this node, active or not; its schedule is unchanged."""
        return await self._tasks.get(name).trigger_now()
