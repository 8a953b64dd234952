"""Endpoint definitions: the files in `endpoints/` (one `endpoint:` per document). These classes only
describe and validate; `interlace.endpoints` runs them.

An endpoint is an outbound destination with its policy: where a `call` mediator or a forwarding
message processor sends a message, how long it waits, how often it repeats a failed attempt and when
it stops calling a destination that keeps failing. Each endpoint lives in `endpoints/NAME.yaml`.

An endpoint is exactly one of:

- `http`: one URL;
- `load-balance`: other endpoints taken in turn;
- `failover`: other endpoints tried in order until one answers.

```yaml
# endpoints/hospital.yaml
endpoint: HospitalReserveEP
http:
  method: POST
  url: "${configs.backend}/${vars.hospital_id}/categories/${params.pathParams.category}/reserve"
  headers:
    X-Source: interlace
    X-Tenant: "${vars.tenant}"
  timeout: 30s
  retry:
    max-attempts: 3
    backoff: 200ms
    max-backoff: 5s
    on-status: [502, 503, 504]
  suspend:
    after-failures: 5
    initial-duration: 10s
    factor: 2
    max-duration: 5m
    on-status: [502, 503, 504]
```

```yaml
# endpoints/hospitals.yaml
endpoint: HospitalGroup
load-balance:
  members: [GrandOakEP, PineValleyEP]
```

```yaml
# endpoints/payments.yaml
endpoint: PaymentEP
failover:
  members: [PrimaryPaymentEP, BackupPaymentEP]
```

## Durations

Keys that take a duration accept a number with a unit, `250ms`, `30s`, `2m` or `1h`, or a plain
number of seconds (`1.5`). Anything else is an error at load time:
`http.timeout: must be a duration like 30s or 250ms (got 'abc') at endpoints/hospital.yaml:7`.

----

Members of both kinds of group may themselves be groups.

## Activating and deactivating

An operator can take an endpoint out of service at run time (`interlace deactivate endpoint NAME`, or
`POST /management/endpoints/{name}/deactivate`): while deactivated, every call to it fails at once with
`ENDPOINT_SUSPENDED` (503), as during a suspension, and its state shows `deactivated`. Activating it
again also ends a suspension and clears its failure count. Deactivating a group leaves its members in
service for other flows. A redeploy builds endpoints afresh, active.

## Connections

All endpoints of a runtime share one pool of keep-alive connections (at most 256 in all and 64 per
host). Cookies are never stored between calls."""

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
    """How often a failed call is repeated before the endpoint gives up.

    Without a `retry` block each call makes a single attempt. With one, a failed attempt is repeated after
    a wait that starts at `backoff` and doubles each time, up to `max-backoff`.

    `timeout` bounds each attempt; `deadline` bounds the call. An attempt gets what is left of the
    deadline at most, and no further attempt is made when the backoff before it would end past the
    deadline: the error then says `(2 attempts; no time left for another in the call's 30s deadline)`.
    By default the deadline is the timeout, so retries never multiply the time a caller waits: a
    back-end that is refused or answers 503 at once is retried within it, and one that does not answer
    within `timeout` is not retried. To retry after a timeout, give the call room for it, e.g.
    `timeout: 5s` with `deadline: 12s`. A deadline shorter than `timeout` is refused when the project
    loads, since it would cut even the first attempt short (lower `timeout` instead).

    Which failures are repeated:

    - a connection that could not be opened (refused, unknown host): always, for every method, because
      nothing reached the server;
    - a timeout, a connection dropped before the answer, an `on-status` answer: only for the idempotent
      methods `GET`, `HEAD`, `OPTIONS`, `PUT` and `DELETE`, because a `POST` that timed out may have been
      carried out; set `retry-non-idempotent: true` when the destination tolerates duplicates.

    ```yaml
    retry: {max-attempts: 4, backoff: 500ms, max-backoff: 3s, on-status: [503]}
    # waits 500ms, 1s, 2s between the four attempts, all within the endpoint's timeout
    ```"""

    max_attempts: Count = 3
    """Attempts in all, the first included, at least 1 (`1`: no retry)."""
    backoff: NonNegativeDuration = 0.2
    """The wait before the second attempt; doubled before each further one."""
    max_backoff: PositiveDuration = 5.0
    """The longest wait between two attempts; at least `backoff`."""
    on_status: tuple[StatusCode, ...] = (502, 503, 504)
    """Answers (status codes 100 to 599) that count as a failed attempt, besides connection errors and
    timeouts."""
    retry_non_idempotent: bool = False
    """Also repeat `POST` and `PATCH` after a timeout, a dropped connection or an `on-status` answer (they may
    then run twice)."""
    deadline: PositiveDuration | None = None
    """The longest one call lasts, every attempt and wait included; by default (and at least) the
    endpoint's `timeout`."""

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
    """The circuit breaker: after repeated failures the endpoint is not called for a while.

    Without a `suspend` block the endpoint is never suspended. With one, after `after-failures`
    consecutive failed calls (each counted once, after its retries) the endpoint is *suspended*: calls fail
    at once with `ENDPOINT_SUSPENDED`, without reaching the destination. When the suspension ends, the next
    call is a *trial* (other calls are still refused while it runs): if it succeeds the endpoint is active
    again and the count and duration start over; if it fails the endpoint is suspended again for `factor`
    times longer, at most `max-duration`.

    A failure is a connection error, a timeout, or an answer whose status is in `suspend.on-status` or
    `retry.on-status`. A template that cannot be rendered is the message's problem and never counts.

    ```yaml
    suspend: {after-failures: 5, initial-duration: 10s, factor: 2, max-duration: 5m}
    # suspended 10s, then 20s, 40s, ... 5m while trials keep failing
    ```

    The management API shows each endpoint's state: `active`, `suspended` (with the seconds until it takes
    calls again) or `half-open` (the next call is the trial), and its consecutive failures."""

    after_failures: Count = 3
    """Consecutive failed calls (each after its retries) that suspend the endpoint; at least 1."""
    initial_duration: PositiveDuration = 30.0
    """How long the first suspension lasts."""
    factor: Annotated[float, AfterValidator(_growth_factor)] = 2.0
    """How much longer (at least 1 times) each suspension after a failed trial call lasts."""
    max_duration: PositiveDuration = 300.0
    """The longest suspension; at least `initial-duration`."""
    on_status: tuple[StatusCode, ...] = (502, 503, 504)
    """Answers (status codes 100 to 599) that count as failures, besides connection errors and timeouts."""

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
    """One HTTP destination. `url` and header values are templates (`${...}`).

    ### URL templates

    The `url` is expanded as RFC 6570 expands a URI template (WSO2 MI's `uri-template` endpoints do the
    same with `{uri.var.x}`), and compiled once at load time:

    - A `${...}` value put into the path or the query is **percent-encoded**: every character but
      `A-Z a-z 0-9 - . _ ~` is written `%XX` (UTF-8). A `/`, `?`, `#`, `%`, `&`, `=` or `+` in a value is
      data, never URL structure: `${params.pathParams.category}` holding `appointments/1` is sent as the
      one segment `appointments%2F1`, and `a&admin=true` in `?q=${vars.q}` stays the value of `q`.
    - `${+...}` (RFC 6570's reserved expansion `{+var}`) inserts a value as **raw URL text**, for a value
      that is a path or a whole URL on purpose: `${+vars.nextLink}`. Only characters that may never appear
      in a URL (spaces, non-ASCII, controls) are encoded. It is the only way to let a message's value
      shape the URL.
    - Values known at load time, `${configs.x}` and `${env.X}`, are part of the template's literal text
      and stay raw: `${configs.backend}/orders` works with a base URL that has a path or a port.
    - A URL whose path has a `.` or `..` segment (also written `%2E`) is refused before anything is sent:
      with `400` and code `INVALID_URL_VALUE` when a message's value made it, as a load-time error when
      the template's own text has one.
    - The scheme and host should be literal text (or known at load time): then nothing is parsed per
      message. When a value gives the host (`http://${vars.host}/x`), the URL is parsed for each message
      and must be an absolute `http` or `https` URL. A value that is a whole URL must be written `${+...}`.

    Examples (template, value, what is sent):

    - `${configs.backend}/healthcare/${params.pathParams.category}` with `appointments/1`:
      `http://127.0.0.1:9090/healthcare/appointments%2F1`;
    - `${configs.backend}/${vars.h}/categories/${vars.c}/reserve` with `c` = `../../_fault?mode=503&x=`:
      `…/grandoaks/categories/..%2F..%2F_fault%3Fmode%3D503%26x%3D/reserve`;
    - `${configs.backend}/search?q=${vars.q}` with `a&b=c`: `…/search?q=a%26b%3Dc`;
    - `${configs.backend}/${vars.id}` with `..`: refused, `400 INVALID_URL_VALUE`;
    - `${+vars.next}` with `https://api.example/p?page=2`: `https://api.example/p?page=2`.

    Connector operations follow the same rule: the `path` of the `http` connector's operations is a URL
    template too, and the Gmail connector sends message and attachment ids as one encoded segment.

    ### What is sent

    - **Method**: `method`, else the method of the message (the HTTP request that started the flow),
      else `GET`.
    - **Headers**: the message's headers, without the hop-by-hop headers (`Connection` and the headers it
      names, `Keep-Alive`, `Transfer-Encoding`, `TE`, `Trailer`, `Upgrade`, `Proxy-*`, `Host`,
      `Content-Length`) and without `Content-Type`, `Content-Encoding` and `Accept-Encoding` (the body may
      have been replaced, and the client chooses the encodings it can decode); then `Content-Type` from
      the payload; then the configured `headers`; then `X-Correlation-ID` with the message's correlation
      id, always.
    - **Body**: the current payload. `GET` and `HEAD` never carry a body; `DELETE` and `OPTIONS` carry
      one only when the payload is not empty; `POST`, `PUT` and `PATCH` always do (possibly empty).

    ### What comes back

    Every answer is returned to the flow, whatever its status (a `404` or `500` is an answer the flow can
    look at), unless its status is listed in `retry.on-status` or `suspend.on-status`: such an answer is a
    failure. The answer's headers are kept without hop-by-hop headers; a compressed answer is decoded and
    loses its `Content-Encoding` and `Content-Length`.

    ### Errors

    A call that fails after its retries raises an error the flow's `on-error` sequence sees as
    `${error.code}` and `${error.message}`; `${error.detail}` holds `endpoint`, `method`, `attempts`
    and, for a failing status, `status`.

    The log line of the failure names the URL (without credentials) and the cause as the network gave
    it: `endpoint HospitalReserveEP: POST http://127.0.0.1:9090/grandoaks/reserve failed: connection
    refused`. A client is never shown the back-end's address: the default error answer and
    `${error.message}` name the endpoint only. The error's code, the HTTP status of the default answer,
    and what the client is told:

    - `ENDPOINT_ERROR`, 502: the connection failed, or the answer's status is a failure:
      `endpoint HospitalReserveEP: POST failed: the back-end could not be reached`,
      `endpoint HospitalReserveEP: POST answered 503 Service Unavailable (after 3 attempts)`;
    - `ENDPOINT_TIMEOUT`, 504: no answer in time: `endpoint HospitalReserveEP: POST did not answer
      within 30s`;
    - `INVALID_URL_VALUE`, 400: a value put into the URL made a `.` or `..` path segment; nothing was
      sent;
    - `ENDPOINT_SUSPENDED`, 503: the endpoint is suspended and was not called:
      `endpoint HospitalReserveEP is suspended after 5 consecutive failures; it takes calls again in
      8.2s`.

    ### Keys"""

    url: str = Field(min_length=1)
    """The absolute `http://` or `https://` URL, a URL template rendered for each message (see URL
    templates above: values are percent-encoded). A user and password in
    the URL (`https://user:pw@host/`) are sent as Basic authentication and never shown in errors, logs or
    the management API."""
    method: str | None = None
    """The HTTP method (any case): `GET`, `HEAD`, `POST`, `PUT`, `PATCH`, `DELETE` or `OPTIONS`; by default
    the method of the message being sent, else `GET`."""
    headers: dict[HeaderName, HeaderValue] = Field(default_factory=dict)
    """Headers (name to template) added to each call; they replace the message's headers of the same name.
    Numbers and booleans are written as text."""
    timeout: PositiveDuration = 30.0
    """How long one attempt may take, from waiting for a pooled connection to reading the whole answer (a
    whole call, retries included, lasts at most `retry.deadline`: by default this timeout too)."""
    follow_redirects: bool = False
    """Follow `3xx` answers. By default a redirect is an answer like any other."""
    retry: RetryDefinition | None = None
    """When to repeat a failed attempt (below); without it, no retries."""
    suspend: SuspendDefinition | None = None
    """The circuit breaker (below); without it, never suspended."""

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
    """Spread calls over other endpoints; suspended members are skipped.

    A suspended member is passed over for the next one. Any other failure of the chosen member is the
    call's failure: the message is not sent to a second member (use `failover` for that). When every
    member is suspended the call fails at once with `ENDPOINT_SUSPENDED`. The group is suspended when all
    its members are.

    ```yaml
    endpoint: HospitalGroup
    load-balance: {members: [GrandOakEP, PineValleyEP, ClemencyEP]}
    ```"""

    algorithm: Literal["round-robin"] = "round-robin"
    """How members are chosen: each call takes the next member in turn."""
    members: Members
    """The endpoints (names) to spread calls over; at least one, each once."""


class FailoverDefinition(Definition):
    """Call other endpoints in order; the next one is tried when a call fails with an endpoint error.

    Each call goes to the first member; when it fails with any endpoint error (connection error, timeout,
    failing status, suspension), to the next, and so on. A failing member with a `suspend` block is
    skipped without a call while it is suspended. When every member fails, the error lists each member's
    failure (`${error.detail.failures}`); it is `ENDPOINT_SUSPENDED` when every member was suspended,
    `ENDPOINT_ERROR` otherwise.

    ```yaml
    endpoint: PaymentEP
    failover: {members: [PrimaryPaymentEP, BackupPaymentEP]}
    ```"""

    members: Members
    """The endpoints (names) to try, in order; at least one, each once."""


class EndpointDefinition(Definition):
    """An outbound destination with its policy: the `endpoint:` document of `endpoints/NAME.yaml`.

    Exactly one of `http`, `load-balance` and `failover` must be given."""

    endpoint: str
    """The endpoint's name, used by `call: {endpoint: NAME}`, processors and groups. Starts with a letter or
    `_`; letters, digits, `_`, `.`, `-`."""
    description: str = ""
    """Free text for people and the dashboard."""
    http: HttpEndpointDefinition | None = None
    """One HTTP destination (below)."""
    load_balance: LoadBalanceDefinition | None = None
    """A round-robin group (below)."""
    failover: FailoverDefinition | None = None
    """A failover group (below)."""

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
