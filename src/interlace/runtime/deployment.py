"""Deployment: one running version of one project, built whole, then swapped in, then drained and closed.

A deployment holds what its version runs: the loaded project, its compiled artifacts, its open message
stores and (lazily opened) connections, and its background services. Its life, driven by
:class:`~interlace.runtime.deployments.Deployments` under the server's one deployment lock:

1. :func:`build_deployment` loads and compiles a folder (nothing is opened: a ConfigError leaves the
   server as it was);
2. :meth:`Deployment.open` opens its stores (a store whose definition the running version has too, with
   the same values, is shared rather than opened twice, so its messages and claims carry over);
3. the server's route table is swapped to include it, and :meth:`Deployment.start` starts its services
   (the previous version's stopped just before);
4. when replaced or undeployed, :meth:`Deployment.stop` stops its services, :meth:`Deployment.drain`
   waits for the HTTP requests it is answering (they finish on the artifacts they started with) up to
   the graceful timeout and cuts the others, and :meth:`Deployment.close` closes the stores its
   successor does not share and its connections.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from interlace.compiler.compile import Artifacts, compile_project
from interlace.compiler.in_flight import Drained
from interlace.compiler.stores import StoreFactory
from interlace.model.load import Project, load_project
from interlace.model.store import StoreDefinition
from interlace.processors import UnknownStoreError
from interlace.runtime.services import DeploymentServices
from interlace.runtime.shared import Shared
from interlace.services import HeldServices
from interlace.stores import MessageStore

__all__ = ["Deployment", "build_deployment"]

_log = logging.getLogger("interlace.runtime")


@dataclass(frozen=True, slots=True)
class _OpenStore:
    options: Any  # the definition's values, to tell whether the next version changed the store
    store: MessageStore


class Deployment:
    """One version of one project (see the module docstring). Made by :func:`build_deployment`; its
    methods run on the runtime's event loop, in the order the module docstring gives."""

    def __init__(self, project: Project, artifacts: Artifacts, shared: Shared) -> None:
        self.project = project
        self.artifacts = artifacts
        self._shared = shared
        self._stores: dict[str, _OpenStore] = {}
        self._services: DeploymentServices | None = None
        self.activated_at: float | None = None
        """When it started serving (seconds since the epoch); None until then."""

    @property
    def name(self) -> str:
        return self.project.name

    @property
    def version(self) -> str:
        return self.project.version

    @property
    def root(self) -> Path:
        """The folder it was loaded from (a deployed bundle's folder, or a project folder)."""
        return self.project.root

    @property
    def services(self) -> DeploymentServices:
        """Its background services; RuntimeError before :meth:`start`."""
        if self._services is None:
            raise RuntimeError(f"deployment {self.name} {self.version} has not been started")
        return self._services

    @property
    def stores(self) -> Mapping[str, MessageStore]:
        """Its open message stores by name."""
        return {name: entry.store for name, entry in self._stores.items()}

    def message_store(self, name: str) -> MessageStore:
        """The open store ``name``; UnknownStoreError when it has none of that name."""
        entry = self._stores.get(name)
        if entry is None:
            known = ", ".join(sorted(self._stores)) or "none"
            raise UnknownStoreError(f"no message store named {name!r} (stores: {known})")
        return entry.store

    def _store_options(self, name: str) -> tuple[Any, MessageStore] | None:
        entry = self._stores.get(name)
        return None if entry is None else (entry.options, entry.store)

    async def open(self, previous: Deployment | None) -> None:
        """Open its stores, except those shared with ``previous`` (open already); on failure the ones
        opened here are closed again and the error raised."""
        shared = set() if previous is None else {id(entry.store) for entry in previous._stores.values()}
        definitions = {definition.name: definition for definition in self.project.stores}
        fresh: list[MessageStore] = []
        try:
            for name, store in self.artifacts.stores.items():
                if id(store) not in shared:
                    await store.open()
                    fresh.append(store)
                self._stores[name] = _OpenStore(definitions[name].model_dump(), store)
        except BaseException:
            await _close_stores(fresh)
            self._stores = {}
            raise

    def start(self, held: HeldServices) -> None:
        """Start its services (those an operator deactivated in ``held`` stay off) and note the time."""
        shared = self._shared
        server = self.project.server
        self._services = shared.services(
            self.name,
            self.artifacts,
            server.graceful_timeout,
            shared.coordinators.coordinator(self.project.coordination),
            held,
        )
        self._services.start()
        self.activated_at = shared.clock()

    async def stop(self) -> None:
        """Stop its services gracefully; safe to call twice, and before :meth:`start`."""
        if self._services is not None:
            await self._services.stop()

    async def hand_over(self) -> None:
        """Stop its coordinated services, giving their leases to another node (the server stops)."""
        if self._services is not None:
            await self._services.hand_over()

    async def drain(self) -> Drained:
        """Wait for the HTTP requests its resources are answering, up to its ``[server]
        graceful-timeout``, then cut those still running; logs how many finished and were cut."""
        timeout = self.project.server.graceful_timeout
        drained = await self.artifacts.in_flight.drain(timeout)
        if drained.cut:
            _log.warning(
                "%s %s: %d of %d requests in flight did not finish within %gs and were cut",
                self.name,
                self.version,
                drained.cut,
                drained.waited_for,
                timeout,
            )
        elif drained.finished:
            _log.info("%s %s: %d requests in flight finished", self.name, self.version, drained.finished)
        return drained

    async def close(self, successor: Deployment | None = None) -> None:
        """Close the stores ``successor`` does not share, and its connections; safe to call twice."""
        kept = set() if successor is None else {id(entry.store) for entry in successor._stores.values()}
        stores, self._stores = self._stores, {}
        await _close_stores([entry.store for entry in stores.values() if id(entry.store) not in kept])
        for pool in self.artifacts.connections.values():
            try:
                await pool.aclose()
            except Exception:
                _log.exception("connection %s failed to close cleanly", pool.name)


def build_deployment(
    folder: Path, shared: Shared, running: Callable[[str], Deployment | None] = lambda name: None
) -> Deployment:
    """Load and compile the project in ``folder`` into a deployment, nothing opened; ConfigError lists
    every problem. Stores whose definitions the running version of the same project (``running`` finds
    it by project name) has with the same values are taken over from it."""
    project = load_project(folder, shared.profile, shared.env)
    previous = running(project.name)
    artifacts = compile_project(
        project,
        shared.client,
        _stores_for(shared, previous),
        shared.connectors,
        shared.http_dispatch,
        shared.metrics,
    )
    for pool in artifacts.connections.values():
        pool.token_store = shared.token_store
    return Deployment(project, artifacts, shared)


def _stores_for(shared: Shared, previous: Deployment | None) -> StoreFactory:
    """A factory that hands back the open store of an unchanged definition, else makes a new one
    (keeping its files in the server's own state folder, so versions share their messages)."""
    make = shared.stores

    def factory(definition: StoreDefinition) -> MessageStore:
        current = previous._store_options(definition.name) if previous is not None else None
        if current is not None and current[0] == definition.model_dump():
            return current[1]
        if make is not None:
            return make(definition)
        from interlace.stores.factory import build_store

        return build_store(definition, project_root=shared.home)

    return factory


async def _close_stores(stores: list[MessageStore]) -> None:
    for store in stores:
        try:
            await store.aclose()
        except Exception:
            _log.exception("message store %s failed to close cleanly", store.name)
