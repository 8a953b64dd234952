"""A real loopback HTTP receiver for processor tests: records what arrives and answers by a rule; it can
be taken down and brought back on the same port."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, replace

import orjson
from aiohttp import web

from interlace.stores import StoredMessage
from tests.support import WAIT, deadline, unused_port


@dataclass(frozen=True, slots=True)
class Received:
    body: bytes
    headers: dict[str, str]

    @property
    def json(self) -> object:
        return orjson.loads(self.body)


class Receiver:
    """Answers ``rule(request)`` (default 200) to every POST; ``hold`` keeps answers back until released
    (with ``hold_after``, only once that many requests were accepted). ``received`` holds the accepted
    requests (2xx), ``arrivals`` counts every request that came in."""

    def __init__(self) -> None:
        self.port = unused_port()
        self.received: list[Received] = []
        self.arrivals = 0
        self.rule: Callable[[Received], int] = lambda _: 200
        self.hold: asyncio.Event | None = None
        self.hold_after = 0
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/in"

    @property
    def bodies(self) -> list[object]:
        return [item.json for item in self.received]

    async def _handle(self, request: web.Request) -> web.Response:
        item = Received(await request.read(), dict(request.headers))
        self.arrivals += 1
        if self.hold is not None and len(self.received) >= self.hold_after:
            await self.hold.wait()
        status = self.rule(item)
        if 200 <= status < 300:
            async with self._changed:
                self.received.append(item)
                self._changed.notify_all()
        return web.Response(status=status, text="ok" if status < 400 else "no")

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/in", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port, reuse_address=True).start()

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def wait_for(self, count: int, within: float = WAIT) -> list[object]:
        """The bodies once at least ``count`` requests were accepted (fails after ``within`` seconds, scaled)."""
        async with deadline(within), self._changed:
            await self._changed.wait_for(lambda: len(self.received) >= count)
        return self.bodies


def message(number: int, **changes: object) -> StoredMessage:
    """Stored message number ``number``: payload ``{"n": number}``, id ``m<number>``."""
    base = StoredMessage(
        id=f"m{number:03d}",
        payload=orjson.dumps({"n": number}),
        content_type="application/json",
        created=float(number),
        origin="orders",
    )
    return replace(base, **changes)  # type: ignore[arg-type]
