"""Runtime: owns what a running project needs (the pooled HTTP client, companions, the open message
stores, the processors' tasks, the scheduled tasks and inbound endpoints, the active deployment) and
swaps deployments atomically.

Requests read ``runtime.artifacts`` once when they start, so a redeploy never changes the flow under a
request in flight: old requests finish on the old artifacts, new ones get the new. A store whose
definition did not change stays open across a redeploy (its messages and its claims stay too);
processors are stopped gracefully and started again from the new deployment. Tasks and inbound
endpoints start after the processors and stop before them (their messages in flight finish first).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from interlace.compiler.compile import Artifacts, compile_project, installed_connectors
from interlace.compiler.stores import StoreFactory
from interlace.connections import ConnectionPool
from interlace.endpoints import HttpClient
from interlace.errors import ConfigError, InterlaceError
from interlace.inbound import HttpDispatch, InboundRunner
from interlace.model.load import Project, load_project
from interlace.model.store import StoreDefinition
from interlace.processors import (
    ProcessorState,
    ProcessorSupervisor,
    UnknownStoreError,
    replay_message,
    wait_or_stop,
)
from interlace.runtime.companions import Companion, start_companion
from interlace.runtime.deployments import Deployments
from interlace.runtime.hotdeploy import HotDeployFolder
from interlace.runtime.token_store import STATE_DIR, LazyTokenStore
from interlace.sdk import ConnectorRegistry, RegistryError
from interlace.stores import MessageStore, StoredMessage

__all__ = ["Runtime", "UnknownConnectionError"]

_log = logging.getLogger("interlace.runtime")


@dataclass(frozen=True, slots=True)
class _OpenStore:
    options: Any  # the definition's values, to tell whether a redeploy changed the store
    store: MessageStore


def _new_store(definition: StoreDefinition, root: Path) -> MessageStore:
    from interlace.stores.factory import build_store

    return build_store(definition, project_root=root)


class UnknownConnectionError(InterlaceError):
    """No connection of that name in the active deployment."""

    code = "NOT_FOUND"
    status = 404


def _report_watch_end(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        _log.error("the hot deployment folder is no longer watched", exc_info=task.exception())


async def _close_connections(artifacts: Artifacts) -> None:
    for pool in artifacts.connections.values():
        await pool.aclose()


class Runtime:
    """A project running under a profile. Use ``async with Runtime(...)`` or ``start()`` / ``aclose()``.

    ``env`` replaces the process environment for ``${env.X}`` (tests and embedding pass their own);
    ``stores`` makes message stores from their definitions (default: the store kind the definition
    names); ``connectors`` is where connector operations are found (default: the installed ones);
    ``http_dispatch`` makes the request handlers of inbound HTTP listeners (the HTTP transport's);
    ``hot_deploy`` watches the ``[server] deploy-dir`` folder for bundles while it runs.
    Connections are opened on first use and closed when their deployment is replaced or stopped;
    rotated OAuth2 refresh tokens are kept encrypted in the project's ``.interlace/`` folder.
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
    ) -> None:
        self.root = Path(root)
        """Where the active deployment was loaded from (a deployed bundle's folder after a deploy)."""
        self.home = self.root
        """The server's own folder, fixed: its ``.interlace/`` state and new stores' files live here."""
        self._connectors = connectors
        self._token_store = LazyTokenStore(self.home / STATE_DIR, env)
        self.profile = profile
        self.env = env
        self.client = client or HttpClient()
        self._owns_client = client is None
        self._store_factory = stores
        self._companions: list[Companion] = []
        self._artifacts: Artifacts | None = None
        self._open: dict[str, _OpenStore] = {}
        self._supervisor = ProcessorSupervisor({})
        self._deactivated: set[str] = set()
        self._http_dispatch = http_dispatch
        self.inbound = InboundRunner(wait_or_stop)
        """The deployment's tasks and inbound endpoints: their states, activation and ``trigger_task``."""
        self.project: Project | None = None
        self.deployments = Deployments(self, connectors=connectors)
        """Deployed bundles: deploy, rollback, undeploy, versions."""
        self._hot_deploy = hot_deploy
        self._hot_deploy_stop = asyncio.Event()
        self._hot_deploy_task: asyncio.Task[None] | None = None

    @property
    def artifacts(self) -> Artifacts:
        """The active deployment; raises RuntimeError before ``start()``."""
        if self._artifacts is None:
            raise RuntimeError("the runtime has not been started")
        return self._artifacts

    async def start(self) -> None:
        """Load, compile and activate the project (ConfigError lists every problem), open its message
        stores, start the profile's companions, then the processors."""
        project = load_project(self.root, self.profile, self.env)
        artifacts = self._compile(project)
        if self._hot_deploy:
            project, artifacts = self._restore_deployment(project, artifacts)
        self._open = await self._open_stores(project, artifacts)
        self._artifacts, self.project = artifacts, project
        try:
            for name, companion in project.companions.items():
                started = await start_companion(name, companion)
                if started is not None:
                    self._companions.append(started)
        except BaseException:
            await self.aclose()
            raise
        self._start_processors(project, artifacts)
        await self._start_inbound(project, artifacts)
        if self._hot_deploy:
            self._watch_deploy_dir(project)
        _log.info("deployed %s %s (%d APIs)", project.name, project.version, len(artifacts.apis))

    def _restore_deployment(self, project: Project, artifacts: Artifacts) -> tuple[Project, Artifacts]:
        """After a restart, serve the bundle that was active before it (deployed over the started
        folder), when there is one and it still compiles; otherwise the started folder."""
        folder = self.deployments.restorable(project.name)
        if folder is None or folder.resolve() == self.root.resolve():
            return project, artifacts
        try:
            restored = load_project(folder, self.profile, self.env)
            restored_artifacts = self._compile(restored)
        except ConfigError as exc:
            _log.warning(
                "the last deployed version in %s no longer loads; serving %s: %s", folder, self.root, exc
            )
            return project, artifacts
        _log.info(
            "serving %s %s again, as deployed before the restart (%s)",
            restored.name,
            restored.version,
            folder,
        )
        self.root = folder
        return restored, restored_artifacts

    def _watch_deploy_dir(self, project: Project) -> None:
        folder = Path(project.server.deploy_dir)
        watcher = HotDeployFolder(self.deployments, folder if folder.is_absolute() else self.home / folder)
        self._hot_deploy_stop.clear()
        self._hot_deploy_task = asyncio.create_task(watcher.run(self._hot_deploy_stop), name="hot-deploy")
        self._hot_deploy_task.add_done_callback(_report_watch_end)

    async def redeploy(self, root: Path | None = None) -> Artifacts:
        """Reload and recompile the project (or load the one at ``root``, which then becomes the runtime's
        ``root``) and make it active; on ConfigError the old one keeps running.

        Processors stop gracefully before the swap and start again after it; stores that the new
        deployment no longer has (or has changed) are closed after the swap.
        """
        project = load_project(self.root if root is None else root, self.profile, self.env)
        artifacts = self._compile(project, rescan=True)
        opened = await self._open_stores(project, artifacts)
        await self.inbound.stop()
        await self._supervisor.aclose()
        previous, self._open = self._open, opened
        previous_artifacts = self._artifacts
        self._artifacts, self.project = artifacts, project
        self.root = project.root
        self._start_processors(project, artifacts)
        await self._start_inbound(project, artifacts)
        kept = {id(entry.store) for entry in opened.values()}
        await self._close_stores([entry.store for entry in previous.values() if id(entry.store) not in kept])
        if previous_artifacts is not None:
            await _close_connections(previous_artifacts)
        _log.info("redeployed %s %s", project.name, project.version)
        return artifacts

    # processors ----------------------------------------------------------------------------------
    def processor_states(self) -> list[ProcessorState]:
        """Every processor of the active deployment: status, counts and last error."""
        return self._supervisor.states()

    def processor_state(self, name: str) -> ProcessorState:
        """One processor's state; UnknownProcessorError when there is none of that name."""
        return self._supervisor.state(name)

    async def activate_processor(self, name: str) -> ProcessorState:
        """Run processor ``name`` (also after a failure deactivated it); it stays active across redeploys."""
        state = await self._supervisor.activate(name)
        self._deactivated.discard(name)
        return state

    async def deactivate_processor(self, name: str) -> ProcessorState:
        """Stop processor ``name`` gracefully; it stays inactive across redeploys until activated."""
        state = await self._supervisor.deactivate(name)
        self._deactivated.add(name)
        return state

    # connections ---------------------------------------------------------------------------------
    async def test_connection(self, name: str) -> ConnectionPool:
        """Open connection ``name`` if needed and ping it; raises the connector's error when it fails,
        UnknownConnectionError when there is no such connection."""
        pool = self.artifacts.connections.get(name)
        if pool is None:
            known = ", ".join(sorted(self.artifacts.connections)) or "none"
            raise UnknownConnectionError(f"no connection named {name!r} (connections: {known})")
        await pool.test()
        return pool

    # message stores ------------------------------------------------------------------------------
    def message_store(self, name: str) -> MessageStore:
        """The open store ``name`` (for size, browse, get, delete, purge); UnknownStoreError if none."""
        entry = self._open.get(name)
        if entry is None:
            known = ", ".join(sorted(self._open)) or "none"
            raise UnknownStoreError(f"no message store named {name!r} (stores: {known})")
        return entry.store

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
        stores = {name: entry.store for name, entry in self._open.items()}
        return await replay_message(
            self.message_store(store),
            message_id,
            stores,
            payload=payload,
            content_type=content_type,
            into=into,
            new_id=new_id,
        )

    # lifecycle -----------------------------------------------------------------------------------
    async def aclose(self) -> None:
        """Stop processors (in-flight messages finish or go back), close stores, stop companions and
        close the HTTP client; safe to call twice. Inbound endpoints and tasks stop first (releasing their
        leases), so no new message starts while the rest shuts down."""
        watching, self._hot_deploy_task = self._hot_deploy_task, None
        if watching is not None:
            self._hot_deploy_stop.set()
            try:
                await asyncio.wait_for(asyncio.shield(watching), 5.0)
            except (TimeoutError, Exception):
                watching.cancel()
        await self.inbound.aclose()
        await self._supervisor.aclose()
        stores, self._open = self._open, {}
        await self._close_stores([entry.store for entry in stores.values()])
        if self._artifacts is not None:
            await _close_connections(self._artifacts)
        companions, self._companions = self._companions, []
        for companion in reversed(companions):
            try:
                await companion.aclose()
            except Exception:
                _log.exception("companion failed to stop cleanly")
        if self._owns_client:
            await self.client.aclose()

    def _compile(self, project: Project, *, rescan: bool = False) -> Artifacts:
        connectors = self._connectors
        if connectors is None and rescan:
            # Connectors added or removed since the last deployment are found again.
            try:
                installed_connectors().refresh()
            except RegistryError as exc:
                raise ConfigError(
                    f"the installed connectors cannot be loaded: {exc.message}", detail=exc.detail
                ) from exc
        artifacts = compile_project(
            project, self.client, self._stores_for(project), connectors, self._http_dispatch
        )
        for pool in artifacts.connections.values():
            pool.token_store = self._token_store
        return artifacts

    def _stores_for(self, project: Project) -> StoreFactory:
        """A factory that hands back the open store of an unchanged definition, else makes a new one."""
        make = self._store_factory

        def factory(definition: StoreDefinition) -> MessageStore:
            current = self._open.get(definition.name)
            if current is not None and current.options == definition.model_dump():
                return current.store
            return make(definition) if make is not None else _new_store(definition, self.home)

        return factory

    async def _open_stores(self, project: Project, artifacts: Artifacts) -> dict[str, _OpenStore]:
        """The deployment's stores, opened (those already open are kept); on failure the ones opened
        here are closed again and the error raised."""
        already = {id(entry.store) for entry in self._open.values()}
        definitions = {definition.name: definition for definition in project.stores}
        opened: dict[str, _OpenStore] = {}
        fresh: list[MessageStore] = []
        try:
            for name, store in artifacts.stores.items():
                if id(store) not in already:
                    await store.open()
                    fresh.append(store)
                opened[name] = _OpenStore(definitions[name].model_dump(), store)
        except BaseException:
            await self._close_stores(fresh)
            raise
        return opened

    def _start_processors(self, project: Project, artifacts: Artifacts) -> None:
        timeout = project.server.graceful_timeout
        self._supervisor = ProcessorSupervisor(artifacts.processors, graceful_timeout=timeout)
        self._supervisor.start(keep_inactive=self._deactivated)

    async def _start_inbound(self, project: Project, artifacts: Artifacts) -> None:
        timeout = project.server.graceful_timeout
        await self.inbound.deploy(
            project.name, artifacts.tasks, artifacts.inbound, project.coordination, timeout
        )

    @staticmethod
    async def _close_stores(stores: list[MessageStore]) -> None:
        for store in stores:
            try:
                await store.aclose()
            except Exception:
                _log.exception("message store %s failed to close cleanly", store.name)

    async def __aenter__(self) -> Runtime:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()
