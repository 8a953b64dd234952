"""Runtime: a server running projects side by side, as deployments by project name, and the pieces they
share (the pooled HTTP client, the connectors, the coordinators, the companions, the hot deployment
folder).

The server starts with one project folder (its *home*: its ``.interlace/`` holds the server's state) and
runs further projects deployed beside it (bundles, through the management API or the hot deployment
folder). What runs changes only through :class:`~interlace.runtime.deployments.Deployments`, one change
at a time. Requests read :attr:`Runtime.artifacts` (every deployment's APIs, one route table) once when
they start, so a change never alters the flow under a request in flight.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from interlace.compiler.compile import Artifacts
from interlace.compiler.stores import StoreFactory
from interlace.connections import ConnectionPool
from interlace.endpoints import HttpClient
from interlace.errors import ConfigError, InterlaceError, SourceLocation
from interlace.inbound import HttpDispatch
from interlace.model.load import Project
from interlace.observability.metrics import Metrics
from interlace.processors import UnknownStoreError, replay_message
from interlace.runtime.by_name import ServicesByName
from interlace.runtime.cluster import ClusterFollower
from interlace.runtime.companions import Companion, start_companion
from interlace.runtime.deployment import Deployment
from interlace.runtime.deployments import Deployments
from interlace.runtime.hotdeploy import HotDeployFolder
from interlace.runtime.ledger import BundleLedger
from interlace.runtime.services import ServicesFactory, SupervisedServices
from interlace.runtime.shared import Shared
from interlace.runtime.token_store import STATE_DIR, LazyTokenStore
from interlace.runtime.versions import DeploymentInfo
from interlace.sdk import ConnectorRegistry
from interlace.stores import MessageStore, StoredMessage

__all__ = ["ListenerPort", "Runtime", "UnknownConnectionError"]

_log = logging.getLogger("interlace.runtime")


class UnknownConnectionError(InterlaceError):
    """No connection of that name in any deployment."""

    code = "NOT_FOUND"
    status = 404


@dataclass(frozen=True, slots=True)
class ListenerPort:
    """A port an inbound HTTP listener of a deployment about to start will listen on."""

    host: str
    port: int
    inbound: str
    project: str
    location: SourceLocation


def _report_watch_end(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        what = (
            "the bundle ledger is no longer followed"
            if task.get_name() == "cluster"
            else ("the hot deployment folder is no longer watched")
        )
        _log.error(what, exc_info=task.exception())


class Runtime:
    """A server running projects. Use ``async with Runtime(...)`` or ``start()`` / ``aclose()``.

    ``root`` is the project folder the server starts with (its home). ``env`` replaces the process
    environment for ``${env.X}`` (tests and embedding pass their own); ``stores`` makes message stores
    from their definitions (default: the store kind the definition names); ``connectors`` is where
    connector operations are found (default: the installed ones, looked for again before each
    deployment); ``http_dispatch`` makes the request handlers of inbound HTTP listeners (the HTTP
    transport's); ``hot_deploy`` watches the ``[server] deploy-dir`` folder for bundles while it runs and
    serves again, after a restart, the versions that were active before it (``watch_deploy_dir`` False:
    serves them again without watching, as a follower of several workers does); ``services`` makes each
    deployment's background services; ``clock`` gives wall-clock seconds (when a version became active);
    ``metrics`` counts requests, calls, operations, stored messages and deployments (None: nothing is
    counted).
    """

    def __init__(
        self,
        root: Path | str,
        profile: str | None = None,
        client: HttpClient | None = None,
        env: Mapping[str, str] | None = None,
        stores: StoreFactory | None = None,
        connectors: ConnectorRegistry | None = None,
        http_dispatch: HttpDispatch | None = None,
        hot_deploy: bool = False,
        services: ServicesFactory = SupervisedServices,
        watch_deploy_dir: bool = True,
        clock: Callable[[], float] = time.time,
        metrics: Metrics | None = None,
    ) -> None:
        self.home = Path(root)
        """The server's own folder, fixed: the project it started with, its ``.interlace/`` state."""
        self.profile = profile
        self.env = env
        self.client = client or HttpClient()
        self._owns_client = client is None
        self._shared = Shared(
            self.home,
            profile,
            env,
            self.client,
            LazyTokenStore(self.home / STATE_DIR, env, metrics),
            connectors,
            stores,
            http_dispatch,
            services,
            clock=clock,
            metrics=metrics,
        )
        self.deployments = Deployments(self._shared)
        """The running deployments by project name, and every change of what runs."""
        self.services = ServicesByName(lambda: self.deployments.running)
        """The services of every deployment by kind and name: processors, tasks, inbound endpoints."""
        self._companions: list[Companion] = []
        self._prepared: list[Deployment] | None = None
        self._hot_deploy = hot_deploy
        self._watch_deploy_dir = watch_deploy_dir
        self._hot_deploy_stop = asyncio.Event()
        self._hot_deploy_task: asyncio.Task[None] | None = None
        self._cluster: ClusterFollower | None = None
        self._cluster_task: asyncio.Task[None] | None = None

    @property
    def metrics(self) -> Metrics | None:
        """The server's Prometheus figures (None: off)."""
        return self._shared.metrics

    @property
    def root(self) -> Path:
        """The project folder the server started with (the same as :attr:`home`)."""
        return self.home

    @property
    def artifacts(self) -> Artifacts:
        """What the server serves: every deployment's artifacts and one route table; raises RuntimeError
        before ``start()``."""
        served = self.deployments.served
        if served is None:
            raise RuntimeError("the runtime has not been started")
        return served

    @property
    def project(self) -> Project | None:
        """The running version of the project the server started with (None once undeployed)."""
        home = self.deployments.running.get(self.deployments.home or "")
        return home.project if home is not None else None

    # starting ------------------------------------------------------------------------------------
    def prepare(self) -> list[Deployment]:
        """Load and compile what the server will run, opening nothing: the home project (ConfigError
        lists its problems) and, with ``hot_deploy``, the versions active before a restart (one that no
        longer loads is logged and left out; the home folder is served when its bundle does not load)."""
        if self._prepared is not None:
            return self._prepared
        home = self.deployments.build(self.home)
        others: list[Deployment] = []
        for folder in self.deployments.restorable() if self._hot_deploy else []:
            try:
                restored = self.deployments.build(folder)
            except ConfigError as exc:
                _log.warning(
                    "the version deployed last in %s no longer loads; it is not served: %s", folder, exc
                )
                continue
            _log.info("serving %s %s again, as deployed before the restart", restored.name, restored.version)
            if restored.name == home.name:
                home = restored
            else:
                others.append(restored)
        self.deployments.home = home.name
        self._prepared = [home, *others]
        return self._prepared

    def listener_ports(self) -> list[ListenerPort]:
        """The fixed ports the inbound HTTP listeners of the prepared deployments will listen on."""
        ports = []
        for deployment in self.prepare():
            project = deployment.project
            for definition in project.inbound:
                if definition.http is not None and definition.http.port != 0:
                    host = definition.http.host or project.server.host
                    where = definition.location_of("http")
                    ports.append(
                        ListenerPort(host, definition.http.port, definition.name, project.name, where)
                    )
        return ports

    async def start(self) -> None:
        """Prepare (see :meth:`prepare`), start the home project's companions, then open and start the
        deployments and, with ``hot_deploy``, watch the hot deployment folder."""
        prepared = self.prepare()
        home = prepared[0].project
        try:
            for name, companion in home.companions.items():
                started = await start_companion(name, companion)
                if started is not None:
                    self._companions.append(started)
            await self.deployments.start(prepared)
        except BaseException:
            await self.aclose()
            raise
        self._shared.note_connectors()
        if self._watch_deploy_dir and home.coordination is not None and home.coordination.share_deployments:
            await self._follow_cluster(home)
        if self._hot_deploy and self._watch_deploy_dir:
            self._watch_deploy_folder(home)

    async def _follow_cluster(self, project: Project) -> None:
        """Share deployments through the coordination database: note this node's changes there, run
        what it names now (before serving; a database that cannot be reached is tried again later),
        then follow it."""
        assert project.coordination is not None
        node = project.coordination.node or self._shared.coordinators.node
        ledger = BundleLedger(project.coordination.dsn, node)
        self.deployments.ledger = ledger
        self._cluster = ClusterFollower(self.deployments, ledger)
        try:
            for change in await self._cluster.sync():
                _log.info("%s", change)
        except ledger.errors as exc:
            _log.warning("the bundle ledger cannot be read yet: %s", exc)
            await ledger.reset()
        self._hot_deploy_stop.clear()
        self._cluster_task = asyncio.create_task(self._cluster.run(self._hot_deploy_stop), name="cluster")
        self._cluster_task.add_done_callback(_report_watch_end)

    def out_of_step(self) -> list[str]:
        """Why versions that the other nodes (or, in a follower of several workers, the primary) run do
        not run here; empty when this server runs what they do."""
        behind = list(self.deployments.not_followed.values())
        return behind + ([] if self._cluster is None else list(self._cluster.failures.values()))

    def _watch_deploy_folder(self, project: Project) -> None:
        folder = Path(project.server.deploy_dir)
        watcher = HotDeployFolder(self.deployments, folder if folder.is_absolute() else self.home / folder)
        self._hot_deploy_stop.clear()
        self._hot_deploy_task = asyncio.create_task(watcher.run(self._hot_deploy_stop), name="hot-deploy")
        self._hot_deploy_task.add_done_callback(_report_watch_end)

    # changing ------------------------------------------------------------------------------------
    async def redeploy(self, root: Path | None = None) -> DeploymentInfo:
        """Load the project the server started with again from where it runs, or the project in
        ``root``, and make it active (connectors are looked for again); on ConfigError the running
        version keeps serving. Other projects are not touched."""
        if root is not None:
            return await self.deployments.deploy_folder(root)
        return await self.deployments.redeploy(self.deployments.home or "")

    async def reload(self) -> list[tuple[str, DeploymentInfo | InterlaceError]]:
        """Load every running project again (as SIGHUP asks): for each project, its new info or why it
        was refused (it keeps serving then)."""
        outcomes: list[tuple[str, DeploymentInfo | InterlaceError]] = []
        for name in self.deployments.running:
            try:
                outcomes.append((name, await self.deployments.redeploy(name)))
            except InterlaceError as exc:
                outcomes.append((name, exc))
        return outcomes

    # connections ---------------------------------------------------------------------------------
    async def test_connection(self, name: str) -> ConnectionPool:
        """Open connection ``name`` if needed and ping it; raises the connector's error when it fails,
        UnknownConnectionError when there is no such connection."""
        connections = self.artifacts.connections
        pool = connections.get(name)
        if pool is None:
            known = ", ".join(sorted(connections)) or "none"
            raise UnknownConnectionError(f"no connection named {name!r} (connections: {known})")
        await pool.test()
        return pool

    # message stores ------------------------------------------------------------------------------
    def _stores(self) -> dict[str, MessageStore]:
        return {name: store for d in self.deployments.running.values() for name, store in d.stores.items()}

    def message_store(self, name: str) -> MessageStore:
        """The open store ``name`` (for size, browse, get, delete, purge); UnknownStoreError if none."""
        stores = self._stores()
        store = stores.get(name)
        if store is None:
            known = ", ".join(sorted(stores)) or "none"
            raise UnknownStoreError(f"no message store named {name!r} (stores: {known})")
        return store

    async def replay_message(
        self,
        store: str,
        message_id: str,
        *,
        payload: bytes | None = None,
        content_type: str | None = None,
        into: str | None = None,
        new_id: bool = False,
    ) -> StoredMessage:
        """Move a message of ``store`` (a dead-letter store) back into its origin store (or ``into``),
        attempts cleared, optionally with a new payload; see :func:`interlace.processors.replay_message`."""
        return await replay_message(
            self.message_store(store),
            message_id,
            self._stores(),
            payload=payload,
            content_type=content_type,
            into=into,
            new_id=new_id,
        )

    # lifecycle -----------------------------------------------------------------------------------
    async def aclose(self) -> None:
        """Stop watching for bundles, stop every deployment (services first: messages in flight finish
        or go back; then stores and connections), the coordinators, the companions and the HTTP client;
        safe to call twice."""
        self._hot_deploy_stop.set()
        for watching in (self._hot_deploy_task, self._cluster_task):
            if watching is not None:
                try:
                    await asyncio.wait_for(asyncio.shield(watching), 5.0)
                except (TimeoutError, Exception):
                    watching.cancel()
        self._hot_deploy_task = self._cluster_task = None
        await self.deployments.aclose()
        ledger, self.deployments.ledger = self.deployments.ledger, None
        if ledger is not None:
            await ledger.aclose()
        await self._shared.coordinators.aclose()
        companions, self._companions = self._companions, []
        for companion in reversed(companions):
            try:
                await companion.aclose()
            except Exception:
                _log.exception("companion failed to stop cleanly")
        if self._owns_client:
            await self.client.aclose()

    async def __aenter__(self) -> Runtime:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()
