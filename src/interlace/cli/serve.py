"""``interlace run``: serve a project until interrupted."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import signal
from collections.abc import Callable
from pathlib import Path

from interlace.errors import ConfigError
from interlace.http.listener import dispatch_routes
from interlace.http.server import HttpServer
from interlace.management import ManagementServer
from interlace.runtime import Runtime

__all__ = ["serve"]


async def _redeploy(runtime: Runtime, announce: Callable[[str], None]) -> None:
    try:
        artifacts = await runtime.redeploy()
    except ConfigError as exc:
        announce(f"redeploy refused; the running deployment keeps serving:\n{exc}")
        return
    announce(f"redeployed {artifacts.name} {artifacts.version}")


async def serve(
    root: Path,
    profile: str | None,
    host: str | None,
    port: int | None,
    announce: Callable[[str], None],
    stop: asyncio.Event | None = None,
    *,
    management_port: int | None = None,
) -> None:
    """Start the runtime, its HTTP server and (unless disabled) its management API, announce the URLs,
    and run until SIGINT/SIGTERM (or ``stop`` is set). Raises ConfigError, before anything listens,
    when the project is wrong."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    async with Runtime(root, profile, http_dispatch=dispatch_routes, hot_deploy=True) as runtime:
        redeploys: set[asyncio.Task[None]] = set()

        def redeploy() -> None:
            # SIGHUP: read the project again (and look for connectors installed since) without a restart.
            task = asyncio.ensure_future(_redeploy(runtime, announce))
            redeploys.add(task)
            task.add_done_callback(redeploys.discard)

        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signal.SIGHUP, redeploy)
        assert runtime.project is not None
        settings = runtime.project.server
        server = HttpServer(
            runtime,
            host or settings.host,
            settings.port if port is None else port,
            settings.max_body_size,
            settings.graceful_timeout,
        )
        management = runtime.project.definition.management if runtime.project.definition else None
        if management is not None and management_port is not None:
            management = management.model_copy(update={"port": management_port})
        managed = (
            ManagementServer.from_definition(runtime, management, announce=announce)
            if management is not None and management.enabled
            else None
        )
        # Exits run in reverse: the management API stops before the HTTP server.
        async with server, contextlib.AsyncExitStack() as started:
            # Everything loaded so far (libraries, the compiled deployment) lives as long as the server:
            # move it out of the collector's sight, so a full collection does not stall requests.
            gc.collect()
            gc.freeze()
            shown_host = "localhost" if server.host in ("0.0.0.0", "::") else server.host
            if managed is not None:
                managed.context.api_url = f"http://{shown_host}:{server.port}"
                await started.enter_async_context(managed)
            announce(
                f"{runtime.project.name} {runtime.project.version} is running"
                + (f" (profile {profile})" if profile else "")
            )
            for api in runtime.artifacts.apis:
                announce(f"  {api.name}: http://{shown_host}:{server.port}{api.path}")
            if managed is not None:
                announce(f"  management API: {managed.url}/management")
            await stop.wait()
            announce("stopping: finishing requests in flight")
