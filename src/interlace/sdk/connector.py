"""Connector: an installable package's connection type, operations and triggers, as one object.

::

    async def push(conn: RedisConnection, key: Annotated[str, Param("List to append to.")]) -> int:
        \"\"\"Append to a list; return its new length.\"\"\"

    connector = Connector(
        "redis", version="1.0.0", connection=RedisConnection, description="...",
        operations=[push, ("set", set_value)], triggers=[("stream", consume_stream)],
    )

The lists name the operations and triggers explicitly, in the order the reference shows them (a
``(name, function)`` pair names one apart from its function); the decorators ``@connector.operation``
and ``@connector.trigger`` add more while a module is imported.

The package exposes the object through the entry point group ``interlace.connectors``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar, overload

from pydantic import TypeAdapter
from pydantic.json_schema import JsonSchemaMode

from interlace.errors import did_you_mean
from interlace.sdk._schema import object_schema
from interlace.sdk.authorization import AuthorizationCodeGrant
from interlace.sdk.connection import Connection, ConnectionConfig
from interlace.sdk.errors import UnknownConnectorError
from interlace.sdk.operation import OperationFunction, OperationSpec, build_operation_spec
from interlace.sdk.trigger import TriggerFunction, TriggerSpec, build_trigger_spec

__all__ = ["ConnectionOperations", "Connector", "Declared"]

Declared = Callable[..., Any] | tuple[str, Callable[..., Any]]
"""An operation or trigger function, or ``(name, function)`` to name it apart from its function."""

ConnectionOperations = Callable[[Any, Path], Mapping[str, OperationSpec]]
"""The operations a connection's settings define (the ``openapi`` connector's come from the description
its connection names): called with the validated settings and the project's folder, which relative
paths in the settings are relative to. It raises :class:`~interlace.sdk.ConnectorError` when the
settings cannot define any (a missing or invalid file)."""

_OperationT = TypeVar("_OperationT", bound=OperationFunction)
_TriggerT = TypeVar("_TriggerT", bound=TriggerFunction)
_NAME = re.compile(r"^[a-z][a-z0-9_-]*$")
_JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


class Connector:
    """A connector: its name in flows, version, connection class, operations and triggers.

    Operations and triggers are added by the decorators while the connector's module is imported; after
    that the object is only read, and is safe to share. ``pool_size`` ``None`` means one
    :class:`~interlace.sdk.Connection` object serves all concurrent operations; a number means the runtime
    keeps up to that many and gives each to one operation at a time (see ``Connection``).
    ``authorization`` declares the OAuth2 authorization code grant its users run to authorize an
    account (``interlace connection authorize``); operations name the scopes they need.
    ``connection_operations`` gives the operations that a connection's settings define, besides the
    declared ones (see :data:`ConnectionOperations`); the compiler asks it for an operation it does not
    declare, with the settings of the flow's connection, so those are checked at load time too.
    """

    def __init__(
        self,
        name: str,
        *,
        version: str,
        connection: type[Connection[Any]],
        description: str = "",
        pool_size: int | None = None,
        authorization: AuthorizationCodeGrant | None = None,
        operations: Iterable[Declared] = (),
        triggers: Iterable[Declared] = (),
        connection_operations: ConnectionOperations | None = None,
    ) -> None:
        if not _NAME.match(name):
            raise TypeError(f"a connector name is lowercase letters, digits, '-' and '_' (got {name!r})")
        if not (isinstance(connection, type) and issubclass(connection, Connection)):
            raise TypeError(
                f"connector {name}: connection must be a Connection subclass (got {connection!r})"
            )
        if getattr(connection, "config_class", None) is None:
            raise TypeError(
                f"connector {name}: {connection.__name__} must name its settings class:"
                f" class {connection.__name__}(Connection[MyConfig])"
            )
        if pool_size is not None and pool_size < 1:
            raise TypeError(f"connector {name}: pool_size must be >= 1 or None (got {pool_size})")
        self.name = name
        self.version = version
        self.connection = connection
        self.description = description
        self.pool_size = pool_size
        self.authorization = authorization
        self.connection_operations = connection_operations
        self._operations: dict[str, OperationSpec] = {}
        self._triggers: dict[str, TriggerSpec] = {}
        for name, function in map(_named, operations):
            self.operation(name=name)(function)
        for name, function in map(_named, triggers):
            self.trigger(name=name)(function)

    @property
    def config_class(self) -> type[ConnectionConfig]:
        """The connection's settings class."""
        return self.connection.config_class

    @property
    def operations(self) -> Mapping[str, OperationSpec]:
        """The operations by name, in the order they were defined."""
        return MappingProxyType(self._operations)

    @property
    def triggers(self) -> Mapping[str, TriggerSpec]:
        """The triggers by name, in the order they were defined."""
        return MappingProxyType(self._triggers)

    @overload
    def operation(self, function: _OperationT, /) -> _OperationT: ...

    @overload
    def operation(
        self, function: None = None, /, *, name: str | None = None, scopes: tuple[str, ...] = ()
    ) -> Callable[[_OperationT], _OperationT]: ...

    def operation(
        self,
        function: OperationFunction | None = None,
        /,
        *,
        name: str | None = None,
        scopes: tuple[str, ...] = (),
    ) -> Any:
        """Register an operation: ``@connector.operation``, or ``@connector.operation(name="sendMail")``
        to name it apart from the function; ``scopes`` are the OAuth2 scopes it needs (asked for when a
        project using it is authorized). The function is returned unchanged, to be tested directly."""

        def register(target: OperationFunction) -> OperationFunction:
            spec = build_operation_spec(
                target, connector=self.name, connection=self.connection, name=name, scopes=scopes
            )
            self._check_free(spec.name)
            self._operations[spec.name] = spec
            return target

        return register(function) if function is not None else register

    @overload
    def trigger(self, function: _TriggerT, /) -> _TriggerT: ...

    @overload
    def trigger(self, function: None = None, /, *, name: str) -> Callable[[_TriggerT], _TriggerT]: ...

    def trigger(self, function: TriggerFunction | None = None, /, *, name: str | None = None) -> Any:
        """Register a trigger (an async generator function of :class:`~interlace.sdk.TriggerEvent`), as
        :meth:`operation` registers an operation."""

        def register(target: TriggerFunction) -> TriggerFunction:
            spec = build_trigger_spec(target, connector=self.name, connection=self.connection, name=name)
            self._check_free(spec.name)
            self._triggers[spec.name] = spec
            return target

        return register(function) if function is not None else register

    def _check_free(self, name: str) -> None:
        if name in self._operations or name in self._triggers:
            raise TypeError(
                f"{self.name}.{name} is defined twice; operations and triggers need distinct names"
            )

    def get_operation(self, name: str) -> OperationSpec:
        """The operation called ``name``; :class:`~interlace.sdk.UnknownConnectorError` with the closest
        name as hint if there is none."""
        if name in self._operations:
            return self._operations[name]
        raise UnknownConnectorError(
            f"connector {self.name!r} has no operation {name!r}", hint=_hint(name, self._operations)
        )

    def get_trigger(self, name: str) -> TriggerSpec:
        """The trigger called ``name``; :class:`~interlace.sdk.UnknownConnectorError` if there is none."""
        if name in self._triggers:
            return self._triggers[name]
        raise UnknownConnectorError(
            f"connector {self.name!r} has no trigger {name!r}", hint=_hint(name, self._triggers)
        )

    def json_schema(self) -> dict[str, Any]:
        """One JSON Schema document describing a ``connection`` (the settings) and, under ``operations``
        and ``triggers``, each one's parameter mapping (``#/properties/operations/properties/NAME``).
        Definitions are shared in ``$defs``; secret values never appear."""
        groups: dict[str, Mapping[str, OperationSpec | TriggerSpec]] = {
            "operations": self._operations,
            "triggers": self._triggers,
        }
        inputs: list[tuple[tuple[str, ...], JsonSchemaMode, TypeAdapter[Any]]] = [
            (("connection",), "validation", TypeAdapter(self.config_class))
        ]
        for group, specs in groups.items():
            for spec in specs.values():
                inputs += [((group, spec.name, p.name), "validation", p.adapter) for p in spec.parameters]
        schemas, definitions = TypeAdapter.json_schemas(inputs)

        def described(group: str, spec: OperationSpec | TriggerSpec) -> dict[str, Any]:
            return object_schema(
                spec.qualified_name,
                spec.description,
                spec.parameters,
                lambda parameter: schemas[((group, spec.name, parameter.name), "validation")],
            )

        properties: dict[str, Any] = {"connection": schemas[(("connection",), "validation")]}
        for group, specs in groups.items():
            properties[group] = {
                "type": "object",
                "properties": {name: described(group, spec) for name, spec in specs.items()},
                "additionalProperties": False,
            }
        return {
            "$schema": _JSON_SCHEMA_DIALECT,
            "title": f"{self.name} connector {self.version}",
            **({"description": self.description} if self.description else {}),
            "type": "object",
            "properties": properties,
            **definitions,
        }

    def __repr__(self) -> str:
        return f"Connector({self.name!r}, version={self.version!r})"


def _named(declared: Declared) -> tuple[str, Callable[..., Any]]:
    return declared if isinstance(declared, tuple) else (declared.__name__, declared)


def _hint(name: str, choices: Mapping[str, object]) -> str | None:
    close = did_you_mean(name, choices)
    if close:
        return close
    return f"it has: {', '.join(choices)}" if choices else None
