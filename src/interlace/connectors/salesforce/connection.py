"""A live Salesforce connection: one HTTP session and the OAuth2 tokens of one connected app, shared by
all operations and triggers."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

import aiohttp

from interlace.connectors.salesforce.answers import SALESFORCE_ERRORS
from interlace.connectors.salesforce.config import SalesforceConfig
from interlace.message import JsonValue
from interlace.sdk import (
    BearerTokens,
    Connection,
    FatalError,
    OAuth2Settings,
    OAuth2Tokens,
    TokenStore,
    WebApi,
    jwt_assertion,
)

__all__ = ["SalesforceConnection"]

Query = list[tuple[str, str]]


class SalesforceConnection(Connection[SalesforceConfig]):
    """The REST API of one org, as one connected app.

    Every request goes through :meth:`call` (the SDK's :class:`~interlace.sdk.WebApi`): a bearer token
    is added, an expired session (401 ``INVALID_SESSION_ID``) refreshes it once and sends again, 429 and
    503 are waited out, and failures become the SDK's errors with Salesforce's own message. The org's
    URL is the ``instance_url`` of the token answer. Safe to use from concurrent tasks.

    ``session`` injects the aiohttp session (then not closed here); ``token_store`` keeps a rotated
    refresh token (the runtime sets it); ``clock`` decides when tokens expire and when JWT assertions are
    issued; ``sleep`` waits out throttling.
    """

    def __init__(
        self,
        config: SalesforceConfig,
        *,
        name: str = "default",
        session: aiohttp.ClientSession | None = None,
        token_store: TokenStore | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        super().__init__(config, name=name)
        self._injected = session
        self._session: aiohttp.ClientSession | None = None
        self.token_store = token_store
        self._clock = clock
        self._sleep = sleep
        self._tokens: OAuth2Tokens | None = None
        self._api: WebApi | None = None

    def oauth2_settings(self) -> OAuth2Settings:
        config = self.config
        assertion = None
        if config.grant == "jwt_bearer" and config.private_key is not None and config.username:
            assertion = jwt_assertion(
                config.private_key.reveal(),
                issuer=config.client_id,
                audience=config.login_url.rstrip("/"),
                subject=config.username,
            )
        return OAuth2Settings(
            token_url=config.token_url,
            client_id=config.client_id,
            client_secret=config.client_secret.reveal() if config.client_secret else "",
            grant=config.grant,
            refresh_token=config.refresh_token.reveal() if config.refresh_token else None,
            timeout=config.timeout,
            authorization_url=f"{config.login_url.rstrip('/')}/services/oauth2/authorize",
            assertion=assertion,
        )

    @property
    def tokens(self) -> OAuth2Tokens:
        """The connection's OAuth2 tokens (``refreshes`` counts calls of the token endpoint)."""
        if self._tokens is None:
            raise FatalError(f"salesforce connection {self.name} is not open")
        return self._tokens

    async def open(self) -> None:
        if self._session is None:
            self._session = self._injected or aiohttp.ClientSession()
        try:
            self._tokens = self._tokens or OAuth2Tokens(
                self.name, self.oauth2_settings(), self._session, store=self.token_store, clock=self._clock
            )
        except FatalError:
            await self.aclose()
            raise
        self._api = WebApi(
            self._session, BearerTokens(self._tokens), SALESFORCE_ERRORS, timeout=self.config.timeout,
            sleep=self._sleep,
        )  # fmt: skip

    async def ping(self) -> None:
        """Ask for the org's API limits: proves the token endpoint, the grant and the API all answer."""
        await self.call("ping", "GET", "/limits")

    async def aclose(self) -> None:
        session, self._session, self._tokens, self._api = self._session, None, None, None
        if session is not None and session is not self._injected:
            await session.close()

    async def instance_url(self) -> str:
        """The org's URL: the setting, or the token answer's ``instance_url``."""
        if self.config.instance_url:
            return self.config.instance_url.rstrip("/")
        await self.tokens.token()
        url = self.tokens.details.get("instance_url")
        if not isinstance(url, str) or not url:
            raise FatalError(
                f"salesforce connection {self.name}: the token endpoint answered no instance_url;"
                " set instance-url"
            )
        return url.rstrip("/")

    async def call(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        params: Query | None = None,
        body: JsonValue = None,
    ) -> JsonValue:
        """Call the REST API and return its JSON answer (``None`` for 204); raise the SDK's errors naming
        ``operation`` and this connection. ``path`` is below ``/services/data/vXX.0`` (``/query``), or
        a whole path from ``/services/`` (a ``nextRecordsUrl``); values in it already percent-encoded."""
        if self._api is None:
            raise FatalError(f"salesforce connection {self.name} is not open")
        where = f"salesforce.{operation} on connection {self.name}"
        prefix = "" if path.startswith("/services/") else self.data_path
        url = f"{await self.instance_url()}{prefix}{path}"
        return await self._api.json(where, method, url, params=params, json=body)

    @property
    def data_path(self) -> str:
        """``/services/data/vXX.0``: where the configured version of the REST API is."""
        return f"/services/data/v{self.config.api_version}"
