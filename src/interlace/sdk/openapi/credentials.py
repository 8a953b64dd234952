"""What a connection gives to log in with each kind of security scheme; every credential is a secret."""

from __future__ import annotations

from interlace.sdk.connection import ConnectionConfig
from interlace.sdk.secret import Secret

__all__ = [
    "ApiKeyCredentials",
    "BasicCredentials",
    "BearerCredentials",
    "Credentials",
    "OAuth2Credentials",
]


class ApiKeyCredentials(ConnectionConfig):
    """An API key; the scheme says where it goes (a header, a query parameter or a cookie)."""

    value: Secret
    """The key."""


class BasicCredentials(ConnectionConfig):
    """HTTP Basic authentication (RFC 7617)."""

    username: str
    """The user name."""
    password: Secret
    """The user's password."""


class BearerCredentials(ConnectionConfig):
    """A fixed bearer token (RFC 6750)."""

    token: Secret
    """The token."""


class OAuth2Credentials(ConnectionConfig):
    """An OAuth2 client: with a refresh token it acts for the user who granted it (authorization code
    grant, refreshed before it expires), without one for itself (client credentials grant)."""

    client_id: str
    """The OAuth2 client's id."""
    client_secret: Secret
    """The OAuth2 client's secret."""
    refresh_token: Secret | None = None
    """The refresh token a user's authorization gave (``interlace connection authorize`` gets one)."""
    scope: str | None = None
    """The scopes to ask for, space-separated; the server's default if not given."""
    token_url: str | None = None
    """The token endpoint, when it is not the one the description names."""


Credentials = ApiKeyCredentials | BasicCredentials | BearerCredentials | OAuth2Credentials
"""The credentials for one security scheme, told apart by their keys."""
