"""A live Gmail connection: one HTTP session and the OAuth2 tokens of one grant, shared by all operations."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote

import aiohttp
from yarl import URL

from interlace.connectors.gmail.answers import ApiAnswer, accept_answer
from interlace.connectors.gmail.config import GmailConfig
from interlace.sdk import (
    Connection,
    FatalError,
    OAuth2Settings,
    OAuth2Tokens,
    RetryableError,
    TokenStore,
)

__all__ = ["GmailConnection"]

_log = logging.getLogger("interlace.connectors.gmail")

Query = Mapping[str, str | list[str]]


class GmailConnection(Connection[GmailConfig]):
    """The Gmail API for one user, with access tokens refreshed as needed.

    Every call goes through :meth:`call`, which adds a bearer token, refreshes it once and retries once
    after a 401, and turns failures into the SDK's errors. Safe to use from concurrent tasks: the HTTP
    session is, and the tokens are refreshed by one task at a time.

    ``session`` injects the aiohttp session to use (it is then not closed here); otherwise :meth:`open`
    creates one. ``token_store`` is where a refresh token that Google rotates is saved and found after a
    restart; the runtime sets it (``connection.token_store = store``) before the first operation.
    ``clock`` (monotonic seconds) decides when access tokens expire.
    """

    def __init__(
        self,
        config: GmailConfig,
        *,
        name: str = "default",
        session: aiohttp.ClientSession | None = None,
        token_store: TokenStore | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(config, name=name)
        self._injected = session
        self._session: aiohttp.ClientSession | None = None
        self._token_store = token_store
        self._clock = clock
        self._tokens: OAuth2Tokens | None = None

    @property
    def token_store(self) -> TokenStore | None:
        """Where rotated refresh tokens are kept across restarts (``None``: in memory only)."""
        return self._token_store

    @token_store.setter
    def token_store(self, store: TokenStore | None) -> None:
        # Tokens already built keep no reference to the old store: build them again on next use.
        self._token_store = store
        self._tokens = None

    @property
    def tokens(self) -> OAuth2Tokens:
        """The connection's OAuth2 tokens (``refreshes`` counts calls of the token endpoint)."""
        if self._tokens is None:
            self._tokens = self._build_tokens()
        return self._tokens

    def _build_tokens(self) -> OAuth2Tokens:
        return OAuth2Tokens(
            self.name,
            self.oauth2_settings(),
            self._open_session(),
            store=self._token_store,
            clock=self._clock,
        )

    def oauth2_settings(self) -> OAuth2Settings:
        config = self.config
        return OAuth2Settings(
            token_url=config.token_url,
            client_id=config.client_id,
            client_secret=config.client_secret.reveal(),
            grant=config.grant,
            refresh_token=config.refresh_token.reveal() if config.refresh_token else None,
            timeout=config.timeout,
            authorization_url=config.authorization_url,
        )

    def _open_session(self) -> aiohttp.ClientSession:
        if self._session is None:
            raise FatalError(f"gmail connection {self.name} is not open")
        return self._session

    async def open(self) -> None:
        if self._session is None:
            self._session = self._injected or aiohttp.ClientSession()
        # Built now: a grant that cannot work (no refresh token, no store) fails here, not at the first mail.
        try:
            self._tokens = self._tokens or self._build_tokens()
        except FatalError:
            await self.aclose()
            raise

    async def ping(self) -> None:
        """Ask for the user's profile: proves the token endpoint, the grant and the API all answer."""
        await self.call("ping", "GET", "/profile")

    async def aclose(self) -> None:
        session, self._session, self._tokens = self._session, None, None
        if session is not None and session is not self._injected:
            await session.close()

    def url(self, path: str) -> str:
        """The API URL of ``path`` (``/messages/send``, values in it already percent-encoded with
        :func:`~interlace.sdk.path_segment`) under the configured user."""
        base = self.config.api_url.rstrip("/")
        return f"{base}/gmail/v1/users/{quote(self.config.user_id, safe='@')}{path}"

    async def call(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        params: Query | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Call the API and return its JSON answer; raise RetryableError, FatalError or InvalidInput
        naming ``operation`` and this connection. ``path`` is below ``users/{user-id}``."""
        where = f"gmail.{operation} on connection {self.name}"
        url = self.url(path)
        session = self._open_session()
        timeout = aiohttp.ClientTimeout(total=self.config.timeout)
        query = [(key, item) for key, value in (params or {}).items() for item in _listed(value)]

        async def attempt(token: str) -> ApiAnswer:
            headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
            try:
                async with session.request(
                    # encoded: the URL is sent as built, never re-normalised (no %2E%2E made into ..)
                    method,
                    URL(url, encoded=True),
                    params=query,
                    json=body,
                    headers=headers,
                    timeout=timeout,
                ) as response:
                    return ApiAnswer(
                        response.status, await response.read(), response.headers.get("Retry-After")
                    )
            except (aiohttp.ClientError, TimeoutError) as exc:
                return ApiAnswer(0, failure=exc)

        try:
            answer = await self.tokens.authorized(attempt, lambda answer: answer.status == 401)
        except RetryableError as exc:
            raise RetryableError(f"gmail.{operation}: {exc.message}", retry_after=exc.retry_after) from exc
        except FatalError as exc:
            raise FatalError(f"gmail.{operation}: {exc.message}") from exc
        _log.debug("%s: %s %s answered %s", where, method, url, answer.status or "nothing")
        return accept_answer(answer, where=where, url=url)


def _listed(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else value
