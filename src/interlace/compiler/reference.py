"""The mediator reference, rendered from the mediator definitions themselves (docs/reference/mediators.md).

Descriptions come from the definitions' docstrings, so a mediator is described in one place; a test
keeps the page in step with the code (`interlace reference mediators` prints it).
"""

from __future__ import annotations

import inspect
import types
import typing
from typing import Any

from pydantic import AfterValidator
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from interlace.compiler.builders import MEDIATORS
from interlace.model.flow import check_flow, check_flow_or_name

_FLOW_VALIDATORS = {check_flow: "flow", check_flow_or_name: "flow or sequence name"}

__all__ = ["render_mediator_reference"]

_HEADER = """\
# Mediators

A flow is a list of mediators; each item is `kind: options`. A kind whose options are all optional can
be written bare (`- drop`), and some take a scalar shorthand (`- log: "text"` is `- log: {message:
"text"}`). Strings in options are `${...}` templates unless the option says otherwise.

This page is generated from the mediator definitions: `interlace reference mediators`.
"""


def _type_name(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        base, *metadata = typing.get_args(annotation)
        for item in metadata:
            if isinstance(item, AfterValidator) and item.func in _FLOW_VALIDATORS:
                return _FLOW_VALIDATORS[item.func]
        return _type_name(base)
    if origin is typing.Literal:
        return " \\| ".join(f"`{value}`" for value in typing.get_args(annotation))
    if origin in (types.UnionType, typing.Union):
        return " or ".join(_type_name(arg) for arg in typing.get_args(annotation) if arg is not type(None))
    if origin is list:
        return f"list of {_type_name(typing.get_args(annotation)[0])}"
    if origin is dict:
        return f"mapping of {_type_name(typing.get_args(annotation)[1])}"
    if annotation is Any:
        return "any value"
    names = {str: "string", int: "integer", float: "number", bool: "boolean"}
    return names.get(annotation, getattr(annotation, "__name__", str(annotation)))


def _default(field: FieldInfo) -> str:
    if field.is_required():
        return "required"
    if field.default_factory is not None:
        return "empty"
    if field.default is None or field.default is PydanticUndefined:
        return "—"
    value = field.default
    if value == "":
        return '`""`'
    return f"`{str(value).lower() if isinstance(value, bool) else value}`"


def render_mediator_reference() -> str:
    """The whole markdown page."""
    parts = [_HEADER]
    for kind, spec in MEDIATORS.items():
        model = spec.definition
        parts.append(f"## `{kind}`\n\n{inspect.cleandoc(model.__doc__ or '')}\n")
        if spec.shorthand:
            parts.append(f"Shorthand: `- {kind}: VALUE` sets `{spec.shorthand.replace('_', '-')}`.\n")
        hints = typing.get_type_hints(model, include_extras=True)
        rows = []
        for name, field in model.model_fields.items():
            key = field.alias or name.replace("_", "-")
            kind_text = _type_name(hints.get(name, field.annotation))
            description = (field.description or "").replace("|", "\\|").replace("\n", " ")
            rows.append(f"| `{key}` | {kind_text} | {_default(field)} | {description} |")
        if rows:
            parts.append(
                "| option | type | default | meaning |\n| --- | --- | --- | --- |\n" + "\n".join(rows) + "\n"
            )
        else:
            parts.append("No options.\n")
    return "\n".join(parts)
