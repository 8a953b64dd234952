"""The ``http`` connector: HTTP APIs under a base URL, with basic, bearer, API key or OAuth2 auth."""

from __future__ import annotations

from interlace.connectors.http.config import (
    ApiKeyAuth,
    BasicAuth,
    BearerAuth,
    HttpAuth,
    HttpConfig,
    NoAuth,
    OAuth2Auth,
)
from interlace.connectors.http.connection import HttpConnection
from interlace.connectors.http.operations import connector

__all__ = [
    "ApiKeyAuth",
    "BasicAuth",
    "BearerAuth",
    "HttpAuth",
    "HttpConfig",
    "HttpConnection",
    "NoAuth",
    "OAuth2Auth",
    "connector",
]
