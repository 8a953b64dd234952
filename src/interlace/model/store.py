"""Message store definitions: the files in `stores/` (one `store:` per document). These classes only
describe and validate; `interlace.stores` runs them.

A message store is a durable, ordered queue of messages: the `store` mediator puts a message in it and
a message processor takes messages out and forwards them. Each store lives in `stores/NAME.yaml`.

A stored message keeps its payload (bytes, any content type), headers, variables, properties and
correlation id, and its delivery metadata: a stable id (sent as the `Idempotency-Key` when the message
is forwarded), when it was created, how many delivery attempts failed, the last error, and the store it
was first put in. Variables and properties must be JSON values; a message whose are not is refused.

A store is at most one of `memory`, `sqlite`, `postgres`, `rabbitmq` or `redis`. A store that names
none is an SQLite store with its defaults. Every store is bounded (`max-messages`, and `max-bytes` for
the kinds that can count bytes) and says what a put does when it is full (`when-full`).

```yaml
# stores/payments.yaml
store: PaymentRequestMessageStore
description: Settlement requests waiting for the payments back-end
sqlite:
  path: .interlace/stores.sqlite
  synchronous: full
dedupe-window: 10m
max-messages: 10000
when-full: wait
full-wait: 10s
```

----

## Delivery guarantees

- **Put**: when `put` returns, the message is as durable as the kind promises above; when it fails,
  the message is not stored and the flow fails (or the `store` mediator's failover store is used).
- **At least once**: a message leaves the store only when its consumer acknowledges it. A consumer that
  dies without acknowledging leaves its messages to be delivered again: at once (sqlite on this host,
  rabbitmq, a consumer that closes), or when its lease runs out (postgres, redis, sqlite shared with
  another host). A message can therefore be delivered twice; receivers de-duplicate with its
  `Idempotency-Key`.
- **Order**: messages are claimed oldest first, and a released message keeps its place. Messages put
  concurrently are ordered as the backend commits them. When claims return after a lease ran out,
  later messages may have been delivered before them in the meantime.
- A store that cannot reach its server fails within its `timeout` with an error naming the store, the
  server (password hidden) and the cause. That text goes to the log; a client is told only that the
  store (by name) could not store the message."""

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
    """```yaml
    memory: {}
    ```

    Messages kept in this process only. Fast, and **lost when the process stops**: for tests and for
    messages that may be lost. No options. Not shared between nodes."""


class SqliteStoreDefinition(Definition):
    """An SQLite file on this node, in WAL mode: the embedded default. One file can hold many stores.

    ```yaml
    sqlite:
      path: .interlace/stores.sqlite   # relative to the project folder, or absolute
      synchronous: full                # full | normal
      lease: 30s
    ```

    Durability: the file is in WAL mode. With `synchronous: full`, every commit is synced to disk before
    `put` returns: a stored message survives a crash of the process **and a power loss**. With
    `synchronous: normal`, the WAL is synced at checkpoints only: a stored message survives a crash of the
    process, but a power loss or an operating-system crash may take the last commits; it is faster for a
    single producer. Puts that arrive together share one commit (and one disk sync).

    Claims: a message being delivered is marked as claimed by its consumer. The consumer renews its claims
    while it lives and gives them back when it closes; when a store opens, and every third of the lease,
    the claims of processes of this host that are no longer running are given back, so after a crash and
    restart the messages that were in flight are delivered again at once, in their places."""

    path: str = Field(default=".interlace/stores.sqlite", min_length=1)
    """The database file, relative to the project folder (or absolute). One file can hold many stores. It
    holds message payloads, so it is created readable and writable by its owner only (mode 0600, and so
    are its `-wal` and `-shm` files; an existing file is made so), and a folder created for it is 0700."""
    synchronous: Literal["full", "normal"] = "full"
    """`full`: a stored message survives a power loss (every commit is synced to disk). `normal`: it survives
    a crash of the process but the last commits may be lost on a power loss; faster. See durability above."""
    lease: PositiveDuration = 30.0
    """How long the claims of a consumer that stopped renewing them last (a process on another host sharing
    the file); a killed process of this host is noticed when a store opens and every third of the lease."""


class PostgresStoreDefinition(Definition):
    """A PostgreSQL table shared by every node: claims are leases renewed while the consumer lives.

    ```yaml
    postgres:
      dsn: postgresql://interlace:${secret.PGPASSWORD}@db.internal:5432/interlace
      table: interlace_messages
      pool-size: 4
      lease: 30s
      timeout: 10s
    ```

    Durability: `put` returns when the row is committed, as durable as the server's `synchronous_commit`
    (on by default: flushed to the server's disk).

    Shared by every node: any node can put, and consumers on several nodes never claim the same message
    (`SELECT ... FOR UPDATE SKIP LOCKED`). A claim is a lease in server time, renewed every third of the
    lease while the consumer lives; the claims of a node that died return when the lease runs out."""

    dsn: Annotated[str, _url_scheme("postgresql", "postgres")] = "postgresql://127.0.0.1:5432/postgres"
    """The connection URL (`postgresql://` or `postgres://`), e.g.
    `postgresql://interlace:${secret.PGPASSWORD}@db:5432/interlace`."""
    table: Annotated[str, AfterValidator(_sql_table)] = "interlace_messages"
    """The table, created when missing (and `<table>_seen` for the de-duplication window). Many stores can
    share it, one `store` value each. Lower-case letters, digits and `_`."""
    pool_size: Annotated[int, AfterValidator(_at_least_one)] = 4
    """Connections this node keeps open for the store."""
    lease: PositiveDuration = 30.0
    """How long the claims of a node that died (a consumer that stopped) last before their messages return."""
    timeout: PositiveDuration = 10.0
    """The longest wait for a connection or a statement before the store reports a failure."""


class RabbitMqStoreDefinition(Definition):
    """A durable classic RabbitMQ queue with persistent messages and publisher confirms.

    ```yaml
    rabbitmq:
      url: amqp://interlace:${secret.MQPASSWORD}@mq.internal:5672/
      queue: payments
      timeout: 10s
    ```

    Durability: messages are persistent and `put` returns when the broker has confirmed the message
    (publisher confirms), that is when it is written to the broker's disk. A message the broker refuses or
    cannot route (the queue was deleted) is an error.

    Delivery: a consumer takes messages with `basic.get` and acknowledges them manually; a message it holds
    is given to no other consumer, and returns to its place in the queue when the consumer's connection
    closes or drops. A released message is returned with `basic.nack` and requeue, also to its place (a
    classic queue keeps the place; a quorum queue would move it to the end, which is why the queue is
    classic). A dropped connection is opened again on the next call.

    Limits, because RabbitMQ gives a queued message only to a consumer that takes it:

    - `browse`, reading one message by id and deleting one message by id are not possible: they fail with
      an error that says so. Use another kind where operators must inspect messages.
    - The size is the number of ready messages plus those this node holds; messages other nodes hold are
      not counted. `purge` removes the ready messages and those this node holds.
    - A queued message cannot be changed: the attempts and last error of a released message are kept by
      the node that released it and applied when it takes the message again. Another node, or the same one
      after a restart, sees the attempts the message had when it was put.
    - `dedupe-window` is refused."""

    url: Annotated[str, _url_scheme("amqp", "amqps")] = "amqp://guest:guest@127.0.0.1:5672/"
    """The broker URL (`amqp://` or `amqps://`), virtual host included."""
    queue: QueueName = None
    """The queue, declared durable (a classic queue) when missing; by default the store's name."""
    timeout: PositiveDuration = 10.0
    """The longest wait for the broker (connecting, a publisher confirm, a get) before the store reports a
    failure."""


class RedisStoreDefinition(Definition):
    """A Redis stream read through a consumer group; as durable as the server's persistence settings.

    ```yaml
    redis:
      url: redis://cache.internal:6379/0
      stream: interlace:payments
      group: interlace
      lease: 30s
      timeout: 10s
    ```

    Durability: `put` returns when the server has acknowledged the write. Whether the message survives a
    restart of Redis is the **server's** persistence setting: with `appendonly yes` and
    `appendfsync always` every write is on disk; with `appendfsync everysec` up to a second of writes can
    be lost; without the append-only file only the last snapshot survives (or nothing, with snapshots off).
    Use a server configured for the messages you put in it.

    Delivery: messages are stream entries read through the consumer group. A claim is a pending entry of
    the consumer, renewed while it lives; `fetch` first takes back entries whose claim is older than the
    lease (those of a node that died, and released ones) and then reads new entries, so messages come out
    in order. A released message keeps its place and its new attempts and last error. Every change that
    touches several keys is one Lua script, atomic on the server."""

    url: Annotated[str, _url_scheme("redis", "rediss", "unix")] = "redis://127.0.0.1:6379/0"
    """The server URL (`redis://`, `rediss://` or `unix://`), database number included."""
    stream: QueueName = None
    """The stream key; by default `interlace:` and the store's name. The store also uses `STREAM:ids`,
    `STREAM:state`, `STREAM:usage` and `STREAM:seen:ID`."""
    group: Annotated[str, AfterValidator(_queue_name)] = "interlace"
    """The consumer group every node reads through."""
    lease: PositiveDuration = 30.0
    """How long the claims of a node that died (a consumer that stopped) last before their messages return."""
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
    """A durable, ordered queue of messages: the `store:` document of `stores/NAME.yaml`.

    Whatever the kind, a put of an id that the store still holds is ignored (the first form is kept), full
    or not. A replay into a store whose window remembers the message's id is refused (409) and the
    message stays where it was: replay it with a new id (`--new-id`).

    ### Bounds and backpressure

    Every store is bounded, so that a producer faster than the store's consumer cannot fill a disk or
    build a backlog that takes hours to drain. A put that would take the store over `max-messages` or
    `max-bytes` is not stored, and the `store` mediator's flow fails with the error `STORE_FULL`, status
    503: the default error answer carries a `Retry-After` header (and an on-error flow that answers with
    `${error.status}` keeps it), and its message names the store only. The message was not stored, so
    the client may send it again later. A processor moving a message into a full store (a dead-letter
    store, a `to-store` target) counts a failed attempt and tries again after its backoff.

    With `when-full: wait` the put waits for room instead, in line with the other waiting puts (the
    oldest first): a message acknowledged, deleted or purged through this node wakes the first waiting
    put at once, and the first in line looks again every 250ms for room made by other nodes. The
    client's request waits meanwhile. Prefer `wait` when the flow did irreversible work before the store
    (the healthcare example reserves an appointment first) and when clients ignore `Retry-After`:
    waiting requests cost the server nothing, so the processor keeps its pace. Measured with
    `bench/store_backpressure.py` (60 s of 64 clients on the healthcare example's reserve resource,
    bound 2000, on a shared 2-core machine):

    | when full | API answers | accepted | payments settled under load | nothing lost |
    | --- | --- | --- | --- | --- |
    | `refuse`, clients ignore `Retry-After` | 310/s (16827 x 503) | 40/s | 8/s | yes, 2475 of 2475 |
    | `refuse`, clients wait `Retry-After` | 80/s (638 x 503) | 69/s | 38/s | yes, 4181 of 4181 |
    | `wait` (`full-wait: 10s`) | 67/s (2 x 503) | 67/s | 35/s | yes, 4134 of 4134 |

    In every case the store stayed at or under its bound and drained in 30 to 45 s after the load
    stopped.

    Once a store that refuses has been found full, the resources whose flow stores into it (a `store`
    step of the resource's flow itself, without a failover store) meter their requests at their first
    step: a count of the store lets through as many requests as it has room for, and the others wait
    for the next count (taken 100ms after the last one) and are refused then if it shows no room for
    them, before calling any back-end. A flow therefore runs only when its message can be stored, and
    clients that send again at once after a 503 are answered at the pace of the counts, so they cannot
    take the event loop from the processor that makes the room.

    How exact the bound is depends on the kind:

    - `memory`: its own count: exact.
    - `sqlite`: counts kept by triggers in the same transaction as every change: exact, for every
      process sharing the file.
    - `redis`: the stream's length and a byte count updated by the same Lua script that adds the
      message: exact, for every node.
    - `postgres`: the count and bytes the server counted at most a second before, plus this node's puts
      and removals since (counting per put would scan the store's rows). Nodes putting at once may go
      over the bound by what they store within that second.
    - `rabbitmq`: the ready messages the broker counted at most a second before, plus this node's
      claims, puts and acknowledgements since; claims of other nodes are not counted. Messages only.

    The management API (`GET /management/stores`, `GET /management/stores/NAME`) and `interlace store
    list` show each store's depth (messages and bytes) against its bound.

    ### Keys"""

    store: str
    """The store's name, used by the `store` mediator and by processors. Letters, digits, `_ . -`."""
    description: str = ""
    """Free text."""
    memory: MemoryStoreDefinition | None = None
    """A store in this process's memory (below)."""
    sqlite: SqliteStoreDefinition | None = None
    """A store in an SQLite file (below); the kind of a store that names none."""
    postgres: PostgresStoreDefinition | None = None
    """A store in a PostgreSQL table (below)."""
    rabbitmq: RabbitMqStoreDefinition | None = None
    """A store in a RabbitMQ queue (below)."""
    redis: RedisStoreDefinition | None = None
    """A store in a Redis stream (below)."""
    dedupe_window: NonNegativeDuration | None = None
    """A put whose message id was stored within this duration (`30s`, `10m`) is ignored, even if that message
    was delivered since: producers can repeat a put safely. Not available for `rabbitmq`."""
    max_messages: Annotated[int, AfterValidator(_at_least_one)] = 10_000
    """The most messages the store holds, claimed ones included; a put beyond it is refused or waits
    (`when-full`)."""
    max_bytes: ByteSize | None = None
    """The most bytes its messages take as stored (payload in base64 plus headers, variables and
    metadata): `64MiB`, `500MB`, or a number of bytes; by default `100MiB`. Not available for `rabbitmq`
    (the broker does not tell a queue's bytes): a RabbitMQ store is bounded by `max-messages` only."""
    when_full: Literal["refuse", "wait"] = "refuse"
    """What a put into a full store does: `refuse` fails at once (the flow fails with 503 and
    `Retry-After`); `wait` waits for room, up to `full-wait`, and then fails the same way."""
    full_wait: PositiveDuration = 5.0
    """With `when-full: wait`, the longest a put waits for room."""
    retry_after: PositiveDuration = 5.0
    """The `Retry-After` a refused put advises the client (whole seconds)."""

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
