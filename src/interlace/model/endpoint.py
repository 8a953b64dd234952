"""Endpoint definitions: the files in ``endpoints/`` (one ``endpoint:`` per document).

An endpoint is exactly one of ``http`` (one URL with its timeout, retry and suspend policy),
``load-balance`` (round robin over other endpoints) or ``failover`` (other endpoints tried in order).
These classes only describe and validate; :mod:`interlace.endpoints` runs them.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Final, Literal

import pydantic
from pydantic import AfterValidator, BeforeValidator, Field, field_validator, model_validator

from interlace.errors import ConfigError, SourceLocation
from interlace.model.base import Definition, check_artifact_name, check_one_kind
from interlace.model.durations import NonNegativeDuration, PositiveDuration, format_duration

__all__ = [
    "HTTP_METHODS",
    "EndpointDefinition",
    "EndpointKind",
    "FailoverDefinition",
    "HttpEndpointDefinition",
    "LoadBalanceDefinition",
    "RetryDefinition",
    "SuspendDefinition",
]

HTTP_METHODS: Final = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
_KINDS: Final = ("http", "load-balance", "failover")
_HEADER_NAME: Final = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")

EndpointKind = Literal["http", "load-balance", "failover"]


def _status_code(code: int) -> int:
    if not 100 <= code <= 599:
        raise ValueError("must be an HTTP status code between 100 and 599")
    return code


def _at_least_one(count: int) -> int:
    if count < 1:
        raise ValueError("must be >= 1")
    return count


def _growth_factor(factor: float) -> float:
    if factor < 1:
        raise ValueError("must be >= 1")
    return factor


def _header_name(name: str) -> str:
    if not _HEADER_NAME.match(name):
        raise ValueError("a header name must be letters, digits and - only")
    return name


def _scalar_text(value: object) -> object:
    # ``X-Retries: 3`` is meant as text; YAML reads it as a number.
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value) if isinstance(value, int | float) else value


HeaderName = Annotated[str, AfterValidator(_header_name)]
HeaderValue = Annotated[str, BeforeValidator(_scalar_text)]
StatusCode = Annotated[int, AfterValidator(_status_code)]
Count = Annotated[int, AfterValidator(_at_least_one)]


class RetryDefinition(Definition):
    """How often a failed call is repeated before the endpoint gives up."""

    max_attempts: Count = 3
    """Attempts in all, the first included; 1 means no retry."""
    backoff: NonNegativeDuration = 0.2
    """Wait before the second attempt; doubles before each further one."""
    max_backoff: PositiveDuration = 5.0
    """The longest wait between two attempts."""
    on_status: tuple[StatusCode, ...] = (502, 503, 504)
    """Answers that count as a failed attempt (besides connection errors and timeouts)."""
    retry_non_idempotent: bool = False
    """Also repeat POST and PATCH after a timeout or a failing answer (they may then run twice)."""
    deadline: PositiveDuration | None = None
    """The longest one call lasts, every attempt and wait included; by default the endpoint's
    ``timeout``. An attempt gets the rest of the deadline at most, and no attempt starts after it. Set it
    above ``timeout`` to leave room for a retry after an attempt that timed out."""

    @field_validator("on_status")
    @classmethod
    def _sorted_statuses(cls, codes: tuple[int, ...]) -> tuple[int, ...]:
        return tuple(sorted(set(codes)))

    @field_validator("max_backoff")
    @classmethod
    def _backoff_fits(cls, max_backoff: float, info: pydantic.ValidationInfo) -> float:
        backoff = info.data.get("backoff")
        if isinstance(backoff, float) and max_backoff < backoff:
            raise ValueError(f"must be >= backoff ({format_duration(backoff)})")
        return max_backoff


class SuspendDefinition(Definition):
    """The circuit breaker: after repeated failures the endpoint is not called for a while."""

    after_failures: Count = 3
    """Consecutive failed calls (each after its retries) that suspend the endpoint."""
    initial_duration: PositiveDuration = 30.0
    """How long the first suspension lasts."""
    factor: Annotated[float, AfterValidator(_growth_factor)] = 2.0
    """Each suspension that follows a failed trial call lasts this many times longer."""
    max_duration: PositiveDuration = 300.0
    """The longest suspension."""
    on_status: tuple[StatusCode, ...] = (502, 503, 504)
    """Answers that count as failures (besides connection errors and timeouts)."""

    @field_validator("on_status")
    @classmethod
    def _sorted_statuses(cls, codes: tuple[int, ...]) -> tuple[int, ...]:
        return tuple(sorted(set(codes)))

    @field_validator("max_duration")
    @classmethod
    def _durations_fit(cls, max_duration: float, info: pydantic.ValidationInfo) -> float:
        initial = info.data.get("initial_duration")
        if isinstance(initial, float) and max_duration < initial:
            raise ValueError(f"must be >= initial-duration ({format_duration(initial)})")
        return max_duration


class HttpEndpointDefinition(Definition):
    """One HTTP destination. ``url`` and header values are templates (``${...}``)."""

    url: str = Field(min_length=1)
    method: str | None = None
    """The HTTP method; by default the method of the message being sent (or GET)."""
    headers: dict[HeaderName, HeaderValue] = Field(default_factory=dict)
    timeout: PositiveDuration = 30.0
    follow_redirects: bool = False
    retry: RetryDefinition | None = None
    suspend: SuspendDefinition | None = None

    @model_validator(mode="after")
    def _deadline_fits(self) -> HttpEndpointDefinition:
        deadline = self.retry.deadline if self.retry is not None else None
        if deadline is not None and deadline < self.timeout:
            raise ValueError(
                f"retry.deadline must be >= timeout ({format_duration(self.timeout)}): the deadline bounds "
                "the whole call, so a shorter one would cut even the first attempt short; lower timeout "
                f"instead (got {format_duration(deadline)})"
            )
        return self

    @field_validator("method")
    @classmethod
    def _known_method(cls, method: str | None) -> str | None:
        if method is None:
            return None
        upper = method.upper()
        if upper not in HTTP_METHODS:
            raise ValueError(f"must be one of {', '.join(HTTP_METHODS)}")
        return upper


def _members(members: Any, info: pydantic.ValidationInfo) -> Any:
    # Raised as ConfigError at the offending item's line: a ValueError would be shown with the whole
    # list as its input and at the line of the key only.
    if not isinstance(members, list | tuple):
        return members  # the tuple validator reports the wrong type
    file = str((info.context or {}).get("file", "<memory>"))
    item_lines: list[int] = getattr(members, "item_lines", [])
    list_line: int = getattr(members, "line", 0) or 1
    if not members:
        raise ConfigError(
            "members must name at least one endpoint (got [])", location=SourceLocation(file, list_line)
        )
    first_index: dict[object, int] = {}
    for index, member in enumerate(members):
        if not isinstance(member, str):
            continue
        if member in first_index:
            line = item_lines[index] if index < len(item_lines) else list_line
            first = first_index[member]
            first_line = item_lines[first] if first < len(item_lines) else list_line
            raise ConfigError(
                f"members must name each endpoint once (got {member!r} twice, first at line {first_line})",
                location=SourceLocation(file, line),
            )
        first_index[member] = index
    return members


Members = Annotated[tuple[str, ...], BeforeValidator(_members)]


class LoadBalanceDefinition(Definition):
    """Spread calls over other endpoints; suspended members are skipped."""

    algorithm: Literal["round-robin"] = "round-robin"
    members: Members


class FailoverDefinition(Definition):
    """Call other endpoints in order; the next one is tried when a call fails with an endpoint error."""

    members: Members


class EndpointDefinition(Definition):
    """An outbound destination with its policy: the ``endpoint:`` document of ``endpoints/NAME.yaml``."""

    endpoint: str
    description: str = ""
    http: HttpEndpointDefinition | None = None
    load_balance: LoadBalanceDefinition | None = None
    failover: FailoverDefinition | None = None

    @property
    def name(self) -> str:
        return self.endpoint

    @property
    def kind(self) -> EndpointKind:
        if self.http is not None:
            return "http"
        return "load-balance" if self.load_balance is not None else "failover"

    @property
    def members(self) -> tuple[str, ...]:
        """The endpoints this one refers to (empty for ``http``)."""
        group = self.load_balance or self.failover
        return group.members if group is not None else ()

    @field_validator("endpoint")
    @classmethod
    def _valid_name(cls, name: str) -> str:
        return check_artifact_name(name)

    @model_validator(mode="before")
    @classmethod
    def _exactly_one_kind(cls, data: Any, info: pydantic.ValidationInfo) -> Any:
        check_one_kind(data, info, kinds=_KINDS, artifact="endpoint")
        return data
