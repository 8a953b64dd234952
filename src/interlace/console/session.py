"""The console's session: an HttpOnly cookie holding the management API token of the user who logged in,
and the CSRF token that every form of that session posts back.

The cookie is the management token itself (a signed JWT), so the management API decides everything a
session may do: its expiry, its revocation at logout, and the user's role now (read back through
``GET /management/session`` on every page). The cookie is ``HttpOnly`` (no script reads it),
``SameSite=Strict`` (no other site's page sends it), ``Path=/console`` and ``Secure`` when the console
is served over TLS.

CSRF protection is a synchronizer token derived from the session: ``HMAC(key, token)``, with a key
that is random per server. Every form carries it in a hidden ``csrf`` field and every POST must send it
back (compared in constant time), in addition to SameSite and a same-origin check of the ``Origin``
header when the browser sends one. The login form, which has no session yet, is covered by the
origin check and SameSite.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

from aiohttp import web

from interlace.management.users import Role

__all__ = ["COOKIE", "CsrfError", "Session", "SessionKeys", "check_origin"]

COOKIE: Final = "interlace_console"
CSRF_FIELD: Final = "csrf"
_PATH: Final = "/console"


class CsrfError(Exception):
    """A POST that does not come from a console page of this session."""


@dataclass(frozen=True, slots=True)
class Session:
    """Who is logged in: the management token, the user, their role now, and the session's CSRF token."""

    token: str
    user: str
    role: Role
    csrf: str


class SessionKeys:
    """Derives CSRF tokens from session tokens and sets and clears the session cookie."""

    def __init__(self, key: bytes | None = None) -> None:
        self._key = key or secrets.token_bytes(32)

    def csrf_of(self, token: str) -> str:
        return hmac.new(self._key, token.encode("utf-8"), hashlib.sha256).hexdigest()

    def check_csrf(self, token: str, form: Mapping[str, object]) -> None:
        """CsrfError unless ``form`` carries the CSRF token of the session ``token``."""
        sent = form.get(CSRF_FIELD)
        if not isinstance(sent, str) or not hmac.compare_digest(sent, self.csrf_of(token)):
            raise CsrfError("the form is out of date or not from this console: reload the page and try again")

    @staticmethod
    def token_of(request: web.Request) -> str | None:
        return request.cookies.get(COOKIE) or None

    @staticmethod
    def keep(response: web.StreamResponse, request: web.Request, token: str, max_age: int) -> None:
        response.set_cookie(
            COOKIE,
            token,
            max_age=max_age,
            path=_PATH,
            httponly=True,
            samesite="Strict",
            secure=request.secure,
        )

    @staticmethod
    def forget(response: web.StreamResponse) -> None:
        response.del_cookie(COOKIE, path=_PATH)


def check_origin(request: web.Request) -> None:
    """CsrfError when the browser says the request comes from another origin than the console's (a
    request without ``Origin`` passes: the CSRF token and SameSite still hold)."""
    origin = request.headers.get("Origin")
    if origin is None:
        return
    parts = urlsplit(origin)
    if parts.netloc != request.host or parts.scheme != request.scheme:
        raise CsrfError(f"the form was posted from another site ({origin}): post it from the console")
