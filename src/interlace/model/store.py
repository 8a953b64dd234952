"""Message store definitions: the files in ``stores/`` (one ``store:`` per document).

A store is at most one of ``memory``, ``sqlite``, ``postgres``, ``rabbitmq`` or ``redis``; a store that
names none is an SQLite store with its defaults. Every store is bounded (``max-messages``, and
``max-bytes`` for the kinds that can count bytes) and says what a put does when it is full
(``when-full``). These classes only describe and validate; :mod:`interlace.stores` runs them.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Final, Literal

import pydantic
from pydantic import AfterValidator, Field, field_validator, model_validator

from interlace.errors import ConfigError, SourceLocation
from interlace.model.base import Definition, check_artifact_name, check_one_kind
from interlace.model.durations import NonNegativeDuration, PositiveDuration
from interlace.model.project import parse_size

__all__ = [
    "STORE_KINDS",
    "MemoryStoreDefinition",
    "PostgresStoreDefinition",
    "RabbitMqStoreDefinition",
    "RedisStoreDefinition",
    "SqliteStoreDefinition",
    "StoreDefinition",
    "StoreKind",
    "StoreOptions",
]

StoreKind = Literal["memory", "sqlite", "postgres", "rabbitmq", "redis"]
STORE_KINDS: Final[tuple[StoreKind, ...]] = ("memory", "sqlite", "postgres", "rabbitmq", "redis")

_SQL_TABLE: Final = re.compile(r"^[a-z_][a-z0-9_]{0,49}$")
_QUEUE: Final = re.compile(r"^[A-Za-z0-9_.:-]{1,200}$")


def _url_scheme(*schemes: str) -> AfterValidator:
    def check(url: str) -> str:
        if not url.startswith(tuple(f"{scheme}://" for scheme in schemes)):
            raise ValueError(f"must be a URL starting with {' or '.join(s + '://' for s in schemes)}")
        return url

    return AfterValidator(check)


def _sql_table(name: str) -> str:
    if not _SQL_TABLE.match(name):
        raise ValueError("must be a lower-case SQL name: letters a-z, digits and _, at most 50 long")
    return name


def _queue_name(name: str | None) -> str | None:
    if name is not None and not _QUEUE.match(name):
        raise ValueError("must be 1 to 200 letters, digits, _ . : -")
    return name


def _at_least_one(count: int) -> int:
    if count < 1:
        raise ValueError("must be >= 1")
    return count


def _size(value: object) -> object:
    return parse_size(value) if isinstance(value, int | str) and not isinstance(value, bool) else value


QueueName = Annotated[str | None, AfterValidator(_queue_name)]
ByteSize = Annotated[int, pydantic.BeforeValidator(_size)]


class MemoryStoreDefinition(Definition):
    """Messages kept in this process only: fast, and lost when it stops. For tests and for messages
    that may be lost."""


class SqliteStoreDefinition(Definition):
    """An SQLite file on this node, in WAL mode: the embedded default. One file can hold many stores."""

    path: str = Field(default=".interlace/stores.sqlite", min_length=1)
    """The database file, relative to the project folder (or absolute)."""
    synchronous: Literal["full", "normal"] = "full"
    """``full``: a stored message survives a power loss (every commit is synced to disk). ``normal``:
    it survives a crash of the process but the last commits may be lost on a power loss; faster."""
    lease: PositiveDuration = 30.0
    """How long a claim of a consumer that stopped renewing it (a process killed on another host
    sharing the file) lasts before its messages return; a killed process of this host is noticed when
    a store opens and at each renewal (every third of the lease)."""


class PostgresStoreDefinition(Definition):
    """A PostgreSQL table shared by every node: claims are leases renewed while the consumer lives."""

    dsn: Annotated[str, _url_scheme("postgresql", "postgres")] = "postgresql://127.0.0.1:5432/postgres"
    """The connection URL, e.g. ``postgresql://interlace:${secret.PGPASSWORD}@db:5432/interlace``."""
    table: Annotated[str, AfterValidator(_sql_table)] = "interlace_messages"
    """The table (created when missing); many stores can share it, one ``store`` value each."""
    pool_size: Annotated[int, AfterValidator(_at_least_one)] = 4
    """Connections this node keeps open for the store."""
    lease: PositiveDuration = 30.0
    """How long the claims of a consumer that stopped (a killed node) last before they return."""
    timeout: PositiveDuration = 10.0
    """The longest wait for a connection or a statement before the store reports a failure."""


class RabbitMqStoreDefinition(Definition):
    """A durable classic RabbitMQ queue with persistent messages and publisher confirms."""

    url: Annotated[str, _url_scheme("amqp", "amqps")] = "amqp://guest:guest@127.0.0.1:5672/"
    """The broker URL, virtual host included."""
    queue: QueueName = None
    """The queue (declared when missing); by default the store's name."""
    timeout: PositiveDuration = 10.0
    """The longest wait for the broker (connection, confirm, get) before the store reports a failure."""


class RedisStoreDefinition(Definition):
    """A Redis stream read through a consumer group; as durable as the server's persistence settings."""

    url: Annotated[str, _url_scheme("redis", "rediss", "unix")] = "redis://127.0.0.1:6379/0"
    """The server URL, database number included."""
    stream: QueueName = None
    """The stream key (companion keys get the suffixes ``:ids``, ``:state``, ``:seen:``); by default
    ``interlace:`` and the store's name."""
    group: Annotated[str, AfterValidator(_queue_name)] = "interlace"
    """The consumer group every node reads through."""
    lease: PositiveDuration = 30.0
    """How long the claims of a consumer that stopped (a killed node) last before they return."""
    timeout: PositiveDuration = 10.0
    """The longest wait for the server before the store reports a failure."""


StoreOptions = (
    MemoryStoreDefinition
    | SqliteStoreDefinition
    | PostgresStoreDefinition
    | RabbitMqStoreDefinition
    | RedisStoreDefinition
)


class StoreDefinition(Definition):
    """A durable, ordered queue of messages: the ``store:`` document of ``stores/NAME.yaml``."""

    store: str
    """The store's name, used by the ``store`` mediator and by processors."""
    description: str = ""
    memory: MemoryStoreDefinition | None = None
    sqlite: SqliteStoreDefinition | None = None
    postgres: PostgresStoreDefinition | None = None
    rabbitmq: RabbitMqStoreDefinition | None = None
    redis: RedisStoreDefinition | None = None
    dedupe_window: NonNegativeDuration | None = None
    """A put whose message id was stored within this window is ignored (for idempotent producers)."""
    max_messages: Annotated[int, AfterValidator(_at_least_one)] = 10_000
    """The most messages the store holds (claimed ones included); a put beyond it is refused or waits
    (``when-full``)."""
    max_bytes: ByteSize | None = None
    """The most bytes the stored messages take, as stored (``64MiB``; a number is bytes); by default
    100MiB. RabbitMQ cannot count the bytes of a queue: a rabbitmq store has no byte bound."""
    when_full: Literal["refuse", "wait"] = "refuse"
    """``refuse``: a put into a full store fails at once (the flow fails with 503 and ``Retry-After``).
    ``wait``: it waits up to ``full-wait`` for room, then fails the same way."""
    full_wait: PositiveDuration = 5.0
    """With ``when-full: wait``, the longest a put waits for room."""
    retry_after: PositiveDuration = 5.0
    """The ``Retry-After`` (seconds) that the answer to a refused put advises the client to wait."""

    @property
    def name(self) -> str:
        return self.store

    @property
    def kind(self) -> StoreKind:
        for kind in STORE_KINDS:
            if getattr(self, kind) is not None:
                return kind
        return "sqlite"

    @property
    def options(self) -> StoreOptions:
        """The options of this store's kind (SQLite's defaults when no kind is named)."""
        for kind in STORE_KINDS:
            options: StoreOptions | None = getattr(self, kind)
            if options is not None:
                return options
        return SqliteStoreDefinition()

    @field_validator("store")
    @classmethod
    def _valid_name(cls, name: str) -> str:
        return check_artifact_name(name)

    @model_validator(mode="before")
    @classmethod
    def _one_kind_and_its_options(cls, data: Any, info: pydantic.ValidationInfo) -> Any:
        # Raised as ConfigError at the second kind's line, as endpoints do: a ValueError would show
        # the whole mapping as its input.
        if not isinstance(data, dict):
            return data
        given = check_one_kind(data, info, kinds=STORE_KINDS, artifact="store", required=False)
        file = str((info.context or {}).get("file", "<memory>"))
        key_lines: dict[str, int] = getattr(data, "key_lines", {})
        name = data.get("store")
        which = f"store {name!r}" if isinstance(name, str) else "a store"
        if given != ["rabbitmq"]:
            return data
        refused = {
            "dedupe-window": "RabbitMQ cannot look up whether a message id was stored",
            "max-bytes": "RabbitMQ does not tell how many bytes a queue holds; bound it with max-messages",
        }
        for key, why in refused.items():
            written = key if key in data else key.replace("-", "_")
            if data.get(written) is not None:
                line = key_lines.get(written, 0) or getattr(data, "line", 0) or 1
                raise ConfigError(
                    f"{which} cannot have {key}: {why} (got {key} with rabbitmq)",
                    location=SourceLocation(file, line),
                )
        return data
