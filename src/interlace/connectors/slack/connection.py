"""A live Slack connection: one HTTP session and the app's bot token, shared by all operations."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

import aiohttp
from yarl import URL

from interlace.connectors.slack.answers import accept_answer
from interlace.connectors.slack.config import SlackConfig
from interlace.sdk import Connection, FatalError, RetryableError, retry_after_seconds

__all__ = ["SlackConnection"]

_log = logging.getLogger("interlace.connectors.slack")

Arguments = Mapping[str, Any]


class SlackConnection(Connection[SlackConfig]):
    """The Slack Web API as one app, with its bot token.

    Every method call goes through :meth:`call`, which adds the token and turns Slack's answers into
    the SDK's errors (see :mod:`interlace.connectors.slack.answers`). Safe to use from concurrent
    tasks, as the HTTP session is. ``session`` injects the aiohttp session to use (it is then not
    closed here); otherwise :meth:`open` creates one.
    """

    def __init__(
        self, config: SlackConfig, *, name: str = "default", session: aiohttp.ClientSession | None = None
    ) -> None:
        super().__init__(config, name=name)
        self._injected = session
        self._session: aiohttp.ClientSession | None = None

    async def open(self) -> None:
        if self._session is None:
            self._session = self._injected or aiohttp.ClientSession()

    async def ping(self) -> None:
        """Call auth.test: proves the API answers and accepts the token."""
        await self.call("ping", "auth.test")

    async def aclose(self) -> None:
        session, self._session = self._session, None
        if session is not None and session is not self._injected:
            await session.close()

    def _open_session(self) -> aiohttp.ClientSession:
        if self._session is None:
            raise FatalError(f"slack connection {self.name} is not open")
        return self._session

    def _token(self, where: str) -> str:
        if self.config.token is None:
            raise FatalError(f"{where}: the connection has no token; set the app's bot token (xoxb-...)")
        return self.config.token.reveal()

    async def call(
        self, operation: str, method: str, arguments: Arguments | None = None, *, as_json: bool = False
    ) -> dict[str, Any]:
        """Call the Web API ``method`` (``chat.postMessage``) with ``arguments`` and return its answer;
        raise RetryableError, FatalError or InvalidInput naming ``operation`` and this connection.

        Arguments go form-encoded, which every method accepts (``None`` left out, lists and mappings as
        JSON text, booleans as ``true``/``false``), or as a JSON body with ``as_json`` for the methods
        that take structured arguments (blocks, attachments, files)."""
        where = f"slack.{operation} on connection {self.name}"
        url = f"{self.config.api_url.rstrip('/')}/{method}"
        session = self._open_session()
        headers = {"Authorization": f"Bearer {self._token(where)}", "Accept": "application/json"}
        given = {key: value for key, value in (arguments or {}).items() if value is not None}
        body: dict[str, Any] = {"json": given} if as_json else {"data": _form(given)}
        try:
            async with session.post(
                URL(url, encoded=True), headers=headers, timeout=self._timeout(), **body
            ) as response:
                status, content = response.status, await response.read()
                retry_after = response.headers.get("Retry-After")
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise RetryableError(
                f"{where}: the Slack API at {url} did not answer: {type(exc).__name__} {exc}".rstrip()
            ) from exc
        _log.debug("%s: %s answered %s", where, url, status)
        return accept_answer(status, content, retry_after, where=where, url=url)

    async def upload(self, operation: str, url: str, content: bytes, filename: str) -> None:
        """Send a file's bytes to the upload URL that files.getUploadURLExternal gave (no token: the URL
        itself grants the upload); a 200 means Slack has them."""
        where = f"slack.{operation} on connection {self.name}"
        form = aiohttp.FormData()
        form.add_field("file", content, filename=filename, content_type="application/octet-stream")
        try:
            async with self._open_session().post(url, data=form, timeout=self._timeout()) as response:
                status, retry_after = response.status, response.headers.get("Retry-After")
                await response.read()
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise RetryableError(f"{where}: the file upload did not complete: {type(exc).__name__}") from exc
        if status == 429 or status >= 500:
            raise RetryableError(
                f"{where}: the file upload was refused for now ({status})",
                retry_after=retry_after_seconds(retry_after),
            )
        if status != 200:
            raise FatalError(f"{where}: the file upload was refused ({status})")

    def _timeout(self) -> aiohttp.ClientTimeout:
        return aiohttp.ClientTimeout(total=self.config.timeout)


def _form(arguments: Arguments) -> dict[str, str]:
    def text(value: Any) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, list | dict):
            return json.dumps(value, separators=(",", ":"))
        return str(value)

    return {key: text(value) for key, value in arguments.items()}
