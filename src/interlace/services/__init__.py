"""Services: everything that runs in the background (message processors, inbound endpoints, scheduled
tasks) under one supervisor, with one shape of state, one backoff, one way to schedule and wait, and
leases that let one node of several run a coordinated service."""

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
