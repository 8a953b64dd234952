"""The session check in front of every console page but the login form: the session cookie's token must
be one the management API accepts (``GET /management/session``), and a POST must carry the session's
CSRF token."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Final

from aiohttp import web

from interlace.console.context import Console
from interlace.console.session import Session, SessionKeys
from interlace.management.app import ManagementApi
from interlace.management.errors import UnauthorizedError

__all__ = ["API_KEY", "KEYS", "LOGIN_PATH", "Handler", "View", "logged_in"]

LOGIN_PATH: Final = "/console/login"
API_KEY: Final = web.AppKey("console_api", ManagementApi)
KEYS: Final = web.AppKey("console_keys", SessionKeys)
View = Callable[[Console], Awaitable[web.StreamResponse]]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def logged_in(view: View, *, reads_body: bool = False) -> Handler:
    """A handler that runs ``view`` for the session of the request and, for a POST, its form once its
    CSRF token is checked; a view that ``reads_body`` reads the posted form itself (an upload, read as
    it arrives) and checks the token first."""

    async def handle(request: web.Request) -> web.StreamResponse:
        api, keys = request.app[API_KEY], request.app[KEYS]
        token = keys.token_of(request)
        info = None
        if token is not None:
            try:
                info = await api.call("getSession", request, token)
            except UnauthorizedError:
                info = None
        if token is None or info is None:
            if request.headers.get("X-Console-Fragment"):
                raise web.HTTPUnauthorized(text="log in again")
            response = web.Response(status=303, headers={"Location": LOGIN_PATH})
            keys.forget(response)
            return response
        session = Session(token, info["user"], info["role"], keys.csrf_of(token))
        form: dict[str, object] = {}
        if request.method == "POST" and not reads_body:
            form = dict(await request.post())
            keys.check_csrf(token, form)
        return await view(Console(api, request, session, form))

    return handle
