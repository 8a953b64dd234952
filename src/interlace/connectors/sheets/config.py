"""The settings of a Google Sheets connection: where the API and the token endpoint are, and the
credentials (a user's OAuth2 grant, or a service account's key)."""

from __future__ import annotations

import json
from typing import Literal, Self

from pydantic import Field, model_validator

from interlace.sdk import ConnectionConfig, Secret

__all__ = ["SPREADSHEETS_SCOPE", "ServiceAccountKey", "SheetsConfig"]

SPREADSHEETS_SCOPE = "https://www.googleapis.com/auth/spreadsheets"


class ServiceAccountKey:
    """The fields of a service account's JSON key that a token request needs."""

    __slots__ = ("client_email", "private_key", "token_uri")

    def __init__(self, text: str) -> None:
        try:
            document = json.loads(text)
        except ValueError:
            document = None
        fields = ("client_email", "private_key")
        if not isinstance(document, dict) or not all(isinstance(document.get(f), str) for f in fields):
            # Never the key's text in the message: it is a secret.
            raise ValueError(
                "service-account-key must be the service account's JSON key (with client_email and"
                " private_key)"
            )
        self.client_email: str = document["client_email"]
        self.private_key: str = document["private_key"]
        self.token_uri: str | None = (
            document.get("token_uri") if isinstance(document.get("token_uri"), str) else None
        )

    def __repr__(self) -> str:
        return f"ServiceAccountKey({self.client_email!r})"


class SheetsConfig(ConnectionConfig):
    """How to reach the Google Sheets API v4 and get its access tokens.

    ``auth: oauth2`` uses a user's grant (client id and secret and a refresh token, or
    ``interlace connection authorize``); ``auth: service_account`` signs a JWT with a service account's
    key (share the spreadsheets with its e-mail address, or set ``subject`` with domain-wide delegation).
    """

    api_url: str = "https://sheets.googleapis.com"
    """Base URL of the Sheets API, without ``/v4``."""

    token_url: str = "https://oauth2.googleapis.com/token"
    """Google's OAuth2 token endpoint (a service account key's ``token_uri`` is not used instead)."""

    auth: Literal["oauth2", "service_account"] = "oauth2"
    """The credentials: ``oauth2`` (a user's grant) or ``service_account`` (a service account's key)."""

    client_id: str | None = None
    """The OAuth2 client id (``oauth2``)."""

    client_secret: Secret | None = None
    """The OAuth2 client secret (``oauth2``)."""

    refresh_token: Secret | None = None
    """The refresh token of the user's grant (``oauth2``), unless the runtime's token store holds one."""

    service_account_key: Secret | None = None
    """The service account's JSON key, as downloaded (``service_account``); keep it in a secret."""

    subject: str | None = None
    """The user a service account acts as, with domain-wide delegation (``service_account``)."""

    scope: str = SPREADSHEETS_SCOPE
    """The OAuth2 scope asked for (space-separated)."""

    timeout: float = Field(default=30.0, gt=0)
    """Seconds to wait for an answer of the API or the token endpoint."""

    @model_validator(mode="after")
    def _auth_has_what_it_needs(self) -> Self:
        if self.auth == "oauth2" and (self.client_id is None or self.client_secret is None):
            raise ValueError("auth oauth2 needs client-id and client-secret")
        if self.auth == "service_account":
            if self.service_account_key is None:
                raise ValueError("auth service_account needs service-account-key")
            ServiceAccountKey(self.service_account_key.reveal())
        return self

    def key(self) -> ServiceAccountKey | None:
        """The service account key, with ``auth: service_account``."""
        if self.auth != "service_account" or self.service_account_key is None:
            return None
        return ServiceAccountKey(self.service_account_key.reveal())
