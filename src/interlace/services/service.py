"""The Service seam: anything that runs in the background under the supervisor (a message processor, an
inbound endpoint, a scheduled task), and the one shape of its state.

Contract of a :class:`Service`:

- ``run(stop)`` is awaited in one task owned by the :class:`~interlace.services.Supervisor`, for as
  long as the service is active (and, when coordinated, this node holds its lease). It returns soon
  after ``stop`` is set, once its messages in flight are finished; if it takes longer than the graceful
  timeout the task is cancelled, and the service hands the messages still in flight back to their
  source. It never raises for one failed message: it records the error and goes on.
- Raising :class:`ServiceFailedError` stops the service for good (status ``failed``) until an operator
  activates it again; any other exception is a failure the supervisor restarts it after, with backoff.
  Returning by itself before ``stop`` means the service has nothing more to do (status ``done``).
- ``record`` is the service's :class:`ServiceRecord`: the supervisor writes its status, restarts and
  crash errors there, the service its own last error; ``state()`` is a cheap snapshot, safe at any time.
- A service object is reusable: after ``run`` returned it may run again (activation, a lease won back).
"""

from __future__ import annotations

import asyncio
import datetime
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, PlainSerializer, WithJsonSchema
from pydantic.alias_generators import to_camel

from interlace.errors import InterlaceError

__all__ = [
    "SERVICE_KINDS",
    "EpochTime",
    "Service",
    "ServiceFailedError",
    "ServiceIdentity",
    "ServiceKind",
    "ServiceRecord",
    "ServiceState",
    "ServiceStatus",
]

ServiceKind = Literal["processor", "inbound", "task"]
SERVICE_KINDS: tuple[ServiceKind, ...] = ("processor", "task", "inbound")
"""In the order they start (a deployment's processors first, so what its triggers store moves on at
once); they stop in the reverse order."""

ServiceStatus = Literal["active", "inactive", "standby", "failed", "done"]
"""``active``: running (or restarting after a failure). ``inactive``: not running (never activated,
deactivated, or stopped with its deployment). ``standby``: coordinated, and another node holds the
lease. ``failed``: it stopped itself after a failure it cannot get past (activate it again once the
cause is fixed). ``done``: it has nothing more to do (a ``once`` task that ran)."""


def _iso_time(timestamp: float) -> str:
    moment = datetime.datetime.fromtimestamp(timestamp, datetime.UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


EpochTime = Annotated[
    float,
    PlainSerializer(_iso_time, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}, mode="serialization"),
]
"""A time in seconds since the epoch; ``2024-05-01T10:15:30.123Z`` (UTC) in JSON."""


class ServiceFailedError(InterlaceError):
    """Raised by a service's ``run`` to stop itself after a failure it cannot get past; the message says
    why, and the service stays ``failed`` until activated."""


@dataclass(slots=True)
class ServiceRecord:
    """The figures every service shows, written by the supervisor and the service (one event loop: no
    lock needed)."""

    status: ServiceStatus = "inactive"
    restarts: int = 0
    last_error: str | None = None

    def fields(self) -> dict[str, Any]:
        """The record as :class:`ServiceState` fields."""
        return {"status": self.status, "restarts": self.restarts, "last_error": self.last_error}


class ServiceState(BaseModel):
    """A snapshot of a service for operators; each kind adds its own figures. Its JSON form (camelCase,
    ``model_dump(by_alias=True, mode="json")``) and its JSON Schema are what the management API serves.

    ``restarts`` counts restarts after failures; ``last_error`` is the latest failure's text and stays
    after later successes.
    """

    model_config = ConfigDict(
        frozen=True,
        alias_generator=to_camel,
        populate_by_name=True,
        json_schema_serialization_defaults_required=True,
    )

    name: str
    status: ServiceStatus
    coordinated: bool = False
    restarts: int = 0
    last_error: str | None = None


class Service(Protocol):
    """Background work under the supervisor (see the module docstring for the contract)."""

    @property
    def name(self) -> str: ...

    @property
    def kind(self) -> ServiceKind: ...

    @property
    def starts_active(self) -> bool:
        """Whether its deployment runs it when it starts (``active: true``)."""
        ...

    @property
    def coordinated(self) -> bool:
        """Whether one node of several runs it, under a lease."""
        ...

    @property
    def record(self) -> ServiceRecord: ...

    def state(self) -> ServiceState: ...

    async def run(self, stop: asyncio.Event) -> None: ...


class ServiceIdentity:
    """What every service is known by, for service classes to derive from: its name, whether its
    deployment runs it when it starts, whether one node of several runs it (under a lease), and its
    :class:`ServiceRecord`. A derived class adds ``kind``, ``state()`` and ``run()``."""

    def __init__(self, name: str, *, starts_active: bool = True, coordinated: bool = False) -> None:
        self._name = name
        self._starts_active = starts_active
        self._coordinated = coordinated
        self.record = ServiceRecord()

    @property
    def name(self) -> str:
        return self._name

    @property
    def starts_active(self) -> bool:
        """Whether its deployment runs it when it starts (``active: true``)."""
        return self._starts_active

    @property
    def coordinated(self) -> bool:
        """Whether one node of several runs it, under a lease."""
        return self._coordinated
