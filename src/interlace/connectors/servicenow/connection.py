"""A live ServiceNow connection: one HTTP session and the instance's credentials, shared by all
operations; how ServiceNow words its failures."""

from __future__ import annotations

from interlace.connectors.servicenow.config import ServiceNowConfig
from interlace.message import JsonValue
from interlace.sdk import (
    Answer,
    BasicCredentials,
    Credentials,
    OAuth2Settings,
    ServiceErrors,
    WebApiConnection,
)

__all__ = ["SERVICENOW_ERRORS", "ServiceNowConnection", "describe"]


def describe(document: object) -> str:
    """ServiceNow's failure ``{"error": {"message", "detail"}, "status": "failure"}`` as
    ``message (detail)``."""
    error = document.get("error") if isinstance(document, dict) else None
    if not isinstance(error, dict):
        return ""
    message, detail = str(error.get("message") or ""), error.get("detail")
    return f"{message} ({detail})" if detail else message


SERVICENOW_ERRORS = ServiceErrors("ServiceNow", describe)


class ServiceNowConnection(WebApiConnection[ServiceNowConfig]):
    """The Table API of one instance (through the SDK's :class:`~interlace.sdk.WebApi`: basic or bearer
    credentials, one token refresh after a 401, 429 and 503 waited out, failures in ServiceNow's words).
    Safe to use from concurrent tasks. The seams (``session``, ``token_store``, ``clock``, ``sleep``)
    are :class:`~interlace.sdk.WebApiConnection`'s.
    """

    errors = SERVICENOW_ERRORS

    def oauth2_settings(self) -> OAuth2Settings | None:
        config = self.config
        if config.auth != "oauth2" or config.client_id is None or config.client_secret is None:
            return None
        return OAuth2Settings(
            token_url=f"{self.base_url}/oauth_token.do",
            client_id=config.client_id,
            client_secret=config.client_secret.reveal(),
            grant=config.grant,
            refresh_token=config.refresh_token.reveal() if config.refresh_token else None,
            timeout=config.timeout,
            authorization_url=f"{self.base_url}/oauth_auth.do",
        )

    @property
    def base_url(self) -> str:
        return self.config.instance_url.rstrip("/")

    def credentials(self) -> Credentials:
        password = self.config.password.reveal() if self.config.password else ""
        return BasicCredentials(self.config.username or "", password)

    async def ping(self) -> None:
        """Read one record of sys_user (the user itself may be all it can see): proves the instance
        answers and accepts the credentials."""
        await self.call("ping", "GET", "/api/now/table/sys_user", params=[("sysparm_limit", "1")])

    async def call(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        params: list[tuple[str, str]] | None = None,
        body: JsonValue = None,
    ) -> Answer:
        """Call the instance at ``path`` (values in it already percent-encoded) and return the answer;
        raise the SDK's errors naming ``operation`` and this connection."""
        where = f"servicenow.{operation} on connection {self.name}"
        return await self.api.call(where, method, f"{self.base_url}{path}", params=params, json=body)
