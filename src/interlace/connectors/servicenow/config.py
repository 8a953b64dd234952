"""The settings of a ServiceNow connection: the instance, and how it logs in (basic or OAuth2)."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field, model_validator

from interlace.sdk import ConnectionConfig, Secret

__all__ = ["ServiceNowConfig"]


class ServiceNowConfig(ConnectionConfig):
    """How to reach a ServiceNow instance's Table API.

    ``auth: basic`` sends ``username`` and ``password`` with each request; ``auth: oauth2`` gets bearer
    tokens from the instance's ``/oauth_token.do`` with an OAuth application's client id and secret
    (the ``refresh_token`` or ``client_credentials`` grant).
    """

    instance_url: str = Field(examples=["https://dev12345.service-now.com"])
    """The instance's URL."""

    auth: Literal["basic", "oauth2"] = "basic"
    """How requests are authorized: ``basic`` (user and password) or ``oauth2`` (bearer tokens)."""

    username: str | None = None
    """The integration user (``basic``)."""

    password: Secret | None = None
    """The integration user's password (``basic``)."""

    client_id: str | None = None
    """The OAuth application's client id (``oauth2``)."""

    client_secret: Secret | None = None
    """The OAuth application's client secret (``oauth2``)."""

    grant: Literal["refresh_token", "client_credentials"] = "refresh_token"
    """How access tokens are obtained (``oauth2``)."""

    refresh_token: Secret | None = None
    """The refresh token of a user's grant (``oauth2`` with the ``refresh_token`` grant), unless the
    runtime's token store holds one."""

    timeout: float = Field(default=30.0, gt=0)
    """Seconds to wait for an answer of the instance."""

    @model_validator(mode="after")
    def _auth_has_what_it_needs(self) -> Self:
        if self.auth == "basic" and (self.username is None or self.password is None):
            raise ValueError("auth basic needs username and password")
        if self.auth == "oauth2" and (self.client_id is None or self.client_secret is None):
            raise ValueError("auth oauth2 needs client-id and client-secret")
        return self
