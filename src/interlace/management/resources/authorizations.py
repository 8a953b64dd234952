"""Authorizing an OAuth2 connection of the running deployment: an admin starts it and gets the consent
address; the provider sends the browser back to this server's callback route, which exchanges the code
(PKCE, ``state`` checked) and keeps the refresh token in the runtime's encrypted token store, where the
connection finds it on its next refresh.

Authorizations waiting for their redirect are kept in memory for :data:`WAIT` seconds, at most
:data:`MOST_WAITING` at once; the callback is public (the browser carries no management token) and is
bound to its authorization by the unguessable ``state``.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import aiohttp

from interlace.connections import ConnectionPool
from interlace.management.context import iso_time
from interlace.management.errors import BadRequestError, ConflictError, NotFoundError
from interlace.management.routes import Call, QueryParam, Route, Schema, ref
from interlace.sdk import (
    AuthorizationError,
    PendingAuthorization,
    RefreshNote,
    RefreshNotes,
    operation_scopes,
    start_authorization,
)

__all__ = ["CALLBACK", "MOST_WAITING", "ROUTES", "SCHEMAS", "WAIT"]

CALLBACK: Final = "/management/oauth2/callback"
WAIT: Final = 600.0
MOST_WAITING: Final = 32
_FLOW_KINDS: Final = ("apis", "sequences", "tasks", "inbound")
_log = logging.getLogger("interlace.management")


@dataclass(frozen=True, slots=True)
class _Waiting:
    pending: PendingAuthorization
    pool: ConnectionPool
    deadline: float


_waiting: dict[str, _Waiting] = {}

SCHEMAS: dict[str, Schema] = {
    "AuthorizationStart": {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "scopes": {
                "type": "array",
                "items": {"type": "string", "minLength": 1},
                "description": "Scopes to ask for besides those the deployment's operations need.",
            }
        },
    },
    "Authorization": {
        "type": "object",
        "required": ["connection", "consentUrl", "redirectUri", "scopes", "expiresAt"],
        "properties": {
            "connection": {"type": "string"},
            "consentUrl": {"type": "string", "description": "Open it in a browser to grant access."},
            "redirectUri": {"type": "string", "description": "Register it with the provider's client."},
            "scopes": {"type": "array", "items": {"type": "string"}},
            "expiresAt": {"type": "string", "format": "date-time"},
        },
    },
    "AuthorizationDone": {
        "type": "object",
        "required": ["connection", "authorized", "scopes"],
        "properties": {
            "connection": {"type": "string"},
            "authorized": {"const": True},
            "scopes": {"type": "array", "items": {"type": "string"}},
        },
    },
}


def _forget_expired(now: float) -> None:
    for state in [state for state, waiting in _waiting.items() if waiting.deadline <= now]:
        del _waiting[state]


async def _start(call: Call) -> dict[str, Any]:
    name = call.path["name"]
    connections = call.artifacts.connections
    pool = connections.get(name)
    if pool is None:
        known = ", ".join(sorted(connections)) or "none"
        raise NotFoundError(f"no connection named {name!r} (connections: {known})")
    grant = pool.connector.authorization
    settings = pool.connector.connection(pool.config, name=name).oauth2_settings()
    if grant is None or settings is None:
        raise ConflictError(f"connection {name} does not log in with an OAuth2 authorization code grant")
    # Connection names are unique across deployments: the one holding it says which flows use it.
    owners = [
        deployment.project
        for deployment in call.context.runtime.deployments.running.values()
        if name in deployment.artifacts.connections
    ]
    flows = [
        definition.model_dump(by_alias=True)
        for project in owners
        for kind in _FLOW_KINDS
        for definition in getattr(project, kind)
    ]
    extra = tuple((call.body or {}).get("scopes", ()))
    scopes = (*operation_scopes(flows, name, pool.connector), *extra)
    redirect_uri = f"{call.request.scheme}://{call.request.host}{CALLBACK}"
    try:
        pending = start_authorization(name, grant, settings, redirect_uri, scopes)
    except AuthorizationError as exc:
        raise ConflictError(exc.message) from exc
    now = time.monotonic()
    _forget_expired(now)
    if len(_waiting) >= MOST_WAITING:
        raise ConflictError(f"{MOST_WAITING} authorizations are waiting already; finish or let them expire")
    _waiting[pending.state] = _Waiting(pending, pool, now + WAIT)
    _log.info("management: %s started an authorization of connection %s", call.user, name)
    return {
        "connection": name,
        "consentUrl": pending.consent_url,
        "redirectUri": redirect_uri,
        "scopes": list(pending.scopes),
        "expiresAt": iso_time(time.time() + WAIT),
    }


async def _callback(call: Call) -> dict[str, Any]:
    _forget_expired(time.monotonic())
    waiting = _waiting.pop(call.query.get("state", ""), None)
    if waiting is None:
        raise NotFoundError(
            "no authorization waits for this redirect (its state is unknown or expired): start it again"
        )
    name = waiting.pending.connection
    query = {key: str(value) for key, value in call.query.items()}
    try:
        async with aiohttp.ClientSession() as session:
            granted = await waiting.pending.complete(query, session)
    except AuthorizationError as exc:
        _log.warning("management: the authorization of connection %s failed: %s", name, exc.error)
        raise BadRequestError(exc.message) from exc
    store = waiting.pool.token_store
    if granted.refresh_token is None or store is None:
        raise ConflictError(f"connection {name}: the provider issued no refresh token to keep")
    await store.save(name, granted.refresh_token)
    if isinstance(store, RefreshNotes):
        now = datetime.now(UTC)
        expires = now + timedelta(seconds=granted.expires_in)
        await store.note(name, RefreshNote(now, "authorized", expires, granted.scopes))
    _log.info("management: connection %s was authorized (scopes %s)", name, " ".join(granted.scopes))
    return {"connection": name, "authorized": True, "scopes": list(granted.scopes)}


def _text(name: str, description: str, longest: int) -> QueryParam:
    # Printable ASCII, bounded: all of them together stay within a request line's 8190 bytes.
    schema = {"type": "string", "maxLength": longest, "pattern": "^[\\x20-\\x7e]*$"}
    return QueryParam(name, description, schema)


ROUTES = (
    Route(
        "startAuthorization",
        "POST",
        "/management/connections/{name}/authorization",
        _start,
        "Start authorizing an account for an OAuth2 connection; answers the consent address",
        ref("Authorization"),
        "connections",
        body=ref("AuthorizationStart"),
        body_required=False,
        access="admin",
        errors=(409,),
        description="The authorization code grant with PKCE. The scopes are those the deployment's "
        f"operations on the connection need, and `scopes`. The provider redirects to `{CALLBACK}` on "
        "this server (register that address with the OAuth client), which completes the authorization "
        f"and stores the refresh token. It waits {WAIT:g} seconds.",
    ),
    Route(
        "completeAuthorization",
        "GET",
        CALLBACK,
        _callback,
        "Where the provider sends the browser back: exchanges the code and stores the refresh token",
        ref("AuthorizationDone"),
        "connections",
        access="public",
        errors=(404, 409),
        query=(
            _text("state", "The authorization's state.", 128),
            _text("code", "The authorization code.", 512),
            _text("scope", "The granted scopes.", 768),
            _text("error", "The provider's refusal (access_denied, ...).", 64),
            _text("error_description", "The provider's words about the refusal.", 256),
            _text("error_uri", "A page about the refusal.", 256),
            _text("iss", "The issuer (RFC 9207).", 128),
            _text("authuser", "Google: the account's index.", 8),
            _text("hd", "Google: the account's domain.", 128),
            _text("prompt", "Google: the prompt shown.", 64),
        ),
        description="Opened by the browser, not called by clients. Refusals (consent denied, code "
        "refused) answer 400 with what to change in the provider's console; an unknown or expired "
        "state 404.",
    ),
)
