"""Fan-out: the changes each worker keeps for itself, handed from the primary to every follower.

With several workers (``interlace run --workers N``), the primary owns the management port. A route
marked ``every_worker`` changes what every process holds on its own (an endpoint switched on or off, a
logger's level, message tracing, a revoked token): once the primary answered it successfully, the same
request (method, path and query, body, the caller's token) is sent to each follower's
management API on its loopback port, one after the other; the workers share the signing key, so the
caller's token holds there. The caller gets the primary's answer; a follower that refuses or cannot be
reached is logged (as an error naming the worker), since the change then holds on the others only.
Deployment changes do not come this way: the followers follow the deployment history (see
:mod:`interlace.workers.role`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from urllib.parse import quote, urlencode

import aiohttp
import orjson

from interlace.message import JsonValue
from interlace.workers.role import WorkerRole

__all__ = ["Fanout", "concrete_path"]

_log = logging.getLogger("interlace.management")


class Fanout:
    """Sends a successful change to the followers of ``role`` (the primary's); ``timeout`` bounds each
    follower's answer, in seconds."""

    def __init__(self, role: WorkerRole, timeout: float = 30.0) -> None:
        self.role = role
        self.timeout = aiohttp.ClientTimeout(total=timeout)

    async def forward(
        self,
        method: str,
        path: str,
        query: Mapping[str, str],
        body: JsonValue | None,
        token: str | None,
    ) -> None:
        """Send the change (already made here) to every serving follower: ``method`` on ``path`` with
        ``query``, the JSON ``body`` (None: none) and the caller's ``token``."""
        followers = [f for f in self.role.followers() if f.management_port is not None]
        if not followers:
            return
        headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
        data = None
        if body is not None:
            data = orjson.dumps(body)
            headers["Content-Type"] = "application/json"
        path_qs = f"{path}?{urlencode(query)}" if query else path
        async with aiohttp.ClientSession(timeout=self.timeout) as session:
            for follower in followers:
                url = f"http://127.0.0.1:{follower.management_port}{path_qs}"
                try:
                    async with session.request(method, url, data=data, headers=headers) as answer:
                        if answer.status >= 400:
                            detail = (await answer.text())[:300]
                            _log.error(
                                "worker %d refused %s %s (%d): %s",
                                follower.index,
                                method,
                                path,
                                answer.status,
                                detail,
                            )
                except (aiohttp.ClientError, TimeoutError) as exc:
                    _log.error("worker %d did not take %s %s: %s", follower.index, method, path, exc)


def concrete_path(template: str, values: Mapping[str, str]) -> str:
    """A route's path with its ``{name}`` values filled in (each percent-encoded as one segment)."""
    for name, value in values.items():
        template = template.replace("{" + name + "}", quote(value, safe=""))
    return template
