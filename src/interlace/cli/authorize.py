"""Authorizing an OAuth2 connection of a project from a terminal: the authorization code grant with PKCE,
its redirect received on a loopback listener (RFC 8252 §7.3: ``http://127.0.0.1:PORT/``, any free port),
and the refresh token kept where the runtime reads it (the project's encrypted token store).

:func:`authorize_connection` does it all; :func:`oauth2_connections` and :func:`scopes_used` find what
to authorize and which scopes the project's flows need. No token is ever logged or returned in a message.
"""

from __future__ import annotations

import asyncio
import html
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

import aiohttp
from aiohttp import web

from interlace.errors import ConfigError
from interlace.model import Project
from interlace.runtime.token_store import STATE_DIR, LazyTokenStore
from interlace.sdk import (
    AuthorizationCodeGrant,
    AuthorizationError,
    Connector,
    FatalError,
    GrantedTokens,
    OAuth2Settings,
    RefreshNote,
    operation_scopes,
    start_authorization,
)

__all__ = ["OAuth2Connection", "authorize_connection", "oauth2_connections", "scopes_used"]

_RECEIVED: Final = "Interlace received the answer of the authorization server. Return to the terminal."
_DEFINITION_KINDS: Final = ("apis", "sequences", "tasks", "inbound")


@dataclass(frozen=True, slots=True)
class OAuth2Connection:
    """A project's connection that logs in with OAuth2: its connector and client settings."""

    name: str
    connector: Connector
    settings: OAuth2Settings


def oauth2_connections(project: Project) -> dict[str, OAuth2Connection]:
    """The project's connections whose connection object gives OAuth2 settings, by name (compiles it:
    :class:`~interlace.errors.ConfigError` lists its problems)."""
    from interlace.compiler import compile_project

    artifacts = compile_project(project)
    found: dict[str, OAuth2Connection] = {}
    for name, pool in artifacts.connections.items():
        settings = pool.connector.connection(pool.config, name=name).oauth2_settings()
        if settings is not None:
            found[name] = OAuth2Connection(name, pool.connector, settings)
    return found


def scopes_used(project: Project, connection: str, connector: Connector) -> tuple[str, ...]:
    """The scopes declared by the operations that the project's flows run on ``connection``."""
    flows = [
        definition.model_dump(by_alias=True)
        for kind in _DEFINITION_KINDS
        for definition in getattr(project, kind)
    ]
    return operation_scopes(flows, connection, connector)


class _LoopbackRedirect:
    """Listens on 127.0.0.1 (a free port) for the one redirect that carries ``state``."""

    def __init__(self) -> None:
        self.answer: asyncio.Future[dict[str, str]] = asyncio.get_running_loop().create_future()
        app = web.Application()
        app.router.add_get("/", self._redirected)
        # No access log: the redirect's query holds the authorization code.
        self._runner = web.AppRunner(app, access_log=None)
        self.port = 0

    async def start(self) -> str:
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return f"http://127.0.0.1:{self.port}/"

    async def _redirected(self, request: web.Request) -> web.Response:
        if "state" not in request.query or self.answer.done():
            raise web.HTTPNotFound()
        self.answer.set_result(dict(request.query))
        refused = "error" in request.query
        words = "The authorization was refused; the terminal says why." if refused else _RECEIVED
        page = f"<!doctype html><html><body><p>{html.escape(words)}</p></body></html>"
        return web.Response(text=page, content_type="text/html", headers={"Cache-Control": "no-store"})

    async def aclose(self) -> None:
        await self._runner.cleanup()


def _grant_of(connection: OAuth2Connection) -> AuthorizationCodeGrant:
    grant = connection.connector.authorization
    if grant is None:
        raise FatalError(
            f"connection {connection.name}: the {connection.connector.name} connector declares no"
            " authorization code grant"
        )
    return grant


async def authorize_connection(
    project: Project,
    name: str,
    *,
    extra_scopes: tuple[str, ...] = (),
    timeout: float = 300.0,  # noqa: ASYNC109 -- the wait for a person, given on the command line
    show: Callable[[str], None],
    open_browser: Callable[[str], object] | None = None,
    keep: bool = True,
    session: aiohttp.ClientSession | None = None,
) -> GrantedTokens:
    """Run the authorization code grant for connection ``name``: ``show`` tells the consent URL,
    ``open_browser`` (if given) opens it; wait up to ``timeout`` seconds for the redirect; with ``keep``,
    save the refresh token in the project's token store. Refusals are :class:`AuthorizationError`."""
    connections = oauth2_connections(project)
    connection = connections.get(name)
    if connection is None:
        known = ", ".join(sorted(connections)) or "none"
        raise ConfigError(
            f"no OAuth2 connection named {name!r} in {project.root} (OAuth2 connections: {known})"
        )
    grant = _grant_of(connection)
    scopes = (*scopes_used(project, name, connection.connector), *extra_scopes)
    listener = _LoopbackRedirect()
    client = session or aiohttp.ClientSession()
    try:
        redirect_uri = await listener.start()
        pending = start_authorization(name, grant, connection.settings, redirect_uri, scopes)
        show(f"Open this address in a browser to authorize connection {name}:\n{pending.consent_url}")
        if open_browser is not None:
            open_browser(pending.consent_url)
        show(f"Waiting up to {timeout:g} seconds for the redirect to {redirect_uri} ...")
        try:
            query = await asyncio.wait_for(asyncio.shield(listener.answer), timeout)
        except TimeoutError:
            raise AuthorizationError(
                f"connection {name}: no redirect arrived within {timeout:g} seconds; open the address in a"
                " browser on this machine (or forward the port with ssh -L), or give a longer --timeout",
                error="timeout",
            ) from None
        granted = await pending.complete(query, client)
    finally:
        await listener.aclose()
        if session is None:
            await client.close()
    if granted.refresh_token is None:
        raise AuthorizationError(
            f"connection {name}: the provider issued no refresh token; the consent URL must ask for offline"
            " access (Google: access_type=offline and prompt=consent), or remove the application's access"
            " in the account's settings and authorize again",
            error="no_refresh_token",
        )
    if keep:
        store = LazyTokenStore(project.root / STATE_DIR)
        await store.save(name, granted.refresh_token)
        now = datetime.now(UTC)
        expires = now + timedelta(seconds=granted.expires_in)
        await store.note(name, RefreshNote(now, "authorized", expires, granted.scopes))
    return granted
