"""Services: everything that runs in the background (message processors, inbound endpoints, scheduled
tasks) under one supervisor, with one shape of state, one backoff, one way to schedule and wait, and
leases that let one node of several run a coordinated service.

Each name is imported from its module when first used (as the stores package does), so the parent of
several workers, which needs only :class:`Backoff`, does not load the supervisor and its schedules."""

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from interlace.services.backoff import Backoff
    from interlace.services.coordination import LEASE_TABLE, Coordinator, default_node_name
    from interlace.services.held import HeldServices, write_state_file
    from interlace.services.schedule import (
        CronSchedule,
        IntervalSchedule,
        OnceSchedule,
        Schedule,
        Wait,
        wait_or_stop,
    )
    from interlace.services.service import (
        SERVICE_KINDS,
        EpochTime,
        Service,
        ServiceFailedError,
        ServiceIdentity,
        ServiceKind,
        ServiceRecord,
        ServiceState,
        ServiceStatus,
    )
    from interlace.services.supervisor import KIND_NAMES, Supervisor, UnknownServiceError

__all__ = [
    "KIND_NAMES",
    "LEASE_TABLE",
    "SERVICE_KINDS",
    "Backoff",
    "Coordinator",
    "CronSchedule",
    "EpochTime",
    "HeldServices",
    "IntervalSchedule",
    "OnceSchedule",
    "Schedule",
    "Service",
    "ServiceFailedError",
    "ServiceIdentity",
    "ServiceKind",
    "ServiceRecord",
    "ServiceState",
    "ServiceStatus",
    "Supervisor",
    "UnknownServiceError",
    "Wait",
    "default_node_name",
    "wait_or_stop",
    "write_state_file",
]

_LAZY = {
    "Backoff": "interlace.services.backoff",
    "Coordinator": "interlace.services.coordination",
    "CronSchedule": "interlace.services.schedule",
    "EpochTime": "interlace.services.service",
    "HeldServices": "interlace.services.held",
    "IntervalSchedule": "interlace.services.schedule",
    "KIND_NAMES": "interlace.services.supervisor",
    "LEASE_TABLE": "interlace.services.coordination",
    "OnceSchedule": "interlace.services.schedule",
    "SERVICE_KINDS": "interlace.services.service",
    "Schedule": "interlace.services.schedule",
    "Service": "interlace.services.service",
    "ServiceFailedError": "interlace.services.service",
    "ServiceIdentity": "interlace.services.service",
    "ServiceKind": "interlace.services.service",
    "ServiceRecord": "interlace.services.service",
    "ServiceState": "interlace.services.service",
    "ServiceStatus": "interlace.services.service",
    "Supervisor": "interlace.services.supervisor",
    "UnknownServiceError": "interlace.services.supervisor",
    "Wait": "interlace.services.schedule",
    "default_node_name": "interlace.services.coordination",
    "wait_or_stop": "interlace.services.schedule",
    "write_state_file": "interlace.services.held",
}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
