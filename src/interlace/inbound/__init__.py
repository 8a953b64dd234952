"""Inbound endpoints and scheduled tasks: sources of messages (connector triggers, an HTTP listener,
files, database rows, PostgreSQL notifications, schedules) bound to flows; services under the
supervisor of :mod:`interlace.services`."""

from interlace.inbound.base import EventSource, Inbound, InboundCounters, InboundState
from interlace.inbound.cursor import CursorStore, FileCursorStore, TableCursorStore
from interlace.inbound.dbpoll import DbPollSource
from interlace.inbound.endpoint import InboundEndpoint, message_of
from interlace.inbound.files import FileAction, FileSource
from interlace.inbound.http_listener import HttpDispatch, HttpListener, RequestHandler
from interlace.inbound.pgnotify import PostgresNotifySource
from interlace.inbound.redelivery import AttemptCounter, DeadLetters, Redelivery, StoreDeadLetters
from interlace.inbound.tasks import ScheduledTask, TaskState
from interlace.inbound.trigger import ConnectorTriggerSource

__all__ = [
    "AttemptCounter",
    "ConnectorTriggerSource",
    "CursorStore",
    "DbPollSource",
    "DeadLetters",
    "EventSource",
    "FileAction",
    "FileCursorStore",
    "FileSource",
    "HttpDispatch",
    "HttpListener",
    "Inbound",
    "InboundCounters",
    "InboundEndpoint",
    "InboundState",
    "PostgresNotifySource",
    "Redelivery",
    "RequestHandler",
    "ScheduledTask",
    "StoreDeadLetters",
    "TableCursorStore",
    "TaskState",
    "message_of",
]
