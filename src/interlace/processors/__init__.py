"""Message processors: background consumers of message stores (forwarding, sampling)."""

from interlace.processors.base import MessageProcessor, ProcessorCounters, ProcessorState, ProcessorStatus
from interlace.processors.delivery import (
    IDEMPOTENCY_HEADER,
    DeliveryOutcome,
    DeliveryTarget,
    EndpointTarget,
    SequenceTarget,
    StoreTarget,
    delivery_context,
)
from interlace.processors.forwarding import Backoff, ExhaustedPolicy, ForwardingProcessor
from interlace.processors.operations import (
    MessageNotFoundError,
    UnknownStoreError,
    describe_message,
    replay_message,
)
from interlace.processors.sampling import SamplingProcessor
from interlace.processors.schedule import CronSchedule, IntervalSchedule, Schedule, Wait, wait_or_stop
from interlace.processors.supervisor import ProcessorSupervisor, UnknownProcessorError

__all__ = [
    "IDEMPOTENCY_HEADER",
    "Backoff",
    "CronSchedule",
    "DeliveryOutcome",
    "DeliveryTarget",
    "EndpointTarget",
    "ExhaustedPolicy",
    "ForwardingProcessor",
    "IntervalSchedule",
    "MessageNotFoundError",
    "MessageProcessor",
    "ProcessorCounters",
    "ProcessorState",
    "ProcessorStatus",
    "ProcessorSupervisor",
    "SamplingProcessor",
    "Schedule",
    "SequenceTarget",
    "StoreTarget",
    "UnknownProcessorError",
    "UnknownStoreError",
    "Wait",
    "delivery_context",
    "describe_message",
    "replay_message",
    "wait_or_stop",
]
