"""Definitions of the built-in mediators that guard what is behind them: throttle and cache.

Both keep their state in memory on the mediator, bounded, per server and per deployment.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from interlace.model.base import Definition
from interlace.model.durations import PositiveDuration
from interlace.model.flow import FlowSource

__all__ = ["CacheDefinition", "ThrottleDefinition"]


class ThrottleDefinition(Definition):
    """Limit the messages going through, per key: at most `max-requests` in each `window`, and at most
    `max-concurrent` running `on-accept` at once.

    ```yaml
    - throttle:
        key: "${headers['X-Tenant']}"
        max-requests: 100
        window: 1m
        on-reject: [{respond: {status: 429, json: {error: "${error.message}"}}}]
    ```

    - A message within the limits runs `on-accept` (when given) and the flow goes on after it.
    - A message over a limit runs `on-reject`, which ends the flow (`${error.code}` is `THROTTLED`);
      without `on-reject` the flow fails with `THROTTLED` (HTTP 429 with `Retry-After`).
    - The counts are kept in memory, per server and per deployment: a redeploy starts them again. At
      most `max-keys` keys are kept; beyond, the least recently used idle key is forgotten."""

    key: str | None = None
    """What a limit applies to: a template (a tenant, a client id); without it one limit for all."""
    max_requests: Annotated[int, Field(ge=1)] | None = None
    """At most this many messages per key in each window."""
    window: PositiveDuration = 1.0
    """The window `max-requests` counts in (`1s`, `1m`)."""
    max_concurrent: Annotated[int, Field(ge=1)] | None = None
    """At most this many messages per key running `on-accept` at once."""
    max_keys: Annotated[int, Field(ge=1)] = 10000
    """At most this many keys are kept."""
    on_accept: FlowSource | None = None
    """The flow an accepted message runs (what `max-concurrent` limits); then the flow goes on."""
    on_reject: FlowSource | None = None
    """The flow a refused message runs; it ends the flow."""

    @model_validator(mode="after")
    def _a_limit(self) -> ThrottleDefinition:
        if self.max_requests is None and self.max_concurrent is None:
            raise ValueError("throttle needs max-requests, max-concurrent or both")
        if self.max_concurrent is not None and self.on_accept is None:
            raise ValueError("max-concurrent limits the on-accept flow: give one")
        return self


class CacheDefinition(Definition):
    """Keep the answer `flow` makes and give it again, for `ttl`, to the same request.

    ```yaml
    - cache:
        ttl: 5m
        flow: [{call: QueryDoctorEP}]
    - respond
    ```

    - The key is a SHA-256 of the method, the path, the query parameters and the payload, or `key`.
    - On a hit the kept answer becomes the message and `on-hit` runs (when given), then the flow goes on;
      when `flow` itself had replied, the same reply is given again and the flow ends.
    - Only answers with a 2xx status of at most `max-size` bytes are kept, in memory, per server and per
      deployment; beyond `max-entries` the least recently used is dropped."""

    flow: FlowSource
    """The flow that makes the answer (typically a `call`)."""
    ttl: PositiveDuration = 60.0
    """How long an answer is given again."""
    key: str | None = None
    """What tells requests apart: a template; default a hash of the whole request."""
    max_entries: Annotated[int, Field(ge=1)] = 1000
    """At most this many answers are kept."""
    max_size: Annotated[int, Field(ge=1)] = 1048576
    """Answers bigger than this many bytes are not kept."""
    on_hit: FlowSource | None = None
    """The flow run on a hit, with the kept answer as the message."""
