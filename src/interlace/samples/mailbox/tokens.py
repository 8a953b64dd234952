"""The development mailbox's OAuth2 authorization server: refresh tokens in, short-lived access tokens out.

It behaves like Google's token endpoint for the two grants a server-side connector uses:

- ``refresh_token`` (client id and secret, refresh token) for a user's mailbox;
- ``client_credentials`` (client id and secret only), which Google does not offer but generic OAuth2
  connections do, so the same connection code can be tried against it;
- ``authorization_code`` with PKCE (RFC 7636, ``S256`` only): a code from :meth:`TokenAuthority.issue_code`
  (the consent page's "Allow"), the same ``redirect_uri`` and the ``code_verifier`` whose hash the
  consent request carried; a code works once and for ten minutes, and starts a new grant.

Clients authenticate with form fields or HTTP Basic. Every request is recorded (``requests``) so a test
can count refreshes. A grant is the family of one initial refresh token: rotation replaces the refresh
token inside its grant, and revoking any refresh token of a grant ends the whole grant, access tokens
included, as Google does.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from interlace.samples.mailbox.box import utc_now

__all__ = [
    "DEFAULT_CLIENT_ID",
    "DEFAULT_CLIENT_SECRET",
    "DEFAULT_REFRESH_TOKEN",
    "DEFAULT_SCOPE",
    "IssuedToken",
    "OAuthError",
    "TokenAuthority",
    "TokenRequest",
]

# Published development credentials, documented in docs/mailbox.md: they guard nothing but loopback mail.
DEFAULT_CLIENT_ID = "interlace-dev"
DEFAULT_CLIENT_SECRET = "dev-secret"
DEFAULT_REFRESH_TOKEN = "dev-refresh-token"
DEFAULT_SCOPE = "https://mail.google.com/"


class OAuthError(Exception):
    """A refused token request, as RFC 6749 §5.2 answers it: HTTP *status*, ``error`` and description."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(f"{error}: {description}")
        self.status = status
        self.error = error
        self.description = description

    def to_json(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A successful token answer; ``refresh_token`` is set only when the refresh token was rotated."""

    access_token: str
    expires_in: int
    scope: str
    refresh_token: str | None = None

    def to_json(self) -> dict[str, Any]:
        shape: dict[str, Any] = {
            "access_token": self.access_token,
            "expires_in": self.expires_in,
            "scope": self.scope,
            "token_type": "Bearer",
        }
        if self.refresh_token is not None:
            shape["refresh_token"] = self.refresh_token
        return shape


@dataclass(frozen=True, slots=True)
class TokenRequest:
    """One call of the token endpoint: its grant type, the client it named, and ``issued`` or the error."""

    grant_type: str
    client_id: str | None
    outcome: str
    at: datetime


@dataclass(frozen=True, slots=True)
class _Code:
    client_id: str
    redirect_uri: str
    challenge: str
    scope: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class _AccessToken:
    grant: int
    expires_at: datetime


class TokenAuthority:
    """Issues and checks tokens. Used from one event loop; every method is synchronous and quick.

    *clients* maps accepted client ids to their secrets; *refresh_tokens* are the grants that exist at
    start (any accepted client may use them). *token_lifetime* is ``expires_in`` in seconds. With
    *rotate_refresh_tokens*, each refresh answers a new ``refresh_token`` and the one used stops working.
    """

    def __init__(
        self,
        *,
        clients: Mapping[str, str] | None = None,
        refresh_tokens: Iterable[str] = (DEFAULT_REFRESH_TOKEN,),
        token_lifetime: int = 3600,
        rotate_refresh_tokens: bool = False,
        scope: str = DEFAULT_SCOPE,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        if token_lifetime <= 0:
            raise ValueError(f"token_lifetime must be > 0 seconds (got {token_lifetime})")
        self._clients = dict(clients) if clients is not None else {DEFAULT_CLIENT_ID: DEFAULT_CLIENT_SECRET}
        self.token_lifetime = token_lifetime
        self.rotate_refresh_tokens = rotate_refresh_tokens
        self.scope = scope
        self._clock = clock
        self._grants = itertools.count(1)
        self._refresh_tokens: dict[str, int] = {}
        self._access_tokens: dict[str, _AccessToken] = {}
        self._codes: dict[str, _Code] = {}
        self._consented: dict[int, str] = {}  # grants of a consent: the scopes given, answered on refresh
        self._requests: list[TokenRequest] = []
        for token in refresh_tokens:
            self.add_refresh_token(token)

    @property
    def requests(self) -> tuple[TokenRequest, ...]:
        """Every token request so far, oldest first, refused ones included."""
        return tuple(self._requests)

    @property
    def refresh_count(self) -> int:
        """How many ``refresh_token`` requests were answered with an access token."""
        return sum(1 for r in self._requests if r.grant_type == "refresh_token" and r.outcome == "issued")

    def add_refresh_token(self, token: str) -> None:
        """Make *token* a valid refresh token of a new grant."""
        self._refresh_tokens[token] = next(self._grants)

    def knows_client(self, client_id: str) -> bool:
        """Whether ``client_id`` is an accepted client (the consent page refuses others)."""
        return client_id in self._clients

    def issue_code(self, client_id: str, redirect_uri: str, challenge: str, scope: str) -> str:
        """A new authorization code for a consent given, bound to the client, the redirect URI and the
        PKCE ``challenge`` (``BASE64URL(SHA256(verifier))``)."""
        code = "dev-code-" + secrets.token_urlsafe(18)
        expires_at = self._clock() + timedelta(minutes=10)
        self._codes[code] = _Code(client_id, redirect_uri, challenge, scope, expires_at)
        return code

    def revoke(self, token: str) -> bool:
        """End the grant of a refresh or access token, all its tokens included; ``False`` if unknown."""
        grant = self._refresh_tokens.get(token)
        if grant is None and token in self._access_tokens:
            grant = self._access_tokens[token].grant
        if grant is None:
            return False
        self._refresh_tokens = {t: g for t, g in self._refresh_tokens.items() if g != grant}
        self._access_tokens = {t: a for t, a in self._access_tokens.items() if a.grant != grant}
        return True

    def expire_access_tokens(self) -> None:
        """Make every access token issued so far invalid, as if the server had forgotten them."""
        self._access_tokens.clear()

    def is_valid(self, access_token: str) -> bool:
        """Whether *access_token* was issued here, is not revoked, and has not expired."""
        issued = self._access_tokens.get(access_token)
        return issued is not None and self._clock() < issued.expires_at

    def grant(self, form: Mapping[str, str], basic: tuple[str, str] | None = None) -> IssuedToken:
        """Answer one token request (*form* fields, *basic* client credentials); raise ``OAuthError``."""
        grant_type = form.get("grant_type", "")
        client_id = basic[0] if basic is not None else form.get("client_id")
        try:
            issued = self._grant(grant_type, form, basic)
        except OAuthError as exc:
            self._record(grant_type, client_id, exc.error)
            raise
        self._record(grant_type, client_id, "issued")
        return issued

    def _grant(self, grant_type: str, form: Mapping[str, str], basic: tuple[str, str] | None) -> IssuedToken:
        if not grant_type:
            raise OAuthError(400, "invalid_request", "Required parameter is missing: grant_type")
        if grant_type not in ("refresh_token", "client_credentials", "authorization_code"):
            raise OAuthError(400, "unsupported_grant_type", f"Invalid grant_type: {grant_type}")
        self._authenticate(form, basic)
        if grant_type == "client_credentials":
            return self._issue(next(self._grants), refresh_token=None)
        if grant_type == "authorization_code":
            return self._redeem(form, basic[0] if basic is not None else form.get("client_id", ""))
        refresh_token = form.get("refresh_token", "")
        if not refresh_token:
            raise OAuthError(400, "invalid_request", "Missing required parameter: refresh_token")
        grant = self._refresh_tokens.get(refresh_token)
        if grant is None:
            raise OAuthError(400, "invalid_grant", "Token has been expired or revoked.")
        rotated = None
        if self.rotate_refresh_tokens:
            del self._refresh_tokens[refresh_token]
            rotated = "dev-rt-" + secrets.token_urlsafe(24)
            self._refresh_tokens[rotated] = grant
        return self._issue(grant, refresh_token=rotated)

    def _redeem(self, form: Mapping[str, str], client_id: str) -> IssuedToken:
        code = self._codes.pop(form.get("code", ""), None)  # used once, whatever the outcome
        if code is None or self._clock() >= code.expires_at:
            raise OAuthError(400, "invalid_grant", "Malformed auth code.")
        if code.client_id != client_id:
            raise OAuthError(400, "invalid_grant", "The code was issued to another client.")
        if form.get("redirect_uri", "") != code.redirect_uri:
            raise OAuthError(400, "redirect_uri_mismatch", "Bad Request")
        verifier = form.get("code_verifier", "")
        digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
        computed = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
        if not verifier or not secrets.compare_digest(computed, code.challenge):
            raise OAuthError(400, "invalid_grant", "Invalid code verifier.")
        grant = next(self._grants)
        self._consented[grant] = code.scope
        refresh_token = "dev-rt-" + secrets.token_urlsafe(24)
        self._refresh_tokens[refresh_token] = grant
        return self._issue(grant, refresh_token=refresh_token)

    def _authenticate(self, form: Mapping[str, str], basic: tuple[str, str] | None) -> None:
        client_id, secret = basic if basic is not None else (form.get("client_id"), form.get("client_secret"))
        if not client_id:
            raise OAuthError(400, "invalid_request", "Could not determine client ID from request.")
        expected = self._clients.get(client_id)
        if expected is None:
            raise OAuthError(401, "invalid_client", "The OAuth client was not found.")
        if not secrets.compare_digest(expected.encode(), (secret or "").encode()):
            raise OAuthError(401, "invalid_client", "Unauthorized")

    def _issue(self, grant: int, *, refresh_token: str | None) -> IssuedToken:
        access_token = "dev-at-" + secrets.token_urlsafe(24)
        expires_at = self._clock() + timedelta(seconds=self.token_lifetime)
        self._access_tokens[access_token] = _AccessToken(grant=grant, expires_at=expires_at)
        scope = self._consented.get(grant, self.scope)
        return IssuedToken(access_token, self.token_lifetime, scope, refresh_token)

    def _record(self, grant_type: str, client_id: str | None, outcome: str) -> None:
        self._requests.append(TokenRequest(grant_type, client_id, outcome, self._clock()))
