"""Build the store a definition describes (not opened yet: the runtime opens and closes it)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from interlace.errors import ConfigError, interlace_extra, missing_library
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
        with _library_of("postgres"):
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
        with _library_of("redis"):
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
        with _library_of("rabbitmq"):
            from interlace.stores.rabbitmq import RabbitMqStore

        return RabbitMqStore(name, options.url, queue=options.queue, timeout=options.timeout, bounds=bounds)
    raise AssertionError(f"unknown store options {type(options).__name__}")  # the union is exhaustive


@contextlib.contextmanager
def _library_of(kind: str) -> Iterator[None]:
    """Importing the store of ``kind``: its client library comes with Interlace's extra of that name."""
    try:
        yield
    except ModuleNotFoundError as exc:
        library = exc.name or str(exc)
        raise ConfigError(missing_library(f"store kind {kind!r}", library, interlace_extra(kind))) from exc
