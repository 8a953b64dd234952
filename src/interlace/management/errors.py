"""The errors the management API answers with.

Every error answer has the one shape of every Interlace error answer (:func:`error_answer`, built on
:func:`interlace.message.error_body`): ``{"error": {"code", "message", "correlationId"}}`` with the
error's HTTP status; errors of the runtime (an unknown store, a store that failed) keep their own code
and status.
"""

from __future__ import annotations

from collections.abc import Mapping

import orjson
from aiohttp import web

from interlace.errors import InterlaceError
from interlace.message import CORRELATION_HEADER, JSON_TYPE, error_body, new_correlation_id

__all__ = [
    "BadRequestError",
    "ConflictError",
    "ForbiddenError",
    "ManagementError",
    "NotFoundError",
    "NotReadyError",
    "TooManyAttemptsError",
    "UnauthorizedError",
    "error_answer",
]


class ManagementError(InterlaceError):
    """A request to the management API that cannot be served as asked; ``headers`` go with the answer."""

    code = "BAD_REQUEST"
    status = 400

    def __init__(self, message: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.headers = dict(headers or {})


class BadRequestError(ManagementError):
    """The request's parameters or body do not match the API's schema: fix the request."""


class UnauthorizedError(ManagementError):
    """No valid token (missing, malformed, expired, revoked) or wrong credentials: log in again."""

    code = "UNAUTHORIZED"
    status = 401

    def __init__(self, message: str) -> None:
        super().__init__(message, headers={"WWW-Authenticate": 'Bearer realm="interlace-management"'})


class ForbiddenError(ManagementError):
    """The user's role does not allow the action (a monitor changing something, an operator deploying)."""

    code = "FORBIDDEN"
    status = 403


class NotFoundError(ManagementError):
    """No such artifact, message, logger or route."""

    code = "NOT_FOUND"
    status = 404


class ConflictError(ManagementError):
    """The action does not apply to this artifact (an endpoint that cannot be switched off)."""

    code = "CONFLICT"
    status = 409


class TooManyAttemptsError(ManagementError):
    """Too many failed logins from this client or for this user: wait ``Retry-After`` seconds."""

    code = "TOO_MANY_ATTEMPTS"
    status = 429

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message, headers={"Retry-After": str(max(1, round(retry_after + 0.499)))})
        self.retry_after = retry_after


class NotReadyError(ManagementError):
    """The runtime has no active deployment (starting or stopping)."""

    code = "NOT_READY"
    status = 503


def error_answer(
    request: web.BaseRequest,
    status: int,
    code: str,
    message: str,
    headers: Mapping[str, str] | None = None,
) -> web.Response:
    """The error answer to ``request``: the one error shape, with the caller's correlation id (or a new
    one) in the body and the ``X-Correlation-ID`` header."""
    correlation_id = request.headers.get(CORRELATION_HEADER) or new_correlation_id()
    body = orjson.dumps(error_body(code, message, correlation_id))
    all_headers = {"Content-Type": JSON_TYPE, CORRELATION_HEADER: correlation_id, **(headers or {})}
    return web.Response(status=status, body=body, headers=all_headers)
