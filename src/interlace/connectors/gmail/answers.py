"""Answers of the Gmail API, and what each failure means for the caller.

Google's errors are ``{"error": {"code", "message", "status", "errors": [{"reason", ...}]}}``. They are
sorted by what helps:

- 400, 404, 413: the operation's input is wrong (a malformed or unknown message id, no recipient):
  :class:`~interlace.sdk.InvalidInput`. A 404 that is not in Google's shape means ``api-url`` points
  at something that is not the Gmail API: :class:`~interlace.sdk.FatalError`.
- 401 (after the one refresh and retry), 403, other 4xx: :class:`~interlace.sdk.FatalError`; but a 403
  whose reason is a rate limit is :class:`~interlace.sdk.RetryableError`, as Google asks clients to back off.
- 429, 5xx, no answer at all: :class:`~interlace.sdk.RetryableError`, with ``Retry-After`` as ``retry_after``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Final

from interlace.sdk import FatalError, InvalidInput, RetryableError, retry_after_seconds

__all__ = ["ApiAnswer", "accept_answer"]

_RATE_LIMIT_REASONS: Final = frozenset({"rateLimitExceeded", "userRateLimitExceeded"})
_INPUT_STATUSES: Final = frozenset({400, 404, 413})
_DETAIL_LIMIT: Final = 300


@dataclass(frozen=True, slots=True)
class ApiAnswer:
    """One HTTP answer of the API, or the network failure (``failure``) that stood in for it."""

    status: int
    body: bytes = b""
    retry_after: str | None = None
    failure: BaseException | None = None


def accept_answer(answer: ApiAnswer, *, where: str, url: str) -> dict[str, Any]:
    """The JSON object of a successful answer; otherwise raise the error that says what helps.

    ``where`` starts every message (``gmail.readMail on connection patientMail``); ``url`` is the
    request's URL without query, shown when the API could not be reached.
    """
    if answer.failure is not None:
        failure = answer.failure
        raise RetryableError(
            f"{where}: the Gmail API at {url} did not answer: {type(failure).__name__} {failure}".rstrip()
        ) from failure
    document = _json(answer.body)
    if 200 <= answer.status < 300:
        if not isinstance(document, dict):
            raise FatalError(
                f"{where}: the Gmail API at {url} answered {answer.status} without a JSON object"
            )
        return document
    error = document.get("error") if isinstance(document, dict) else None
    google = error if isinstance(error, dict) else {}
    detail = _detail(answer.status, google)
    if answer.status == 401:
        raise FatalError(
            f"{where}: the Gmail API refused the access token even after a refresh ({detail}); check the"
            " connection's OAuth2 client and the scopes of its grant"
        )
    if answer.status == 429 or answer.status >= 500 or _reason(google) in _RATE_LIMIT_REASONS:
        raise RetryableError(
            f"{where}: the Gmail API is unavailable or throttling ({detail})",
            retry_after=retry_after_seconds(answer.retry_after),
        )
    if answer.status == 404 and not google:
        raise FatalError(f"{where}: {url} is not the Gmail API ({detail}); check the connection's api-url")
    if answer.status in _INPUT_STATUSES:
        raise InvalidInput(f"{where}: the Gmail API refused the request ({detail})")
    raise FatalError(f"{where}: the Gmail API refused the request ({detail})")


def _json(body: bytes) -> object:
    try:
        return json.loads(body) if body else None
    except (ValueError, UnicodeDecodeError):
        return None


def _reason(google: dict[str, Any]) -> str:
    errors = google.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        return str(errors[0].get("reason", ""))
    return ""


def _detail(status: int, google: dict[str, Any]) -> str:
    parts = [str(status)]
    if google.get("status"):
        parts.append(str(google["status"]))
    message = str(google.get("message", "")).strip()
    if len(message) > _DETAIL_LIMIT:
        message = message[:_DETAIL_LIMIT] + "..."
    return f"{' '.join(parts)}: {message}" if message else " ".join(parts)
