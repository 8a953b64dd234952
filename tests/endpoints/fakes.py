"""Stand-ins for the seams endpoints take: templates, a clock, a sleep, and a recording backend."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from aiohttp import web

from interlace.message import MessageContext


class Text:
    """A template that is either constant text or a function of the message."""

    def __init__(self, source: str | Callable[[MessageContext], str]) -> None:
        self._source = source

    def render_str(self, ctx: MessageContext, /) -> str:
        return self._source if isinstance(self._source, str) else self._source(ctx)


class ManualClock:
    """A clock that moves only when told to."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class RecordingSleep:
    """Records the waits it was asked for and returns at once."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@dataclass(slots=True)
class Seen:
    """What a backend received in one request."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes
    raw_path: str = ""
    """The path and query as they arrived, percent-encoding kept."""


@dataclass(slots=True)
class Backend:
    """A loopback HTTP server that records requests and answers from a script of statuses."""

    statuses: list[int] = field(default_factory=list)
    """Statuses of the next answers in order; 200 once used up."""
    seen: list[Seen] = field(default_factory=list)
    name: str = "backend"

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        self.seen.append(
            Seen(
                request.method,
                request.path,
                request.query_string,
                dict(request.headers),
                body,
                request.raw_path,
            )
        )
        status = self.statuses.pop(0) if self.statuses else 200
        return web.json_response({"served-by": self.name, "attempt": len(self.seen)}, status=status)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self.handle)
        return app
