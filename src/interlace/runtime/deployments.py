"""Deployments: bundles deployed into a running runtime, their versions, rollback and undeploy.

A bundle is verified (:func:`~interlace.runtime.bundles.read_bundle`), unpacked into
``.interlace/deployments/NAME/VERSION/`` under the runtime's home, then loaded, compiled and swapped in
with :meth:`Runtime.redeploy`: requests in flight finish on the old version, new ones get the new. A
bundle whose project has problems is refused with them (its folder is removed) and the running version
keeps serving. Earlier versions stay unpacked for :meth:`Deployments.rollback` until undeployed.

The activation history (``history.json`` beside the versions) records which version became active when;
rolling back steps back along it. The project folder the server started with appears in it too, so a
rollback can return to it; only bundles can be undeployed. One deployment change runs at a time.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import orjson

from interlace.compiler.compile import installed_connectors
from interlace.compiler.diagnostics import format_problem
from interlace.errors import ConfigError, InterlaceError
from interlace.runtime.bundles import MANIFEST, Bundle, Manifest, read_bundle
from interlace.runtime.token_store import STATE_DIR
from interlace.sdk import ConnectorRegistry, RegistryError, UnknownConnectorError

if TYPE_CHECKING:
    from interlace.runtime.runtime import Runtime

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
_HISTORY: Final = "history.json"
_log = logging.getLogger("interlace.runtime")


class DeploymentRefusedError(InterlaceError):
    """The bundle's project has problems (listed in the message and in ``detail``): fix and rebuild it.
    Nothing changed: the running version keeps serving."""

    code = "DEPLOYMENT_REFUSED"
    status = 422


class UnknownDeploymentError(InterlaceError):
    """No deployment of that name (or version)."""

    code = "NOT_FOUND"
    status = 404


class DeploymentConflictError(InterlaceError):
    """The change does not apply now (undeploying the active version, a version deployed with other
    content, no earlier version to roll back to)."""

    code = "CONFLICT"
    status = 409


@dataclass(frozen=True, slots=True)
class DeploymentInfo:
    """A deployed version. ``bundle`` is False for the project folder the server started with;
    ``deployed_at`` is when it last became active (seconds since the epoch; None: never here)."""

    name: str
    version: str
    active: bool
    bundle: bool
    source: Path
    created: str | None
    deployed_at: float | None


@dataclass(frozen=True, slots=True)
class _Activation:
    name: str
    version: str
    source: str
    at: float


def _refused(bundle: Bundle, exc: ConfigError) -> DeploymentRefusedError:
    problems = list(exc.detail) if isinstance(exc.detail, list) else [exc]
    lines = "\n".join(format_problem(problem) for problem in problems)
    count = len(problems)
    return DeploymentRefusedError(
        f"{bundle.name} {bundle.version} was refused ({count} problem{'s' if count != 1 else ''}); "
        f"the running version keeps serving:\n{lines}",
        detail=[format_problem(problem) for problem in problems],
    )


class Deployments:
    """The deployments of ``runtime`` (see the module docstring). Every method runs on the runtime's
    event loop; changes are serialized, reads are snapshots. ``clock`` gives wall-clock seconds."""

    def __init__(
        self,
        runtime: Runtime,
        clock: Callable[[], float] = time.time,
        connectors: ConnectorRegistry | None = None,
    ) -> None:
        self._runtime = runtime
        self._connectors = connectors
        self._clock = clock
        self._lock = asyncio.Lock()
        self.folder = runtime.home / STATE_DIR / DEPLOYMENTS_DIR
        self._history: list[_Activation] | None = None

    # reading ------------------------------------------------------------------------------------
    def versions(self) -> list[DeploymentInfo]:
        """Every deployed version (and the started project folder), by name, oldest activation first."""
        history = self._noted()
        found: dict[tuple[str, str], DeploymentInfo] = {}
        for activation in history:
            source = Path(activation.source)
            if source.is_dir():
                found[(activation.name, activation.version)] = self._info(
                    activation.name, activation.version, source
                )
        if self.folder.is_dir():
            for manifest in sorted(self.folder.glob(f"*/*/{MANIFEST}")):
                source = manifest.parent
                key = (source.parent.name, source.name)
                if key not in found:
                    found[key] = self._info(*key, source)
        return sorted(found.values(), key=lambda info: (info.name, info.deployed_at or 0.0, info.version))

    def restorable(self, name: str) -> Path | None:
        """The folder of the bundle last activated for project ``name``, when it is still there: what a
        restarted server serves again (None when the started project folder itself was last active)."""
        history = self._history if self._history is not None else self._load()
        self._history = history
        ours = [activation for activation in history if activation.name == name]
        if not ours:
            return None
        source = Path(ours[-1].source)
        inside = _same(source.parent.parent, self.folder)
        return source if inside and source.is_dir() and (source / MANIFEST).is_file() else None

    def versions_of(self, name: str) -> list[DeploymentInfo]:
        """The versions of ``name``; UnknownDeploymentError when there is none."""
        versions = [info for info in self.versions() if info.name == name]
        if not versions:
            known = ", ".join(sorted({info.name for info in self.versions()})) or "none"
            raise UnknownDeploymentError(f"no deployment named {name!r} (deployments: {known})")
        return versions

    # changing -----------------------------------------------------------------------------------
    async def deploy(self, data: bytes) -> DeploymentInfo:
        """Verify, unpack and activate the bundle in ``data``. BundleError when the bundle is not what
        its manifest says, DeploymentRefusedError when its project has problems, DeploymentConflictError
        when that version is already deployed with other content; in each case the running version
        keeps serving."""
        bundle = await asyncio.to_thread(read_bundle, data)
        async with self._lock:
            self._noted()
            target = self.folder / bundle.name / bundle.version
            created = await asyncio.to_thread(self._unpack, bundle, target)
            self._check_connectors(bundle.manifest)
            try:
                await self._runtime.redeploy(target)
            except BaseException as exc:
                if created:
                    await asyncio.to_thread(shutil.rmtree, target, True)
                if isinstance(exc, ConfigError):
                    raise _refused(bundle, exc) from exc
                raise
            self._record(bundle.name, bundle.version, target)
            _log.info("deployed bundle %s %s", bundle.name, bundle.version)
            return self._info(bundle.name, bundle.version, target)

    async def rollback(self, name: str) -> DeploymentInfo:
        """Activate the version of ``name`` that was active before the current one.
        UnknownDeploymentError when ``name`` was never deployed here; DeploymentConflictError when it is
        not the active project or has no earlier version left."""
        async with self._lock:
            history = self._noted()
            self.versions_of(name)
            active = self._runtime.project
            if active is None or active.name != name:
                raise DeploymentConflictError(
                    f"{name} is not the active deployment (active: {active.name if active else 'none'}): "
                    "only the active project can be rolled back"
                )
            ours = [i for i, a in enumerate(history) if a.name == name]
            current = history[ours[-1]]
            earlier = [
                i for i in ours[:-1] if history[i].version != current.version and _exists(history[i].source)
            ]
            if not earlier:
                raise DeploymentConflictError(f"{name} has no earlier version to roll back to")
            chosen = earlier[-1]
            previous = history[chosen]
            await self._runtime.redeploy(Path(previous.source))
            # Step back along the history: what came after the version restored leaves it.
            history[:] = [a for i, a in enumerate(history) if i < chosen or a.name != name]
            self._record(previous.name, previous.version, Path(previous.source))
            _log.info("rolled %s back to %s", name, previous.version)
            return self._info(previous.name, previous.version, Path(previous.source))

    async def undeploy(self, name: str, version: str) -> DeploymentInfo:
        """Remove deployed version ``version`` of ``name``; UnknownDeploymentError when there is none,
        DeploymentConflictError when it is active (roll back or deploy another version first) or is the
        project folder the server started with."""
        async with self._lock:
            history = self._noted()
            versions = {info.version: info for info in self.versions_of(name)}
            info = versions.get(version)
            if info is None:
                known = ", ".join(versions)
                raise UnknownDeploymentError(f"{name} has no version {version!r} (versions: {known})")
            if info.active:
                raise DeploymentConflictError(
                    f"{name} {version} is active: roll back or deploy another version before undeploying it"
                )
            if not info.bundle:
                raise DeploymentConflictError(f"{name} {version} is a project folder, not a deployed bundle")
            await asyncio.to_thread(shutil.rmtree, info.source, True)
            history[:] = [a for a in history if (a.name, a.version) != (name, version)]
            self._save()
            _log.info("undeployed bundle %s %s", name, version)
            return info

    # helpers ------------------------------------------------------------------------------------
    def _info(self, name: str, version: str, source: Path) -> DeploymentInfo:
        runtime = self._runtime
        project = runtime.project
        active = project is not None and (project.name, project.version) == (name, version)
        active = active and _same(runtime.root, source)
        created = None
        manifest = source / MANIFEST
        bundle = _same(source.parent.parent, self.folder) and manifest.is_file()
        if bundle:
            try:
                created = Manifest.from_json(orjson.loads(manifest.read_bytes())).created
            except (OSError, orjson.JSONDecodeError, InterlaceError):
                created = None
        moments = [a.at for a in self._history or [] if (a.name, a.version) == (name, version)]
        return DeploymentInfo(
            name, version, active, bundle, source, created, moments[-1] if moments else None
        )

    def _noted(self) -> list[_Activation]:
        """The history, loaded, with the running project added when it is not its last entry."""
        if self._history is None:
            self._history = self._load()
        project = self._runtime.project
        if project is not None:
            last = self._history[-1] if self._history else None
            root = self._runtime.root
            if (
                last is None
                or (last.name, last.version) != (project.name, project.version)
                or not _same(Path(last.source), root)
            ):
                self._record(project.name, project.version, root)
        return self._history

    def _record(self, name: str, version: str, source: Path) -> None:
        assert self._history is not None
        self._history.append(_Activation(name, version, str(source.resolve()), self._clock()))
        self._save()

    def _load(self) -> list[_Activation]:
        try:
            raw: Any = orjson.loads((self.folder / _HISTORY).read_bytes())
            return [
                _Activation(str(a["name"]), str(a["version"]), str(a["source"]), float(a["at"])) for a in raw
            ]
        except FileNotFoundError:
            return []
        except (OSError, orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            _log.warning("the deployment history in %s cannot be read; starting a new one", self.folder)
            return []

    def _save(self) -> None:
        assert self._history is not None
        self.folder.mkdir(parents=True, exist_ok=True)
        data = [{"name": a.name, "version": a.version, "source": a.source, "at": a.at} for a in self._history]
        partial = self.folder / f".{_HISTORY}.partial"
        partial.write_bytes(orjson.dumps(data, option=orjson.OPT_INDENT_2))
        partial.replace(self.folder / _HISTORY)

    @staticmethod
    def _unpack(bundle: Bundle, target: Path) -> bool:
        """Unpack into ``target``; False when the same content is there already (deployed before)."""
        manifest = target / MANIFEST
        if target.exists():
            try:
                existing = Manifest.from_json(orjson.loads(manifest.read_bytes()))
            except (OSError, orjson.JSONDecodeError, InterlaceError):
                existing = None
            if existing is not None and existing.files == bundle.manifest.files:
                return False
            raise DeploymentConflictError(
                f"{bundle.name} {bundle.version} is already deployed with other content: give the bundle a "
                "new version (or undeploy that one first)"
            )
        partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
        shutil.rmtree(partial, ignore_errors=True)
        bundle.extract(partial)
        partial.replace(target)
        return True

    def _check_connectors(self, manifest: Manifest) -> None:
        """Warn about connectors installed in another version than the bundle was built with (a missing
        one is a problem the compiler reports)."""
        try:
            registry = self._connectors or installed_connectors()
            for needed in manifest.connectors:
                try:
                    installed = registry.get(needed.name).version
                except UnknownConnectorError:
                    continue
                if needed.version and installed != needed.version:
                    _log.warning(
                        "bundle %s %s was built with connector %s %s; %s is installed here",
                        manifest.name,
                        manifest.version,
                        needed.name,
                        needed.version,
                        installed,
                    )
        except RegistryError:
            return


def _exists(folder: str) -> bool:
    return Path(folder).is_dir()


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False
