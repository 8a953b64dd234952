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

from interlace.errors import did_you_mean
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
    """The installed connectors by name, loaded from ``entry_points()`` on first use and on :meth:`refresh`.

    Reads are safe from any task: a refresh builds the new table and swaps it in whole, and keeps the old
    one if the new installation is inconsistent. Lookups of unknown names raise
    :class:`~interlace.sdk.UnknownConnectorError` with a did-you-mean hint.
    """

    def __init__(self, entry_points: Callable[[], Iterable[EntryPointLike]] = installed_entry_points) -> None:
        self._entry_points = entry_points
        self._table: Mapping[str, RegisteredConnector] | None = None

    def refresh(self) -> None:
        """Scan the entry points again, to pick up connectors installed or removed since the last scan.

        :class:`~interlace.sdk.RegistryError` if two packages register the same name or an entry point
        does not load a :class:`~interlace.sdk.Connector` (every problem in ``detail``); the previous
        table stays in use. A package upgraded in place keeps its already imported code until a restart.
        """
        table: dict[str, RegisteredConnector] = {}
        problems: list[str] = []
        for entry_point in self._entry_points():
            registered, problem = _load(entry_point)
            if problem is not None:
                problems.append(problem)
            elif registered is not None:
                name = registered.connector.name
                existing = table.get(name)
                if existing is not None and existing.connector is not registered.connector:
                    problems.append(
                        f"connector {name!r} is registered by two packages: {existing.distribution}"
                        f" ({existing.entry_point}) and {registered.distribution} ({registered.entry_point});"
                        " uninstall one of them"
                    )
                else:
                    table[name] = registered
        if problems:
            summary = (
                problems[0] if len(problems) == 1 else f"{len(problems)} problems: " + "; ".join(problems)
            )
            raise RegistryError(f"the installed connectors cannot be used: {summary}", detail=problems)
        self._table = MappingProxyType(dict(sorted(table.items())))

    def _loaded(self) -> Mapping[str, RegisteredConnector]:
        if self._table is None:
            self.refresh()
        assert self._table is not None
        return self._table

    def names(self) -> list[str]:
        """The installed connectors' names, sorted."""
        return list(self._loaded())

    def entries(self) -> list[RegisteredConnector]:
        """Every installed connector with its package, sorted by name."""
        return list(self._loaded().values())

    def get(self, name: str) -> Connector:
        """The connector called ``name``."""
        return self.entry(name).connector

    def entry(self, name: str) -> RegisteredConnector:
        """The connector called ``name`` with its package."""
        table = self._loaded()
        if name in table:
            return table[name]
        hint = did_you_mean(name, table)
        if hint is None:
            hint = f"installed: {', '.join(table)}" if table else "no connector is installed"
        raise UnknownConnectorError(f"no connector {name!r} is installed", hint=hint)

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


def _load(entry_point: EntryPointLike) -> tuple[RegisteredConnector | None, str | None]:
    distribution = entry_point.dist.name if entry_point.dist is not None else "an unknown package"
    where = f"entry point {entry_point.name!r} = {entry_point.value!r} of {distribution}"
    try:
        loaded = entry_point.load()
    except Exception as exc:  # a broken third-party package must not hide the others' problems
        return None, f"{where} failed to load: {type(exc).__name__}: {exc}"
    if not isinstance(loaded, Connector):
        return None, f"{where} must name a Connector object (got {type(loaded).__name__})"
    if loaded.name != entry_point.name:
        return (
            None,
            f"{where} names connector {loaded.name!r}; the entry point must be called {loaded.name!r}",
        )
    return RegisteredConnector(loaded, distribution, f"{entry_point.name} = {entry_point.value}"), None
