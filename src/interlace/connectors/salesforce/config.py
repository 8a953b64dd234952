"""The settings of a Salesforce connection: the org's login URL, the connected app, and how it logs in."""

from __future__ import annotations

import re
from typing import Literal, Self

from pydantic import Field, model_validator

from interlace.sdk import ConnectionConfig, Secret

__all__ = ["SalesforceConfig"]

_VERSION = re.compile(r"^\d{2,3}\.0$")


class SalesforceConfig(ConnectionConfig):
    """How to reach a Salesforce org's REST API as a connected app.

    Two grants: ``jwt_bearer`` (server to server: the app's consumer key, a user name and the private key
    whose certificate is uploaded to the connected app) and ``refresh_token`` (a user's grant: consumer
    key and secret and the refresh token, or ``interlace connection authorize``). The org's instance URL
    comes from the token answer.
    """

    login_url: str = "https://login.salesforce.com"
    """Where tokens are issued: ``https://login.salesforce.com``, ``https://test.salesforce.com`` for a
    sandbox, or the org's My Domain URL. The JWT assertion's audience is this URL."""

    grant: Literal["jwt_bearer", "refresh_token"] = "jwt_bearer"
    """How access tokens are obtained: ``jwt_bearer`` (JWT bearer flow) or ``refresh_token``."""

    client_id: str = Field(examples=["3MVG9...consumer-key"])
    """The connected app's consumer key."""

    client_secret: Secret | None = Field(default=None, examples=["consumer-secret"])
    """The connected app's consumer secret (the ``refresh_token`` grant)."""

    refresh_token: Secret | None = None
    """The refresh token of a user's grant (the ``refresh_token`` grant), unless the runtime's token store
    holds one from ``interlace connection authorize``."""

    username: str | None = Field(default=None, examples=["integration@example.com"])
    """The user the app acts as (the ``jwt_bearer`` grant); pre-authorized for the app by its profile."""

    private_key: Secret | None = None
    """The RSA private key (PEM) whose certificate is uploaded to the connected app (``jwt_bearer``)."""

    api_version: str = "62.0"
    """The REST API version requests use (``62.0``): ``/services/data/v62.0/...``."""

    instance_url: str | None = None
    """The org's URL, only to override the one the token endpoint answers (a proxy)."""

    timeout: float = Field(default=30.0, gt=0)
    """Seconds to wait for an answer of the API or the token endpoint."""

    @model_validator(mode="after")
    def _grant_has_what_it_needs(self) -> Self:
        if not _VERSION.match(self.api_version):
            raise ValueError(f"api-version must look like 62.0 (got {self.api_version!r})")
        if self.grant == "jwt_bearer" and (self.username is None or self.private_key is None):
            raise ValueError("the jwt_bearer grant needs username and private-key")
        if self.grant == "refresh_token" and self.client_secret is None:
            raise ValueError("the refresh_token grant needs client-secret")
        return self

    @property
    def token_url(self) -> str:
        return f"{self.login_url.rstrip('/')}/services/oauth2/token"
