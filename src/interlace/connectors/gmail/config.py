"""The settings of a Gmail connection: where the API and the token endpoint are, and the OAuth2 client."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from interlace.sdk import ConnectionConfig, Secret

__all__ = ["GmailConfig"]


class GmailConfig(ConnectionConfig):
    """How to reach the Gmail REST API and get its OAuth2 access tokens.

    Real Gmail needs only ``client-id``, ``client-secret`` and ``refresh-token``; point ``api-url`` and
    ``token-url`` elsewhere (the development mailbox, a proxy) and the same flows run unchanged.
    """

    api_url: str = "https://gmail.googleapis.com"
    """Base URL of the Gmail API, without the ``/gmail/v1`` path."""

    token_url: str = "https://oauth2.googleapis.com/token"
    """Google's OAuth2 token endpoint, or another that follows its wire format."""

    authorization_url: str = "https://accounts.google.com/o/oauth2/v2/auth"
    """Where the account's owner grants access (``interlace connection authorize``)."""

    client_id: str = Field(examples=["1234567890-abc.apps.googleusercontent.com"])
    """The OAuth2 client id of the application."""

    client_secret: Secret
    """The OAuth2 client secret of the application."""

    refresh_token: Secret | None = None
    """The refresh token of the user's grant (scope ``https://mail.google.com/`` or narrower). Needed with
    the ``refresh_token`` grant unless the runtime's token store already holds a rotated one."""

    grant: Literal["refresh_token", "client_credentials"] = "refresh_token"
    """How access tokens are obtained: ``refresh_token`` (what Google issues) or ``client_credentials``."""

    user_id: str = "me"
    """The mailbox to act on: ``me`` (the user who granted access) or that user's address."""

    timeout: float = Field(default=30.0, gt=0)
    """Seconds to wait for an answer of the API or the token endpoint."""
