"""Inbound endpoints and scheduled tasks: sources of messages (connector triggers, an HTTP listener,
files, database rows, PostgreSQL notifications, schedules) bound to flows, supervised, optionally
coordinated so that one node among several runs each."""

from interlace.inbound.base import (
    EventSource,
    Inbound,
    InboundCounters,
    InboundState,
    InboundStatus,
    Schedule,
    Supervised,
    Wait,
)
from interlace.inbound.coordination import LEASE_TABLE, Coordinator, default_node_name
from interlace.inbound.cursor import CursorStore, FileCursorStore, TableCursorStore
from interlace.inbound.dbpoll import DbPollSource
from interlace.inbound.endpoint import InboundEndpoint, message_of, run_flow
from interlace.inbound.files import FileAction, FileSource
from interlace.inbound.http_listener import HttpDispatch, HttpListener, RequestHandler
from interlace.inbound.pgnotify import PostgresNotifySource
from interlace.inbound.runner import InboundRunner
from interlace.inbound.supervisor import Supervisor, UnknownInboundError
from interlace.inbound.tasks import OnceSchedule, ScheduledTask, TaskState, TaskStatus
from interlace.inbound.trigger import ConnectorTriggerSource

__all__ = [
    "LEASE_TABLE",
    "ConnectorTriggerSource",
    "Coordinator",
    "CursorStore",
    "DbPollSource",
    "EventSource",
    "FileAction",
    "FileCursorStore",
    "FileSource",
    "HttpDispatch",
    "HttpListener",
    "Inbound",
    "InboundCounters",
    "InboundEndpoint",
    "InboundRunner",
    "InboundState",
    "InboundStatus",
    "OnceSchedule",
    "PostgresNotifySource",
    "RequestHandler",
    "Schedule",
    "ScheduledTask",
    "Supervised",
    "Supervisor",
    "TableCursorStore",
    "TaskState",
    "TaskStatus",
    "UnknownInboundError",
    "Wait",
    "default_node_name",
    "message_of",
    "run_flow",
]
