"""The OAuth2 authorization code grant with PKCE (RFC 6749 §4.1, RFC 7636 S256): how a user's first
refresh token is obtained, by whoever drives the browser (the CLI's loopback listener, the management
API's callback route).

A connector declares the grant as data on its :class:`~interlace.sdk.Connector`::

    Connector("gmail", ..., authorization=AuthorizationCodeGrant(
        authorization_url="https://accounts.google.com/o/oauth2/v2/auth",
        scopes=("https://www.googleapis.com/auth/gmail.readonly",),
        params={"access_type": "offline", "prompt": "consent"}))

and its operations may name the scopes they need (``@needs_scopes(...)`` on a listed function, or
``@connector.operation(scopes=(...))``). The client
id, secret and token URL come from the connection's :class:`~interlace.sdk.OAuth2Settings`; a
connection may also name its own ``authorization_url`` (a development server, a generic HTTP API).

:func:`start_authorization` makes the consent URL with a fresh ``state`` and PKCE verifier;
:meth:`PendingAuthorization.complete` checks the redirect's ``state``, reads an error the server sent
back and exchanges the code. Refusals are :class:`AuthorizationError`, whose message says what to change
in the provider's console. No token appears in any message.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import aiohttp

from interlace.sdk.errors import FatalError
from interlace.sdk.oauth2 import OAuth2Settings, post_token_form

if TYPE_CHECKING:
    from interlace.sdk.connector import Connector

__all__ = [
    "AuthorizationCodeGrant",
    "AuthorizationError",
    "GrantedTokens",
    "PendingAuthorization",
    "explain_error",
    "operation_scopes",
    "start_authorization",
]

_EXPLAINED = {
    "access_denied": (
        "consent was refused (access_denied): run the authorization again and choose Allow; with a"
        " consent screen still in testing, add the account to its test users in the provider's console"
    ),
    "redirect_uri_mismatch": (
        "the provider does not accept the redirect URI {redirect_uri} (redirect_uri_mismatch): in the"
        " provider's console, make the OAuth client of type Desktop app (any loopback port is then"
        " accepted) or add this URI to the client's authorized redirect URIs"
    ),
    "invalid_client": (
        "the provider does not know this client id or secret (invalid_client): copy both again from the"
        " OAuth client in the provider's console into the connection's client-id and client-secret"
    ),
    "unauthorized_client": (
        "this client may not use the authorization code grant (unauthorized_client): in the provider's"
        " console, use an OAuth client of type Desktop app or Web application"
    ),
    "invalid_grant": (
        "the authorization code was refused (invalid_grant): it expired, was used already, or the PKCE"
        " verifier does not match; run the authorization again and finish it within a few minutes"
    ),
    "invalid_scope": (
        "a requested scope is not allowed (invalid_scope): add {scopes} to the consent screen's scopes"
        " in the provider's console, or ask for fewer"
    ),
}


@dataclass(frozen=True, slots=True)
class AuthorizationCodeGrant:
    """A connector's authorization code grant, as data: where users grant access (``None``: the
    connection names it), the scopes always asked for, and extra query parameters of the consent URL
    (Google needs ``access_type=offline`` and ``prompt=consent`` to issue a refresh token)."""

    authorization_url: str | None = None
    scopes: tuple[str, ...] = ()
    params: Mapping[str, str] = field(default_factory=dict)


class AuthorizationError(FatalError):
    """The authorization server refused (``error`` is its RFC 6749 code) or the redirect was not ours."""

    def __init__(self, message: str, *, error: str) -> None:
        super().__init__(message, detail={"error": error})
        self.error = error


@dataclass(frozen=True, slots=True)
class GrantedTokens:
    """The token endpoint's answer to a code: keep ``refresh_token``, show only ``scopes``/``expires_in``."""

    refresh_token: str | None
    access_token: str = field(repr=False)
    expires_in: float
    scopes: tuple[str, ...]


def explain_error(error: str, *, redirect_uri: str = "", scopes: Iterable[str] = (), detail: str = "") -> str:
    """What an RFC 6749 ``error`` code means for the user and what to change; ``detail`` is the server's
    ``error_description`` (shown after the explanation)."""
    text = _EXPLAINED.get(error)
    if text is None:
        text = f"the authorization server refused ({error})"
    text = text.format(redirect_uri=redirect_uri or "used", scopes=" ".join(scopes) or "the scopes")
    return f"{text}: {detail}" if detail else text


def _pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(64)  # 86 characters of [A-Za-z0-9_-], within RFC 7636's 43..128
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@dataclass(frozen=True, slots=True)
class PendingAuthorization:
    """One authorization in progress: send the user to ``consent_url``, then pass the redirect's query to
    :meth:`complete`. Holds the PKCE verifier and ``state``; use it once."""

    connection: str
    settings: OAuth2Settings = field(repr=False)
    redirect_uri: str
    scopes: tuple[str, ...]
    consent_url: str
    state: str = field(repr=False)
    verifier: str = field(repr=False)

    async def complete(self, query: Mapping[str, str], session: aiohttp.ClientSession) -> GrantedTokens:
        """Check the redirect (``state``, ``error``) and exchange its ``code`` for tokens."""
        where = f"connection {self.connection}"
        if not secrets.compare_digest(query.get("state", ""), self.state):
            raise AuthorizationError(
                f"{where}: the redirect's state does not match the authorization that was started; it"
                " may come from another or a forged request: start the authorization again",
                error="state_mismatch",
            )
        error = query.get("error")
        if error:
            raise self._refused(error, query.get("error_description", ""))
        code = query.get("code", "")
        if not code:
            raise AuthorizationError(f"{where}: the redirect carries no code", error="invalid_request")
        return await self._exchange(code, session)

    def _refused(self, error: str, detail: str) -> AuthorizationError:
        explained = explain_error(error, redirect_uri=self.redirect_uri, scopes=self.scopes, detail=detail)
        return AuthorizationError(f"connection {self.connection}: {explained}", error=error)

    async def _exchange(self, code: str, session: aiohttp.ClientSession) -> GrantedTokens:
        settings = self.settings
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": self.redirect_uri,
            "client_id": settings.client_id,
            "client_secret": settings.client_secret,
            "code_verifier": self.verifier,
        }
        try:
            status, answer = await post_token_form(session, settings, form)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise AuthorizationError(
                f"connection {self.connection}: the token endpoint did not answer: {type(exc).__name__}",
                error="temporarily_unavailable",
            ) from exc
        access = answer.get("access_token")
        if status >= 400 or "error" in answer or not isinstance(access, str):
            error = str(answer.get("error") or f"http_{status}")
            raise self._refused(error, str(answer.get("error_description") or ""))
        refresh = answer.get("refresh_token")
        expires_in = answer.get("expires_in", 3600)
        granted = str(answer.get("scope") or " ".join(self.scopes)).split()
        return GrantedTokens(
            refresh_token=refresh if isinstance(refresh, str) and refresh else None,
            access_token=access,
            expires_in=float(expires_in) if isinstance(expires_in, int | float | str) else 3600.0,
            scopes=tuple(granted),
        )


def start_authorization(
    connection: str,
    grant: AuthorizationCodeGrant,
    settings: OAuth2Settings,
    redirect_uri: str,
    scopes: Iterable[str] = (),
) -> PendingAuthorization:
    """A new authorization of ``connection``: the grant's scopes, then ``scopes`` (duplicates dropped,
    order kept), a fresh ``state`` and PKCE pair. :class:`~interlace.sdk.FatalError` when no
    authorization URL is known."""
    url = settings.authorization_url or grant.authorization_url
    if not url:
        raise FatalError(
            f"connection {connection}: no authorization URL is known; set the connection's authorization-url"
        )
    wanted = tuple(dict.fromkeys([*grant.scopes, *scopes, *(settings.scope or "").split()]))
    state = secrets.token_urlsafe(24)
    verifier, challenge = _pkce_pair()
    query = {
        "response_type": "code",
        "client_id": settings.client_id,
        "redirect_uri": redirect_uri,
        "scope": " ".join(wanted),
        "state": state,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        **grant.params,
    }
    separator = "&" if "?" in url else "?"
    return PendingAuthorization(
        connection=connection,
        settings=settings,
        redirect_uri=redirect_uri,
        scopes=wanted,
        consent_url=f"{url}{separator}{urlencode(query)}",
        state=state,
        verifier=verifier,
    )


def _mappings(value: object) -> Iterator[Mapping[str, Any]]:
    if isinstance(value, Mapping):
        yield value
        for item in value.values():
            yield from _mappings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _mappings(item)


def operation_scopes(flows: object, connection: str, connector: Connector) -> tuple[str, ...]:
    """The scopes declared by the operations that ``flows`` (a project's definitions as plain data: lists
    and mappings, mediators as ``{"gmail.sendMail": {"connection": ..., ...}}``) run on ``connection``,
    in the order first met."""
    scopes: dict[str, None] = {}
    prefix = f"{connector.name}."
    for mapping in _mappings(flows):
        for key, options in mapping.items():
            name = key.removeprefix(prefix) if isinstance(key, str) else ""
            used = isinstance(options, Mapping) and options.get("connection") == connection
            if key != name and used and name in connector.operations:
                scopes.update(dict.fromkeys(connector.operations[name].scopes))
    return tuple(scopes)
