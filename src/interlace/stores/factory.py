"""Build the store a definition describes (not opened yet: the runtime opens and closes it)."""

from __future__ import annotations

from pathlib import Path

from interlace.model.store import (
    MemoryStoreDefinition,
    PostgresStoreDefinition,
    RabbitMqStoreDefinition,
    RedisStoreDefinition,
    SqliteStoreDefinition,
    StoreDefinition,
)
from interlace.stores.base import MessageStore
from interlace.stores.bounds import DEFAULT_MAX_BYTES, StoreBounds
from interlace.stores.memory import MemoryStore
from interlace.stores.sqlite import SqliteStore

__all__ = ["build_store", "store_bounds"]


def store_bounds(definition: StoreDefinition) -> StoreBounds:
    """The bound and full policy ``definition`` gives, with the defaults of its kind (RabbitMQ cannot
    count bytes: no byte bound)."""
    max_bytes = definition.max_bytes
    if max_bytes is None and definition.kind != "rabbitmq":
        max_bytes = DEFAULT_MAX_BYTES
    return StoreBounds(
        definition.max_messages, max_bytes, definition.when_full, definition.full_wait, definition.retry_after
    )


def build_store(definition: StoreDefinition, *, project_root: Path) -> MessageStore:
    """The store of ``definition``; a relative SQLite path is taken from ``project_root``.

    The client libraries of the networked kinds are imported only when such a store is built.
    """
    name, options, window = definition.name, definition.options, definition.dedupe_window
    bounds = store_bounds(definition)
    if isinstance(options, MemoryStoreDefinition):
        return MemoryStore(name, dedupe_window=window, bounds=bounds)
    if isinstance(options, SqliteStoreDefinition):
        path = Path(options.path)
        return SqliteStore(
            name,
            path if path.is_absolute() else project_root / path,
            synchronous=options.synchronous,
            lease=options.lease,
            dedupe_window=window,
            bounds=bounds,
        )
    if isinstance(options, PostgresStoreDefinition):
        from interlace.stores.postgres import PostgresStore

        return PostgresStore(
            name,
            options.dsn,
            table=options.table,
            pool_size=options.pool_size,
            lease=options.lease,
            timeout=options.timeout,
            dedupe_window=window,
            bounds=bounds,
        )
    if isinstance(options, RedisStoreDefinition):
        from interlace.stores.redis import RedisStore

        return RedisStore(
            name,
            options.url,
            stream=options.stream,
            group=options.group,
            lease=options.lease,
            timeout=options.timeout,
            dedupe_window=window,
            bounds=bounds,
        )
    if isinstance(options, RabbitMqStoreDefinition):
        from interlace.stores.rabbitmq import RabbitMqStore

        return RabbitMqStore(name, options.url, queue=options.queue, timeout=options.timeout, bounds=bounds)
    raise AssertionError(f"unknown store options {type(options).__name__}")  # the union is exhaustive
