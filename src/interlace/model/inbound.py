"""Inbound endpoint definitions: the files in `inbound/` (one `inbound:` per document). These classes only
describe and validate; the compiler checks names and trigger parameters, and `interlace.inbound` runs
them.

An **inbound endpoint** binds one source of messages to a sequence: a connector's trigger (a queue, a
mailbox, a stream, new rows of a database table, PostgreSQL notifications), files appearing in a
folder, or an extra HTTP listener that serves some APIs on a port of its own.

```yaml
inbound: IncomingOrders
trigger:
  file.poll: {connection: exchange, folder: inbox, pattern: "*.json", onSuccess: move, successFolder: done}
sequence: ProcessOrder
on-error: ReportBadOrder
max-in-flight: 4
```"""

from __future__ import annotations

from typing import Annotated, Any, Final, Literal

import pydantic
from pydantic import Field, field_validator, model_validator

from interlace.errors import ConfigError, SourceLocation
from interlace.model.base import Definition
from interlace.model.durations import PositiveDuration
from interlace.model.flow import OnErrorSource
from interlace.model.legacy import LEGACY_SOURCES, convert_legacy_source
from interlace.model.store import StoreDefinition
from interlace.model.task import TaskName

__all__ = [
    "INBOUND_KINDS",
    "HttpListenerDefinition",
    "InboundDefinition",
    "InboundKind",
    "RedeliveryDefinition",
    "default_dead_letter_store",
    "implied_stores",
]

InboundKind = Literal["trigger", "http"]
INBOUND_KINDS: Final[tuple[InboundKind, ...]] = ("trigger", "http")


def default_dead_letter_store(project: str) -> str:
    """The message store that takes an inbound message whose attempts ran out, when its source has no
    dead-letter place of its own and the endpoint names no other: ``PROJECT.dead-letters`` (store names
    are server-wide), an SQLite store made when the project does not define one."""
    return f"{project}.dead-letters" if project[:1].isalpha() else f"_{project}.dead-letters"


class HttpListenerDefinition(Definition):
    """An HTTP listener on a port of its own, dispatching requests to the named APIs as the main port does.

    ```yaml
    inbound: PartnerPort
    http: {port: 8443, host: 0.0.0.0, apis: [PartnerAPI]}
    max-in-flight: 64
    ```

    Requests are dispatched exactly as on the main port: routing, default answers (404, 405, 413) and the
    body size limit of `[server]`; the port is guarded with the connection limits of `[server]` too
    (`header-timeout`, `body-timeout`, `keepalive-timeout`, `max-connections`, counted for this port
    alone), so one setting governs every port that serves APIs. Other APIs are not served on this
    port. No `sequence`, `on-error` or `coordination`: every node listens. At most `max-in-flight`
    requests are processed at once. An embedding application passes the HTTP transport's dispatcher to
    the runtime: `Runtime(root, http_dispatch=interlace.http.listener.dispatch_routes)`; without it the
    endpoint shows `failed` with the reason."""

    port: Annotated[int, Field(ge=0, le=65535)]
    """The port to listen on (0: any free one, shown in the state's `source`)."""
    host: str | None = None
    """The address to listen on; by default the server's (``[server] host``)."""
    apis: Annotated[list[TaskName], Field(min_length=1)]
    """The APIs served on this port (each is still served on the main port too)."""


class RedeliveryDefinition(Definition):
    """How often a message whose flow failed is tried, and the wait between tries."""

    max_attempts: Annotated[int, Field(ge=1, le=1000)] = 5
    """Deliveries per message at most; after the last one fails, the message is dead-lettered."""
    backoff: PositiveDuration = 1.0
    """The wait before handing a failed message back; doubled after each further failure."""
    max_backoff: PositiveDuration = 30.0
    """The longest wait between two attempts."""


class InboundDefinition(Definition):
    """An inbound endpoint: the `inbound:` document of `inbound/NAME.yaml`. It has exactly one source:
    `trigger` or `http` (below).

    ### Delivery

    Each event becomes a message: its payload, its headers, and its source facts (a file's name, a row's
    key, a queue's delivery tag) as message properties (`${props.fileName}`).

    - An event is **acknowledged only after its flow settled** (see how a flow ends in the README): the
      sequence ended, or its `on-error` flow handled the failure (that flow is where a message is parked,
      for example with the `store` mediator; throw an error in it to hand the message back instead).
      Before that, nothing is acknowledged, so a crash never loses a message: the source delivers it again
      (at least once).
    - When an error escapes the flow, the event is handed back (`nack` with requeue) after the
      `redelivery` backoff, and the source delivers it again; a flow that fails once and then succeeds
      loses nothing. The wait holds the message's slot, so a message that keeps failing is not read again
      at once.
    - **Bounded redelivery.** Attempts are counted per message: the source's own delivery count where it gives
      one (JetStream `num_delivered`, SQS `ApproximateReceiveCount`, a Redis stream group's `XPENDING` count,
      a RabbitMQ quorum queue's `x-delivery-count`), otherwise by the runtime per message id (RabbitMQ
      `message_id`, Kafka topic, partition and offset, a file's path, a row's key, else a digest of body and
      headers), kept in the project's state folder (`.interlace/attempts/NAME.json`) so that a restart does
      not reset them. After the last of `redelivery.max-attempts` the message is **dead-lettered**, and only
      then acknowledged: into the source's dead-letter place when its trigger names one (`deadLetterExchange`,
      `deadLetterSubject`, `deadLetterStream`, `deadLetterTopic`, `deadLetterQueueUrl`; files: the
      `onFailure` folder, or `dead-letter/` beside the files with a `NAME.reason.txt`), otherwise into the
      `dead-letter-store`, where it can be browsed and replayed through the management API. Body and headers
      are kept, and the reason (attempts and last error) is added as the header
      `x-interlace-dead-letter-reason` (a stored message also keeps it as its `last_error`). `dead_lettered`
      in the state counts them.
    - **Backpressure**: at most `max-in-flight` messages are in flight; the source is asked for the next
      event only when a slot is free.
    - **Stopping** (deactivation, redeploy, shutdown): the source is closed first, then the messages in
      flight finish, up to the server's `graceful-timeout`; those still running then are cancelled and
      handed back with requeue.
    - A source failing with a retryable error (or any unexpected one) is started again after a backoff
      (1s, doubling, at most 30s; `restarts` counts them); a fatal error stops the endpoint (`failed`)
      until it is activated again.

    State (management API, `runtime.services.state("inbound", name)`): `kind`, `source`, `target`,
    `status` (`active`, `inactive`, `standby`, `failed`), `received`, `processed`, `failed`,
    `dead_lettered`, `in_flight`, `restarts`, `last_error`. An endpoint an operator deactivated stays
    inactive across redeploys and restarts until activated again.

    ### `trigger`: a connector's trigger

    ```yaml
    inbound: Orders
    trigger:
      rabbitmq.queue: {connection: broker, queue: orders}
    sequence: ProcessOrder
    ```

    One entry `connector.trigger` with `connection` (a connection of that connector, in `connections/`)
    and the trigger's parameters, checked at load time against the trigger's spec at their lines (unknown
    parameters, wrong types, missing ones); `interlace connector info NAME` lists them. Parameter values
    must be known at load time (`${configs.x}`, `${env.X}`). The trigger runs on one connection of the
    connection's pool for as long as the endpoint runs. How a failed message goes back (redelivery,
    dead-letter exchange, visibility timeout) is the source's own mechanism, described with each connector.
    A trigger that keeps a position in its source (how far `db.poll` read a table) has it kept by the
    runtime in `.interlace/checkpoints/NAME.json`, unless the trigger keeps it elsewhere.

    Database tables and PostgreSQL notifications are triggers of the `db` connector (see
    [db](../connectors/db.md)):

    ```yaml
    inbound: NewPatients
    trigger:
      db.poll: {connection: clinic, table: patients, keyColumn: id, poll: 1, batch: 100}
    sequence: WelcomePatient
    max-in-flight: 1
    coordination: true
    ```

    The sources `db-poll:` and `postgres-notify:` of earlier versions are still read, as these triggers
    (`key-column` as `keyColumn`, `order-column` as `orderColumn`, a `poll` duration as seconds), with a
    deprecation warning naming the file and line; `postgres-notify` with a `dsn` is a problem: define a
    `db` connection for it.

    Files appearing in a folder (local, SFTP or FTP) are the `file` connector's `poll` trigger (see
    [file](../connectors/file.md)):

    ```yaml
    inbound: IncomingOrders
    trigger:
      file.poll: {connection: exchange, folder: inbox, onSuccess: move, successFolder: done}
    sequence: ProcessOrder
    ```

    The source `file:` of earlier versions (`{folder, pattern, min-age, poll, on-success: {move-to: F},
    on-failure, lock, lock-timeout, content-type}`, the folder relative to the project) is still read, as
    this trigger on a local folder defined inline (`init: {protocol: local, root: .}`), with a deprecation
    warning naming the file and line.

    ### Keys"""

    inbound: TaskName
    """The endpoint's name."""
    description: str = ""
    """Free text."""
    sequence: TaskName | None = None
    """The sequence each message runs through; required, but not for `http` (which serves APIs)."""
    on_error: OnErrorSource | None = None
    """A flow, or a sequence's name, run when the sequence fails (see delivery). When it ends without an
    error itself the message counts as handled (acknowledged); throw an error in it to hand the message
    back instead."""
    max_in_flight: Annotated[int, Field(ge=1, le=10_000)] = 16
    """How many messages are processed at once; the source is not read further until one finishes."""
    requeue: bool | None = None
    """Whether a message whose flow failed is handed back to its source for redelivery (the default, up
    to `redelivery.max-attempts`), or dead-lettered at once."""
    redelivery: RedeliveryDefinition = Field(default_factory=RedeliveryDefinition)
    """Attempts per message and the backoff between them (`{max-attempts: 5, backoff: 1s}`)."""
    dead_letter_store: TaskName | None = None
    """The message store that takes messages whose attempts ran out, when the source has no dead-letter
    place of its own (MQTT, `db.poll`, `db.listen`); by default
    `PROJECT.dead-letters`, an SQLite store made when the project defines none of that name. Brokers with a
    dead-letter place use it: a dead-letter exchange (RabbitMQ), queue (SQS), subject (NATS), stream
    (Redis) or topic (Kafka), as their triggers' `deadLetter*` parameters say."""
    active: bool = True
    """Start the endpoint with the runtime; `false`: deployed but not started until activated."""
    coordination: bool = False
    """Run on exactly one node among those sharing the coordination database (see
    [tasks](tasks.md#coordination)); for polling sources (files, database tables, mailboxes). Lease name
    `PROJECT/inbound/NAME`."""
    trigger: Any = None
    """`{connector.trigger: {connection: NAME, ...parameters}}`: a connector's trigger (above)."""
    http: HttpListenerDefinition | None = None
    """An HTTP listener on its own port (below)."""

    @property
    def name(self) -> str:
        return self.inbound

    @property
    def kind(self) -> InboundKind:
        for kind in INBOUND_KINDS:
            if getattr(self, kind.replace("-", "_")) is not None:
                return kind
        raise AssertionError("an inbound definition has one kind")  # checked by _exactly_one_kind

    @field_validator("trigger")
    @classmethod
    def _one_trigger(cls, value: Any) -> Any:
        if value is None:
            return value
        if not isinstance(value, dict) or len(value) != 1:
            raise ValueError(
                "trigger must be one mapping entry: {connector.trigger: {connection: NAME, ...}}"
            )
        (key, options), *_ = value.items()
        if "." not in str(key):
            raise ValueError(f"a trigger is written connector.trigger (got {key!r})")
        if options is not None and not isinstance(options, dict):
            raise ValueError(f"{key} takes a mapping of parameters (got {type(options).__name__})")
        return value

    @model_validator(mode="after")
    def _sequence_for_sources(self) -> InboundDefinition:
        if self.http is not None:
            extra = [key for key in ("sequence", "on-error") if getattr(self, key.replace("-", "_"))]
            if extra:
                raise ValueError(f"an http listener dispatches to its APIs: it takes no {extra[0]}")
            if self.coordination:
                raise ValueError("an http listener runs on every node: coordination is for polling sources")
        elif self.sequence is None:
            raise ValueError(f"a {self.kind} inbound endpoint needs a sequence to run each message through")
        return self

    @model_validator(mode="before")
    @classmethod
    def _exactly_one_kind(cls, data: Any, info: pydantic.ValidationInfo) -> Any:
        # A ConfigError at the offending key's line says more than a ValueError over the whole mapping.
        if not isinstance(data, dict):
            return data
        file = str((info.context or {}).get("file", "<memory>"))
        given = [kind for kind in (*INBOUND_KINDS, *LEGACY_SOURCES) if kind in data]
        if len(given) == 1 and given[0] in LEGACY_SOURCES:
            convert_legacy_source(data, given[0], file)
            return data
        if len(given) == 1:
            if data[given[0]] is None:  # `file:` with nothing after it: its required keys are missing
                data[given[0]] = {}
            return data
        key_lines: dict[str, int] = getattr(data, "key_lines", {})
        line = key_lines.get(given[-1], 0) if given else 0
        name = data.get("inbound")
        which = f"inbound endpoint {name!r}" if isinstance(name, str) else "an inbound endpoint"
        got = " and ".join(given) if given else "none of them"
        raise ConfigError(
            f"{which} must have exactly one source: {', '.join(INBOUND_KINDS)} (got {got})",
            location=SourceLocation(file, line or getattr(data, "line", 0) or 1),
        )


def implied_stores(
    project: str, inbound: list[InboundDefinition], stores: list[StoreDefinition]
) -> list[StoreDefinition]:
    """The stores project ``project`` does not define but its inbound endpoints need: the default
    dead-letter store, when an endpoint with a sequence relies on it."""
    name = default_dead_letter_store(project)
    needed = any(item.http is None and item.dead_letter_store is None for item in inbound)
    if not needed or name in {store.name for store in stores}:
        return []
    return [StoreDefinition(store=name, description="Inbound messages out of attempts.")]
