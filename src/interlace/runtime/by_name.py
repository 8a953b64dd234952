"""The services of every deployment, addressed by kind and name, as operators address them.

Processors, tasks and inbound endpoints are named server-wide (see :mod:`~interlace.runtime.claims`),
so an operator's action finds the one deployment that has the name and goes to its supervisor.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from interlace.runtime.deployment import Deployment
from interlace.services import KIND_NAMES, Service, ServiceKind, ServiceState, Supervisor, UnknownServiceError

__all__ = ["ServicesByName"]


class ServicesByName:
    """The running deployments' services (``running`` gives them by project name); every method has the
    meaning of its namesake in :class:`~interlace.services.Supervisor`, over all of them."""

    def __init__(self, running: Callable[[], Mapping[str, Deployment]]) -> None:
        self._running = running

    def _owner(self, kind: ServiceKind, name: str) -> Supervisor:
        supervisors = [deployment.services for deployment in self._running().values()]
        for supervisor in supervisors:
            if name in supervisor.names(kind):
                return supervisor
        known = ", ".join(sorted(n for s in supervisors for n in s.names(kind))) or "none"
        what = KIND_NAMES[kind]
        raise UnknownServiceError(f"no {what} named {name!r} ({what}s: {known})")

    def states(self, kind: ServiceKind) -> list[ServiceState]:
        """Every service of ``kind`` of every deployment, by name."""
        states = [state for d in self._running().values() for state in d.services.states(kind)]
        return sorted(states, key=lambda state: state.name)

    def state(self, kind: ServiceKind, name: str) -> ServiceState:
        return self._owner(kind, name).state(kind, name)

    def service(self, kind: ServiceKind, name: str) -> Service:
        return self._owner(kind, name).service(kind, name)

    async def activate(self, kind: ServiceKind, name: str) -> ServiceState:
        return await self._owner(kind, name).activate(kind, name)

    async def deactivate(self, kind: ServiceKind, name: str) -> ServiceState:
        return await self._owner(kind, name).deactivate(kind, name)
