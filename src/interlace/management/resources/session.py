"""Logging in and out: a token for a user name and password, revoked again by logging out."""

from __future__ import annotations

import logging
from typing import Any

from interlace.management.context import iso_time
from interlace.management.errors import TooManyAttemptsError, UnauthorizedError
from interlace.management.routes import Call, Route, Schema, ref
from interlace.management.throttle import login_keys
from interlace.model.durations import format_duration

__all__ = ["ROUTES", "SCHEMAS"]

_log = logging.getLogger("interlace.management")

SCHEMAS: dict[str, Schema] = {
    "Credentials": {
        "type": "object",
        "required": ["user", "password"],
        "additionalProperties": False,
        "properties": {
            "user": {"type": "string", "minLength": 1, "maxLength": 128},
            "password": {"type": "string", "minLength": 1, "maxLength": 1024},
        },
    },
    "Token": {
        "type": "object",
        "required": ["token", "tokenType", "expiresAt", "expiresIn", "user", "role"],
        "properties": {
            "token": {"type": "string", "description": "Send it as `Authorization: Bearer TOKEN`."},
            "tokenType": {"const": "Bearer"},
            "expiresAt": {"type": "string", "format": "date-time"},
            "expiresIn": {"type": "integer", "description": "Seconds the token is valid for."},
            "user": {"type": "string"},
            "role": ref("Role"),
        },
    },
    "Role": {
        "enum": ["admin", "operator", "monitor"],
        "description": "admin: everything; operator: read and operate what runs, not deploy; "
        "monitor: read only.",
    },
    "Session": {
        "type": "object",
        "required": ["user", "role", "expiresAt"],
        "properties": {
            "user": {"type": "string"},
            "role": ref("Role"),
            "expiresAt": {"type": "string", "format": "date-time"},
        },
    },
    "Message": {"type": "object", "required": ["message"], "properties": {"message": {"type": "string"}}},
}


async def _login(call: Call) -> dict[str, Any]:
    context = call.context
    name: str = call.body["user"]
    address = call.request.remote or "unknown"
    keys = login_keys(name, address)
    # Names that are no user are not logged: they may be a password typed into the wrong field.
    shown = repr(name) if context.users.get(name) is not None else "an unknown user"
    wait = context.throttle.begin(keys)
    if wait > 0:
        _log.warning("management: login of %s from %s refused: too many failed logins", shown, address)
        raise TooManyAttemptsError(f"too many failed logins: try again in {format_duration(wait)}", wait)
    user = await context.users.authenticate(name, call.body["password"])
    if user is None:
        _log.warning("management: failed login of %s from %s", shown, address)
        raise UnauthorizedError("wrong user name or password")
    context.throttle.forgive(keys)
    issued = context.tokens.issue(user)
    _log.info("management: %s (%s) logged in from %s", user.name, user.role, address)
    return {
        "token": issued.token,
        "tokenType": "Bearer",
        "expiresAt": iso_time(issued.identity.expires_at),
        "expiresIn": round(context.tokens.lifetime),
        "user": user.name,
        "role": user.role,
    }


async def _logout(call: Call) -> dict[str, Any]:
    assert call.identity is not None
    call.context.tokens.revoke(call.identity)
    _log.info("management: %s logged out", call.identity.user)
    return {"message": "logged out: the token is revoked"}


async def _session(call: Call) -> dict[str, Any]:
    assert call.identity is not None
    identity = call.identity
    return {"user": identity.user, "role": identity.role, "expiresAt": iso_time(identity.expires_at)}


ROUTES = (
    Route(
        "login",
        "POST",
        "/management/login",
        _login,
        "Log in: a token for a user name and password",
        ref("Token"),
        "session",
        description="Failed logins are slowed down per client address, and per user at that address (so "
        "failures elsewhere never lock a user out): after a few, the answer is 429 with `Retry-After` until "
        "the wait (doubling with each failure) has passed.",
        body=ref("Credentials"),
        access="public",
        errors=(401, 429),
        needs_deployment=False,
    ),
    Route(
        "logout",
        "POST",
        "/management/logout",
        _logout,
        "Log out: the token of this request is refused from now on",
        ref("Message"),
        "session",
        access="user",
        needs_deployment=False,
        every_worker=True,
    ),
    Route(
        "getSession",
        "GET",
        "/management/session",
        _session,
        "Who the token of this request speaks for, and until when",
        ref("Session"),
        "session",
        needs_deployment=False,
    ),
)
