"""Message processor definitions: the files in `processors/` (one `processor:` per document). These
classes only describe and validate; `interlace.processors` runs them.

A flow keeps a message in a **message store** with the `store` mediator and goes on (typically: answers
the caller at once). A **message processor** runs in the background, takes the stored messages and
delivers them to an endpoint, a sequence or another store. Store kinds and their durability are
described with the stores themselves (`stores/NAME.yaml`); this page covers what uses them.

What each part guarantees:

- `store` mediator: the message is durable in the store (as the store kind promises) before the flow
  goes on; otherwise the flow fails;
- `forwarding` processor: at least once, in order (concurrency 1), acknowledged only after a successful
  delivery;
- `sampling` processor: at most once: a message is removed from the store before it is delivered.

----

## Operating (library API)

The runtime exposes what an operator does; the management API and CLI use these.

- `runtime.services.states("processor")` / `runtime.services.state("processor", name)`:
  `ProcessorState`: `name`, `kind`, `status` (`active`, `inactive`, `failed`), `coordinated`,
  `restarts`, `store`, `target_kind`, `target`, `delivered`, `failed_attempts`, `dead_lettered`,
  `dropped`, `in_flight`, `last_error`.
- `await runtime.services.activate("processor", name)`: run it (also after a failure stopped it).
- `await runtime.services.deactivate("processor", name)`: stop it gracefully; it stays inactive across
  redeploys and restarts (kept in `.interlace/services/`) until activated.
- `runtime.message_store(name)`: the open store: `size()`, `browse(offset, limit)`, `get(id)`,
  `delete(id)`, `purge()`.
- `await runtime.replay_message(store, id, payload=None, content_type=None, into=None, new_id=False)`:
  move a message of a (dead-letter) store into its origin store (or `into`), attempts cleared,
  optionally with a new payload. It keeps its id unless `new_id` (needed when the target store's
  `dedupe-window` still remembers the id: such a replay is refused with `ReplayConflictError`, 409,
  and the message stays where it was). Replayed into the store that holds it, it is replaced in place.
  A replay never loses the message.
- `interlace.processors.describe_message(message)`: a message as JSON values for a view.

Unknown names raise `UnknownServiceError`, `UnknownStoreError` or `MessageNotFoundError` (code
`NOT_FOUND`, status 404).

A redeploy keeps every store whose definition did not change open, with its messages and claims; the
processors stop gracefully and start again from the new deployment.

## Checks at load time

Unknown stores, endpoints and sequences (with a "did you mean" hint), a processor without a target or
with two, `interval` and `cron` together, an invalid cron expression, `max-backoff` below `backoff`, a
status both delivered and never retried, a `dead-letter` action without a store, a dead-letter or
target store equal to the source, and two forwarding processors on one store (each would take the
other's messages, and the order would be lost) are reported by `interlace check` with file and line."""

from __future__ import annotations

import re
from typing import Annotated, Any, Final, Literal

import pydantic
from pydantic import AfterValidator, BeforeValidator, Field, model_validator

from interlace.model.base import Definition, check_one_kind
from interlace.model.durations import PositiveDuration, format_duration

__all__ = [
    "ExhaustedDefinition",
    "ForwardingDefinition",
    "ProcessorDefinition",
    "ProcessorKind",
    "SamplingDefinition",
    "StatusSet",
    "parse_statuses",
]

ProcessorKind = Literal["forwarding", "sampling"]
ExhaustedAction = Literal["dead-letter", "drop", "deactivate"]

_KINDS: Final = ("forwarding", "sampling")
_NAME: Final = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
_STATUS_CLASS: Final = re.compile(r"^([1-5])xx$", re.IGNORECASE)


def parse_statuses(value: Any) -> frozenset[int]:
    """Status codes from a list of codes and classes: ``[2xx, 304]`` -> {200, ..., 299, 304}."""
    if not isinstance(value, list | tuple | set | frozenset):
        value = [value]
    codes: set[int] = set()
    for item in value:
        if isinstance(item, int) and not isinstance(item, bool) and 100 <= item <= 599:
            codes.add(item)
        elif isinstance(item, str) and (match := _STATUS_CLASS.match(item.strip())):
            first = int(match.group(1)) * 100
            codes.update(range(first, first + 100))
        elif isinstance(item, str) and item.strip().isdigit() and 100 <= int(item) <= 599:
            codes.add(int(item))
        else:
            raise ValueError(f"must be HTTP status codes (100-599) or classes like 4xx (got {item!r})")
    return frozenset(codes)


StatusSet = Annotated[frozenset[int], BeforeValidator(parse_statuses)]
"""A set of HTTP status codes, written as codes and classes (``[2xx, 304]``)."""


def _cron(expression: str) -> str:
    from croniter import croniter

    if not croniter.is_valid(expression):
        raise ValueError("must be a cron expression of five fields like '*/5 * * * *'")
    return expression


def _name(name: str) -> str:
    if not _NAME.match(name):
        raise ValueError("must start with a letter or _ and hold only letters, digits, _ . -")
    return name


Name = Annotated[str, AfterValidator(_name)]


class ExhaustedDefinition(Definition):
    """What happens to a message whose delivery attempts ran out (or that was refused for good)."""

    action: ExhaustedAction = "deactivate"
    """``dead-letter``: move it to ``store``; ``drop``: delete it; ``deactivate``: stop the processor and
    keep the message first in the store."""
    store: Name | None = None
    """The dead-letter store (needed by ``dead-letter``); the message keeps its id, origin and last error."""
    sequence: Name | None = None
    """A sequence run on the message after the action (e.g. to alert someone); its failure is only logged."""

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        return {"action": data} if isinstance(data, str) else data

    @model_validator(mode="after")
    def _store_for_dead_letter(self) -> ExhaustedDefinition:
        if self.action == "dead-letter" and self.store is None:
            raise ValueError("the dead-letter action needs a store: {action: dead-letter, store: NAME}")
        if self.action != "dead-letter" and self.store is not None:
            raise ValueError(f"store is only for the dead-letter action (got action {self.action})")
        return self


class _ProcessorBody(Definition):
    """What every processor kind has: a source store, one target and a schedule."""

    store: Name
    """The store the processor takes messages from."""
    endpoint: Name | None = None
    """The target, one of `endpoint`, `sequence` and `to-store`: send each message to this endpoint (with
    the endpoint's method, else POST)."""
    sequence: Name | None = None
    """The target: run this sequence on each message."""
    to_store: Name | None = None
    """The target: put each message into this store (e.g. from a failover store back to its primary)."""
    interval: PositiveDuration | None = None
    """Forwarding: how often an empty store is looked at (default `1s`): a message stored by this runtime's
    `store` mediator is taken at once; one stored by another node waits at most this long. Sampling: one
    message per interval."""
    cron: Annotated[str, AfterValidator(_cron)] | None = None
    """Instead of `interval`: a five-field cron expression (local time), e.g. `"*/5 * * * *"`. Forwarding
    delivers everything stored at each tick; sampling takes one message per tick."""
    active: bool = True
    """Start with the runtime; `false` leaves the processor inactive until it is activated."""
    coordination: bool = False
    """Run on exactly one node among those sharing the coordination database (see
    [tasks](tasks.md#coordination)): for a store that nodes share (postgres, rabbitmq, redis), so that a
    forwarding processor keeps its order across nodes. Lease name `PROJECT/processor/NAME`; another node
    takes the processor over within the lease time when its node dies."""

    @model_validator(mode="after")
    def _one_target_one_schedule(self) -> _ProcessorBody:
        targets = {"endpoint": self.endpoint, "sequence": self.sequence, "to-store": self.to_store}
        given = [key for key, value in targets.items() if value is not None]
        if len(given) != 1:
            got = " and ".join(given) if given else "none of them"
            raise ValueError(f"give exactly one target: endpoint, sequence or to-store (got {got})")
        if self.interval is not None and self.cron is not None:
            raise ValueError("give interval or cron, not both")
        if self.to_store is not None and self.to_store == self.store:
            raise ValueError(f"to-store must be another store than store (got {self.store!r} for both)")
        return self

    @property
    def poll_interval(self) -> float | None:
        """Seconds between looks at the store, or None when ``cron`` decides."""
        return None if self.cron is not None else (self.interval or 1.0)

    @property
    def target_kind(self) -> Literal["endpoint", "sequence", "store"]:
        if self.endpoint is not None:
            return "endpoint"
        return "sequence" if self.sequence is not None else "store"

    @property
    def target(self) -> str:
        name = self.endpoint or self.sequence or self.to_store
        assert name is not None
        return name


class ForwardingDefinition(_ProcessorBody):
    """Deliver every stored message at least once, in order, acknowledging only after success. Besides the
    options of both kinds (above):

    ### How a forwarding processor delivers

    The processor claims up to 16 of the oldest messages in one store round trip and delivers them one by
    one in that order; when one fails, the ones after it go back to the store untried, in their places.

    One message at a time (concurrency 1): take the oldest message, deliver it, and

    - **delivered** → acknowledge it (it is removed from the store) and take the next one at once;
    - **failed** → give it back to the store in its place, with `attempts` + 1 and the error as
      `last error`, wait the backoff (`backoff * backoff-factor^(attempts - 1)`, at most
      `max-backoff`) and try it again. The messages behind it wait: that is what keeps the order;
    - **failed with a never-retry status, or out of attempts** → the `on-exhausted` action:
      - `dead-letter`: the message moves to the dead-letter store, keeping its id, attempts, last error and
        `origin` (the store it was meant for), and the processor goes on with the next message;
      - `drop`: the message is deleted (logged as an error) and the processor goes on;
      - `deactivate` (the default): the message stays first in the store, and the processor stops with the
        state `failed` until it is activated again. Activated again, it tries that message
        once more; if that fails too, it deactivates again.

      The optional `sequence` then runs on the message (with the same headers as a delivery); its failure
      is only logged.

    When a message was delivered but its acknowledgement could not be written (the store failed at that
    moment), or when the runtime died between the two, the message is delivered again: delivery is
    **at least once**. Receivers de-duplicate with the idempotency key.

    **What counts as delivered**

    - `endpoint`: the answer's status is in `delivered-status`. A failure's status (for
      `never-retry-status`) is the answer's status, or the status of an endpoint error that had one (its
      `retry.on-status`).
    - `sequence`: the sequence's flow settles (see how a flow ends in the README): it ends without an
      error, or its on-error flow handled the error. An error that escapes the flow, also one the on-error
      flow raises, is a failure; its status is the error's status: `throw-error`'s `status`, 502 for an
      endpoint error, ...
    - `to-store`: the other store confirmed the message.

    An endpoint target is called with the endpoint's method, else POST. Inside a sequence target, a `call`
    returns any answer its endpoint does not treat as a failure: give the endpoint a `retry: {on-status:
    [500, 502, 503, 504]}` (with `max-attempts: 1` to leave the retrying to the processor) so that a 5xx
    answer fails the sequence, or check the answer with a `filter` and `throw-error`.

    ### Idempotency

    Every stored message has an id that never changes (also not in a dead-letter store or after a replay).
    Each delivery carries it as the `Idempotency-Key` header: an endpoint target sends it, and a sequence
    target sees it on its message (`${headers["Idempotency-Key"]}`), so its calls send it along with the
    message's headers. A receiver that remembers the keys it handled settles a repeated delivery only once.

    ### Forwarding options"""

    max_attempts: Annotated[int, Field(ge=1)] = 5
    """Delivery attempts per message, the first included, before `on-exhausted` applies."""
    backoff: PositiveDuration = 1.0
    """Wait after the first failed attempt; multiplied by `backoff-factor` after each further one."""
    backoff_factor: Annotated[float, Field(ge=1)] = 2.0
    """Each further wait is this many times longer than the one before."""
    max_backoff: PositiveDuration = 60.0
    """The longest wait between two attempts."""
    delivered_status: StatusSet = frozenset(range(200, 300))
    """Endpoint target: answers that mean delivered, codes and classes (`[2xx, 304]`); any other is a
    failure. Default `[2xx]`."""
    never_retry_status: StatusSet = frozenset()
    """Statuses that retrying cannot fix: the message goes to `on-exhausted` at once. For a sequence
    target, the status of the error that failed the flow (`throw-error`'s `status`)."""
    on_exhausted: ExhaustedDefinition = Field(default_factory=ExhaustedDefinition)
    """`dead-letter` (with `store`), `drop` or `deactivate` (the default: nothing is lost); `sequence`
    optionally runs on the message afterwards. Shorthand: `on-exhausted: drop`."""
    concurrency: Annotated[int, Field(ge=1)] = 1
    """Messages delivered at once; above 1 the order is not kept."""

    @model_validator(mode="after")
    def _consistent(self) -> ForwardingDefinition:
        if self.max_backoff < self.backoff:
            raise ValueError(
                f"max-backoff must be >= backoff ({format_duration(self.backoff)})"
                f" (got {format_duration(self.max_backoff)})"
            )
        overlap = self.delivered_status & self.never_retry_status
        if overlap:
            raise ValueError(
                f"a status cannot be both delivered and never retried (got {sorted(overlap)[:5]})"
            )
        dead_letter = self.on_exhausted.store
        if dead_letter is not None and dead_letter == self.store:
            raise ValueError(f"the dead-letter store must be another store than {self.store!r}")
        return self


class SamplingDefinition(_ProcessorBody):
    """Take one message per tick and deliver it once: acknowledged before delivery, so at most once.

    These options are those of both kinds; `sampling` has no others. Exactly one target (`endpoint`,
    `sequence` or `to-store`) is given.

    ### Sampling

    A sampling processor takes one message per tick, **acknowledges it first** and then delivers it once.
    A failed delivery (or a runtime that stops in the middle of it) loses the message; the loss is logged
    as an error and counted in `failed_attempts`. Use it for a steady rate where losing a message is
    acceptable; use forwarding where every message must arrive.

    ### Shutdown

    When the runtime stops (or redeploys, or a processor is deactivated), each processor finishes the
    delivery under way, up to the server's `graceful-timeout`; a delivery still running then is cancelled,
    and its message goes back to the store unchanged (not counted as an attempt), to be delivered again.
    If the runtime is killed instead, the store returns the claimed messages itself (SQLite: at once when
    the store is opened again on the same host; shared stores: when the claim's lease expires)."""


class ProcessorDefinition(Definition):
    """A background consumer of a store: the `processor:` document of `processors/NAME.yaml`.

    A processor file names the processor and holds exactly one of `forwarding` or `sampling`:

    ```yaml
    processor: PaymentRequestProcessor
    forwarding:
      store: PaymentRequestMessageStore
      sequence: PaymentRequestProcessingSequence
      interval: 500ms
      max-attempts: 30
      backoff: 200ms
      max-backoff: 30s
      never-retry-status: [422]
      on-exhausted: {action: dead-letter, store: PaymentDeadLetterStore}
    ```"""

    processor: Name
    """The processor's name."""
    description: str = ""
    """Free text."""
    forwarding: ForwardingDefinition | None = None
    """A forwarding processor: every message delivered at least once, in order (below)."""
    sampling: SamplingDefinition | None = None
    """A sampling processor: one message per tick, at most once (below)."""

    @property
    def name(self) -> str:
        return self.processor

    @property
    def kind(self) -> ProcessorKind:
        return "forwarding" if self.forwarding is not None else "sampling"

    @property
    def body(self) -> ForwardingDefinition | SamplingDefinition:
        """The kind's options."""
        body = self.forwarding or self.sampling
        assert body is not None
        return body

    @model_validator(mode="before")
    @classmethod
    def _exactly_one_kind(cls, data: Any, info: pydantic.ValidationInfo) -> Any:
        check_one_kind(data, info, kinds=_KINDS, artifact="processor")
        return data
