"""Fan-out: the changes each worker keeps for itself, handed from the primary to every follower.

With several workers (``interlace run --workers N``), the primary owns the management port. A route
marked ``every_worker`` changes what every process holds on its own (an endpoint switched on or off, a
logger's level, message tracing, a revoked token): once the primary answered it successfully, the same
request (method, path and query, body, the caller's ``Authorization``) is sent to each follower's
management API on its loopback port, one after the other; the workers share the signing key, so the
caller's token holds there. The caller gets the primary's answer; a follower that refuses or cannot be
reached is logged (as an error naming the worker), since the change then holds on the others only.
Deployment changes do not come this way: the followers follow the deployment history (see
:mod:`interlace.workers.role`).
"""

from __future__ import annotations

import logging
from typing import Final

import aiohttp
from aiohttp import web

from interlace.workers.role import WorkerRole

__all__ = ["Fanout"]

_log = logging.getLogger("interlace.management")
_PASSED_HEADERS: Final = ("Authorization", "Content-Type")


class Fanout:
    """Sends a successful change to the followers of ``role`` (the primary's); ``timeout`` bounds each
    follower's answer, in seconds."""

    def __init__(self, role: WorkerRole, timeout: float = 30.0) -> None:
        self.role = role
        self.timeout = aiohttp.ClientTimeout(total=timeout)

    async def forward(self, request: web.Request) -> None:
        """Send ``request`` (already answered here) to every serving follower."""
        followers = [f for f in self.role.followers() if f.management_port is not None]
        if not followers:
            return
        body = await request.read()  # read before the handler ran, or empty
        headers = {name: request.headers[name] for name in _PASSED_HEADERS if name in request.headers}
        async with aiohttp.ClientSession(timeout=self.timeout) as session:
            for follower in followers:
                url = f"http://127.0.0.1:{follower.management_port}{request.path_qs}"
                try:
                    async with session.request(request.method, url, data=body, headers=headers) as answer:
                        if answer.status >= 400:
                            detail = (await answer.text())[:300]
                            _log.error(
                                "worker %d refused %s %s (%d): %s",
                                follower.index,
                                request.method,
                                request.path,
                                answer.status,
                                detail,
                            )
                except (aiohttp.ClientError, TimeoutError) as exc:
                    _log.error(
                        "worker %d did not take %s %s: %s", follower.index, request.method, request.path, exc
                    )
