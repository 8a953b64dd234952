"""Why one attempt of an HTTP call failed, told in words a user can act on."""

from __future__ import annotations

import socket
from dataclasses import dataclass

import aiohttp

from interlace.endpoints.headers import redact_url
from interlace.model.durations import format_duration

__all__ = ["AttemptFailure", "failure_of"]


@dataclass(frozen=True, slots=True)
class AttemptFailure:
    """One failed attempt. ``reached_server``: the request may have been acted on, so only idempotent
    methods are repeated; ``repeatable``: repeating can help at all."""

    cause: str
    reached_server: bool
    repeatable: bool = True
    timeout: bool = False
    status: int | None = None
    exc: BaseException | None = None

    @property
    def public_cause(self) -> str:
        """The cause as a client may read it: no address and no words of the back-end's software."""
        if self.status is not None or self.timeout:
            return self.cause
        return "failed: the back-end could not be reached" if not self.reached_server else "failed"


def failure_of(exc: TimeoutError | aiohttp.ClientError, timeout: float) -> AttemptFailure:
    """The failure an exception of the HTTP client stands for; ``cause`` completes "GET url ..."."""
    if isinstance(exc, TimeoutError):  # first: aiohttp's timeouts are ClientErrors too
        return AttemptFailure(
            f"did not answer within {format_duration(timeout)}", True, timeout=True, exc=exc
        )
    if isinstance(exc, aiohttp.ClientConnectorError):
        return AttemptFailure(_connect_cause(exc), reached_server=False, exc=exc)
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return AttemptFailure("failed: the server closed the connection before answering", True, exc=exc)
    if isinstance(exc, aiohttp.TooManyRedirects):
        return AttemptFailure("failed: too many redirects", True, repeatable=False, exc=exc)
    if isinstance(exc, aiohttp.ClientResponseError):
        return AttemptFailure(f"failed: the answer is not valid HTTP ({exc.message})", True, exc=exc)
    return AttemptFailure(redact_url(f"failed: {type(exc).__name__}: {exc}"), True, exc=exc)


def _connect_cause(exc: aiohttp.ClientConnectorError) -> str:
    os_error = exc.os_error
    if isinstance(os_error, ConnectionRefusedError):
        return "failed: connection refused"
    if isinstance(exc, aiohttp.ClientConnectorDNSError) or isinstance(os_error, socket.gaierror):
        return f"failed: cannot resolve host {exc.host!r}"
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        return f"failed: the server's TLS certificate is not trusted ({exc.certificate_error})"
    reason = os_error.strerror or str(os_error) or type(os_error).__name__
    return f"failed: cannot connect to {exc.host}:{exc.port} ({reason})"
