"""The Gmail REST API (v1) subset that a Gmail connector uses, served on loopback.

Routes, under ``/gmail/v1/users/{userId}`` (``userId`` is ``me`` or the mailbox's address; any other
user answers 403 ``Delegation denied for <user>``):

- ``POST /messages/send``: body ``{"raw": base64url(RFC 5322), "threadId"?}`` → ``{id, threadId,
  labelIds: ["SENT"]}``. Recipients come from To, Cc and Bcc; like Gmail, a missing From, Date or
  Message-ID header is added before the message is kept.
- ``GET /messages`` (``labelIds``, ``maxResults`` ≤ 500 default 100, ``pageToken``, ``q``,
  ``includeSpamTrash``) → ``{messages: [{id, threadId}], nextPageToken?, resultSizeEstimate}``; as in
  Gmail, ``messages`` is left out when nothing matches.
- ``GET /messages/{id}?format=full|raw|metadata|minimal&metadataHeaders=...`` → a Message resource.
- ``POST /messages/{id}/trash`` → ``{id, threadId, labelIds}``.
- ``GET /messages/{messageId}/attachments/{id}`` → a MessagePartBody.
- ``GET /labels`` → ``{labels: [...]}``; ``GET /profile`` → ``{emailAddress, messagesTotal,
  threadsTotal, historyId}``.

Every call needs ``Authorization: Bearer <access token>`` from this service's token endpoint; a missing,
unknown, revoked or expired token answers 401 in Google's error shape with a ``WWW-Authenticate`` header.
"""

from __future__ import annotations

import string
from collections.abc import Awaitable, Callable
from email import policy
from email.parser import BytesParser
from email.utils import format_datetime, getaddresses, make_msgid
from typing import Any, Final

import orjson
from aiohttp import web

from interlace.samples.mailbox.box import Mailbox
from interlace.samples.mailbox.gmail_query import MessageSelection
from interlace.samples.mailbox.gmail_resource import (
    FORMATS,
    SYSTEM_LABELS,
    GoogleApiError,
    attachment_body,
    decode_base64url,
    message_resource,
)
from interlace.samples.mailbox.mail import ReceivedMail
from interlace.samples.mailbox.state import AUTHORITY_KEY, MAILBOX_KEY

__all__ = ["add_gmail_routes"]

_PREFIX: Final = "/gmail/v1/users/{userId}"
_CREDENTIALS_HINT: Final = (
    "Expected OAuth 2 access token, login cookie or other valid authentication credential. "
    "See https://developers.google.com/identity/sign-in/web/devconsole-project."
)
_REALM: Final = 'Bearer realm="https://accounts.google.com/"'

_Operation = Callable[[web.Request, Mailbox], Awaitable[dict[str, Any]]]
_Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def add_gmail_routes(router: web.UrlDispatcher) -> None:
    """Add the Gmail API routes to *router* (literal paths before templated ones)."""
    router.add_post(_PREFIX + "/messages/send", _api(_send))
    router.add_get(_PREFIX + "/messages", _api(_list))
    router.add_get(_PREFIX + "/messages/{messageId}/attachments/{id}", _api(_attachment))
    router.add_get(_PREFIX + "/messages/{id}", _api(_get))
    router.add_post(_PREFIX + "/messages/{id}/trash", _api(_trash))
    router.add_get(_PREFIX + "/labels", _api(_labels))
    router.add_get(_PREFIX + "/profile", _api(_profile))


def _api(operation: _Operation) -> _Handler:
    async def handle(request: web.Request) -> web.StreamResponse:
        mailbox = request.app[MAILBOX_KEY]
        try:
            _authorize(request)
            user = request.match_info["userId"]
            if user != "me" and user.lower() != mailbox.address.lower():
                raise GoogleApiError(
                    403, "PERMISSION_DENIED", f"Delegation denied for {user}", reason="forbidden"
                )
            answer = await operation(request, mailbox)
        except GoogleApiError as exc:
            headers = {"WWW-Authenticate": _www_authenticate(exc)} if exc.code == 401 else None
            return _json(exc.to_json(), status=exc.code, headers=headers)
        return _json(answer)

    return handle


def _authorize(request: web.Request) -> None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise GoogleApiError(
            401,
            "UNAUTHENTICATED",
            f"Request is missing required authentication credential. {_CREDENTIALS_HINT}",
            reason="required",
            location="Authorization",
            location_type="header",
            detail_message="Login Required.",
        )
    if not request.app[AUTHORITY_KEY].is_valid(token.strip()):
        raise GoogleApiError(
            401,
            "UNAUTHENTICATED",
            f"Request had invalid authentication credentials. {_CREDENTIALS_HINT}",
            reason="authError",
            location="Authorization",
            location_type="header",
            detail_message="Invalid Credentials",
        )


def _www_authenticate(exc: GoogleApiError) -> str:
    return _REALM if exc.reason == "required" else f'{_REALM}, error="invalid_token"'


async def _send(request: web.Request, mailbox: Mailbox) -> dict[str, Any]:
    try:
        document = orjson.loads(await request.read())
    except orjson.JSONDecodeError as exc:
        raise _invalid(f"Invalid JSON payload received. {exc}", reason="parseError") from exc
    encoded = document.get("raw") if isinstance(document, dict) else None
    if not isinstance(encoded, str) or not encoded:
        raise _invalid(
            "'raw' RFC822 payload message string or uploading message via /upload/* URL required",
            reason="invalidArgument",
        )
    try:
        raw = decode_base64url(encoded)
    except ValueError as exc:
        raise _invalid(
            "Invalid value at 'message.raw' (TYPE_BYTES), Base64 decoding failed", reason="invalid"
        ) from exc
    raw = _completed(raw, mailbox)
    recipients = _recipients(raw)
    if not recipients:
        raise _invalid("Recipient address required", reason="invalidArgument")
    thread_id = document.get("threadId")
    message = await mailbox.receive(
        raw,
        source="gmail",
        labels=("SENT",),
        thread_id=thread_id if isinstance(thread_id, str) else None,
        envelope_from=mailbox.address,
        envelope_to=recipients,
    )
    return {"id": message.id, "threadId": message.thread_id, "labelIds": list(message.labels)}


async def _list(request: web.Request, mailbox: Mailbox) -> dict[str, Any]:
    query = request.query
    max_results = _uint(query.get("maxResults"), "max_results") or 100
    offset = _uint(query.get("pageToken"), "page_token")
    selection = MessageSelection(
        label_ids=[*query.getall("labelIds", []), *query.getall("labelIds[]", [])],
        include_spam_trash=query.get("includeSpamTrash", "false").lower() == "true",
        query=query.get("q", ""),
    )
    matching = [message for message in mailbox.messages if selection.selects(message)]
    page = matching[offset : offset + min(max_results, 500)]
    answer: dict[str, Any] = {}
    if page:
        answer["messages"] = [{"id": message.id, "threadId": message.thread_id} for message in page]
    if offset + len(page) < len(matching):
        answer["nextPageToken"] = str(offset + len(page))
    answer["resultSizeEstimate"] = len(matching)
    return answer


async def _get(request: web.Request, mailbox: Mailbox) -> dict[str, Any]:
    message_format = request.query.get("format", "full").lower()
    if message_format not in FORMATS:
        raise _invalid(
            f"Invalid value at 'format' (type.googleapis.com/gmail.v1.Format), \"{message_format}\"",
            reason="invalid",
        )
    message = _find(mailbox, request.match_info["id"])
    headers = [*request.query.getall("metadataHeaders", []), *request.query.getall("metadataHeaders[]", [])]
    return message_resource(message, message_format, headers)


async def _trash(request: web.Request, mailbox: Mailbox) -> dict[str, Any]:
    _find(mailbox, request.match_info["id"])
    trashed = mailbox.trash(request.match_info["id"])
    assert trashed is not None  # found just above, and nothing runs in between
    return {"id": trashed.id, "threadId": trashed.thread_id, "labelIds": list(trashed.labels)}


async def _attachment(request: web.Request, mailbox: Mailbox) -> dict[str, Any]:
    message = _find(mailbox, request.match_info["messageId"])
    body = attachment_body(message, request.match_info["id"])
    if body is None:
        raise _not_found()
    return body


async def _labels(request: web.Request, mailbox: Mailbox) -> dict[str, Any]:
    return {"labels": [dict(label) for label in SYSTEM_LABELS]}


async def _profile(request: web.Request, mailbox: Mailbox) -> dict[str, Any]:
    return {
        "emailAddress": mailbox.address,
        "messagesTotal": len(mailbox.messages),
        "threadsTotal": mailbox.threads_total,
        "historyId": str(mailbox.history_id),
    }


def _find(mailbox: Mailbox, message_id: str) -> ReceivedMail:
    if not message_id or any(c not in string.hexdigits for c in message_id):
        raise _invalid("Invalid id value", reason="invalidArgument")
    message = mailbox.find(message_id.lower())
    if message is None:
        raise _not_found()
    return message


def _completed(raw: bytes, mailbox: Mailbox) -> bytes:
    """*raw* with the From, Date and Message-ID headers Gmail adds when a client leaves them out."""
    headers = BytesParser(policy=policy.default).parsebytes(raw, headersonly=True)
    newline = b"\r\n" if b"\r\n" in raw else b"\n"
    domain = mailbox.address.rpartition("@")[2] or "localhost"
    added = []
    if headers.get("From") is None:
        added.append(f"From: {mailbox.address}")
    if headers.get("Date") is None:
        added.append(f"Date: {format_datetime(mailbox.now())}")
    if headers.get("Message-ID") is None:
        added.append(f"Message-ID: {make_msgid(domain=domain)}")
    return b"".join(line.encode("ascii") + newline for line in added) + raw


def _recipients(raw: bytes) -> list[str]:
    headers = BytesParser(policy=policy.default).parsebytes(raw, headersonly=True)
    values = [str(value) for name in ("To", "Cc", "Bcc") for value in headers.get_all(name, [])]
    return [address for _, address in getaddresses(values) if address]


def _uint(value: str | None, field: str) -> int:
    if value is None or value == "":
        return 0
    if not value.isdigit():
        raise _invalid(f"Invalid value at '{field}' (TYPE_UINT32), \"{value}\"", reason="invalid")
    return int(value)


def _invalid(message: str, *, reason: str) -> GoogleApiError:
    return GoogleApiError(400, "INVALID_ARGUMENT", message, reason=reason)


def _not_found() -> GoogleApiError:
    return GoogleApiError(404, "NOT_FOUND", "Requested entity was not found.", reason="notFound")


def _json(value: object, *, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(
        status=status,
        body=orjson.dumps(value),
        content_type="application/json",
        charset="UTF-8",
        headers=headers,
    )
