"""The HTTP face of the development mailbox's OAuth2 server, shaped like Google's endpoints.

- ``POST /token`` (``application/x-www-form-urlencoded``; client credentials in the form or as HTTP
  Basic; grants ``refresh_token``, ``client_credentials`` and ``authorization_code`` with PKCE):
  200 ``{"access_token", "expires_in", "scope", "token_type": "Bearer"}`` (plus
  ``refresh_token`` when rotation is on); refusals as RFC 6749 §5.2 ``{"error", "error_description"}``:
  400 ``invalid_request`` / ``unsupported_grant_type`` / ``invalid_grant``, 401 ``invalid_client``.
- ``POST /revoke`` (``token`` in the form or the query): 200 ``{}``, or 400 ``{"error": "invalid_token"}``.

Token answers carry ``Cache-Control: no-store`` as RFC 6749 §5.1 asks.
"""

from __future__ import annotations

import base64
import binascii
from urllib.parse import unquote_plus

import orjson
from aiohttp import web

from interlace.samples.mailbox.state import AUTHORITY_KEY
from interlace.samples.mailbox.tokens import OAuthError

__all__ = ["add_oauth_routes"]

_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def add_oauth_routes(router: web.UrlDispatcher) -> None:
    router.add_post("/token", _token)
    router.add_post("/revoke", _revoke)


async def _token(request: web.Request) -> web.Response:
    authority = request.app[AUTHORITY_KEY]
    form = {key: str(value) for key, value in (await request.post()).items()}
    try:
        basic = _basic_credentials(request)
        issued = authority.grant(form, basic)
    except OAuthError as exc:
        headers = dict(_NO_STORE)
        if exc.status == 401:
            headers["WWW-Authenticate"] = 'Basic realm="token"'
        return _json(exc.to_json(), status=exc.status, headers=headers)
    return _json(issued.to_json(), headers=_NO_STORE)


async def _revoke(request: web.Request) -> web.Response:
    form = await request.post()
    token = str(form.get("token") or request.query.get("token") or "")
    if not token or not request.app[AUTHORITY_KEY].revoke(token):
        return _json({"error": "invalid_token", "error_description": "Token expired or revoked"}, status=400)
    return _json({})


def _basic_credentials(request: web.Request) -> tuple[str, str] | None:
    scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise OAuthError(401, "invalid_client", "Unauthorized") from exc
    client_id, _, secret = decoded.partition(":")
    # RFC 6749 §2.3.1: both parts are form-urlencoded before they are joined.
    return unquote_plus(client_id), unquote_plus(secret)


def _json(value: object, *, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(
        status=status,
        body=orjson.dumps(value),
        content_type="application/json",
        charset="utf-8",
        headers=headers,
    )
