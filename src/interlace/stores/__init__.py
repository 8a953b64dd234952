"""Message stores: durable, ordered queues of messages for store-and-forward.

The stores of networked kinds (postgres, rabbitmq, redis) are imported on first use, so a project that
does not use them does not load their client libraries.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from interlace.stores.base import MessageStore
from interlace.stores.bell import StoreBell
from interlace.stores.bounds import StoreBounds, StoreFullError, StoreUsage
from interlace.stores.factory import build_store, store_bounds
from interlace.stores.memory import MemoryStore
from interlace.stores.message import StoredMessage, StoreError, decode_message, encode_message
from interlace.stores.sqlite import SqliteStore

if TYPE_CHECKING:
    from interlace.stores.postgres import PostgresStore
    from interlace.stores.rabbitmq import RabbitMqStore
    from interlace.stores.redis import RedisStore

__all__ = [
    "MemoryStore",
    "MessageStore",
    "PostgresStore",
    "RabbitMqStore",
    "RedisStore",
    "SqliteStore",
    "StoreBell",
    "StoreBounds",
    "StoreError",
    "StoreFullError",
    "StoreUsage",
    "StoredMessage",
    "build_store",
    "decode_message",
    "encode_message",
    "store_bounds",
]

_LAZY = {
    "PostgresStore": "interlace.stores.postgres",
    "RabbitMqStore": "interlace.stores.rabbitmq",
    "RedisStore": "interlace.stores.redis",
}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
