"""Settings of an ``openapi`` connection: the description, where the API is, and the credentials."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from interlace.sdk import ConnectionConfig
from interlace.sdk.openapi.credentials import Credentials

__all__ = ["OpenApiConfig"]


class OpenApiConfig(ConnectionConfig):
    """An API described by an OpenAPI document. Each operation of the description is an operation of
    the connector: `openapi.OPERATION` with `connection` naming this connection, and the operation's
    parameters checked when the project loads.

    `credentials` gives, for each security scheme of the description that the connection uses, one of:

    - `{value}`: an API key (the scheme says which header, query parameter or cookie carries it);
    - `{username, password}`: HTTP Basic;
    - `{token}`: a bearer token;
    - `{client-id, client-secret, refresh-token, scope, token-url}`: OAuth2, with a refresh token for a
      user's grant (authorization code), without one for the client itself (client credentials);
      tokens are refreshed before they expire and once after a 401.

    Every credential is a secret: it is never shown in logs, errors or docs.
    """

    spec: Annotated[str, Field(examples=["specs/petstore.yaml"])]
    """The OpenAPI description (Swagger 2.0, OpenAPI 3.0 or 3.1; JSON or YAML): a file, relative to the
    project's folder, or an `http(s)` URL read when the project loads."""

    base_url: str | None = None
    """The API's base URL; the description's first server if not given."""

    headers: dict[str, str] = Field(default_factory=dict)
    """Headers every request carries."""

    timeout: Annotated[float, Field(gt=0)] = 30.0
    """Seconds a request may take in all, connecting and reading the answer included."""

    credentials: dict[str, Credentials] = Field(default_factory=dict)
    """The credentials by security scheme name (see above)."""
