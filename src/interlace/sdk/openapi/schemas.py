"""``$ref`` resolution (with ``referencing``) and schemas as plain JSON Schema.

Every ``$ref`` is inlined, once per target (the result is shared, never copied), so a schema can be
read and validated without the document. A reference back into a schema being inlined (a recursive
type) becomes ``{}``: any value. ``nullable: true`` (OpenAPI 3.0, Swagger's ``x-nullable``) becomes
``null`` in the type list, and an ``allOf`` of objects is merged into one object schema.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final
from urllib.parse import urljoin

from referencing import Registry, Resource
from referencing.exceptions import Unresolvable

from interlace.errors import ConfigError
from interlace.sdk.openapi.source import load_document

__all__ = ["Schemas", "merge_all_of"]

_VALUE_KEYS: Final = frozenset({"example", "examples", "default", "enum", "const", "x-example"})


def _retrieve(uri: str) -> Resource[Any]:
    """Another file of a description; its references are made absolute, since they are relative to it
    and a node of it is read far from where it was found."""
    document = load_document(uri)
    _absolute(document, uri)
    return Resource.opaque(document)


def _absolute(node: Any, base: str) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                node[key] = urljoin(base, value)
            else:
                _absolute(value, base)
    elif isinstance(node, list):
        for item in node:
            _absolute(item, base)


class Schemas:
    """The references of one document (files it refers to are read when first needed)."""

    def __init__(self, document: Any, uri: str) -> None:
        self._files: dict[str, Resource[Any]] = {}
        registry: Registry[Any] = Registry(retrieve=self._retrieve).with_resource(  # type: ignore[call-arg]
            uri, Resource.opaque(document)
        )
        self._resolver = registry.resolver(base_uri=uri)
        self._inlined: dict[int, Any] = {}

    def _retrieve(self, uri: str) -> Resource[Any]:
        if uri not in self._files:
            self._files[uri] = _retrieve(uri)
        return self._files[uri]

    def deref(self, node: Any) -> Any:
        """``node``, or what its ``$ref`` points to (followed until a node has none)."""
        seen = 0
        while isinstance(node, Mapping) and isinstance(node.get("$ref"), str):
            node = self._lookup(node["$ref"])
            seen += 1
            if seen > 50:
                raise ConfigError(f"the reference {node.get('$ref')!r} leads to itself")
        return node

    def _lookup(self, ref: str) -> Any:
        try:
            return self._resolver.lookup(ref).contents
        except Unresolvable as exc:
            raise ConfigError(f"the reference {ref!r} cannot be resolved ({exc})") from exc

    def schema(self, node: Any) -> dict[str, Any]:
        """``node`` as a schema with every reference inlined (``{}`` for a missing schema)."""
        result = self._inline(node, ())
        return result if isinstance(result, dict) else {}

    def _inline(self, node: Any, stack: tuple[int, ...]) -> Any:
        if isinstance(node, list):
            return [self._inline(item, stack) for item in node]
        if not isinstance(node, Mapping):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str):
            target = self._lookup(ref)
            key = id(target)
            if key in stack:
                return {}
            if key not in self._inlined:
                self._inlined[key] = self._inline(target, (*stack, key))
            inlined = self._inlined[key]
            siblings = {k: v for k, v in node.items() if k != "$ref"}
            if not siblings:
                return inlined
            return {**inlined, **self._inline(siblings, stack)} if isinstance(inlined, dict) else inlined
        result: dict[str, Any] = {}
        for key, value in node.items():
            if key in _VALUE_KEYS or key.startswith("x-") or key == "properties":
                result[key] = value
            else:
                result[key] = self._inline(value, stack)
        if isinstance(node.get("properties"), Mapping):
            result["properties"] = {
                name: self._inline(value, stack) for name, value in node["properties"].items()
            }
        return _normalised(result)


def _normalised(schema: dict[str, Any]) -> dict[str, Any]:
    if schema.pop("nullable", False) is True or schema.pop("x-nullable", False) is True:
        kind = schema.get("type")
        if isinstance(kind, str):
            schema["type"] = [kind, "null"]
    if isinstance(schema.get("allOf"), list):
        merged = merge_all_of(schema["allOf"])
        if merged is not None:
            rest = {key: value for key, value in schema.items() if key != "allOf"}
            return {**merged, **rest, **_joined(merged, rest)}
    return schema


def merge_all_of(parts: list[Any]) -> dict[str, Any] | None:
    """One object schema for an ``allOf`` whose parts are all object schemas, else ``None``."""
    if not parts or not all(isinstance(p, dict) and _is_object(p) for p in parts):
        return None
    merged: dict[str, Any] = {"type": "object", "properties": {}}
    required: list[str] = []
    for part in parts:
        merged["properties"].update(part.get("properties") or {})
        required += [name for name in part.get("required") or () if name not in required]
        if part.get("description") and "description" not in merged:
            merged["description"] = part["description"]
    if required:
        merged["required"] = required
    return merged


def _joined(merged: dict[str, Any], rest: dict[str, Any]) -> dict[str, Any]:
    properties = {**merged.get("properties", {}), **(rest.get("properties") or {})}
    required = list(dict.fromkeys([*merged.get("required", ()), *(rest.get("required") or ())]))
    return {"properties": properties, **({"required": required} if required else {})}


def _is_object(schema: Mapping[str, Any]) -> bool:
    return schema.get("type") == "object" or ("properties" in schema and "type" not in schema)
