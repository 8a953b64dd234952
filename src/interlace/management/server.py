"""ManagementServer: the management API on its own port, next to the runtime it manages."""

from __future__ import annotations

import logging
import os
import ssl
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from aiohttp import web

from interlace.compiler.compile import installed_connectors
from interlace.errors import ConfigError
from interlace.management.app import create_app
from interlace.management.context import Clock, DeploymentClock, ManagementContext
from interlace.management.logbuffer import RecentLogs
from interlace.management.metrics import METRICS_PATH, METRICS_TOKEN_ENV, RuntimeFigures, metrics_handler
from interlace.management.throttle import LoginThrottle, ThrottlePolicy
from interlace.management.tokens import TokenIssuer, signing_key
from interlace.management.users import UserStore, open_user_store
from interlace.model.project import ManagementDefinition
from interlace.runtime import Runtime
from interlace.sdk import ConnectorRegistry
from interlace.serving import ConnectionLimits, guarded_app_runner

if TYPE_CHECKING:
    from argon2 import PasswordHasher

__all__ = ["Extension", "ManagementServer", "default_throttle"]

Extension = Callable[[web.Application], None]
"""Adds routes to the management application before it serves (``app[API]`` calls its routes)."""

_log = logging.getLogger("interlace.management")


def default_throttle(clock: Clock = time.monotonic) -> LoginThrottle:
    """5 free failures per client address and 10 per user name at one address, then 1s, 2s, 4s, ... up
    to 15 minutes (see :func:`~interlace.management.throttle.login_keys`)."""
    return LoginThrottle(
        ThrottlePolicy(),
        {"client": ThrottlePolicy(free_failures=5), "user": ThrottlePolicy(free_failures=10)},
        clock,
    )


def _print_once(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


class ManagementServer:
    """Serves the management API of ``runtime`` at host:port (port 0 picks a free one: see ``port``
    after ``start()``). Start it after the runtime and stop it before; use ``async with`` or
    ``start()`` / ``aclose()``.

    ``users`` are the accounts; ``tokens`` issues and checks login tokens (default: a random key and a
    one-hour lifetime); ``throttle`` slows password guessing (see :func:`default_throttle`); ``clock``
    is wall-clock time for uptimes and shown times. While it runs, a :class:`RecentLogs` handler on the
    root logger keeps the last ``log_lines`` records. ``limits`` (read timeouts, connection limit)
    default to the project's ``[server]`` table. ``GET /metrics`` serves the runtime's metrics, to
    scrapers that send ``metrics_token`` as a bearer token when one is given
    (see :mod:`interlace.management.metrics`). Each of ``extensions`` is handed the management
    application before it serves, to add its own routes (the console mounts itself so).
    """

    def __init__(
        self,
        runtime: Runtime,
        users: UserStore,
        *,
        host: str = "127.0.0.1",
        port: int = 9164,
        tokens: TokenIssuer | None = None,
        throttle: LoginThrottle | None = None,
        connectors: ConnectorRegistry | None = None,
        api_url: str | None = None,
        clock: Clock = time.time,
        log_lines: int = 1000,
        limits: ConnectionLimits | None = None,
        metrics_token: str | None = None,
        extensions: Sequence[Extension] = (),
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.runtime = runtime
        self.ssl_context = ssl_context
        self.host = host
        self.port = port
        self.logs = RecentLogs(log_lines)
        self.context = ManagementContext(
            runtime=runtime,
            users=users,
            tokens=tokens or TokenIssuer(signing_key({}), clock=clock),
            throttle=throttle or default_throttle(),
            logs=self.logs,
            connectors=connectors or installed_connectors(),
            api_url=api_url or _api_url(runtime),
            clock=clock,
            deployments=DeploymentClock(clock),
        )
        self._runner: web.AppRunner | None = None
        self.metrics_token = metrics_token
        self.extensions = tuple(extensions)
        self._figures: RuntimeFigures | None = None
        project = runtime.project
        self.limits = limits or (ConnectionLimits.of(project.server) if project else ConnectionLimits())

    @classmethod
    def from_definition(
        cls,
        runtime: Runtime,
        definition: ManagementDefinition,
        *,
        api_url: str | None = None,
        env: Mapping[str, str] | None = None,
        announce: Callable[[str], None] = _print_once,
        hasher: PasswordHasher | None = None,
        extensions: Sequence[Extension] = (),
    ) -> ManagementServer:
        """The server a project's ``[management]`` table describes. Opens (on first start: creates) the
        users file, announcing a generated admin password once; ConfigError when the file is broken or
        ``INTERLACE_ADMIN_PASSWORD`` / ``INTERLACE_MANAGEMENT_KEY`` are too short."""
        env = os.environ if env is None else env
        users_file = Path(definition.users_file)
        if not users_file.is_absolute():
            users_file = runtime.root / users_file
        users = open_user_store(users_file, env, announce, hasher)
        tokens = TokenIssuer(signing_key(env), definition.token_lifetime)
        return cls(
            runtime,
            users,
            ssl_context=_tls(runtime.root, definition),
            host=definition.host,
            port=definition.port,
            tokens=tokens,
            api_url=api_url,
            metrics_token=env.get(METRICS_TOKEN_ENV) or None,
            extensions=extensions,
        )

    @property
    def url(self) -> str:
        """Where the management API answers (``http://127.0.0.1:9164``)."""
        return f"{'https' if self.ssl_context is not None else 'http'}://{self.host}:{self.port}"

    async def start(self) -> None:
        context = self.context
        context.started_at = context.clock()
        context.deployments.deployed_at(self.runtime.artifacts)
        app = create_app(context)
        metrics = self.runtime.metrics
        if metrics is not None and self._figures is None:
            self._figures = RuntimeFigures(self.runtime)
            metrics.register(self._figures)
        app.router.add_get(METRICS_PATH, metrics_handler(metrics, self._figures, self.metrics_token))
        for extend in self.extensions:
            extend(app)
        runner = guarded_app_runner(app, self.limits, access_log=None, handle_signals=False)
        await runner.setup()
        try:
            site = web.TCPSite(runner, self.host, self.port, reuse_address=True, ssl_context=self.ssl_context)
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        address = runner.addresses[0]
        self.port = int(address[1])
        logging.getLogger().addHandler(self.logs)
        _log.info("management API listening on %s/management", self.url)

    async def aclose(self) -> None:
        """Stop answering; requests in flight finish first. Safe to call twice."""
        runner, self._runner = self._runner, None
        logging.getLogger().removeHandler(self.logs)
        figures, self._figures = self._figures, None
        if figures is not None and self.runtime.metrics is not None:
            self.runtime.metrics.unregister(figures)
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> ManagementServer:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()


def _api_url(runtime: Runtime) -> str:
    server = runtime.project.server if runtime.project is not None else None
    if server is None:
        return "http://localhost:8290"
    host = "localhost" if server.host in ("0.0.0.0", "::", "") else server.host
    return f"http://{host}:{server.port}"


def _tls(root: Path, definition: ManagementDefinition) -> ssl.SSLContext | None:
    """The TLS context of ``tls-cert-file`` and ``tls-key-file`` (None: plain HTTP); ConfigError when
    they cannot be loaded."""
    if definition.tls_cert_file is None or definition.tls_key_file is None:
        return None
    cert, key = (root / definition.tls_cert_file, root / definition.tls_key_file)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    try:
        context.load_cert_chain(cert, key)
    except (OSError, ssl.SSLError) as exc:
        raise ConfigError(
            f"[management] tls-cert-file {cert} and tls-key-file {key} cannot be loaded: {exc}"
        ) from exc
    return context
