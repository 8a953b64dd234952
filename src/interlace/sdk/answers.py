"""An HTTP answer as an operation's result, or as the error it stands for.

5xx, 429 and 408 are transient (:class:`RetryableError`, with the server's ``Retry-After``); 401 and 403
mean the credentials are wrong or lack rights (:class:`FatalError`). With :func:`check_status` (generic
HTTP calls) every other answer, 4xx included, is the operation's result, with its status in
``attributes.status`` for the flow to check. With :func:`raise_for_answer` (a connector for one service,
whose :class:`ServiceErrors` say how it words failures) another 4xx is :class:`InvalidInput` carrying the
service's own message, except a 404 in no shape of the service's (the URL is not the service's API:
:class:`FatalError`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import orjson
from multidict import CIMultiDictProxy

from interlace.sdk.errors import FatalError, InvalidInput, RetryableError, retry_after_seconds
from interlace.sdk.operation import OperationResult

__all__ = ["Answer", "ServiceErrors", "check_status", "decode_payload", "raise_for_answer", "to_result"]

_TEXT_TYPES = frozenset(
    {"application/xml", "application/x-www-form-urlencoded", "application/javascript", "application/yaml"}
)
_EXCERPT = 200


@dataclass(frozen=True, slots=True)
class Answer:
    """A response read in full: status, reason, headers (repeated ones joined by ``", "``) and body."""

    status: int
    reason: str
    headers: dict[str, str]
    body: bytes

    @classmethod
    def of(cls, status: int, reason: str | None, headers: CIMultiDictProxy[str], body: bytes) -> Answer:
        joined: dict[str, str] = {}
        for name, value in headers.items():
            key = str(name)
            joined[key] = f"{joined[key]}, {value}" if key in joined else value
        return cls(status, reason or "", joined, body)

    @property
    def content_type(self) -> str:
        return next((v for k, v in self.headers.items() if k.lower() == "content-type"), "")


def decode_payload(content_type: str, body: bytes) -> object:
    """The body as a flow uses it: parsed JSON for JSON types, text for text types (decoded with the
    declared charset, UTF-8 by default), bytes otherwise, ``None`` when there is no body."""
    if not body:
        return None
    media_type, _, parameters = content_type.partition(";")
    media_type = media_type.strip().lower()
    if media_type == "application/json" or media_type.endswith("+json"):
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError:
            return _decode_text(body, parameters)
    if media_type.startswith("text/") or media_type in _TEXT_TYPES or media_type.endswith("+xml"):
        return _decode_text(body, parameters)
    return body


def _decode_text(body: bytes, parameters: str) -> str:
    charset = "utf-8"
    for part in parameters.split(";"):
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip('"')
    try:
        return body.decode(charset, errors="replace")
    except LookupError:
        return body.decode("utf-8", errors="replace")


def to_result(answer: Answer) -> OperationResult:
    """The operation's result: payload, response headers and ``{"status": ..., "reason": ...}``."""
    return OperationResult(
        decode_payload(answer.content_type, answer.body),
        headers=answer.headers,
        attributes={"status": answer.status, "reason": answer.reason},
    )


def check_status(answer: Answer, where: str, target: str) -> None:
    """Raise the error an answer stands for (see the module docstring); return for the others."""
    status = answer.status
    if status >= 500 or status in (408, 429):
        raise RetryableError(
            f"{where}: {target} answered {status} {answer.reason}{_excerpt(answer)}",
            retry_after=retry_after_seconds(_header(answer.headers, "retry-after")),
            detail={"status": status},
        )
    if status in (401, 403):
        meaning = "refused the credentials" if status == 401 else "denied access"
        raise FatalError(
            f"{where}: {target} {meaning} ({status} {answer.reason}){_excerpt(answer)};"
            " check the connection's auth",
            detail={"status": status},
        )


def _never(answer: Answer) -> bool:
    return False


@dataclass(frozen=True, slots=True)
class ServiceErrors:
    """How one service words its failures, for :func:`raise_for_answer`.

    ``describe`` takes an error answer's decoded body and returns the service's words for it
    (``"REQUIRED_FIELD_MISSING: Required fields are missing: [Name]"``), or ``""`` when the body is not
    in the service's error shape. ``retryable`` names answers that are transient besides 408, 429 and
    5xx (a 403 that is a rate limit)."""

    service: str
    describe: Callable[[object], str]
    retryable: Callable[[Answer], bool] = _never


def raise_for_answer(answer: Answer, where: str, errors: ServiceErrors) -> None:
    """Raise the error an answer of ``errors.service`` stands for (see the module docstring); return for
    1xx and 2xx. A 3xx that reaches here (redirects are followed) is :class:`InvalidInput`: the request
    is ambiguous (300 Multiple Choices). Messages start with ``where`` and carry the service's words,
    never a credential."""
    status = answer.status
    if status < 300:
        return
    words = errors.describe(decode_payload(answer.content_type, answer.body))
    detail = f"{status}: {words[: _EXCERPT * 2]}" if words else f"{status} {answer.reason}".rstrip()
    service = errors.service
    if status >= 500 or status in (408, 429) or errors.retryable(answer):
        raise RetryableError(
            f"{where}: {service} is unavailable or throttling ({detail})",
            retry_after=retry_after_seconds(_header(answer.headers, "retry-after")),
            detail={"status": status},
        )
    if status in (401, 403):
        meaning = "refused the credentials" if status == 401 else "denied access"
        raise FatalError(
            f"{where}: {service} {meaning} ({detail}); check the connection's credentials and their rights",
            detail={"status": status},
        )
    if status == 404 and not words:
        raise FatalError(
            f"{where}: the URL is not {service}'s API ({detail}); check the connection's URL settings",
            detail={"status": status},
        )
    raise InvalidInput(f"{where}: {service} refused the request ({detail})", detail={"status": status})


def _excerpt(answer: Answer) -> str:
    payload = decode_payload(answer.content_type, answer.body)
    if payload is None or isinstance(payload, bytes):
        return ""
    text = payload if isinstance(payload, str) else orjson.dumps(payload).decode()
    text = " ".join(text.split())
    return f": {text[:_EXCERPT]}{'...' if len(text) > _EXCERPT else ''}" if text else ""


def _header(headers: dict[str, str], name: str) -> str | None:
    return next((v for k, v in headers.items() if k.lower() == name), None)
