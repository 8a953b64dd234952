"""A small client of a running server's management API: one request, its JSON answer, or a clear error.

Every failure is a :class:`RemoteError` whose message can be shown to an operator as it is: the server
cannot be reached, the token was refused (401), the user may not do this (403), the server has no such
route (an older server), or the server's own ``{"error": {"code", "message"}}``."""

from __future__ import annotations

from typing import Any

import aiohttp

from interlace.errors import InterlaceError

__all__ = [
    "ManagementClient",
    "RemoteError",
    "RemoteForbiddenError",
    "RemoteUnauthorizedError",
    "RemoteUnreachableError",
    "RouteMissingError",
]

_PREFIX = "/management"
_NO_ROUTE = "no such route"


class RemoteError(InterlaceError):
    """A management request failed; ``code`` and ``status`` are the server's when it answered."""

    code = "REMOTE_ERROR"
    status = 502


class RemoteUnreachableError(RemoteError):
    """Nothing answered at the remote's address, or the answer was not the management API's."""

    code = "UNREACHABLE"


class RemoteUnauthorizedError(RemoteError):
    """The server refused the token (none, expired, revoked, or signed with another key) or the login."""

    code = "UNAUTHORIZED"
    status = 401


class RemoteForbiddenError(RemoteError):
    """The user is logged in but their role may not do this (a monitor asking for a change)."""

    code = "FORBIDDEN"
    status = 403


class RouteMissingError(RemoteError):
    """The server does not have this operation at all (an older or smaller server)."""

    code = "NOT_FOUND"
    status = 404


class ManagementClient:
    """Talks to the management API at ``base_url`` (``http://127.0.0.1:9164``), sending ``token`` as a
    bearer token when there is one. Paths are relative to ``/management`` (``/apis``). Every method
    returns the decoded JSON answer or raises a :class:`RemoteError`; ``timeout`` bounds each request."""

    def __init__(self, base_url: str, token: str | None = None, *, timeout: float = 60.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout

    async def login(self, user: str, password: str) -> dict[str, Any]:
        """The server's token answer (``token``, ``expiresAt``, ``user``, ``role``, ...)."""
        answer = await self.request("POST", "/login", json={"user": user, "password": password})
        if not isinstance(answer, dict) or not isinstance(answer.get("token"), str):
            raise RemoteUnreachableError(f"{self.base_url} did not answer the login with a token")
        return answer

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, str] | None = None,
    ) -> Any:
        """Send one request and return its JSON answer; a 4xx/5xx answer raises."""
        url = self.base_url + _PREFIX + path
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        timeout = aiohttp.ClientTimeout(total=self.timeout)
        try:
            async with (
                aiohttp.ClientSession(timeout=timeout) as session,
                session.request(method, url, json=json, params=params, headers=headers) as response,
            ):
                status = response.status
                try:
                    body = await response.json(content_type=None)
                except ValueError as exc:
                    raise RemoteUnreachableError(
                        f"{self.base_url} is not an Interlace management API"
                        f" ({method} {path} answered {status} without JSON)"
                    ) from exc
        except aiohttp.ClientError as exc:
            raise RemoteUnreachableError(f"cannot reach {self.base_url}: {exc}") from exc
        except TimeoutError as exc:
            raise RemoteUnreachableError(
                f"{self.base_url} did not answer {method} {path} within {self.timeout:g}s"
            ) from exc
        if status >= 400:
            raise _error(status, body, method, path)
        return body


def _error(status: int, body: Any, method: str, path: str) -> RemoteError:
    error = body.get("error") if isinstance(body, dict) else None
    code = str(error.get("code", "")) if isinstance(error, dict) else ""
    message = str(error.get("message", "")) if isinstance(error, dict) else ""
    if not message:
        message = f"{method} {path} answered {status}"
    if status == 401:
        return RemoteUnauthorizedError(message)
    if status == 403:
        return RemoteForbiddenError(message)
    if status == 404 and message.startswith(_NO_ROUTE):
        return RouteMissingError(message)
    return RemoteError(message, code=code or None, status=status)
