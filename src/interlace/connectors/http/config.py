"""Settings of an ``http`` connection: the base URL, default headers, a timeout and one way to log in."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from yarl import URL

from interlace.sdk import ConnectionConfig, Secret

__all__ = ["ApiKeyAuth", "BasicAuth", "BearerAuth", "HttpAuth", "HttpConfig", "NoAuth", "OAuth2Auth"]


def _kebab(name: str) -> str:
    return name.replace("_", "-")


class _AuthSettings(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        alias_generator=_kebab,
        populate_by_name=True,
        use_attribute_docstrings=True,
        hide_input_in_errors=True,
    )


class NoAuth(_AuthSettings):
    """No credentials are sent."""

    type: Literal["none"] = "none"
    """``none``."""


class BasicAuth(_AuthSettings):
    """HTTP Basic authentication (RFC 7617)."""

    type: Literal["basic"] = "basic"
    """``basic``."""

    username: str
    """The user name."""

    password: Secret
    """The user's password."""


class BearerAuth(_AuthSettings):
    """A fixed bearer token (RFC 6750), sent as ``Authorization: Bearer TOKEN``."""

    type: Literal["bearer"] = "bearer"
    """``bearer``."""

    token: Secret
    """The token."""


class ApiKeyAuth(_AuthSettings):
    """An API key sent as a header or a query parameter."""

    type: Literal["api-key"] = "api-key"
    """``api-key``."""

    name: str
    """The header's or query parameter's name, e.g. ``X-API-Key``."""

    value: Secret
    """The key."""

    in_: Literal["header", "query"] = Field("header", alias="in")
    """Where the key goes: ``header`` or ``query``."""


class OAuth2Auth(_AuthSettings):
    """OAuth2 bearer tokens from a token endpoint, refreshed before they expire; after a 401 the token is
    refreshed once and the request sent once more."""

    type: Literal["oauth2"] = "oauth2"
    """``oauth2``."""

    token_url: str
    """The token endpoint's URL."""

    client_id: str
    """The OAuth2 client's id."""

    client_secret: Secret
    """The OAuth2 client's secret."""

    grant: Literal["client_credentials", "refresh_token"] = "client_credentials"
    """The grant: ``client_credentials`` (the client acts for itself) or ``refresh_token`` (for a user)."""

    refresh_token: Secret | None = None
    """The refresh token, for the ``refresh_token`` grant."""

    scope: str | None = None
    """The scope to ask for, space-separated; the server's default if not given."""

    authorization_url: str | None = None
    """Where a user grants access (authorization code grant), to get the refresh token with
    ``interlace connection authorize``."""


HttpAuth = Annotated[NoAuth | BasicAuth | BearerAuth | ApiKeyAuth | OAuth2Auth, Field(discriminator="type")]
"""The ways an ``http`` connection logs in, told apart by their ``type`` key."""


class HttpConfig(ConnectionConfig):
    """An HTTP API: its base URL, the headers every request carries, a timeout and how to log in.

    Operations take a `path` relative to `base-url`. `auth` is one of:

    - `{type: none}` (as when `auth` is not given): no credentials;
    - `{type: basic, username, password}`: HTTP Basic;
    - `{type: bearer, token}`: `Authorization: Bearer TOKEN`;
    - `{type: api-key, name, value, in: header|query}`: the key as a header (the default) or a query
      parameter;
    - `{type: oauth2, token-url, client-id, client-secret, grant: client_credentials|refresh_token,
      refresh-token, scope, authorization-url}`: OAuth2 bearer tokens, refreshed before they expire;
      after a 401 the token is refreshed once and the request sent once more.

    Every credential is a secret: it is never shown in logs, errors or docs.
    """

    base_url: Annotated[str, Field(examples=["https://api.example.com/v1"])]
    """The API's base URL (`http` or `https`); operations' paths are appended to it."""

    headers: dict[str, str] = Field(default_factory=dict)
    """Headers every request carries (an operation's `headers` override them)."""

    timeout: Annotated[float, Field(gt=0)] = 30.0
    """Seconds a request may take in all, connecting and reading the answer included."""

    follow_redirects: bool = True
    """Follow redirects (3xx with a `Location`) instead of returning them."""

    auth: HttpAuth | None = None
    """How requests log in (see above); none if not given."""

    @field_validator("base_url")
    @classmethod
    def _absolute_http_url(cls, value: str) -> str:
        try:
            url = URL(value)
        except (TypeError, ValueError) as exc:
            raise ValueError("base-url must be an absolute http or https URL") from exc
        if url.scheme not in ("http", "https") or not url.host:
            raise ValueError(f"base-url must be an absolute http or https URL (got scheme {url.scheme!r})")
        if url.user is not None or url.password is not None:
            raise ValueError("base-url must not hold credentials: use auth")
        if url.query_string or url.fragment:
            raise ValueError("base-url must not hold a query or a fragment: use an operation's query")
        return value
