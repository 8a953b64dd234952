"""A local Slack Web API, written from Slack's method reference: what the connector relies on, with
Slack's answers and error shapes.

- Every method answers HTTP 200 with ``{"ok": true, ...}`` or ``{"ok": false, "error": CODE}``; no
  token is ``not_authed``, another token ``invalid_auth``, a deactivated app ``account_inactive``.
- A method made to throttle (:meth:`FakeSlack.throttle`) answers HTTP 429 with ``Retry-After`` and
  ``{"ok": false, "error": "ratelimited"}``.
- Arguments arrive form-encoded or as JSON, as Slack accepts both.
- conversations.list pages with ``response_metadata.next_cursor`` (empty on the last page);
  conversations.history gives messages newest first with ``has_more``; files are uploaded in two steps,
  the bytes posted to the upload URL that files.getUploadURLExternal answered.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from tests.support import serving_app


@dataclass
class Upload:
    filename: str
    length: int
    content: bytes | None = None
    title: str = ""
    channel: str | None = None


@dataclass
class FakeSlack:
    token: str
    channels: dict[str, dict[str, Any]] = field(default_factory=dict)
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    messages: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    uploads: dict[str, Upload] = field(default_factory=dict)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    inactive: bool = False
    url: str = ""
    _throttled: dict[str, tuple[int, int]] = field(default_factory=dict)
    _clock: itertools.count[int] = field(default_factory=lambda: itertools.count(1_700_000_000))

    def throttle(self, method: str, *, times: int = 1, retry_after: int = 7) -> None:
        """The next ``times`` calls of ``method`` answer 429 with ``Retry-After: retry_after``."""
        self._throttled[method] = (times, retry_after)

    def add_channel(self, channel_id: str, name: str, **extra: Any) -> None:
        self.channels[channel_id] = {"id": channel_id, "name": name, "is_channel": True, **extra}
        self.messages.setdefault(channel_id, [])

    def methods(self) -> list[str]:
        return [method for method, _ in self.calls]

    async def handle(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        arguments = await _arguments(request)
        self.calls.append((method, arguments))
        times, retry_after = self._throttled.get(method, (0, 0))
        if times:
            self._throttled[method] = (times - 1, retry_after)
            return web.json_response(
                {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": str(retry_after)}
            )
        authorization = request.headers.get("Authorization", "")
        if not authorization:
            return _error("not_authed")
        if authorization != f"Bearer {self.token}":
            return _error("invalid_auth")
        if self.inactive:
            return _error("account_inactive")
        handler = self._methods().get(method)
        if handler is None:
            return _error("unknown_method")
        answer: dict[str, Any] | str = handler(arguments)
        if isinstance(answer, str):
            return _error(answer)
        return web.json_response({"ok": True, **answer})

    def _methods(self) -> dict[str, Callable[[dict[str, Any]], dict[str, Any] | str]]:
        return {
            "auth.test": self._auth_test,
            "chat.postMessage": self._chat_post_message,
            "chat.update": self._chat_update,
            "conversations.list": self._conversations_list,
            "conversations.history": self._conversations_history,
            "users.lookupByEmail": self._users_lookup_by_email,
            "files.getUploadURLExternal": self._files_get_upload_urlexternal,
            "files.completeUploadExternal": self._files_complete_upload_external,
        }

    def _ts(self) -> str:
        return f"{next(self._clock)}.000100"

    def _auth_test(self, arguments: dict[str, Any]) -> dict[str, Any]:
        return {"url": "https://example.slack.com/", "team": "Example", "user": "bot", "bot_id": "B1"}

    def _chat_post_message(self, arguments: dict[str, Any]) -> dict[str, Any] | str:
        channel = arguments.get("channel")
        if channel not in self.channels:
            return "channel_not_found"
        if not (arguments.get("text") or arguments.get("blocks") or arguments.get("attachments")):
            return "no_text"
        message = {"type": "message", "user": "U0BOT", "ts": self._ts(), "text": arguments.get("text", "")}
        for key in ("blocks", "attachments", "thread_ts"):
            if key in arguments:
                message[key] = arguments[key]
        self.messages[channel].insert(0, message)
        return {"channel": channel, "ts": message["ts"], "message": message}

    def _chat_update(self, arguments: dict[str, Any]) -> dict[str, Any] | str:
        channel = arguments.get("channel")
        if channel not in self.channels:
            return "channel_not_found"
        found = [m for m in self.messages[channel] if m["ts"] == arguments.get("ts")]
        if not found:
            return "message_not_found"
        message = found[0]
        for key in ("text", "blocks", "attachments"):
            if key in arguments:
                message[key] = arguments[key]
        message["edited"] = {"user": "U0BOT", "ts": self._ts()}
        return {"channel": channel, "ts": message["ts"], "text": message["text"], "message": message}

    def _conversations_list(self, arguments: dict[str, Any]) -> dict[str, Any] | str:
        limit = int(arguments.get("limit", 100))
        cursor = str(arguments.get("cursor", ""))
        if cursor and not (cursor.startswith("dGVhbTo") and cursor[7:].isdigit()):
            return "invalid_cursor"
        start = int(cursor[7:]) if cursor else 0
        listed = list(self.channels.values())
        if arguments.get("exclude_archived") == "true":
            listed = [c for c in listed if not c.get("is_archived")]
        page = listed[start : start + limit]
        more = start + limit < len(listed)
        return {
            "channels": page,
            "response_metadata": {"next_cursor": f"dGVhbTo{start + limit}" if more else ""},
        }

    def _conversations_history(self, arguments: dict[str, Any]) -> dict[str, Any] | str:
        channel = arguments.get("channel")
        if channel not in self.channels:
            return "channel_not_found"
        limit = int(arguments.get("limit", 100))
        messages = self.messages[channel]
        if arguments.get("oldest"):
            messages = [m for m in messages if float(m["ts"]) > float(arguments["oldest"])]
        more = len(messages) > limit
        return {
            "messages": messages[:limit],
            "has_more": more,
            "response_metadata": {"next_cursor": "bmV4dA==" if more else ""},
        }

    def _users_lookup_by_email(self, arguments: dict[str, Any]) -> dict[str, Any] | str:
        user = self.users.get(str(arguments.get("email", "")))
        return {"user": user} if user else "users_not_found"

    def _files_get_upload_urlexternal(self, arguments: dict[str, Any]) -> dict[str, Any] | str:
        if not arguments.get("filename") or not str(arguments.get("length", "")).isdigit():
            return "invalid_arguments"
        file_id = f"F{len(self.uploads) + 1:08d}"
        self.uploads[file_id] = Upload(arguments["filename"], int(arguments["length"]))
        return {"upload_url": f"{self.url}/upload/v1/{file_id}", "file_id": file_id}

    def _files_complete_upload_external(self, arguments: dict[str, Any]) -> dict[str, Any] | str:
        files = arguments.get("files")
        if isinstance(files, str):
            files = json.loads(files)
        if not isinstance(files, list) or not files:
            return "invalid_arguments"
        channel = arguments.get("channel_id")
        if channel is not None and channel not in self.channels:
            return "channel_not_found"
        completed = []
        for item in files:
            upload = self.uploads.get(item.get("id", ""))
            if upload is None or upload.content is None:
                return "file_not_found"
            if len(upload.content) != upload.length:
                return "file_upload_size_mismatch"
            upload.title, upload.channel = item.get("title", upload.filename), channel
            completed.append({"id": item["id"], "title": upload.title})
        return {"files": completed}

    async def receive_upload(self, request: web.Request) -> web.StreamResponse:
        upload = self.uploads.get(request.match_info["file_id"])
        if upload is None:
            return web.Response(status=404, text="not found")
        if request.content_type.startswith("multipart/"):
            form = await request.post()
            part = form.get("file") or form.get("filename")
            content = part.file.read() if isinstance(part, web.FileField) else b""
        else:
            content = await request.read()
        upload.content = content
        return web.Response(text=f"OK - {len(content)}")


async def _arguments(request: web.Request) -> dict[str, Any]:
    if request.content_type == "application/json":
        document = await request.json()
        return document if isinstance(document, dict) else {}
    form = await request.post()
    return {key: str(value) for key, value in form.items()}


def _error(code: str) -> web.Response:
    return web.json_response({"ok": False, "error": code})


@asynccontextmanager
async def serving(fake: FakeSlack) -> AsyncIterator[FakeSlack]:
    """The fake on a free loopback port; ``fake.url`` is its base URL (Slack's ``https://slack.com``)."""
    app = web.Application()
    app.router.add_post("/api/{method}", fake.handle)
    app.router.add_post("/upload/v1/{file_id}", fake.receive_upload)
    async with serving_app(app) as url:
        fake.url = url
        yield fake
