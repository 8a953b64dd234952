"""Errors a connector raises, sorted by what the runtime does about them.

::

    InterlaceError
    ├── ConnectorError               root of what connectors raise (an unsorted failure: 502)
    │   ├── RetryableError           transient: the runtime may retry with backoff (503)
    │   ├── FatalError               retrying will not help: misconfiguration, revoked grant (502)
    │   └── InvalidInput             the operation's input is wrong: the caller must fix it (400)
    ├── ConfigError
    │   └── UnknownConnectorError    a flow names a connector, operation or trigger that is not installed
    └── RegistryError                the installed connectors conflict or cannot be loaded

A message names what failed and why, never a secret: ``"SMTP login to smtp.example.com:587 was
refused: 535 authentication failed"``. The runtime adds the operation and the connection it ran on.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from interlace.errors import ConfigError, InterlaceError, SourceLocation

__all__ = [
    "ConnectorError",
    "FatalError",
    "InvalidInput",
    "RegistryError",
    "RetryableError",
    "UnknownConnectorError",
    "retry_after_seconds",
]


class ConnectorError(InterlaceError):
    """A connector's operation, trigger or connection failed; raise a subclass to say what helps."""

    code = "CONNECTOR_ERROR"
    status = 502


class RetryableError(ConnectorError):
    """A transient failure (timeout, connection reset, throttling): the same call may succeed later.

    ``retry_after`` (seconds) is the peer's hint, when it gave one (``Retry-After``, a 429's reset time).
    """

    code = "CONNECTOR_UNAVAILABLE"
    status = 503

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        code: str | None = None,
        detail: Any = None,
        location: SourceLocation | None = None,
    ) -> None:
        super().__init__(message, code=code, detail=detail, location=location)
        self.retry_after = retry_after


def retry_after_seconds(value: str | None) -> float | None:
    """The delay an HTTP ``Retry-After`` header asks for, in seconds (a number of seconds or an HTTP
    date; a past date is 0), for :attr:`RetryableError.retry_after`; ``None`` when absent or unreadable."""
    text = (value or "").strip()
    if not text:
        return None
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - datetime.now(UTC)).total_seconds())


class FatalError(ConnectorError):
    """Retrying will not help until something changes: wrong settings, revoked credentials, a missing
    resource on the peer. The runtime reports it and does not retry."""

    code = "CONNECTOR_FAILED"
    status = 502


class InvalidInput(ConnectorError):  # noqa: N818 -- the name connector authors know, beside the other two
    """The operation's input is wrong (a parameter's type or value); the flow or its caller must fix it."""

    code = "INVALID_INPUT"
    status = 400


class UnknownConnectorError(ConfigError):
    """A flow names a connector, an operation or a trigger that is not installed; ``hint`` suggests the
    closest installed name."""

    code = "UNKNOWN_CONNECTOR"


class RegistryError(InterlaceError):
    """The installed connectors cannot be used together: two packages register the same name, or an
    entry point does not load a :class:`~interlace.sdk.Connector`. Fix the installation; ``detail``
    lists every problem found."""

    code = "CONNECTOR_REGISTRY_ERROR"
