"""ConnectorRegistry: the installed connectors, found through the entry point group ``interlace.connectors``.

A package registers a connector in its ``pyproject.toml``::

    [project.entry-points."interlace.connectors"]
    redis = "interlace_redis:connector"

Built-in connectors are registered the same way by Interlace's own package. The source of entry points is
injected, so tests (and embedders) pass their own.
"""

from __future__ import annotations

import importlib
import importlib.metadata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final, Protocol

from interlace.errors import did_you_mean, missing_library
from interlace.sdk.connector import Connector
from interlace.sdk.errors import RegistryError, UnknownConnectorError
from interlace.sdk.operation import OperationSpec
from interlace.sdk.trigger import TriggerSpec

__all__ = [
    "ENTRY_POINT_GROUP",
    "ConnectorRegistry",
    "EntryPointLike",
    "RegisteredConnector",
    "installed_entry_points",
]

ENTRY_POINT_GROUP: Final = "interlace.connectors"


class _DistributionLike(Protocol):
    @property
    def name(self) -> str: ...


class EntryPointLike(Protocol):
    """What the registry reads of an entry point (``importlib.metadata.EntryPoint`` is one)."""

    @property
    def name(self) -> str: ...

    @property
    def value(self) -> str: ...

    @property
    def dist(self) -> _DistributionLike | None: ...

    def load(self) -> object: ...


def installed_entry_points() -> list[EntryPointLike]:
    """The entry points of the installed distributions, read afresh (newly installed packages included)."""
    importlib.invalidate_caches()
    return list(importlib.metadata.entry_points(group=ENTRY_POINT_GROUP))


@dataclass(frozen=True, slots=True)
class RegisteredConnector:
    """An installed connector and where it came from: the distribution (package) and the entry point."""

    connector: Connector
    distribution: str
    entry_point: str


class ConnectorRegistry:
    """The installed connectors by name: entry points scanned on first use and on :meth:`refresh`, and
    each connector's code imported when it is first asked for (a server imports the connectors its
    projects use, not every one installed).

    Reads are safe from any task: a refresh builds the new table and swaps it in whole, and keeps the old
    one if the new installation is inconsistent. Lookups of unknown names raise
    :class:`~interlace.sdk.UnknownConnectorError` with a did-you-mean hint; a connector whose code does
    not load raises :class:`~interlace.sdk.RegistryError` (with the package extra to install when a
    library it needs is missing).
    """

    def __init__(self, entry_points: Callable[[], Iterable[EntryPointLike]] = installed_entry_points) -> None:
        self._entry_points = entry_points
        self._table: Mapping[str, EntryPointLike] | None = None
        self._imported: dict[str, RegisteredConnector] = {}

    def refresh(self) -> None:
        """Scan the entry points again, to pick up connectors installed or removed since the last scan.

        :class:`~interlace.sdk.RegistryError` if two packages register the same name (every problem in
        ``detail``); the previous table stays in use. Connectors are imported again at their next use: a
        package upgraded in place keeps its already imported code unless its modules were unloaded.
        """
        table: dict[str, EntryPointLike] = {}
        problems: list[str] = []
        for entry_point in self._entry_points():
            existing = table.get(entry_point.name)
            if existing is None:
                table[entry_point.name] = entry_point
            elif (_distribution(existing), existing.value) != (_distribution(entry_point), entry_point.value):
                problems.append(
                    f"connector {entry_point.name!r} is registered by two packages: {_distribution(existing)}"
                    f" ({_written(existing)}) and {_distribution(entry_point)} ({_written(entry_point)});"
                    " uninstall one of them"
                )
        if problems:
            summary = (
                problems[0] if len(problems) == 1 else f"{len(problems)} problems: " + "; ".join(problems)
            )
            raise RegistryError(f"the installed connectors cannot be used: {summary}", detail=problems)
        self._table = MappingProxyType(dict(sorted(table.items())))
        self._imported = {}

    def _scanned(self) -> Mapping[str, EntryPointLike]:
        if self._table is None:
            self.refresh()
        assert self._table is not None
        return self._table

    def names(self) -> list[str]:
        """The installed connectors' names, sorted (no connector's code is imported)."""
        return list(self._scanned())

    def entries(self) -> list[RegisteredConnector]:
        """Every installed connector with its package, sorted by name: imports every one.
        :class:`~interlace.sdk.RegistryError` lists every connector that does not load."""
        entries, problems = self.load_all()
        if problems:
            listed = list(problems.values())
            summary = listed[0] if len(listed) == 1 else f"{len(listed)} problems: " + "; ".join(listed)
            raise RegistryError(f"the installed connectors cannot be used: {summary}", detail=listed)
        return entries

    def load_all(self) -> tuple[list[RegisteredConnector], dict[str, str]]:
        """Every installed connector that loads, sorted by name, and why each other one does not (by
        name): what a listing shows when some connector's client library is not installed."""
        entries: list[RegisteredConnector] = []
        problems: dict[str, str] = {}
        for name in self._scanned():
            try:
                entries.append(self.entry(name))
            except RegistryError as exc:
                problems[name] = exc.message
        return entries, problems

    def imported(self) -> list[RegisteredConnector]:
        """The connectors imported so far (since the last refresh), sorted by name."""
        return [self._imported[name] for name in sorted(self._imported)]

    def get(self, name: str) -> Connector:
        """The connector called ``name``."""
        return self.entry(name).connector

    def entry(self, name: str) -> RegisteredConnector:
        """The connector called ``name`` with its package, imported at its first use."""
        imported = self._imported.get(name)
        if imported is not None:
            return imported
        table = self._scanned()
        if name not in table:
            hint = did_you_mean(name, table)
            if hint is None:
                hint = f"installed: {', '.join(table)}" if table else "no connector is installed"
            raise UnknownConnectorError(f"no connector {name!r} is installed", hint=hint)
        registered = _load(table[name])
        self._imported[name] = registered
        return registered

    def operation(self, qualified: str) -> OperationSpec:
        """The operation written ``connector.operation`` in a flow (``"gmail.sendMail"``)."""
        connector, name = _split(qualified, "operation")
        return self.get(connector).get_operation(name)

    def trigger(self, qualified: str) -> TriggerSpec:
        """The trigger written ``connector.trigger`` in an inbound endpoint."""
        connector, name = _split(qualified, "trigger")
        return self.get(connector).get_trigger(name)


def _split(qualified: str, kind: str) -> tuple[str, str]:
    connector, dot, name = qualified.partition(".")
    if not dot or not connector or not name:
        raise UnknownConnectorError(
            f"a connector {kind} is written 'connector.{kind}' (got {qualified!r})",
            hint="for example 'gmail.sendMail'" if kind == "operation" else None,
        )
    return connector, name


def _distribution(entry_point: EntryPointLike) -> str:
    return entry_point.dist.name if entry_point.dist is not None else "an unknown package"


def _written(entry_point: EntryPointLike) -> str:
    return f"{entry_point.name} = {entry_point.value}"


def _extras(entry_point: EntryPointLike) -> list[str]:
    """The optional extras the entry point's package declares (``Provides-Extra``), when it says."""
    metadata = getattr(entry_point.dist, "metadata", None)
    get_all = getattr(metadata, "get_all", None)
    return [str(extra) for extra in (get_all("Provides-Extra") or [])] if callable(get_all) else []


def _missing_library(entry_point: EntryPointLike, exc: ModuleNotFoundError) -> RegistryError:
    """A connector whose package is installed without the library it needs: name the extra to install."""
    distribution = _distribution(entry_point)
    if entry_point.name in _extras(entry_point):
        install = f"pip install '{distribution}[{entry_point.name}]'"
    else:
        install = f"pip install --force-reinstall {distribution} (with its dependencies)"
    library = exc.name or str(exc)
    return RegistryError(missing_library(f"connector {entry_point.name!r}", library, install))


def _load(entry_point: EntryPointLike) -> RegisteredConnector:
    distribution = _distribution(entry_point)
    where = f"entry point {entry_point.name!r} = {entry_point.value!r} of {distribution}"
    try:
        loaded = entry_point.load()
    except ModuleNotFoundError as exc:
        raise _missing_library(entry_point, exc) from exc
    except Exception as exc:  # a broken third-party package: say which, whatever it raised
        raise RegistryError(f"{where} failed to load: {type(exc).__name__}: {exc}") from exc
    if not isinstance(loaded, Connector):
        raise RegistryError(f"{where} must name a Connector object (got {type(loaded).__name__})")
    if loaded.name != entry_point.name:
        raise RegistryError(
            f"{where} names connector {loaded.name!r}; the entry point must be called {loaded.name!r}"
        )
    return RegisteredConnector(loaded, distribution, _written(entry_point))
