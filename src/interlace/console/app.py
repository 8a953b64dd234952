"""The console as an aiohttp application mounted at ``/console/`` on the management application: its
routes, the session check in front of every page but the login form, and the one place that turns a
failure into a page (the management API's message, never a stack trace).

Outcomes of a console request:
- no session, or one the management API no longer accepts: a page redirects to the login form (the
  cookie is dropped), a live fragment answers 401 (the page's script then goes to the login form);
- a POST without the session's CSRF token or from another origin: 403 page;
- an error of the management API on a page: that page's status and the API's message;
- an error of the management API on an action: back to the page posted from, showing the message;
- anything else failing: 500 page saying to see the server's log (the log has the trace).
"""

from __future__ import annotations

import logging
from importlib import resources
from pathlib import Path
from typing import Final

from aiohttp import web

from interlace.console.auth import API_KEY, KEYS, Handler
from interlace.console.context import error_message
from interlace.console.pages import render
from interlace.console.routes import ROUTES
from interlace.console.session import CsrfError, SessionKeys, check_origin
from interlace.errors import InterlaceError
from interlace.management.app import API, ManagementApi

__all__ = ["CONSOLE_PATH", "create_console_app", "mount_console"]

CONSOLE_PATH: Final = "/console/"
_log = logging.getLogger("interlace.console")


@web.middleware
async def _failures(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        if request.method == "POST":
            check_origin(request)
        return await handler(request)
    except CsrfError as exc:
        return render(request, "error.html", 403, message=str(exc), console=None)
    except InterlaceError as exc:
        return render(request, "error.html", exc.status, message=error_message(exc), console=None)
    except web.HTTPException as exc:
        if exc.status < 400 or request.headers.get("X-Console-Fragment"):
            raise
        message = "no such page" if exc.status == 404 else exc.reason
        return render(request, "error.html", exc.status, message=message, console=None)
    except Exception:
        _log.exception("console: %s %s failed", request.method, request.path)
        message = "the console failed: see the server's log"
        return render(request, "error.html", 500, message=message, console=None)


def create_console_app(api: ManagementApi, keys: SessionKeys | None = None) -> web.Application:
    """The console over ``api`` (every page calls it with the session's token)."""
    app = web.Application(middlewares=[_failures])
    app[API_KEY] = api
    app[KEYS] = keys or SessionKeys()
    for method, path, handler in ROUTES:
        app.router.add_route(method, path, handler)
    static = Path(str(resources.files("interlace.console") / "static"))
    app.router.add_static("/static/", static, name="static")
    return app


def mount_console(management: web.Application) -> None:
    """Serve the console at ``/console/`` of the management application (a management server
    extension: ``ManagementServer(..., extensions=[mount_console])``)."""
    console = create_console_app(management[API])

    async def to_console(request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound(CONSOLE_PATH)

    management.router.add_get("/console", to_console)
    management.add_subapp(CONSOLE_PATH, console)
