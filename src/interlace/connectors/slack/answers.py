"""Answers of the Slack Web API, and what each failure means for the caller.

Slack answers HTTP 200 with ``{"ok": true, ...}`` on success and ``{"ok": false, "error": "CODE"}`` on
failure; throttled calls get HTTP 429 with ``Retry-After`` (seconds). They are sorted by what helps:

- the token or the app cannot work (``invalid_auth``, ``not_authed``, ``account_inactive``,
  ``token_revoked``, ``token_expired``, ``missing_scope``, ``no_permission``, ...):
  :class:`~interlace.sdk.FatalError`; nothing changes until the connection's settings or the app do.
- HTTP 429, ``ratelimited``, Slack's own trouble (``internal_error``, ``fatal_error``,
  ``service_unavailable``, ``request_timeout``) and HTTP 5xx:
  :class:`~interlace.sdk.RetryableError`, with ``Retry-After`` as ``retry_after`` (the connection
  raises it for no answer at all).
- every other error code names what is wrong with the call's arguments (``channel_not_found``,
  ``not_in_channel``, ``message_not_found``, ``users_not_found``, ``invalid_cursor``, ...):
  :class:`~interlace.sdk.InvalidInput`.
- an answer that is not Slack's JSON (a 404 page, a proxy's error): :class:`~interlace.sdk.FatalError`
  naming the URL, since ``api-url`` points at something that is not the Web API.
"""

from __future__ import annotations

import json
from typing import Any, Final

from interlace.sdk import FatalError, InvalidInput, RetryableError, retry_after_seconds

__all__ = ["FATAL_ERRORS", "RETRYABLE_ERRORS", "accept_answer"]

FATAL_ERRORS: Final = frozenset(
    {
        "not_authed", "invalid_auth", "account_inactive", "token_revoked", "token_expired",
        "no_permission", "missing_scope", "not_allowed_token_type", "org_login_required",
        "ekm_access_denied", "team_access_not_granted", "access_denied", "two_factor_setup_required",
        "invalid_token", "deprecated_endpoint", "method_deprecated", "accesslimited",
    }
)  # fmt: skip
RETRYABLE_ERRORS: Final = frozenset(
    {"ratelimited", "rate_limited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)


def accept_answer(
    status: int, body: bytes, retry_after: str | None, *, where: str, url: str
) -> dict[str, Any]:
    """The JSON object of a successful call; otherwise raise the error that says what helps.

    ``where`` starts every message (``slack.postMessage on connection alerts``); ``url`` is the
    method's URL, shown when the answer is not the Web API's.
    """
    document = _json(body)
    code = str(document.get("error", "")) if isinstance(document, dict) else ""
    if status == 429 or code in RETRYABLE_ERRORS or status >= 500:
        raise RetryableError(
            f"{where}: Slack is unavailable or throttling ({_detail(status, code)})",
            retry_after=retry_after_seconds(retry_after),
        )
    if not isinstance(document, dict) or "ok" not in document:
        raise FatalError(
            f"{where}: {url} answered {status} without the Slack API's JSON; check the connection's api-url"
        )
    if document["ok"] is True:
        return document
    if code in FATAL_ERRORS:
        needed = f", it needs {document['needed']}" if isinstance(document.get("needed"), str) else ""
        raise FatalError(
            f"{where}: Slack refused the app's token ({code}{needed}); check the connection's token and"
            " the app's scopes"
        )
    raise InvalidInput(f"{where}: Slack refused the call ({_detail(status, code)})")


def _json(body: bytes) -> object:
    try:
        return json.loads(body) if body else None
    except (ValueError, UnicodeDecodeError):
        return None


def _detail(status: int, code: str) -> str:
    return f"{status} {code}" if code else str(status)
