"""The one error tree of Interlace, sorted by what the caller should do.

::

    InterlaceError                 root; carries a machine-readable ``code`` and an HTTP ``status``
    ├── ConfigError                the project files are wrong: fix them (file:line in the message)
    ├── ExpressionError            a ${...} expression failed to compile (config) or to evaluate (run)
    ├── PayloadError               the message body cannot be read as asked (client input: 400)
    ├── MediationError             a mediator stopped the flow on purpose (throw-error) or failed
    │   ├── ValidationError        a payload did not match its schema
    │   └── ThrottledError         a throttle's limit was reached (429, Retry-After)
    └── EndpointError              an outbound call failed after its retries: maybe try later
        ├── EndpointTimeoutError   no answer within the endpoint's timeout
        └── EndpointSuspendedError the endpoint's circuit is open: it is not called until it recovers

Messages say what must hold and what arrived, and where: ``timeout must be > 0 (got -1) at
endpoints/hospital.yaml:7``. Errors are always raised ``from`` their cause.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "ConfigError",
    "EndpointError",
    "EndpointSuspendedError",
    "EndpointTimeoutError",
    "ExpressionError",
    "InterlaceError",
    "MediationError",
    "PayloadError",
    "SourceLocation",
    "ThrottledError",
    "ValidationError",
    "closest_name",
    "did_you_mean",
    "interlace_extra",
    "missing_library",
]


@dataclass(frozen=True, slots=True)
class SourceLocation:
    """Where a definition came from: a file relative to the project and a 1-based line."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


class InterlaceError(Exception):
    """Root of every error Interlace raises on purpose.

    ``code`` names the kind of failure for on-error sequences (``${error.code}``) and clients;
    ``status`` is the HTTP status of the default error answer; ``detail`` is extra, safe-to-show data.
    ``public`` is what a client is told when ``message`` holds what only operators may read (an internal
    address, a user name, a back-end's own words): the message goes to the log, ``public`` to the client.
    ``headers`` go with the default error answer (``Retry-After`` when the client should come back later).
    """

    code: str = "INTERNAL_ERROR"
    status: int = 500

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status: int | None = None,
        detail: Any = None,
        location: SourceLocation | None = None,
        public: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.detail = detail
        self.location = location
        self.public = public
        self.headers: dict[str, str] = dict(headers or {})

    @property
    def public_message(self) -> str:
        """What a client may be shown: ``public`` when given, else the message."""
        return self.message if self.public is None else self.public

    def __str__(self) -> str:
        if self.location is not None and str(self.location) not in self.message:
            return f"{self.message} at {self.location}"
        return self.message


class ConfigError(InterlaceError):
    """The project's files are wrong; nothing of it runs until they are fixed.

    ``hint`` suggests a fix (``did you mean 'log'?``); ``interlace check`` prints it under the message.
    """

    code = "CONFIG_ERROR"

    def __init__(
        self,
        message: str,
        *,
        location: SourceLocation | None = None,
        hint: str | None = None,
        detail: Any = None,
    ) -> None:
        super().__init__(message, location=location, detail=detail)
        self.hint = hint


def closest_name(name: str, choices: Iterable[object]) -> str | None:
    """The one of ``choices`` that ``name`` is a near miss of (a typo away), or None."""
    close = difflib.get_close_matches(name, [str(choice) for choice in choices], n=1, cutoff=0.6)
    return close[0] if close else None


def did_you_mean(name: str, choices: Iterable[object]) -> str | None:
    """``"did you mean 'log'?"`` when one of ``choices`` is a near miss of ``name``, else None: the one
    spelling of this hint for names, keys, functions and parameters alike."""
    close = closest_name(name, choices)
    return f"did you mean {close!r}?" if close else None


def missing_library(what: str, library: str, install: str) -> str:
    """``"store kind 'redis' needs the Python module 'redis', which is not installed; install it with:
    pip install 'interlace[redis]'"``: the one spelling of this error for stores, connectors and
    coordination alike. ``install`` is the fix (``pip install 'interlace[redis]'``)."""
    return f"{what} needs the Python module {library!r}, which is not installed; install it with: {install}"


def interlace_extra(extra: str) -> str:
    """The command that installs Interlace's optional ``extra`` (``pip install 'interlace[redis]'``)."""
    return f"pip install 'interlace[{extra}]'"


class ExpressionError(InterlaceError):
    """An expression is malformed (at load time) or could not be evaluated on a message (at run time)."""

    code = "EXPRESSION_ERROR"


class PayloadError(InterlaceError):
    """The payload cannot be read as the flow asked (malformed JSON or XML): the client's input is wrong."""

    code = "BAD_PAYLOAD"
    status = 400


class MediationError(InterlaceError):
    """A mediator failed or the flow raised an error on purpose (the throw-error mediator)."""

    code = "MEDIATION_ERROR"


class ValidationError(MediationError):
    """The payload did not match the schema of a validate mediator."""

    code = "VALIDATION_ERROR"
    status = 400


class ThrottledError(MediationError):
    """A throttle mediator's limit was reached; the client should come back after ``Retry-After``."""

    code = "THROTTLED"
    status = 429


class EndpointError(InterlaceError):
    """An outbound call failed after the endpoint's retries; the endpoint may be retried later."""

    code = "ENDPOINT_ERROR"
    status = 502


class EndpointTimeoutError(EndpointError):
    """The endpoint did not answer within its timeout."""

    code = "ENDPOINT_TIMEOUT"
    status = 504


class EndpointSuspendedError(EndpointError):
    """The endpoint is suspended after repeated failures; it is not called until its suspension ends."""

    code = "ENDPOINT_SUSPENDED"
    status = 503
