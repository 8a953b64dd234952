"""A live server for the commands that operate one: a runtime of a small shop project and the real
management server, run in a thread of their own (the commands run their own event loop)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

from interlace.management import ManagementServer, TokenIssuer, default_throttle
from interlace.runtime import Runtime
from tests.management.conftest import ENV, PROJECT, REGISTRY, ManualClock, make_users

__all__ = ["FILES", "LiveServer", "rows"]

# The shop project, with a task that runs only when triggered (its cron waits for the new year).
FILES = {
    **PROJECT,
    "tasks/nightly.yaml": "task: Nightly\ncron: '0 3 1 1 *'\nactive: false\nsequence: Audit\ntext: tick\n",
}

_T = TypeVar("_T")


class LiveServer:
    """The management server of a running project, served from a background thread's event loop."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.wall = ManualClock(1_700_000_000.0)
        self.url = ""
        self.runtime: Runtime | None = None
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._main, daemon=True)

    def start(self) -> None:
        self._thread.start()
        assert self._ready.wait(30), "the server did not start"
        if self._failure is not None:
            raise self._failure

    def run(self, work: Coroutine[Any, Any, _T]) -> _T:
        """Run ``work`` on the server's loop (to set up its stores) and return its result."""
        return asyncio.run_coroutine_threadsafe(work, self._loop).result(30)

    def stop(self) -> None:
        if self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(30)

    def _main(self) -> None:
        try:
            self._loop.run_until_complete(self._serve())
        except BaseException as exc:
            self._failure = exc
            self._ready.set()
        finally:
            self._loop.close()

    async def _serve(self) -> None:
        self._stop = asyncio.Event()
        async with Runtime(self.root, env=ENV, connectors=REGISTRY) as runtime:
            server = ManagementServer(
                runtime,
                make_users(),
                port=0,
                tokens=TokenIssuer(b"k" * 32, 3600.0, clock=self.wall),
                throttle=default_throttle(ManualClock(1000.0)),
                connectors=REGISTRY,
                clock=self.wall,
            )
            async with server:
                self.url, self.runtime = server.url, runtime
                self._ready.set()
                await self._stop.wait()


def rows(text: str, column: int = 0) -> dict[str, list[str]]:
    """The rows of a rich table by their cell in ``column`` (the header row's included)."""
    found = {}
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.replace("┃", "│").split("│")[1:-1]]
        if len(cells) > column and cells[column]:
            found[cells[column]] = cells
    return found
