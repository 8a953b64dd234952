"""The Python type a flow's value for a parameter must have, from the parameter's JSON Schema.

``string`` is ``str`` (``bytes`` with ``format: binary``), ``integer`` ``int``, ``number`` ``float``,
``boolean`` ``bool``, ``array`` a ``list`` of its items' type, ``object`` a mapping; an ``enum`` of text
or numbers is a ``Literal`` of its values, so a wrong literal is a load-time error; ``null`` among the
types makes it optional. ``oneOf``/``anyOf`` and untyped schemas take any value (a request body is also
checked against its whole schema, see :mod:`.checks`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

__all__ = ["annotation_of"]

_SCALARS: dict[str, object] = {"string": str, "integer": int, "number": float, "boolean": bool}


def annotation_of(schema: Mapping[str, Any]) -> object:
    """The type of a value that ``schema`` describes (see the module docstring)."""
    kinds = schema.get("type")
    names = [kinds] if isinstance(kinds, str) else list(kinds) if isinstance(kinds, list) else []
    nullable = "null" in names
    names = [name for name in names if name != "null"]
    enum = schema.get("enum")
    if isinstance(enum, list) and enum and all(_literal(value) for value in enum):
        values = tuple(value for value in enum if value is not None)
        nullable = nullable or None in enum
        base: object = Literal.__getitem__(values) if values else type(None)
    elif len(names) == 1:
        base = _single(names[0], schema)
    else:
        base = Any
    if nullable and base is not Any and base is not type(None):
        return base | None  # type: ignore[operator]
    return base


def _single(name: str, schema: Mapping[str, Any]) -> object:
    if name == "string" and schema.get("format") == "binary":
        return bytes
    if name in _SCALARS:
        return _SCALARS[name]
    if name == "array":
        items = schema.get("items")
        item = annotation_of(items) if isinstance(items, Mapping) else Any
        return list[item]  # type: ignore[valid-type]
    if name == "object":
        return dict[str, Any]
    return Any


def _literal(value: object) -> bool:
    return value is None or (isinstance(value, str | int) and not isinstance(value, bool))
