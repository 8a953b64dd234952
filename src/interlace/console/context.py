"""Console: what a console page works with: the management API (called in-process with the session's
token, so its authorisation decides), the request, the session and the form posted."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from interlace.console.pages import flash, redirect, safe_back
from interlace.console.session import Session
from interlace.errors import InterlaceError
from interlace.management.app import ManagementApi
from interlace.management.routes import permits

__all__ = ["Console", "error_message"]

_log = logging.getLogger("interlace.console")


def error_message(exc: InterlaceError) -> str:
    """What the management API says of a failure (its message, never a stack trace)."""
    return exc.message


@dataclass(frozen=True, slots=True)
class Console:
    """One request of a logged-in user."""

    api: ManagementApi
    request: web.Request
    session: Session
    form: Mapping[str, Any] = field(default_factory=dict)

    async def call(
        self,
        route: str,
        path: Mapping[str, str] | None = None,
        query: Mapping[str, str] | None = None,
        body: Any = None,
    ) -> Any:
        """The management API's answer to ``route`` for this session; raises its error."""
        return await self.api.call(route, self.request, self.session.token, path, query, body)

    def can(self, route: str) -> bool:
        """Whether this user's role may call ``route`` (a button is shown only then)."""
        return permits(self.session.role, self.api.route(route).required_access)

    async def act(
        self, route: str, path: Mapping[str, str], done: str, body: Any = None, back: str | None = None
    ) -> web.Response:
        """Call ``route`` for a form post, then show the page posted from with ``done`` or the
        management API's error message."""
        response = redirect(back or safe_back(self.form.get("back")))
        try:
            await self.call(route, path, body=body)
        except InterlaceError as exc:  # the management API's own errors among them
            _log.debug("console: %s by %s refused: %s", route, self.session.user, exc)
            flash(response, "error", error_message(exc))
        else:
            flash(response, "notice", done)
        return response
