"""Deployments: the projects a server runs side by side, and every change of what runs.

The server runs one :class:`~interlace.runtime.deployment.Deployment` per project name. Deploying a
bundle, redeploying a folder, rolling back and undeploying change one project and never touch another;
one lock serializes every change (the management API, the hot deployment folder and SIGHUP all come
here). A change builds the new deployment whole, checks that it claims nothing another project holds
(:mod:`~interlace.runtime.claims`) and that its APIs fit in the server's route table, then swaps it in
(stopping the old version's services first) and lets the old version drain and close.

A bundle is verified (:func:`~interlace.runtime.bundles.read_bundle`) and unpacked into
``.interlace/deployments/NAME/VERSION/`` under the server's home; a bundle whose project has problems is
refused with them (its folder removed) and the running version keeps serving. Earlier versions stay
unpacked for :meth:`Deployments.rollback` until removed. The activation history
(:mod:`~interlace.runtime.history`) records which version became active when.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Final

from interlace.compiler.compile import Artifacts, installed_connectors
from interlace.compiler.diagnostics import format_problem
from interlace.compiler.in_flight import Drained
from interlace.errors import ConfigError
from interlace.routing import ApiRoutes, RouteConflict
from interlace.runtime.bundles import Manifest, read_bundle
from interlace.runtime.claims import conflicts
from interlace.runtime.deployment import Deployment, build_deployment
from interlace.runtime.errors import DeploymentConflictError, DeploymentRefusedError, UnknownDeploymentError
from interlace.runtime.history import History
from interlace.runtime.ledger import BundleLedger
from interlace.runtime.served import serve_together
from interlace.runtime.shared import Shared
from interlace.runtime.sources import ProjectSources
from interlace.runtime.token_store import STATE_DIR
from interlace.runtime.versions import DeploymentInfo, Versions, manifest_of, remove_version_folder, unpack
from interlace.sdk import RegistryError, UnknownConnectorError
from interlace.services import HeldServices

__all__ = [
    "DEPLOYMENTS_DIR",
    "DeploymentConflictError",
    "DeploymentInfo",
    "DeploymentRefusedError",
    "Deployments",
    "UnknownDeploymentError",
]

DEPLOYMENTS_DIR: Final = "deployments"
"""Under the home's ``.interlace/``: ``NAME/VERSION/`` per deployed bundle, and ``history.json``."""
_log = logging.getLogger("interlace.runtime")


def _drain_notes(deployment: Deployment, drained: Drained) -> list[str]:
    """What a change answers about the requests the replaced ``deployment`` had in flight."""
    if not drained.waited_for:
        return []
    note = f"{deployment.version} finished {drained.finished} of its {drained.waited_for} requests in flight"
    return [note + (f"; {drained.cut} were cut" if drained.cut else "")]


def _problems_of(exc: ConfigError) -> list[str]:
    problems = list(exc.detail) if isinstance(exc.detail, list) else [exc]
    return [format_problem(problem) for problem in problems]


def _refused(name: str, version: str, exc: ConfigError, notes: list[str]) -> DeploymentRefusedError:
    problems = _problems_of(exc)
    count = len(problems)
    lines = "\n".join([*problems, *notes])
    return DeploymentRefusedError(
        f"{name} {version} was refused ({count} problem{'s' if count != 1 else ''}); "
        f"the running version keeps serving:\n{lines}",
        detail=[*problems, *notes],
    )


class Deployments:
    """The deployments of one server by project name (see the module docstring). Every method runs on
    the runtime's event loop; changes are serialized, reads are snapshots."""

    def __init__(self, shared: Shared) -> None:
        self._shared = shared
        self._lock = asyncio.Lock()
        self.folder = shared.home / STATE_DIR / DEPLOYMENTS_DIR
        self.history = History(self.folder, shared.clock)
        self._versions = Versions(self.folder, self.history, lambda: self._running)
        self._running: dict[str, Deployment] = {}
        self._held: dict[str, HeldServices] = {}
        self._served: Artifacts | None = None
        self.home: str | None = None
        """The name of the project the server started with; it names the served view."""
        self.server_ports: dict[int, str] = {}
        """The ports the server itself listens on (its HTTP APIs, its management API), by what listens
        there: no project's inbound listener may take them."""
        self.on_change: Callable[[], Awaitable[None]] | None = None
        """Called after each change of what runs (a deploy, rollback, undeploy, version removed): the
        primary of several workers tells its followers to :meth:`follow`, and waits until they did."""
        self.sources = ProjectSources(self, shared)
        """The project folders the deployments run from, read and edited (the console's builder)."""
        self.not_followed: dict[str, str] = {}
        """Why :meth:`follow` could not run a version the history names, by project name (a follower
        of several workers reports them to the primary, whose readiness says so)."""
        self.ledger: BundleLedger | None = None
        """Where the nodes sharing the home project's coordination database note the bundles they run
        (None: this server runs by itself); each change made here is noted there."""

    # reading ------------------------------------------------------------------------------------
    @property
    def running(self) -> Mapping[str, Deployment]:
        """The running deployments by project name, in the order they were first deployed."""
        return dict(self._running)

    @property
    def served(self) -> Artifacts | None:
        """Every running deployment's artifacts in one view, with the combined route table (None before
        the first deployment); replaced whole on every change."""
        return self._served

    def active(self, name: str) -> Deployment:
        """The running deployment of project ``name``; UnknownDeploymentError when none runs."""
        deployment = self._running.get(name)
        if deployment is None:
            known = ", ".join(self._running) or "none"
            raise UnknownDeploymentError(f"no deployment named {name!r} (deployments: {known})")
        return deployment

    def versions(self) -> list[DeploymentInfo]:
        """Every known version of every project (running or kept for rollback), by name, oldest
        activation first."""
        return self._versions.all()

    def versions_of(self, name: str) -> list[DeploymentInfo]:
        """The versions of ``name``; UnknownDeploymentError when there is none."""
        return self._versions.of(name)

    def info(self, deployment: Deployment) -> DeploymentInfo:
        """What :meth:`versions` says of a running deployment."""
        return self._versions.info(deployment)

    def restorable(self) -> list[Path]:
        """The bundle folders a restarted server serves again (see :meth:`Versions.restorable`)."""
        return self._versions.restorable()

    # changing -----------------------------------------------------------------------------------
    async def deploy(self, data: bytes, *, share: bool = True) -> DeploymentInfo:
        """Verify, unpack and activate the bundle in ``data``. BundleError when the bundle is not what
        its manifest says, DeploymentRefusedError when its project has problems,
        DeploymentConflictError when that version is already deployed with other content or the project
        claims what another one holds; in each case nothing changes. With a :attr:`ledger`, the bundle
        is noted there for the other nodes (``share`` False: the change came from there)."""
        bundle = await asyncio.to_thread(read_bundle, data)
        async with self._lock:
            target = self.folder / bundle.name / bundle.version
            created = await asyncio.to_thread(unpack, bundle, target)
            try:
                deployment, notes = self._build(target, rescan=True, manifest=bundle.manifest)
                if deployment.name != bundle.name:
                    raise DeploymentConflictError(
                        f"the bundle {bundle.name} {bundle.version} holds project {deployment.name}: "
                        "rebuild it with interlace build"
                    )
                drained = await self._activate(deployment)
            except BaseException:
                if created:
                    await asyncio.to_thread(remove_version_folder, target)
                raise
            _log.info("deployed bundle %s %s", bundle.name, bundle.version)
            if share:
                notes += await self._share(lambda ledger: ledger.publish(bundle.name, bundle.version, data))
        await self._changed()
        return self._noted(deployment, notes, drained)

    async def deploy_folder(self, folder: Path, *, rescan: bool = True) -> DeploymentInfo:
        """Load the project in ``folder`` and make it its project's active version (a new project runs
        beside the others). ConfigError with every problem, DeploymentConflictError as :meth:`deploy`;
        the running version keeps serving then. ``rescan`` looks for installed connectors again."""
        async with self._lock:
            deployment, notes = self._build(folder, rescan=rescan)
            drained = await self._activate(deployment)
        await self._changed()
        return self._noted(deployment, notes, drained)

    async def redeploy(self, name: str) -> DeploymentInfo:
        """Load project ``name`` again from where it runs (connectors are looked for again); ConfigError
        when it has problems now (it keeps serving), UnknownDeploymentError when it does not run."""
        async with self._lock:
            deployment, notes = self._build(self.active(name).root, rescan=True)
            drained = await self._activate(deployment)
            _log.info("redeployed %s %s", deployment.name, deployment.version)
            return self._noted(deployment, notes, drained)

    async def rollback(self, name: str) -> DeploymentInfo:
        """Activate the version of ``name`` that was active before the current one. UnknownDeploymentError
        when ``name`` does not run here; DeploymentConflictError when it has no earlier version left."""
        async with self._lock:
            current = self.active(name)
            chosen = self.history.before(name, current.version)
            if chosen is None:
                raise DeploymentConflictError(f"{name} has no earlier version to roll back to")
            deployment, notes = self._build(
                Path(chosen.source), rescan=True, manifest=manifest_of(Path(chosen.source))
            )
            drained = await self._activate(deployment, record=False)
            self.history.step_back(name, chosen)
            _log.info("rolled %s back to %s", name, chosen.version)
            notes += await self._share_rollback(name, chosen.version)
        await self._changed()
        return self._noted(deployment, notes, drained)

    async def undeploy(self, name: str, *, share: bool = True) -> DeploymentInfo:
        """Stop project ``name`` and remove it: its deployed bundles and its history go, the other
        projects keep running. UnknownDeploymentError when it does not run here. With a
        :attr:`ledger`, every node stops it (``share`` False: the change came from there)."""
        async with self._lock:
            deployment = self.active(name)
            info = self.info(deployment)
            drained = await self._retire(name)
            self._count(name, "undeployed")
            self._held.pop(name, None)
            await asyncio.to_thread(shutil.rmtree, self.folder / name, True)
            self.history.forget(name)
            _log.info("undeployed %s %s", name, deployment.version)
            notes = await self._share(lambda ledger: ledger.undeploy(name)) if share else []
        await self._changed()
        return replace(info, active=False, notes=(*_drain_notes(deployment, drained), *notes))

    async def remove_version(self, name: str, version: str) -> DeploymentInfo:
        """Remove deployed version ``version`` of ``name``; UnknownDeploymentError when there is none,
        DeploymentConflictError when it is active (roll back or deploy another version first) or is a
        project folder rather than a deployed bundle."""
        async with self._lock:
            versions = {info.version: info for info in self.versions_of(name)}
            info = versions.get(version)
            if info is None:
                raise UnknownDeploymentError(
                    f"{name} has no version {version!r} (versions: {', '.join(versions)})"
                )
            if info.active:
                raise DeploymentConflictError(
                    f"{name} {version} is active: roll back or deploy another version before removing it"
                )
            if not info.bundle:
                raise DeploymentConflictError(f"{name} {version} is a project folder, not a deployed bundle")
            await asyncio.to_thread(remove_version_folder, info.source)
            self.history.forget(name, version)
            _log.info("removed %s %s", name, version)
            await self._share(lambda ledger: ledger.remove(name, version))
        await self._changed()
        return info

    async def start(self, deployments: list[Deployment]) -> None:
        """Open and start deployments built beforehand (a server starting); after the first, one that
        claims what an earlier one holds, or fails to open, is logged and left out."""
        async with self._lock:
            for position, deployment in enumerate(deployments):
                try:
                    await self._activate(deployment)
                except Exception as exc:
                    if position == 0:
                        raise
                    _log.error("%s %s is not served: %s", deployment.name, deployment.version, exc)

    def build(self, folder: Path) -> Deployment:
        """Load and compile ``folder`` against what runs now, nothing opened (see :meth:`start`)."""
        deployment, _ = self._build(folder, rescan=False)
        return deployment

    async def hand_over(self) -> None:
        """Stop every deployment's coordinated services, so other nodes take them over while this
        server finishes its requests in flight (it is stopping)."""
        async with self._lock:
            for deployment in reversed(list(self._running.values())):
                await deployment.hand_over()

    async def aclose(self) -> None:
        """Stop every deployment (services first, in reverse order) and close them; safe to call twice."""
        async with self._lock:
            running, self._running = self._running, {}
            self._served = None
            for deployment in reversed(list(running.values())):
                await deployment.stop()
            for deployment in reversed(list(running.values())):
                await deployment.close()

    async def follow(self) -> list[str]:
        """Run what the deployment history names, as another process of this server (the primary of
        several workers) left it: each project's last activated version is built and swapped in when
        another one runs here, and a project the history no longer names is stopped (its files are
        the other process's to remove). Writes nothing; returns one line per change. A version that
        does not build is logged and the running one keeps serving."""
        changes: list[str] = []
        async with self._lock:
            self.history = History(self.folder, self._shared.clock)
            self._versions = Versions(self.folder, self.history, lambda: self._running)
            wanted = {entry.name: Path(entry.source) for entry in self.history.entries}
            for name, source in wanted.items():
                running = self._running.get(name)
                if running is not None and running.root.resolve() == source.resolve():
                    continue
                try:
                    deployment, _ = self._build(source, rescan=True, manifest=manifest_of(source))
                    await self._activate(deployment, record=False)
                except (ConfigError, DeploymentConflictError, DeploymentRefusedError) as exc:
                    _log.error("cannot follow %s to %s: %s", name, source, exc)
                    self.not_followed[name] = f"{name} from {source}: {exc.message}"
                    continue
                self.not_followed.pop(name, None)
                changes.append(f"{name} {deployment.version} is active")
            for name in [name for name in self.not_followed if name not in wanted]:
                del self.not_followed[name]
            for name in [name for name in self._running if name not in wanted]:
                deployment = self._running[name]
                await self._retire(name)
                changes.append(f"{name} {deployment.version} is undeployed")
        return changes

    async def _retire(self, name: str) -> Drained:
        """Stop serving project ``name`` here: out of the route table, services stopped, requests in
        flight drained, then closed (its files stay)."""
        deployment = self._running[name]
        others = {key: d for key, d in self._running.items() if key != name}
        self._served = self._serve(others)
        self._running = others
        await deployment.stop()
        drained = await deployment.drain()
        await deployment.close()
        return drained

    async def _share(self, change: Callable[[BundleLedger], Awaitable[object]]) -> list[str]:
        """Note a change made here in the :attr:`ledger`; a note for the answer when it could not be."""
        ledger = self.ledger
        if ledger is None:
            return []
        try:
            await change(ledger)
        except ledger.errors as exc:
            _log.error("the change is not shared with the other nodes: %s", exc)
            await ledger.reset()
            return [f"this node only: the change could not be noted in the coordination database ({exc})"]
        return []

    async def _share_rollback(self, name: str, version: str) -> list[str]:
        ledger = self.ledger
        if ledger is None:
            return []
        try:
            known = await ledger.has(name, version)
        except ledger.errors:
            known = False
        if not known:
            return [f"this node only: {name} {version} was not deployed as a bundle through the cluster"]
        return await self._share(lambda ledger: ledger.publish(name, version, None))

    async def _changed(self) -> None:
        if self.on_change is not None:
            await self.on_change()

    # helpers ------------------------------------------------------------------------------------
    def _build(
        self, folder: Path, *, rescan: bool, manifest: Manifest | None = None
    ) -> tuple[Deployment, list[str]]:
        """The deployment of ``folder`` and the notes for its answer; ConfigError (for a bundle:
        DeploymentRefusedError) with every problem."""
        upgrades = self._shared.refresh_connectors() if rescan else []
        notes = [*self._version_notes(manifest), *(upgrade.message for upgrade in upgrades)]
        try:
            deployment = build_deployment(folder, self._shared, self._running.get)
        except ConfigError as exc:
            self._count(manifest.name if manifest is not None else folder.name, "refused")
            stuck = [upgrade.message for upgrade in upgrades if upgrade.stuck]
            if manifest is not None:
                raise _refused(manifest.name, manifest.version, exc, [*notes]) from exc
            if stuck:
                raise ConfigError(f"{exc.message}\n" + "\n".join(stuck), detail=exc.detail) from exc
            raise
        self._shared.note_connectors()
        return deployment, notes

    def _count(self, project: str, outcome: str) -> None:
        if self._shared.metrics is not None:
            self._shared.metrics.deployment(project, outcome)

    async def _activate(self, candidate: Deployment, *, record: bool = True) -> list[str]:
        """Swap ``candidate`` in; the notes on the requests the version it replaced had in flight."""
        try:
            drained = await self._swap_in(candidate, record=record)
        except Exception:
            self._count(candidate.name, "refused")
            raise
        self._count(candidate.name, "deployed")
        return drained

    async def _swap_in(self, candidate: Deployment, *, record: bool) -> list[str]:
        name = candidate.name
        previous = self._running.get(name)
        others = [d for key, d in self._running.items() if key != name]
        clashes = conflicts(candidate.project, [d.project for d in others], self.server_ports)
        if clashes:
            raise DeploymentConflictError(
                f"{name} {candidate.version} was refused; the running projects keep serving:\n"
                + "\n".join(clashes),
                detail=clashes,
            )
        if self.home is None:
            self.home = name
        lineup = dict(self._running)
        lineup[name] = candidate
        served = self._serve(lineup)
        await candidate.open(previous)
        if previous is not None:
            await previous.stop()
        self._running, self._served = lineup, served
        if name not in self._held:  # read once per project, kept from one version to the next
            self._held[name] = HeldServices.of_project(self._shared.home / STATE_DIR, name)
        candidate.start(self._held[name])
        drained: list[str] = []
        if previous is not None:
            drained = _drain_notes(previous, await previous.drain())
            await previous.close(candidate)
        if record:
            self.history.record(name, candidate.version, candidate.root)
        _log.info("%s %s is active (%d APIs)", name, candidate.version, len(candidate.artifacts.apis))
        return drained

    def _serve(self, lineup: Mapping[str, Deployment]) -> Artifacts:
        home = lineup.get(self.home or "")
        version = home.version if home is not None else ""
        try:
            return serve_together(self.home or "", version, [d.artifacts for d in lineup.values()])
        except RouteConflict as exc:
            owners = {api.name: d.name for d in lineup.values() for api in d.artifacts.apis}
            first, second = exc.first, exc.second
            assert isinstance(first, ApiRoutes) and isinstance(second, ApiRoutes)
            path = "/".join(part for part in (first.context.rstrip("/"), first.version or "") if part)
            raise DeploymentConflictError(
                f"API {second.name!r} of {owners.get(second.name)} and API {first.name!r} of "
                f"{owners.get(first.name)} are both served at {path or '/'}: give one of them another "
                "context or version"
            ) from exc

    def _noted(self, deployment: Deployment, notes: list[str], drained: list[str]) -> DeploymentInfo:
        """The answer to a change: ``notes`` (logged here as warnings) and the notes on the replaced
        version's requests (``drained``, logged by the drain)."""
        for note in notes:
            _log.warning("%s %s: %s", deployment.name, deployment.version, note)
        return replace(self.info(deployment), notes=(*notes, *drained))

    def _version_notes(self, manifest: Manifest | None) -> list[str]:
        """Connectors installed here in another version than the bundle was built with (a missing one is
        a problem the compiler reports)."""
        if manifest is None:
            return []
        registry = self._shared.connectors or installed_connectors()
        notes = []
        for needed in manifest.connectors:
            try:
                installed = registry.get(needed.name).version
            except (UnknownConnectorError, RegistryError):
                continue
            if needed.version and installed != needed.version:
                notes.append(
                    f"{manifest.name} {manifest.version} was built with connector {needed.name} "
                    f"{needed.version}; {installed} is installed here"
                )
        return notes
