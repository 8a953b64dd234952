"""Message processor definitions: the files in ``processors/`` (one ``processor:`` per document).

A processor is exactly one of ``forwarding`` (deliver every stored message, at least once and in order,
retrying with backoff) or ``sampling`` (take one message per tick, at most once). Each reads one store
and delivers to exactly one target: an ``endpoint``, a ``sequence`` or another store (``to-store``).

```yaml
processor: PaymentRequestProcessor
forwarding:
  store: PaymentRequestMessageStore
  sequence: PaymentRequestProcessingSequence
  interval: 500ms
  max-attempts: 10
  backoff: 1s
  max-backoff: 1m
  on-exhausted: {action: dead-letter, store: PaymentDeadLetters}
```

These classes only describe and validate; :mod:`interlace.processors` runs them.
"""

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
    """Deliver each message to this endpoint (with the endpoint's method, else POST)."""
    sequence: Name | None = None
    """Deliver each message into this sequence."""
    to_store: Name | None = None
    """Deliver each message into this store (e.g. from a failover store back to its primary)."""
    interval: PositiveDuration | None = None
    """How often to look at the store (default 1s): when it is empty (forwarding), or to take one message
    (sampling)."""
    cron: Annotated[str, AfterValidator(_cron)] | None = None
    """Instead of ``interval``: a cron expression (five fields, local time) for when to look."""
    active: bool = True
    """Start the processor with the runtime; ``false`` leaves it inactive until activated."""

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
    """Deliver every stored message at least once, in order, acknowledging only after success."""

    max_attempts: Annotated[int, Field(ge=1)] = 5
    """Delivery attempts per message, the first included, before ``on-exhausted`` applies."""
    backoff: PositiveDuration = 1.0
    """Wait after the first failed attempt; multiplied by ``backoff-factor`` after each further one."""
    backoff_factor: Annotated[float, Field(ge=1)] = 2.0
    """How much longer each wait is than the one before."""
    max_backoff: PositiveDuration = 60.0
    """The longest wait between two attempts."""
    delivered_status: StatusSet = frozenset(range(200, 300))
    """Endpoint answers that mean delivered (codes and classes like ``2xx``); any other is a failure."""
    never_retry_status: StatusSet = frozenset()
    """Statuses never worth retrying: the message goes to ``on-exhausted`` at once. For a sequence
    target, the status of the error that failed the flow (``throw-error``'s ``status``)."""
    on_exhausted: ExhaustedDefinition = Field(default_factory=ExhaustedDefinition)
    """``dead-letter`` (with ``store``), ``drop`` or ``deactivate`` (the default: nothing is lost)."""
    concurrency: Annotated[int, Field(ge=1)] = 1
    """Messages delivered at once. Above 1 the order of delivery is no longer kept."""

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
    """Take one message per tick and deliver it once: acknowledged before delivery, so at most once."""


class ProcessorDefinition(Definition):
    """A background consumer of a store: the ``processor:`` document of ``processors/NAME.yaml``."""

    processor: Name
    description: str = ""
    forwarding: ForwardingDefinition | None = None
    sampling: SamplingDefinition | None = None

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
