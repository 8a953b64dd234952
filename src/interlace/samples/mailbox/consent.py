"""The development mailbox's authorization endpoint: a consent page, shaped like Google's.

- ``GET /authorize?response_type=code&client_id&redirect_uri&scope&state&code_challenge
  &code_challenge_method=S256`` shows a plain HTML form with "Allow" and "Deny" buttons.
- ``POST /authorize`` (the form) redirects (303) to ``redirect_uri`` with ``code`` and ``state`` after
  "Allow", with ``error=access_denied`` and ``state`` after "Deny".

As Google does, an unknown client or a redirect URI that is not a loopback address (``127.0.0.1``,
``[::1]``, ``localhost``: any port, as for a Desktop app client) is shown on the page (400) instead of
being sent back, so a redirect never goes to an address the client does not own; a missing or non-S256
PKCE challenge or another ``response_type`` is sent back as ``error=invalid_request``.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Final
from urllib.parse import urlencode

from aiohttp import web
from yarl import URL

from interlace.samples.mailbox.state import AUTHORITY_KEY

__all__ = ["add_consent_routes"]

_LOOPBACK: Final = frozenset({"127.0.0.1", "::1", "localhost"})
_FIELDS: Final = ("client_id", "redirect_uri", "scope", "state", "code_challenge", "code_challenge_method")
_CSP: Final = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'"
_STYLE: Final = "body{font-family:system-ui,sans-serif;margin:2em;color:#222}button{margin-right:1em}"


def add_consent_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/authorize", _consent_page)
    router.add_post("/authorize", _decision)


class _RefusedError(Exception):
    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error = error
        self.description = description


def _checked(request: web.Request, values: Mapping[str, str]) -> None:
    """Problems shown on the page (``web.HTTPBadRequest``) or sent back to the client (``_RefusedError``)."""
    if not request.app[AUTHORITY_KEY].knows_client(values.get("client_id", "")):
        raise _page_error("invalid_client", "The OAuth client was not found.")
    try:
        redirect = URL(values.get("redirect_uri", ""))
    except ValueError:
        redirect = URL()
    if redirect.scheme != "http" or redirect.host not in _LOOPBACK:
        raise _page_error(
            "redirect_uri_mismatch",
            "The redirect URI must be a loopback address (http://127.0.0.1:PORT/...) for this client.",
        )
    if values.get("response_type", "code") != "code":
        raise _RefusedError("unsupported_response_type", "Only response_type=code is supported.")
    if not values.get("code_challenge") or values.get("code_challenge_method") != "S256":
        raise _RefusedError("invalid_request", "PKCE is required: code_challenge_method=S256.")


def _page_error(error: str, description: str) -> web.HTTPBadRequest:
    body = f"<h1>Error 400: {html.escape(error)}</h1><p>{html.escape(description)}</p>"
    return web.HTTPBadRequest(text=_document("Authorization error", body), content_type="text/html")


def _back(redirect_uri: str, values: Mapping[str, str]) -> web.HTTPSeeOther:
    separator = "&" if "?" in redirect_uri else "?"
    return web.HTTPSeeOther(f"{redirect_uri}{separator}{urlencode(values)}")


async def _consent_page(request: web.Request) -> web.Response:
    query = {key: request.query.get(key, "") for key in (*_FIELDS, "response_type")}
    try:
        _checked(request, query)
    except _RefusedError as exc:
        raise _back(query["redirect_uri"], _refusal(exc, query["state"])) from None
    hidden = "".join(
        f"<input type='hidden' name='{name}' value='{html.escape(query[name], quote=True)}'>"
        for name in _FIELDS
    )
    scopes = "".join(f"<li>{html.escape(scope)}</li>" for scope in query["scope"].split())
    body = (
        "<h1>Development mailbox</h1>"
        f"<p><b>{html.escape(query['client_id'])}</b> wants to access your mailbox:</p><ul>{scopes}</ul>"
        f"<form method='post' action='/authorize'>{hidden}"
        "<button type='submit' name='decision' value='allow'>Allow</button>"
        "<button type='submit' name='decision' value='deny'>Deny</button></form>"
    )
    return web.Response(
        text=_document("Allow access?", body),
        content_type="text/html",
        headers={"Content-Security-Policy": _CSP, "Cache-Control": "no-store"},
    )


async def _decision(request: web.Request) -> web.Response:
    form = await request.post()
    values = {key: str(form.get(key, "")) for key in (*_FIELDS, "decision")}
    try:
        _checked(request, values)
    except _RefusedError as exc:
        raise _back(values["redirect_uri"], _refusal(exc, values["state"])) from None
    state = {"state": values["state"]} if values["state"] else {}
    if values["decision"] != "allow":
        denied = _RefusedError("access_denied", "The user denied access.")
        raise _back(values["redirect_uri"], _refusal(denied, values["state"]))
    code = request.app[AUTHORITY_KEY].issue_code(
        values["client_id"], values["redirect_uri"], values["code_challenge"], values["scope"]
    )
    raise _back(values["redirect_uri"], {"code": code, **state, "scope": values["scope"]})


def _refusal(exc: _RefusedError, state: str) -> dict[str, str]:
    answer = {"error": exc.error, "error_description": exc.description}
    return {**answer, "state": state} if state else answer


def _document(title: str, body: str) -> str:
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{_STYLE}</style></head><body>{body}</body></html>"
    )
