"""A live Google Sheets connection: one HTTP session and the OAuth2 tokens of a user's grant or a service
account, shared by all operations; how Google words its failures."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from interlace.connectors.sheets.config import SheetsConfig
from interlace.message import JsonValue
from interlace.sdk import Answer, OAuth2Settings, ServiceErrors, WebApiConnection, jwt_assertion

__all__ = ["GOOGLE_ERRORS", "SheetsConnection", "describe"]

_RATE_LIMITS: Final = ("rateLimitExceeded", "userRateLimitExceeded", "RESOURCE_EXHAUSTED")


def describe(document: object) -> str:
    """Google's failure ``{"error": {"code", "message", "status"}}`` as ``STATUS: message``."""
    error = document.get("error") if isinstance(document, dict) else None
    if not isinstance(error, dict):
        return ""
    status, message = error.get("status"), str(error.get("message") or "")
    return f"{status}: {message}" if status else message


def _rate_limited(answer: Answer) -> bool:
    return answer.status == 403 and any(reason.encode() in answer.body for reason in _RATE_LIMITS)


GOOGLE_ERRORS: Final = ServiceErrors("Google Sheets", describe, retryable=_rate_limited)


class SheetsConnection(WebApiConnection[SheetsConfig]):
    """The Sheets API v4 with one set of credentials (through the SDK's :class:`~interlace.sdk.WebApi`:
    bearer tokens refreshed once after a 401, 429 and 503 waited out, failures in Google's words). Safe
    to use from concurrent tasks. The seams (``session``, ``token_store``, ``clock``, ``sleep``) are
    :class:`~interlace.sdk.WebApiConnection`'s.
    """

    errors = GOOGLE_ERRORS

    def oauth2_settings(self) -> OAuth2Settings:
        config = self.config
        key = config.key()
        if key is not None:
            assertion = jwt_assertion(
                key.private_key,
                issuer=key.client_email,
                audience=config.token_url,
                subject=config.subject,
                claims={"scope": config.scope},
                lifetime=3600,
            )
            return OAuth2Settings(
                token_url=config.token_url, client_id=key.client_email, client_secret="", grant="jwt_bearer",
                timeout=config.timeout, assertion=assertion,
            )  # fmt: skip
        return OAuth2Settings(
            token_url=config.token_url,
            client_id=config.client_id or "",
            client_secret=config.client_secret.reveal() if config.client_secret else "",
            refresh_token=config.refresh_token.reveal() if config.refresh_token else None,
            scope=None,
            timeout=config.timeout,
            authorization_url="https://accounts.google.com/o/oauth2/v2/auth",
        )

    async def ping(self) -> None:
        """Ask the token endpoint for an access token: proves the credentials (the API has no call that
        needs no spreadsheet)."""
        if self.tokens is not None:
            await self.tokens.token()

    async def call(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        params: Sequence[tuple[str, str]] | None = None,
        body: JsonValue = None,
    ) -> dict[str, JsonValue]:
        """Call ``/v4{path}`` (values in it already percent-encoded) and return its JSON object; raise the
        SDK's errors naming ``operation`` and this connection."""
        where = f"sheets.{operation} on connection {self.name}"
        url = f"{self.config.api_url.rstrip('/')}/v4{path}"
        answer = await self.api.json(where, method, url, params=params, json=body)
        return answer if isinstance(answer, dict) else {}
