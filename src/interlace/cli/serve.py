"""``interlace run``: serve a project (and the projects deployed beside it) until interrupted.

Start-up happens in an order that leaves nothing behind when the server cannot serve: load and compile
what will run (a problem stops here), reserve every port it will listen on (the HTTP APIs, the
management API, the inbound HTTP listeners: a busy one stops here, naming it), then start the runtime
(companions, stores, services), the HTTP server and the management API (whose first start writes the
users file).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
from collections.abc import Callable, Iterator
from pathlib import Path

from interlace.console import mount_console
from interlace.http.listener import dispatch_routes
from interlace.http.server import HttpServer
from interlace.management import ManagementServer
from interlace.management.fanout import Fanout
from interlace.model.project import ManagementDefinition
from interlace.model.tracing import TracingDefinition
from interlace.observability.metrics import Metrics
from interlace.observability.otel import OTEL
from interlace.observability.tracing import MESSAGE_TRACER
from interlace.runtime import Runtime
from interlace.runtime.ports import PortClaim, PortReservation
from interlace.runtime.services import SupervisedServices, services_elsewhere
from interlace.runtime.versions import DeploymentInfo
from interlace.workers.role import FOLLOW_SIGNAL, WorkerRole

__all__ = ["serve"]

_log = logging.getLogger("interlace.runtime")


async def _reload(runtime: Runtime, announce: Callable[[str], None]) -> None:
    try:
        outcomes = await runtime.reload()
    except Exception:  # a reload runs on a signal: nobody else would ever see what went wrong
        _log.exception("reload failed; the running deployments keep serving")
        announce("reload failed; the running deployments keep serving (the log says why)")
        return
    for name, outcome in outcomes:
        if isinstance(outcome, DeploymentInfo):
            announce(f"redeployed {outcome.name} {outcome.version}")
            for note in outcome.notes:
                announce(f"  note: {note}")
        else:
            announce(f"redeploy of {name} refused; its running version keeps serving:\n{outcome}")


def _server_claims(host: str, port: int, management: ManagementDefinition | None) -> list[PortClaim]:
    """The ports of the server's own listeners: its HTTP APIs and (unless disabled) its management API."""
    claims = [
        PortClaim(
            host,
            port,
            "the HTTP APIs",
            "--port, INTERLACE_HTTP_PORT, or port in the [server] table of interlace.toml",
        )
    ]
    if management is not None and management.enabled:
        claims.append(
            PortClaim(
                management.host,
                management.port,
                "the management API",
                "--management-port, INTERLACE_MANAGEMENT_PORT, or port in the [management] table of "
                "interlace.toml",
            )
        )
    return claims


def _listener_claims(runtime: Runtime) -> list[PortClaim]:
    """The ports of the inbound HTTP listeners of the deployments about to start."""
    return [
        PortClaim(
            listener.host,
            listener.port,
            f"inbound endpoint {listener.inbound} of {listener.project}",
            f"port of its http table ({listener.location})",
        )
        for listener in runtime.listener_ports()
    ]


async def _stopped(task: asyncio.Task[None]) -> None:
    """Wait for ``task`` (which ends when the server's stop is set); a failure of it is logged."""
    try:
        await task
    except Exception:  # the server is stopping anyway: say what went wrong, do not mask the stop
        _log.exception("the project watcher failed")


def _quiet(line: str) -> None:
    """A follower's announcements: the primary's say it all."""


def _join_workers(
    role: WorkerRole, runtime: Runtime, managed: ManagementServer | None, loop: asyncio.AbstractEventLoop
) -> None:
    """Take this worker's part among the server's workers: the primary hands its changes to the
    followers; a follower follows the primary's deployment changes when signalled."""
    if role.primary:
        runtime.deployments.on_change = role.tell_followers
        if managed is not None:
            managed.context.fanout = Fanout(role)
        return
    following: set[asyncio.Task[None]] = set()

    async def follow_once(generation: int) -> None:
        for change in await runtime.deployments.follow():
            _log.info("following worker 0: %s", change)
        role.note_followed(generation, runtime.out_of_step())

    def follow() -> None:
        task = asyncio.ensure_future(follow_once(role.follow_generation()))
        following.add(task)
        task.add_done_callback(following.discard)

    with contextlib.suppress(NotImplementedError, RuntimeError):
        loop.add_signal_handler(FOLLOW_SIGNAL, follow)


@contextlib.contextmanager
def _exporting(tracing: TracingDefinition) -> Iterator[None]:
    """OpenTelemetry traces exported by OTLP while the server runs, when ``otlp-endpoint`` is set (the
    spans not sent yet are sent when it stops)."""
    if tracing.otlp_endpoint is None:
        yield
        return
    OTEL.enable_otlp(tracing.otlp_endpoint, tracing.service_name)
    try:
        yield
    finally:
        OTEL.disable()


async def serve(
    root: Path,
    profile: str | None,
    host: str | None,
    port: int | None,
    announce: Callable[[str], None],
    stop: asyncio.Event | None = None,
    *,
    management_port: int | None = None,
    metrics: bool = True,
    watch: bool = False,
) -> None:
    """Start the runtime, its HTTP server and (unless disabled) its management API, announce the URLs,
    and run until SIGINT/SIGTERM (or ``stop`` is set); SIGHUP loads every project again. Raises
    ConfigError when the project is wrong and PortBusyError when a port is taken, in both cases before
    anything started. ``metrics``: count for ``GET /metrics`` (the management API serves them). ``watch``:
    redeploy the project whenever one of its files is saved (:mod:`interlace.cli.watch`).

    Started by ``interlace run --workers N`` (:class:`~interlace.workers.role.WorkerRole` in the
    environment), it serves as one of the workers: on a shared port; a follower runs no service, and
    its management API listens on a free loopback port for the primary."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    role = WorkerRole.from_env()
    follower = role is not None and not role.primary
    if follower:
        announce = _quiet
    runtime = Runtime(
        root,
        profile,
        http_dispatch=dispatch_routes,
        hot_deploy=True,
        metrics=Metrics() if metrics else None,
        services=services_elsewhere if follower else SupervisedServices,
        watch_deploy_dir=not follower,
    )
    prepared = runtime.prepare()
    home = prepared[0].project
    alone = role is not None and role.serves_alone(
        [
            f"{store.name} of {d.name}"
            for d in prepared
            for store in d.project.stores
            if store.kind == "memory"
        ]
    )
    if alone:
        announce("serving with one worker: a memory store cannot be shared by several")
    settings = home.server
    host = host or settings.host
    port = settings.port if port is None else port
    management = home.definition.management if home.definition else None
    if management is not None and management_port is not None:
        management = management.model_copy(update={"port": management_port})
    if follower and management is not None:
        management = management.model_copy(update={"host": "127.0.0.1", "port": 0})
    tracing = home.definition.tracing if home.definition else TracingDefinition()
    MESSAGE_TRACER.configure(
        buffer_size=tracing.buffer_size,
        max_payload_size=tracing.max_payload_size,
        max_steps=tracing.max_steps,
    )
    server_claims = _server_claims(host, port, management)
    runtime.deployments.server_ports = {claim.port: claim.what for claim in server_claims if claim.port}
    claims = [*server_claims, *_listener_claims(runtime)]
    if role is not None:  # beside the other workers, only a first primary reserves the shared port
        claims = claims if role.primary and not role.restart else claims[1:] if role.primary else []
    with PortReservation(claims) as reserved, _exporting(tracing):
        async with runtime:
            reloads: set[asyncio.Task[None]] = set()

            def reload() -> None:
                # SIGHUP: read the projects again (and look for connectors installed since), no restart.
                task = asyncio.ensure_future(_reload(runtime, announce))
                reloads.add(task)
                task.add_done_callback(reloads.discard)

            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(signal.SIGHUP, reload)
            server = HttpServer(
                runtime,
                host,
                port,
                settings.max_body_size,
                settings.graceful_timeout,
                reuse_port=role is not None,
            )
            managed = (
                ManagementServer.from_definition(
                    runtime, management, announce=announce, extensions=[mount_console]
                )
                if management is not None and management.enabled
                else None
            )
            # Exits run in reverse: the management API stops before the HTTP server.
            async with server, contextlib.AsyncExitStack() as started:
                shown_host = "localhost" if server.host in ("0.0.0.0", "::") else server.host
                if managed is not None:
                    managed.context.api_url = f"http://{shown_host}:{server.port}"
                    await started.enter_async_context(managed)
                reserved.release()
                runtime.deployments.server_ports = {server.port: "the HTTP APIs"} | (
                    {managed.port: "the management API"} if managed is not None else {}
                )
                # Everything loaded so far (libraries, the compiled deployments) lives as long as the
                # server: move it out of the collector's sight, so a full collection does not stall
                # requests.
                gc.collect()
                gc.freeze()
                for deployment in runtime.deployments.running.values():
                    announce(
                        f"{deployment.name} {deployment.version} is running"
                        + (f" (profile {deployment.project.profile})" if deployment.project.profile else "")
                    )
                for api in runtime.artifacts.apis:
                    announce(f"  {api.name}: http://{shown_host}:{server.port}{api.path}")
                if managed is not None:
                    announce(f"  management API: {managed.url}/management")
                if watch:
                    from interlace.cli.watch import watch_project  # watchfiles: only for --watch

                    watcher = asyncio.ensure_future(
                        watch_project(root, lambda: _reload(runtime, announce), announce, stop)
                    )
                    started.push_async_callback(_stopped, watcher)
                if role is not None:
                    _join_workers(role, runtime, managed, loop)
                    role.announce_ready(
                        server.port,
                        managed.port if managed is not None else None,
                        settings.graceful_timeout,
                        alone=alone,
                    )
                await stop.wait()
                announce("stopping: finishing requests in flight")
                await runtime.deployments.hand_over()
