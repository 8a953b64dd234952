"""Inbound endpoints and scheduled tasks: sources of messages (connector triggers, an HTTP listener,
schedules) bound to flows; services under the supervisor of :mod:`interlace.services`."""

from interlace.inbound.base import EventSource, Inbound, InboundCounters, InboundState
from interlace.inbound.checkpoint import FileCheckpoint
from interlace.inbound.endpoint import InboundEndpoint, message_of
from interlace.inbound.http_listener import HttpDispatch, HttpListener, RequestHandler
from interlace.inbound.redelivery import AttemptCounter, DeadLetters, Redelivery, StoreDeadLetters
from interlace.inbound.tasks import ScheduledTask, TaskState
from interlace.inbound.trigger import ConnectorTriggerSource

__all__ = [
    "AttemptCounter",
    "ConnectorTriggerSource",
    "DeadLetters",
    "EventSource",
    "FileCheckpoint",
    "HttpDispatch",
    "HttpListener",
    "Inbound",
    "InboundCounters",
    "InboundEndpoint",
    "InboundState",
    "Redelivery",
    "RequestHandler",
    "ScheduledTask",
    "StoreDeadLetters",
    "TaskState",
    "message_of",
]
