"""OAuth2 access tokens for connections: refreshed before they expire, one refresh at a time.

A connector whose API takes bearer tokens builds one :class:`OAuth2Tokens` per connection and calls
:meth:`OAuth2Tokens.authorized` around each request. The class guarantees what users rely on:

- a token is refreshed ``skew`` seconds before it expires, never used stale on purpose;
- however many operations run at once, a connection asks the token endpoint once (single flight);
- an API answer of 401 causes one refresh and one retry, no more;
- a refresh token that the server rotates is saved through the :class:`TokenStore` the runtime gives
  (encrypted at rest), so a restart continues with the newest one;
- a revoked or expired grant (``invalid_grant``) is a :class:`~interlace.sdk.errors.FatalError` that
  names the connection; an unreachable token endpoint is a :class:`~interlace.sdk.errors.RetryableError`.

Grants: ``refresh_token`` (client id, secret and a refresh token), ``client_credentials`` and
``jwt_bearer`` (RFC 7523: a JWT signed with the client's private key, made fresh for each refresh by
:func:`jwt_assertion`; Salesforce's JWT bearer flow, Google's service accounts). The
``authorization_code`` grant that yields the first refresh token is :mod:`interlace.sdk.authorization`.
What the token endpoint answers beside the tokens (Salesforce's ``instance_url``) is
:attr:`OAuth2Tokens.details`.

Each refresh is noted (when, its outcome, the access token's expiry and the granted scopes) through the
store's optional ``note`` method (:class:`RefreshNotes`), never with a token in it, for status views.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal, Protocol, TypeVar, runtime_checkable

import aiohttp

from interlace.sdk.errors import FatalError, RetryableError

__all__ = [
    "JWT_BEARER",
    "OAuth2Settings",
    "OAuth2Tokens",
    "RefreshNote",
    "RefreshNotes",
    "TokenStore",
    "jwt_assertion",
    "post_token_form",
]

R = TypeVar("R")
Grant = Literal["refresh_token", "client_credentials", "jwt_bearer"]
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
"""The ``grant_type`` of the ``jwt_bearer`` grant (RFC 7523)."""
_SECRET_FIELDS = frozenset({"access_token", "refresh_token", "id_token", "signature"})


class TokenStore(Protocol):
    """Where rotated refresh tokens survive restarts; the runtime's implementation encrypts them.

    Called at most once per refresh; ``key`` identifies the connection. Safe to call concurrently.
    """

    async def load(self, key: str) -> str | None: ...

    async def save(self, key: str, refresh_token: str) -> None: ...


@dataclass(frozen=True, slots=True)
class RefreshNote:
    """What the last call of the token endpoint gave, without any token: ``outcome`` is ``ok`` or the
    error's words; ``expires_at`` and ``scopes`` are those of the access token it issued."""

    at: datetime
    outcome: str
    expires_at: datetime | None = None
    scopes: tuple[str, ...] = ()


@runtime_checkable
class RefreshNotes(Protocol):
    """A :class:`TokenStore` that also keeps each connection's last :class:`RefreshNote` (optional)."""

    async def note(self, key: str, note: RefreshNote) -> None: ...


@dataclass(frozen=True, slots=True)
class OAuth2Settings:
    """How a connection gets its tokens. ``client_secret`` and ``refresh_token`` are the revealed values:
    keep them in :class:`~interlace.sdk.Secret` fields of the connection's config and reveal them here."""

    token_url: str
    client_id: str
    client_secret: str
    grant: Grant = "refresh_token"
    refresh_token: str | None = None
    scope: str | None = None
    skew: float = 60.0
    timeout: float = 30.0
    authorization_url: str | None = None
    """Where a user grants access (authorization code grant); the connector's declared one if ``None``."""
    assertion: Callable[[], str] | None = None
    """The ``jwt_bearer`` grant's signed JWT, built anew for each refresh (see :func:`jwt_assertion`);
    ``client_id`` and ``client_secret`` are not sent with this grant."""


def jwt_assertion(
    private_key: str,
    *,
    issuer: str,
    audience: str,
    subject: str | None = None,
    claims: dict[str, str] | None = None,
    lifetime: int = 180,
    clock: Callable[[], float] = time.time,
) -> Callable[[], str]:
    """A maker of the ``jwt_bearer`` grant's assertion: a JWT signed with ``private_key`` (PEM, RSA:
    RS256) whose ``iss``, ``aud``, ``sub`` and ``claims`` (``scope`` for Google) are as given, issued
    now and valid ``lifetime`` seconds. A key that cannot sign is a :class:`FatalError` on the first
    refresh, naming no part of the key."""

    def assertion() -> str:
        import jwt  # with cryptography: loaded by the first assertion, not by every server

        now = int(clock())
        payload: dict[str, object] = {"iss": issuer, "aud": audience, "iat": now, "exp": now + lifetime}
        if subject:
            payload["sub"] = subject
        payload.update(claims or {})
        try:
            return jwt.encode(payload, private_key, algorithm="RS256")
        except (ValueError, TypeError, jwt.PyJWTError) as exc:
            raise FatalError(
                f"the private key cannot sign the JWT assertion ({type(exc).__name__}); it must be an RSA"
                " key in PEM form"
            ) from exc

    return assertion


@dataclass(slots=True)
class _Token:
    value: str
    expires_at: float


class OAuth2Tokens:
    """Access tokens of one connection (see the module docstring for the guarantees).

    ``session`` is an aiohttp session (the connection's own, or the runtime's pooled one); ``clock``
    is injected so tests can move time.
    """

    def __init__(
        self,
        connection: str,
        settings: OAuth2Settings,
        session: aiohttp.ClientSession,
        *,
        store: TokenStore | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if settings.grant == "refresh_token" and not settings.refresh_token and store is None:
            raise FatalError(f"connection {connection}: the refresh_token grant needs a refresh token")
        self._connection = connection
        self._settings = settings
        self._session = session
        self._store = store
        self._clock = clock
        self._token: _Token | None = None
        self._refresh_token = settings.refresh_token
        self._loaded = store is None
        self._lock = asyncio.Lock()
        self.refreshes = 0
        """How many times this connection asked the token endpoint (for health views and tests)."""
        self.details: dict[str, object] = {}
        """The last token answer's other fields (``instance_url``, ``scope``, ``token_type``...), tokens
        and signatures left out."""

    def _fresh(self, token: _Token | None) -> bool:
        return token is not None and token.expires_at - self._settings.skew > self._clock()

    async def token(self) -> str:
        """A valid access token, refreshed first when it is missing or about to expire."""
        token = self._token
        if token is not None and self._fresh(token):
            return token.value
        return await self._refresh(stale=token.value if token else None)

    async def _refresh(self, stale: str | None) -> str:
        async with self._lock:
            current = self._token
            # Another task refreshed while this one waited: use its token.
            if current is not None and current.value != stale and self._fresh(current):
                return current.value
            # Looked up again while none is held: an authorization may have stored one since.
            if self._store is not None and (not self._loaded or not self._refresh_token):
                self._refresh_token = await self._store.load(self._connection) or self._refresh_token
                self._loaded = True
            try:
                self._token = await self._request_token()
            except (FatalError, RetryableError) as exc:
                await self._note(RefreshNote(datetime.now(UTC), exc.message))
                raise
            return self._token.value

    async def _note(self, note: RefreshNote) -> None:
        if isinstance(self._store, RefreshNotes):
            await self._store.note(self._connection, note)

    async def _request_token(self) -> _Token:
        settings = self._settings
        if settings.grant == "jwt_bearer":
            if settings.assertion is None:
                raise FatalError(f"connection {self._connection}: the jwt_bearer grant needs an assertion")
            try:
                form = {"grant_type": JWT_BEARER, "assertion": settings.assertion()}
            except FatalError as exc:
                raise FatalError(f"connection {self._connection}: {exc.message}") from exc
        else:
            form = {
                "grant_type": settings.grant,
                "client_id": settings.client_id,
                "client_secret": settings.client_secret,
            }
        if settings.grant == "refresh_token":
            if not self._refresh_token:
                raise FatalError(f"connection {self._connection}: no refresh token is configured or stored")
            form["refresh_token"] = self._refresh_token
        if settings.scope:
            form["scope"] = settings.scope
        self.refreshes += 1
        try:
            status, body = await post_token_form(self._session, settings, form)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise RetryableError(
                f"connection {self._connection}: the OAuth2 token endpoint did not answer:"
                f" {type(exc).__name__} {exc}"
            ) from exc
        return await self._accept(status, body)

    async def _accept(self, status: int, body: dict[str, object]) -> _Token:
        error = str(body.get("error", "")) if status >= 400 or "error" in body else ""
        if error == "invalid_grant":
            if self._settings.grant == "jwt_bearer":
                raise FatalError(
                    f"connection {self._connection}: the token endpoint refused the JWT assertion"
                    f" (invalid_grant{_description(body)}); check the client id, the user, the audience and"
                    " that the key's certificate is the application's"
                )
            raise FatalError(
                f"connection {self._connection}: the OAuth2 grant is revoked or expired (invalid_grant); "
                "authorize again and update the connection's refresh token"
            )
        if error in ("invalid_client", "unauthorized_client"):
            raise FatalError(
                f"connection {self._connection}: the OAuth2 client id or secret is wrong ({error})"
            )
        if status >= 500 or status == 429:
            raise RetryableError(
                f"connection {self._connection}: the OAuth2 token endpoint answered {status}"
            )
        access = body.get("access_token")
        if status >= 400 or not isinstance(access, str) or not access:
            detail = f" ({error})" if error else ""
            raise FatalError(
                f"connection {self._connection}: the OAuth2 token endpoint refused the request:"
                f" {status}{detail}"
            )
        expires_in = body.get("expires_in", 3600)
        lifetime = float(expires_in) if isinstance(expires_in, int | float | str) else 3600.0
        rotated = body.get("refresh_token")
        if isinstance(rotated, str) and rotated and rotated != self._refresh_token:
            self._refresh_token = rotated
            if self._store is not None:
                await self._store.save(self._connection, rotated)
        self.details = {key: value for key, value in body.items() if key not in _SECRET_FIELDS}
        now = datetime.now(UTC)
        scopes = tuple(str(body.get("scope") or "").split())
        await self._note(RefreshNote(now, "ok", now + timedelta(seconds=lifetime), scopes))
        return _Token(access, self._clock() + lifetime)

    async def authorized(
        self, call: Callable[[str], Awaitable[R]], is_unauthorized: Callable[[R], bool]
    ) -> R:
        """Run ``call(access_token)``; when ``is_unauthorized(result)`` (an HTTP 401), refresh the token
        once and run the call once more with the new token."""
        token = await self.token()
        result = await call(token)
        if not is_unauthorized(result):
            return result
        fresh = await self._refresh(stale=token)
        return await call(fresh)


def _description(body: dict[str, object]) -> str:
    description = body.get("error_description")
    return f": {str(description)[:200]}" if isinstance(description, str) and description else ""


async def post_token_form(
    session: aiohttp.ClientSession, settings: OAuth2Settings, form: dict[str, str]
) -> tuple[int, dict[str, object]]:
    """Post ``form`` to the token endpoint: its status and its JSON object (empty when the answer is not
    one). ``aiohttp.ClientError`` and ``TimeoutError`` reach the caller, which says what they mean."""
    async with session.post(
        settings.token_url, data=form, timeout=aiohttp.ClientTimeout(total=settings.timeout)
    ) as response:
        try:
            body = await response.json(content_type=None)
        except ValueError:
            body = None
        return response.status, body if isinstance(body, dict) else {}
