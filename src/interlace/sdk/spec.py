"""Parameters of operations and triggers, read from function signatures, and what is done with them.

A parameter's name, type, default and description come from the function; :class:`Param` adds the
description (or the docstring's ``Args:`` section does). From that one description the SDK checks a
flow's values at load time (:func:`check_values`), converts them at run time (:func:`coerce_values`) and
renders JSON Schema and docs. The YAML key is the Python name, as users write it (``messageBody``).
"""

from __future__ import annotations

import inspect
import re
import types
import typing
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, Final, Literal

import pydantic
from pydantic import BaseModel, ConfigDict, TypeAdapter

from interlace.errors import did_you_mean
from interlace.sdk._docstring import Docstring, parse_docstring
from interlace.sdk._schema import described
from interlace.sdk.errors import InvalidInput
from interlace.sdk.secret import Secret

__all__ = ["RESERVED_NAMES", "Param", "ParamProblem", "ParameterSpec", "type_name"]

RESERVED_NAMES: Final = frozenset({"connection", "init"})
"""Keys of an operation's mapping that are not parameters (the connection to use, inline settings)."""

_ADAPTER_CONFIG: Final = ConfigDict(hide_input_in_errors=True)


@dataclass(frozen=True, slots=True)
class Param:
    """Annotation metadata documenting a parameter: ``Annotated[str, Param("Who receives it.")]``.

    ``example`` is shown in docs and JSON Schema; ``secret`` hides the value from docs, errors and
    traces (a parameter typed :class:`~interlace.sdk.Secret` is secret anyway); ``key`` is the name
    flows write when it cannot be the Python name (``from_: Annotated[str, Param("...", key="from")]``);
    ``url`` marks a path (with an optional ``?query``) that the runtime builds as a URL template: a
    ``${...}`` value written into it arrives percent-encoded (see :mod:`interlace.sdk.urls`), a
    ``${+...}`` value as raw URL text.
    """

    description: str
    example: object = field(default=None, kw_only=True)
    secret: bool = field(default=False, kw_only=True)
    key: str | None = field(default=None, kw_only=True)
    url: bool = field(default=False, kw_only=True)


@dataclass(frozen=True, slots=True)
class ParameterSpec:
    """One parameter of an operation or trigger. ``name`` is its YAML key and ``argument`` the Python
    parameter it is passed as (the same unless :class:`Param` gives a ``key``); ``default`` means
    something only when not ``required``; ``annotation`` is the type values are validated against."""

    name: str
    annotation: object
    type_name: str
    required: bool
    default: object
    description: str
    example: object = None
    secret: bool = False
    url: bool = False
    adapter: TypeAdapter[Any] = field(kw_only=True, repr=False, compare=False)
    argument: str = field(default="", kw_only=True)

    def __post_init__(self) -> None:
        if not self.argument:
            object.__setattr__(self, "argument", self.name)

    def json_schema(self) -> dict[str, Any]:
        """This parameter's JSON Schema (with its own ``$defs``), described, with default and example."""
        schemas, definitions = TypeAdapter.json_schemas([(self.name, "validation", self.adapter)])
        return {**described(self, schemas[(self.name, "validation")]), **definitions}


@dataclass(frozen=True, slots=True)
class ParamProblem:
    """A problem with a flow's values for an operation or trigger, found at load time.

    ``key`` is the offending YAML key (for ``missing``, the parameter that should be there), to locate it.
    """

    kind: Literal["unknown", "missing", "type"]
    key: str
    message: str
    hint: str | None = None

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


def read_parameters(
    function: Callable[..., object], *, qualified: str, connection: type, injected: Collection[str] = ()
) -> tuple[tuple[ParameterSpec, ...], Docstring]:
    """The parameters after the first (the connection), but for the ``injected`` ones (which the runtime
    passes, not users), and the parsed docstring; ``TypeError`` for a signature the SDK cannot describe,
    naming ``qualified`` and what must change."""
    signature = inspect.signature(function)
    try:
        hints = typing.get_type_hints(function, include_extras=True)
    except NameError as exc:
        raise TypeError(
            f"{qualified}: cannot resolve its annotations ({exc}); define the types they name at module level"
        ) from exc
    docstring = parse_docstring(function.__doc__)
    items = list(signature.parameters.values())
    if not items or items[0].kind not in (
        inspect.Parameter.POSITIONAL_ONLY,
        inspect.Parameter.POSITIONAL_OR_KEYWORD,
    ):
        raise TypeError(f"{qualified}: the first parameter must be the connection ({connection.__name__})")
    first = hints.get(items[0].name)
    if not (isinstance(first, type) and issubclass(connection, first)):
        raise TypeError(
            f"{qualified}: the first parameter {items[0].name!r} must be annotated with {connection.__name__}"
            f" (got {_shown_annotation(first)})"
        )
    written = [item for item in items[1:] if item.name not in injected]
    return tuple(_parameter(item, hints, docstring, qualified) for item in written), docstring


def _parameter(
    item: inspect.Parameter, hints: Mapping[str, Any], docstring: Docstring, qualified: str
) -> ParameterSpec:
    where = f"{qualified}: parameter {item.name!r}"
    if item.kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD):
        raise TypeError(f"{where}: *args and **kwargs cannot be described; name each parameter")
    if item.kind is inspect.Parameter.POSITIONAL_ONLY:
        raise TypeError(f"{where}: parameters are passed by name; remove the '/'")
    if item.name in RESERVED_NAMES or item.name.startswith("_"):
        raise TypeError(f"{where}: the name is reserved; choose another")
    if item.name not in hints:
        raise TypeError(f"{where} has no type annotation")
    annotation, base, meta = _split(hints[item.name])
    try:
        adapter = _adapter(annotation)
    except (pydantic.PydanticSchemaGenerationError, pydantic.PydanticUserError, TypeError) as exc:
        raise TypeError(f"{where}: its type {_shown_annotation(base)} cannot be validated ({exc})") from exc
    if meta is not None and meta.url and base not in (str, str | None):
        raise TypeError(f"{where}: Param(url=True) needs a str parameter (got {_shown_annotation(base)})")
    required = item.default is inspect.Parameter.empty
    key = meta.key if meta is not None and meta.key else item.name
    if meta is not None and meta.key and meta.key in RESERVED_NAMES:
        raise TypeError(f"{where}: the key {meta.key!r} is reserved; choose another")
    return ParameterSpec(
        name=key,
        argument=item.name,
        annotation=annotation,
        type_name=type_name(base),
        required=required,
        default=None if required else item.default,
        description=meta.description if meta else docstring.arguments.get(item.name, ""),
        example=meta.example if meta else None,
        secret=(meta is not None and meta.secret) or holds_secret(base),
        url=meta is not None and meta.url,
        adapter=adapter,
    )


def _adapter(annotation: Any) -> TypeAdapter[Any]:
    try:
        return TypeAdapter(annotation, config=_ADAPTER_CONFIG)
    except pydantic.PydanticUserError as exc:
        if exc.code != "type-adapter-config-unused":
            raise
        return TypeAdapter(annotation)  # a model or dataclass keeps its own configuration


def _split(annotation: Any) -> tuple[Any, Any, Param | None]:
    """The annotation without :class:`Param` (other metadata, such as constraints, stays), the bare
    type, and the :class:`Param`."""
    if typing.get_origin(annotation) is not Annotated:
        return annotation, annotation, None
    base, *metadata = typing.get_args(annotation)
    params = [item for item in metadata if isinstance(item, Param)]
    others = [item for item in metadata if not isinstance(item, Param)]
    stripped = Annotated[(base, *others)] if others else base
    return stripped, base, params[0] if params else None


_SECRET_WORDS = frozenset(
    {"password", "passwd", "passphrase", "secret", "token", "credential", "credentials"}
)
_SECRET_PAIRS = frozenset({("api", "key"), ("private", "key"), ("access", "key"), ("signing", "key")})


def looks_secret(name: str) -> bool:
    """Whether a setting or parameter called ``name`` likely holds a secret (``token``, ``apiKey``)."""
    words = [
        word.lower() for word in re.findall(r"[A-Za-z][a-z0-9]*|[A-Z]+(?![a-z])", name.replace("-", "_"))
    ]
    if not words:
        return False
    return words[-1] in _SECRET_WORDS or tuple(words[-2:]) in _SECRET_PAIRS


def holds_secret(annotation: Any, *, within_models: bool = False) -> bool:
    """Whether a value of the type is a :class:`Secret` or holds one (in a union or a list; with
    ``within_models``, also in a field of a settings model, such as a scheme's credentials)."""
    if within_models and isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return any(holds_secret(f.annotation, within_models=True) for f in annotation.model_fields.values())
    return annotation is Secret or any(
        holds_secret(arg, within_models=within_models) for arg in typing.get_args(annotation)
    )


def _shown_annotation(annotation: object) -> str:
    if annotation is None:
        return "no annotation"
    return getattr(annotation, "__name__", None) or str(annotation)


def type_name(annotation: Any) -> str:
    """A reader's name for a type: ``string``, ``list of integer``, ``'html' | 'plain'``."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is Annotated:
        return type_name(args[0])
    if origin is Literal:
        return " | ".join(repr(value) for value in args)
    if origin in (types.UnionType, typing.Union):
        return " or ".join(type_name(arg) for arg in args if arg is not type(None))
    if origin in (list, tuple, set, frozenset, Sequence) and args:
        return f"list of {type_name(args[0])}"
    if origin in (dict, Mapping) and len(args) == 2:
        return f"mapping of {type_name(args[1])}"
    names: dict[object, str] = {
        str: "string", int: "integer", float: "number", bool: "boolean", bytes: "bytes", Secret: "secret",
        Any: "any value", object: "any value", type(None): "null",
    }  # fmt: skip
    if annotation in names:
        return names[annotation]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return f"object ({annotation.__name__})"
    return getattr(annotation, "__name__", str(annotation))


def has_template(value: object) -> bool:
    """Whether a value holds a ``${...}`` template anywhere, so its final value is known only at run time."""
    if isinstance(value, str):
        return "${" in value
    if isinstance(value, Mapping):
        return any(has_template(key) or has_template(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return any(has_template(item) for item in value)
    return False


def check_values(
    qualified: str, parameters: Sequence[ParameterSpec], values: Mapping[str, object]
) -> list[ParamProblem]:
    """Every problem with a flow's values: unknown keys, missing required parameters, and wrong types of
    values without templates. The caller leaves out :data:`RESERVED_NAMES`."""
    by_name = {parameter.name: parameter for parameter in parameters}
    problems: list[ParamProblem] = []
    for key, value in values.items():
        parameter = by_name.get(key)
        if parameter is None:
            problems.append(
                ParamProblem(
                    "unknown", key, f"unknown parameter {key!r} for {qualified}", _hint(key, by_name)
                )
            )
        elif not has_template(value):
            try:
                parameter.adapter.validate_python(value)
            except pydantic.ValidationError as exc:
                problems.append(ParamProblem("type", key, _type_message(qualified, parameter, exc)))
    for parameter in parameters:
        if parameter.required and parameter.name not in values:
            message = f"missing required parameter {parameter.name!r} for {qualified}"
            problems.append(ParamProblem("missing", parameter.name, message))
    return problems


def coerce_values(
    qualified: str, parameters: Sequence[ParameterSpec], values: Mapping[str, object]
) -> dict[str, object]:
    """The values converted to the parameters' types, keyed by Python argument name, ready to pass by
    name; parameters not given are left out so the function's defaults apply. :class:`InvalidInput`
    names the parameter and what held."""
    by_name = {parameter.name: parameter for parameter in parameters}
    result: dict[str, object] = {}
    for key, value in values.items():
        parameter = by_name.get(key)
        if parameter is None:
            hint = _hint(key, by_name)
            message = f"unknown parameter {key!r} for {qualified}" + (f" ({hint})" if hint else "")
            raise InvalidInput(message, detail={"operation": qualified, "parameter": key})
        try:
            result[parameter.argument] = parameter.adapter.validate_python(value)
        except pydantic.ValidationError as exc:
            raise InvalidInput(
                _type_message(qualified, parameter, exc), detail={"operation": qualified, "parameter": key}
            ) from exc
    for parameter in parameters:
        if parameter.required and parameter.argument not in result:
            raise InvalidInput(
                f"missing required parameter {parameter.name!r} for {qualified}",
                detail={"operation": qualified, "parameter": parameter.name},
            )
    return result


def _hint(key: str, by_name: Mapping[str, ParameterSpec]) -> str | None:
    close = did_you_mean(key, by_name)
    if close:
        return close
    return f"known parameters: {', '.join(by_name)}" if by_name else "it takes no parameters"


def _type_message(qualified: str, parameter: ParameterSpec, exc: pydantic.ValidationError) -> str:
    error = exc.errors()[0]
    path = "".join(f"[{part!r}]" for part in error["loc"])
    message = error["msg"][:1].lower() + error["msg"][1:]
    got = "" if parameter.secret else f" (got {_short_repr(error.get('input'))})"
    return f"parameter {parameter.name!r}{path} of {qualified}: {message}{got}"


def _short_repr(value: object, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
