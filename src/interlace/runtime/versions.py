"""Versions: what a server knows of each project's versions (running, unpacked for rollback, in the
activation history), and the unpacked bundles' folders.

Bundles are unpacked into ``.interlace/deployments/NAME/VERSION/`` under the server's home, atomically
(a partial folder renamed into place); the same version unpacked again with the same content is reused.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import orjson

from interlace.errors import InterlaceError
from interlace.runtime.bundles import MANIFEST, Bundle, Manifest
from interlace.runtime.deployment import Deployment
from interlace.runtime.errors import DeploymentConflictError, UnknownDeploymentError
from interlace.runtime.history import History

__all__ = ["DeploymentInfo", "Versions", "manifest_of", "remove_version_folder", "unpack"]


@dataclass(frozen=True, slots=True)
class DeploymentInfo:
    """A version of a project. ``bundle`` is False for a project folder (such as the one the server
    started with); ``deployed_at`` is when it last became active (seconds since the epoch; None: never
    here); ``notes`` say what the change found worth knowing (connectors upgraded, or not)."""

    name: str
    version: str
    active: bool
    bundle: bool
    source: Path
    created: str | None
    deployed_at: float | None
    notes: tuple[str, ...] = ()


class Versions:
    """The versions known in ``folder`` (the deployments folder) and ``history``; ``running`` gives the
    running deployments by project name. Reads only: snapshots of the moment."""

    def __init__(
        self, folder: Path, history: History, running: Callable[[], Mapping[str, Deployment]]
    ) -> None:
        self.folder = folder
        self._history = history
        self._running = running

    def all(self) -> list[DeploymentInfo]:
        """Every known version of every project (running or kept for rollback), by name, oldest
        activation first."""
        found: dict[tuple[str, str], DeploymentInfo] = {}
        for activation in self._history.entries:
            source = Path(activation.source)
            if source.is_dir():
                key = (activation.name, activation.version)
                found[key] = self._info(*key, source)
        for deployment in self._running().values():
            found[(deployment.name, deployment.version)] = self.info(deployment)
        if self.folder.is_dir():
            for manifest in sorted(self.folder.glob(f"*/*/{MANIFEST}")):
                source = manifest.parent
                key = (source.parent.name, source.name)
                if key not in found:
                    found[key] = self._info(*key, source)
        return sorted(found.values(), key=lambda info: (info.name, info.deployed_at or 0.0, info.version))

    def of(self, name: str) -> list[DeploymentInfo]:
        """The versions of ``name``; UnknownDeploymentError when there is none."""
        every = self.all()
        versions = [info for info in every if info.name == name]
        if not versions:
            known = ", ".join(sorted({info.name for info in every})) or "none"
            raise UnknownDeploymentError(f"no deployment named {name!r} (deployments: {known})")
        return versions

    def info(self, deployment: Deployment) -> DeploymentInfo:
        """What :meth:`all` says of a running deployment."""
        return self._info(deployment.name, deployment.version, deployment.root.resolve())

    def restorable(self) -> list[Path]:
        """The bundle folders a restarted server serves again: the version each project had last, when
        it was a deployed bundle that is still there."""
        folders: list[Path] = []
        for name in dict.fromkeys(activation.name for activation in self._history.entries):
            last = self._history.last(name)
            if last is not None and self.is_bundle(Path(last.source)):
                folders.append(Path(last.source))
        return folders

    def is_bundle(self, source: Path) -> bool:
        """Whether ``source`` is an unpacked bundle's folder (rather than a project folder)."""
        return _same(source.parent.parent, self.folder) and (source / MANIFEST).is_file()

    def _info(self, name: str, version: str, source: Path) -> DeploymentInfo:
        running = self._running().get(name)
        active = running is not None and running.version == version and _same(running.root, source)
        manifest = manifest_of(source) if self.is_bundle(source) else None
        return DeploymentInfo(
            name,
            version,
            active,
            manifest is not None,
            source,
            manifest.created if manifest is not None else None,
            running.activated_at if active and running is not None else self._history.at(name, version),
        )


def unpack(bundle: Bundle, target: Path) -> bool:
    """Unpack ``bundle`` into ``target``; False when the same content is there already (deployed
    before); DeploymentConflictError when other content is."""
    if target.exists():
        existing = manifest_of(target)
        if existing is not None and existing.files == bundle.manifest.files:
            return False
        raise DeploymentConflictError(
            f"{bundle.name} {bundle.version} is already deployed with other content: give the bundle a "
            "new version (or remove that one first)"
        )
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    bundle.extract(partial)
    partial.replace(target)
    return True


def manifest_of(folder: Path) -> Manifest | None:
    """The manifest of an unpacked bundle's folder; None for a project folder (or an unreadable one)."""
    try:
        return Manifest.from_json(orjson.loads((folder / MANIFEST).read_bytes()))
    except (OSError, orjson.JSONDecodeError, InterlaceError):
        return None


def remove_version_folder(target: Path) -> None:
    """Remove a version's folder, and its project's folder when no other version is left in it."""
    shutil.rmtree(target, ignore_errors=True)
    with contextlib.suppress(OSError):
        target.parent.rmdir()


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False
