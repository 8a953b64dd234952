"""A live Salesforce connection: one HTTP session and the OAuth2 tokens of one connected app, shared by
all operations and triggers."""

from __future__ import annotations

from interlace.connectors.salesforce.answers import SALESFORCE_ERRORS
from interlace.connectors.salesforce.config import SalesforceConfig
from interlace.message import JsonValue
from interlace.sdk import (
    FatalError,
    OAuth2Settings,
    WebApiConnection,
    jwt_assertion,
)

__all__ = ["SalesforceConnection"]

Query = list[tuple[str, str]]


class SalesforceConnection(WebApiConnection[SalesforceConfig]):
    """The REST API of one org, as one connected app.

    Every request goes through :meth:`call` (the SDK's :class:`~interlace.sdk.WebApi`): a bearer token
    is added, an expired session (401 ``INVALID_SESSION_ID``) refreshes it once and sends again, 429 and
    503 are waited out, and failures become the SDK's errors with Salesforce's own message. The org's
    URL is the ``instance_url`` of the token answer. Safe to use from concurrent tasks. The seams
    (``session``, ``token_store``, ``clock``, ``sleep``) are :class:`~interlace.sdk.WebApiConnection`'s.
    """

    errors = SALESFORCE_ERRORS

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

    async def ping(self) -> None:
        """Ask for the org's API limits: proves the token endpoint, the grant and the API all answer."""
        await self.call("ping", "GET", "/limits")

    async def instance_url(self) -> str:
        """The org's URL: the setting, or the token answer's ``instance_url``."""
        if self.config.instance_url:
            return self.config.instance_url.rstrip("/")
        tokens = self.tokens
        if tokens is None:
            raise FatalError(f"salesforce connection {self.name} is not open")
        await tokens.token()
        url = tokens.details.get("instance_url")
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
        where = f"salesforce.{operation} on connection {self.name}"
        prefix = "" if path.startswith("/services/") else self.data_path
        url = f"{await self.instance_url()}{prefix}{path}"
        return await self.api.json(where, method, url, params=params, json=body)

    @property
    def data_path(self) -> str:
        """``/services/data/vXX.0``: where the configured version of the REST API is."""
        return f"/services/data/v{self.config.api_version}"
