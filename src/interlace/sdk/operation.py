"""Operations: typed outbound actions of a connector, described by their function's signature.

An operation is ``async def op(conn: MyConnection, a: Annotated[str, Param("...")], *, b: int = 3) -> T``
with a docstring. Its :class:`OperationSpec` is built once, when the connector module is imported.
"""

from __future__ import annotations

import inspect
import re
import typing
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from interlace.sdk._schema import parameters_schema
from interlace.sdk.connection import Connection, ConnectionConfig
from interlace.sdk.spec import (
    ParameterSpec,
    ParamProblem,
    check_values,
    coerce_values,
    read_parameters,
    type_name,
)

__all__ = ["OperationResult", "OperationSpec", "ResultSpec", "build_operation_spec", "needs_scopes"]

OperationFunction = Callable[..., Awaitable[Any]]
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


@dataclass(frozen=True, slots=True)
class OperationResult:
    """What an operation returns when a plain value is not enough: the payload with headers and
    attributes (a status code, a message id). A plain return value is the payload alone.

    The runtime makes ``payload`` the message's payload (``bytes`` as they are, ``str`` as text, other
    values as JSON), or, with ``response-variable``, a variable ``{payload, headers, attributes}``.
    """

    payload: Any
    headers: Mapping[str, str] = field(default_factory=dict)
    attributes: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ResultSpec:
    """What an operation returns: its type (``nothing`` for ``None``) and the docstring's ``Returns:``."""

    annotation: object
    type_name: str
    description: str


@dataclass(frozen=True, slots=True)
class OperationSpec:
    """An operation of a connector, as data: the flow writes ``- CONNECTOR.NAME: {connection: ..., ...}``.

    Built once at import; immutable and safe to share. The compiler calls :meth:`validate_static` when it
    loads a flow and the runtime calls :meth:`invoke` (or :meth:`coerce` and ``function``) per message.
    """

    connector: str
    name: str
    description: str
    parameters: tuple[ParameterSpec, ...]
    result: ResultSpec
    function: OperationFunction = field(repr=False, compare=False)
    scopes: tuple[str, ...] = ()
    """The OAuth2 scopes the operation needs; asked for when a project that uses it is authorized."""

    @property
    def qualified_name(self) -> str:
        """``connector.name``, as flows write it."""
        return f"{self.connector}.{self.name}"

    @property
    def summary(self) -> str:
        """The description's first paragraph, on one line."""
        return " ".join(self.description.split("\n\n")[0].split())

    def parameter(self, name: str) -> ParameterSpec:
        """The parameter called ``name``; ``KeyError`` if there is none."""
        for parameter in self.parameters:
            if parameter.name == name:
                return parameter
        raise KeyError(name)

    def validate_static(self, params: Mapping[str, object]) -> list[ParamProblem]:
        """Problems with a flow's parameter values, found before anything runs: unknown keys (with a
        did-you-mean hint), missing required parameters, and wrong types of values that hold no ``${...}``
        template. ``params`` holds the parameters only, without ``connection`` or other reserved keys."""
        return check_values(self.qualified_name, self.parameters, params)

    def coerce(self, values: Mapping[str, object]) -> dict[str, object]:
        """The values (templates evaluated) converted to the parameters' types, to pass by keyword;
        :class:`~interlace.sdk.InvalidInput` names the operation and the parameter when one does not fit."""
        return coerce_values(self.qualified_name, self.parameters, values)

    async def invoke(self, connection: Connection[ConnectionConfig], values: Mapping[str, object]) -> object:
        """Run the operation on an opened connection with the message's values; errors are the
        function's own (sorted by :mod:`interlace.sdk.errors`) or :class:`~interlace.sdk.InvalidInput`."""
        result: object = await self.function(connection, **self.coerce(values))
        return result

    def json_schema(self) -> dict[str, Any]:
        """The JSON Schema of this operation's parameter mapping; secret values and defaults never appear."""
        return parameters_schema(self.qualified_name, self.description, self.parameters)


_SCOPES_ATTRIBUTE = "__interlace_scopes__"
_F = typing.TypeVar("_F", bound=OperationFunction)


def needs_scopes(*scopes: str) -> Callable[[_F], _F]:
    """Mark an operation function with the OAuth2 scopes it needs (asked for when an account of a project
    that uses it is authorized); the connector reads them when it lists the function as an operation."""

    def mark(function: _F) -> _F:
        setattr(function, _SCOPES_ATTRIBUTE, tuple(scopes))
        return function

    return mark


def build_operation_spec(
    function: OperationFunction,
    *,
    connector: str,
    connection: type[Connection[Any]],
    name: str | None = None,
    scopes: tuple[str, ...] = (),
) -> OperationSpec:
    """Describe ``function`` as an operation of ``connector``; ``TypeError`` says what in the signature
    cannot be described (raised at import, where the connector is defined)."""
    operation_name = function.__name__ if name is None else name
    scopes = scopes or getattr(function, _SCOPES_ATTRIBUTE, ())
    qualified = f"{connector}.{operation_name}"
    if not _NAME.match(operation_name):
        raise TypeError(f"{qualified}: an operation name is letters, digits and '_' (got {operation_name!r})")
    if not inspect.iscoroutinefunction(function):
        raise TypeError(f"{qualified}: an operation is an 'async def' function")
    parameters, docstring = read_parameters(function, qualified=qualified, connection=connection)
    hints = typing.get_type_hints(function, include_extras=True)
    if "return" not in hints:
        raise TypeError(f"{qualified}: annotate what it returns ('-> None' if nothing)")
    returned = hints["return"]
    return OperationSpec(
        connector=connector,
        name=operation_name,
        description=docstring.description,
        parameters=parameters,
        result=ResultSpec(
            annotation=returned,
            type_name=_result_type_name(returned),
            description=docstring.returns,
        ),
        function=function,
        scopes=tuple(scopes),
    )


def _result_type_name(returned: object) -> str:
    if returned in (None, type(None)):
        return "nothing"
    if returned is OperationResult:
        return "payload with headers and attributes"
    return type_name(returned)
