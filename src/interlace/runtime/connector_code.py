"""Connector code: a connector package upgraded while the server runs is used from the next deployment.

The registry imports each connector's package once; a package upgraded in place (``pip install -U``)
would keep serving its old code, already imported. Before the registry looks for connectors again, the
modules of every package whose installed version changed since it was loaded are removed from the
import system, so the registry imports the new version; deployments already running keep the code they
were built with. Python cannot unload a compiled extension module: a package with one imported keeps its
old code until the server restarts, and the upgrade says so.
"""

from __future__ import annotations

import importlib.machinery
import importlib.metadata
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass

from interlace.sdk import ConnectorRegistry

__all__ = ["ConnectorCode", "ConnectorUpgrade", "compiled_files", "installed_version"]

_BUILT_IN = "interlace"


@dataclass(frozen=True, slots=True)
class ConnectorUpgrade:
    """A connector whose package changed version since this process loaded it. ``stuck`` names the
    compiled modules that kept the old code loaded (empty: the new version is used)."""

    connector: str
    distribution: str
    loaded: str
    installed: str
    stuck: tuple[str, ...] = ()

    @property
    def message(self) -> str:
        if not self.stuck:
            return f"connector {self.connector} {self.installed} is used from now on (was {self.loaded})"
        return (
            f"connector {self.connector} {self.installed} is installed, but this server still runs "
            f"{self.loaded}: Python cannot unload the compiled modules it imported already "
            f"({', '.join(self.stuck)}); restart the server to use {self.installed}"
        )


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def installed_version(distribution: str) -> str | None:
    """The version of ``distribution`` installed now (read from disk), or None when it is not."""
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def compiled_files(distribution: str) -> list[str]:
    """The compiled extension modules among ``distribution``'s files (what Python cannot unload)."""
    try:
        files = importlib.metadata.distribution(distribution).files or []
    except importlib.metadata.PackageNotFoundError:
        return []
    suffixes = tuple(importlib.machinery.EXTENSION_SUFFIXES)
    return sorted(str(file) for file in files if str(file).endswith(suffixes))


def _top_level(distribution: str) -> list[str]:
    wanted = _normal(distribution)
    return sorted(
        package
        for package, owners in importlib.metadata.packages_distributions().items()
        if any(_normal(owner) == wanted for owner in owners)
    )


def _imported(top_level: list[str]) -> list[str]:
    return [
        name
        for name in list(sys.modules)
        if any(name == top or name.startswith(top + ".") for top in top_level)
    ]


def _compiled(module_name: str) -> bool:
    module = sys.modules.get(module_name)
    loader = getattr(getattr(module, "__spec__", None), "loader", None)
    return isinstance(loader, importlib.machinery.ExtensionFileLoader)


class ConnectorCode:
    """The installed version of each connector package as this process loaded it. Used by one runtime
    from its event loop, before it compiles a deployment. ``compiled`` tells whether an imported module
    (by name) is a compiled extension, which Python cannot unload."""

    def __init__(self, compiled: Callable[[str], bool] = _compiled) -> None:
        self._loaded: dict[str, tuple[str, str]] = {}
        """By connector name: its distribution and the version of it this process imported."""
        self._is_compiled = compiled

    def note(self, registry: ConnectorRegistry) -> None:
        """Remember the versions of the packages of the connectors ``registry`` has imported (those not
        remembered yet)."""
        for entry in registry.imported():
            if entry.connector.name not in self._loaded:
                version = installed_version(entry.distribution)
                if version is not None:
                    self._loaded[entry.connector.name] = (entry.distribution, version)

    def refresh(self, registry: ConnectorRegistry) -> list[ConnectorUpgrade]:
        """Unload the code of upgraded packages (where Python can), then let ``registry`` look for
        connectors again (RegistryError as :meth:`ConnectorRegistry.refresh`); returns the upgrades."""
        upgrades: list[ConnectorUpgrade] = []
        for connector, (distribution, loaded) in sorted(self._loaded.items()):
            installed = installed_version(distribution)
            if distribution == _BUILT_IN or installed is None or installed == loaded:
                continue
            modules = _imported(_top_level(distribution))
            stuck = tuple(name for name in modules if self._is_compiled(name))
            if not stuck:
                for name in modules:
                    del sys.modules[name]
            upgrades.append(ConnectorUpgrade(connector, distribution, loaded, installed, stuck))
        registry.refresh()
        for upgrade in upgrades:
            if not upgrade.stuck:
                self._loaded[upgrade.connector] = (upgrade.distribution, upgrade.installed)
        self.note(registry)
        return upgrades
