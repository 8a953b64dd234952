"""``interlace run``: serve a project until interrupted."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import signal
from collections.abc import Callable
from pathlib import Path

from interlace.http.server import HttpServer
from interlace.runtime import Runtime

__all__ = ["serve"]


async def serve(
    root: Path,
    profile: str | None,
    host: str | None,
    port: int | None,
    announce: Callable[[str], None],
    stop: asyncio.Event | None = None,
) -> None:
    """Start the runtime and its HTTP server, announce the APIs' URLs, and run until SIGINT/SIGTERM
    (or ``stop`` is set). Raises ConfigError, before anything listens, when the project is wrong."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    async with Runtime(root, profile) as runtime:
        assert runtime.project is not None
        settings = runtime.project.server
        server = HttpServer(
            runtime,
            host or settings.host,
            settings.port if port is None else port,
            settings.max_body_size,
            settings.graceful_timeout,
        )
        async with server:
            # Everything loaded so far (libraries, the compiled deployment) lives as long as the server:
            # move it out of the collector's sight, so a full collection does not stall requests.
            gc.collect()
            gc.freeze()
            shown_host = "localhost" if server.host in ("0.0.0.0", "::") else server.host
            announce(
                f"{runtime.project.name} {runtime.project.version} is running"
                + (f" (profile {profile})" if profile else "")
            )
            for api in runtime.artifacts.apis:
                announce(f"  {api.name}: http://{shown_host}:{server.port}{api.path}")
            await stop.wait()
            announce("stopping: finishing requests in flight")
