"""The background work of one deployment: its message processors, scheduled tasks and inbound endpoints,
started and stopped as a whole by one :class:`~interlace.services.Supervisor`.

A deployment starts its services once it is serving (its stores open, its routes in the server's table)
and stops them before its stores and connections close, so a new version's processors never run beside
the old version's on the same store. What an operator switched off stays off across the versions of a
project and across restarts (:class:`~interlace.services.HeldServices`), until switched on again.
"""

from __future__ import annotations

from collections.abc import Callable

from interlace.compiler.compile import Artifacts
from interlace.services import Coordinator, HeldServices, Supervisor

__all__ = ["DeploymentServices", "ServicesFactory", "SupervisedServices", "services_elsewhere"]

DeploymentServices = Supervisor
"""What a deployment's services are as a whole: ``start()`` once it serves, ``stop()`` before its stores
and connections close; states, activation and deactivation by kind and name."""


class SupervisedServices(Supervisor):
    """The services of ``artifacts`` under one supervisor; coordinated ones hold the lease
    ``{project}/{kind}/{name}``."""

    def __init__(
        self,
        project: str,
        artifacts: Artifacts,
        graceful_timeout: float,
        coordinator: Coordinator | None,
        held: HeldServices,
    ) -> None:
        super().__init__(
            [*artifacts.processors.values(), *artifacts.tasks.values(), *artifacts.inbound.values()],
            project=project,
            graceful_timeout=graceful_timeout,
            coordinator=coordinator,
            held=held,
        )


ServicesFactory = Callable[[str, Artifacts, float, Coordinator | None, HeldServices], Supervisor]
"""Makes a deployment's services from its project name, artifacts, graceful timeout, coordinator (None:
not coordinated) and the project's held services; :class:`SupervisedServices` is the default."""


def services_elsewhere(
    project: str,
    artifacts: Artifacts,
    graceful_timeout: float,
    coordinator: Coordinator | None,
    held: HeldServices,
) -> Supervisor:
    """A :data:`ServicesFactory` that runs no service: another process of the same server runs them (a
    follower of several workers; see :mod:`interlace.workers.role`)."""
    return Supervisor([], project=project, graceful_timeout=graceful_timeout)
