"""ManagementContext: what the management API's handlers work with (the runtime and the server's own
parts), and small helpers shared by the resources."""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final, Literal

from interlace.compiler.compile import Artifacts
from interlace.management.errors import NotReadyError
from interlace.management.fanout import Fanout
from interlace.management.logbuffer import RecentLogs
from interlace.management.routes import QueryParam
from interlace.management.throttle import LoginThrottle
from interlace.management.tokens import TokenIssuer
from interlace.management.users import UserStore
from interlace.runtime import Runtime
from interlace.sdk import ConnectorRegistry

__all__ = ["PROJECT_FILTER", "DeploymentClock", "ManagementContext", "iso_time", "owned", "owners"]

Clock = Callable[[], float]
OwnedKind = Literal[
    "apis", "sequences", "endpoints", "stores", "processors", "connections", "tasks", "inbound"
]

PROJECT_FILTER: Final = QueryParam(
    "project",
    "Only those of this project (deployment).",
    {"type": "string", "minLength": 1, "maxLength": 200},
)
"""The query parameter of a list of artifacts or their states that keeps one project's."""


def iso_time(timestamp: float) -> str:
    """``2024-05-01T10:15:30.123Z``: a time of the API, in UTC."""
    moment = datetime.datetime.fromtimestamp(timestamp, datetime.UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class DeploymentClock:
    """When the runtime's active deployment became active, as first seen by the management server.

    The server looks at the deployment when it starts and on every request that shows deployments, so a
    redeploy is dated within one request of it.
    """

    def __init__(self, clock: Clock = time.time) -> None:
        self._clock = clock
        self._seen: tuple[Artifacts, float] | None = None

    def deployed_at(self, artifacts: Artifacts) -> float:
        seen = self._seen
        if seen is None or seen[0] is not artifacts:
            seen = self._seen = (artifacts, self._clock())
        return seen[1]


@dataclass(slots=True)
class ManagementContext:
    """The runtime being managed and the server's users, tokens, login throttle and recent logs.

    ``api_url`` is where the runtime's HTTP APIs are reached (``http://localhost:8290``), to show each
    API's URL. ``clock`` gives wall-clock seconds (uptime, times shown).
    """

    runtime: Runtime
    users: UserStore
    tokens: TokenIssuer
    throttle: LoginThrottle
    logs: RecentLogs
    connectors: ConnectorRegistry
    api_url: str
    clock: Clock = time.time
    started_at: float = 0.0
    deployments: DeploymentClock = field(default_factory=DeploymentClock)
    fanout: Fanout | None = None
    """With several workers, in the primary: hands the ``every_worker`` changes to the followers."""

    def artifacts(self) -> Artifacts:
        """The active deployment; NotReadyError while there is none."""
        try:
            return self.runtime.artifacts
        except RuntimeError as exc:
            raise NotReadyError("the runtime has no active deployment (it is starting or stopping)") from exc


def owners(context: ManagementContext, kind: OwnedKind) -> dict[str, str]:
    """The project (deployment) of each artifact of ``kind`` by name (artifact names are unique
    server-wide)."""
    found: dict[str, str] = {}
    for project, deployment in context.runtime.deployments.running.items():
        artifacts = deployment.artifacts
        names = [api.name for api in artifacts.apis] if kind == "apis" else getattr(artifacts, kind)
        found.update((name, project) for name in names)
    return found


def owned(context: ManagementContext, kind: OwnedKind, wanted: str | None) -> list[tuple[str, str]]:
    """(name, project) of every artifact of ``kind`` by name, only project ``wanted``'s when given."""
    return sorted(
        (name, project) for name, project in owners(context, kind).items() if wanted in (None, project)
    )
