"""Coordinators: the server's leases in coordination databases, shared by its deployments.

A project that names a coordination database (``[coordination]``) runs its coordinated tasks and
inbound endpoints under leases there. Deployments naming the same database share one
:class:`~interlace.services.Coordinator` (one pool of connections, one node name), which outlives
redeploys: a new version takes the leases its predecessor released, under the same node name.
"""

from __future__ import annotations

from interlace.model.project import CoordinationDefinition
from interlace.services import Coordinator, default_node_name

__all__ = ["Coordinators"]


class Coordinators:
    """One coordinator per database, made when a deployment first needs it and closed with the server.
    Called from the runtime's event loop only."""

    def __init__(self) -> None:
        self._by_dsn: dict[str, Coordinator] = {}
        self.node = default_node_name()
        """This server's node name, unless a project's ``[coordination] node`` names it."""

    def coordinator(self, coordination: CoordinationDefinition | None) -> Coordinator | None:
        """The coordinator of ``coordination``'s database (None: the project coordinates nothing)."""
        if coordination is None:
            return None
        existing = self._by_dsn.get(coordination.dsn)
        if existing is not None:
            return existing
        made = Coordinator(
            coordination.dsn,
            node=coordination.node or self.node,
            lease=coordination.lease,
            renew=coordination.renew,
        )
        self._by_dsn[coordination.dsn] = made
        return made

    async def aclose(self) -> None:
        """Close every coordinator (call after every deployment stopped: their leases are released)."""
        coordinators, self._by_dsn = self._by_dsn, {}
        for coordinator in coordinators.values():
            await coordinator.aclose()
