"""The cache mediator: keep the answers a flow makes, and give them again for the same request.

Entries live in memory for the deployment's life, at most ``max_entries`` (the least recently used is
dropped beyond) and each until its ``ttl`` ends. Only answers with a 2xx status (or none) of at most
``max_size`` bytes are kept. Requests for a key not yet kept all run the flow (nothing waits on another
request's answer).
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from multidict import CIMultiDict

from interlace.errors import SourceLocation
from interlace.expressions import Template
from interlace.mediators.base import CONTINUE, STOP
from interlace.mediators.sequence import SequenceMediator
from interlace.message import MessageContext, Payload, Reply

__all__ = ["CacheLimits", "CacheMediator", "request_key"]


@dataclass(frozen=True, slots=True)
class CacheLimits:
    """Each answer is kept ``ttl`` seconds; at most ``max_entries`` of at most ``max_size`` bytes."""

    ttl: float
    max_entries: int
    max_size: int


@dataclass(frozen=True, slots=True)
class _Entry:
    expires: float
    body: bytes
    content_type: str
    status: int | None
    replied: bool


def request_key(ctx: MessageContext) -> str:
    """The default key: a SHA-256 of the method, the path, the query parameters and the payload."""
    digest = hashlib.sha256()
    for part in (ctx.method, ctx.path, *sorted(f"{k}={v}" for k, v in ctx.params.query.items())):
        digest.update(part.encode())
        digest.update(b"\0")
    digest.update(ctx.payload.raw)
    return digest.hexdigest()


class CacheMediator:
    """On a hit, the kept answer: replied again when the flow had replied (the flow ends), else it
    becomes the message, ``on_hit`` runs (when given) and the flow goes on. On a miss, ``flow`` runs
    and its answer is kept."""

    __slots__ = ("_entries", "clock", "flow", "key", "limits", "location", "on_hit")

    def __init__(
        self,
        key: Template | None,
        limits: CacheLimits,
        flow: SequenceMediator,
        on_hit: SequenceMediator | None,
        location: SourceLocation,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.key, self.limits, self.flow, self.on_hit = key, limits, flow, on_hit
        self.location = location
        self.clock = clock
        self._entries: OrderedDict[str, _Entry] = OrderedDict()

    async def _hit(self, ctx: MessageContext, entry: _Entry) -> bool:
        payload = Payload(entry.body, entry.content_type)
        if entry.replied:
            ctx.reply = Reply(entry.status or 200, payload, CIMultiDict())
            return STOP
        ctx.payload = payload
        if entry.status is not None:
            ctx.transport["status"] = entry.status
        return await self.on_hit.mediate(ctx) if self.on_hit is not None else CONTINUE

    def _keep(self, key: str, ctx: MessageContext, replied: bool) -> None:
        payload, status = (ctx.reply.payload, ctx.reply.status) if ctx.reply else (ctx.payload, ctx.status)
        body = payload.raw
        if (status is not None and not 200 <= status < 300) or len(body) > self.limits.max_size:
            return
        expires = self.clock() + self.limits.ttl
        self._entries[key] = _Entry(expires, body, payload.content_type, status, replied)
        self._entries.move_to_end(key)
        while len(self._entries) > self.limits.max_entries:
            self._entries.popitem(last=False)

    async def mediate(self, ctx: MessageContext) -> bool:
        key = self.key.render_str(ctx) if self.key is not None else request_key(ctx)
        entry = self._entries.get(key)
        if entry is not None:
            if entry.expires > self.clock():
                self._entries.move_to_end(key)
                return await self._hit(ctx, entry)
            del self._entries[key]
        go_on = await self.flow.mediate(ctx)
        if go_on or ctx.reply is not None:
            await (ctx.reply.payload if ctx.reply is not None else ctx.payload).read()  # a call's answer
            self._keep(key, ctx, replied=not go_on)
        return go_on
