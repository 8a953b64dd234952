"""Message processors: background consumers of message stores (forwarding, sampling)."""

from interlace.processors.base import MessageProcessor, ProcessorCounters, ProcessorState
from interlace.processors.delivery import (
    IDEMPOTENCY_HEADER,
    DeliveryOutcome,
    DeliveryTarget,
    EndpointTarget,
    SequenceTarget,
    StoreTarget,
    delivery_context,
)
from interlace.processors.forwarding import ExhaustedPolicy, ForwardingProcessor
from interlace.processors.replay import (
    MessageNotFoundError,
    ReplayConflictError,
    UnknownStoreError,
    describe_message,
    replay_message,
)
from interlace.processors.sampling import SamplingProcessor

__all__ = [
    "IDEMPOTENCY_HEADER",
    "DeliveryOutcome",
    "DeliveryTarget",
    "EndpointTarget",
    "ExhaustedPolicy",
    "ForwardingProcessor",
    "MessageNotFoundError",
    "MessageProcessor",
    "ProcessorCounters",
    "ProcessorState",
    "ReplayConflictError",
    "SamplingProcessor",
    "SequenceTarget",
    "StoreTarget",
    "UnknownStoreError",
    "delivery_context",
    "describe_message",
    "replay_message",
]
