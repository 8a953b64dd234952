"""Request bodies: which of the offered media types is sent and how it is encoded.

JSON is preferred, then a URL-encoded form, a multipart form, raw bytes (``application/octet-stream``,
``format: binary``) and text; another media type is sent as text with its content type (noted). A body
that is one of several shapes (``oneOf``/``anyOf``) is noted: the flow's value is checked against the
whole schema rather than typed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from interlace.sdk.openapi.model import ApiBody, BodyKind, Note
from interlace.sdk.openapi.names import Names
from interlace.sdk.openapi.schemas import Schemas

__all__ = ["read_body", "swagger_form_body"]

_FORM = "application/x-www-form-urlencoded"
_MULTIPART = "multipart/form-data"


def _kind(media_type: str, schema: Mapping[str, Any]) -> BodyKind | None:
    media = media_type.partition(";")[0].strip().lower()
    if media == "application/json" or media.endswith("+json") or media == "*/*":
        return "json"
    if media == _FORM:
        return "form"
    if media == _MULTIPART:
        return "multipart"
    if (
        schema.get("format") == "binary"
        or media == "application/octet-stream"
        or media.startswith(("image/", "audio/", "video/"))
    ):
        return "binary"
    if media.startswith("text/"):
        return "text"
    return None


_PREFERENCE: tuple[BodyKind, ...] = ("json", "form", "multipart", "binary", "text")


def read_body(
    node: Mapping[str, Any] | None, refs: Schemas, keys: Names, title: str, notes: list[Note]
) -> ApiBody | None:
    """The body of an OpenAPI 3 ``requestBody`` (or a Swagger body made to look like one)."""
    if not isinstance(node, Mapping):
        return None
    content = node.get("content") or {}
    if not isinstance(content, Mapping) or not content:
        return None
    offered: list[tuple[BodyKind | None, str, dict[str, Any]]] = []
    for media_type, media in content.items():
        schema = refs.schema((media or {}).get("schema"))
        offered.append((_kind(str(media_type), schema), str(media_type), schema))
    known = [item for item in offered if item[0] is not None]
    if known:
        kind, media_type, schema = min(known, key=lambda item: _PREFERENCE.index(item[0]))
    else:
        _, media_type, schema = offered[0]
        kind = "text"
        notes.append(
            Note(title, "approximated", f"its body ({media_type}) is sent as the flow's text or bytes")
        )
    if media_type == "*/*":
        media_type = "application/json"
    shapes = [key for key in ("oneOf", "anyOf") if key in schema]
    if shapes and kind == "json":
        count = len(schema[shapes[0]])
        notes.append(
            Note(
                title,
                "approximated",
                f"its body is {shapes[0]} {count} shapes: any value is accepted and"
                " checked against the schema",
            )
        )
    key, _ = keys.claim("body")
    return ApiBody(
        key=key,
        content_type=media_type,
        kind=kind,  # type: ignore[arg-type]
        schema=schema,
        required=bool(node.get("required")),
        description=str(node.get("description") or schema.get("description") or ""),
    )


def swagger_form_body(
    fields: Sequence[Mapping[str, Any]], consumes: Any, refs: Schemas, keys: Names
) -> ApiBody:
    """A Swagger 2.0 ``formData`` body: one object whose properties are the form's fields."""
    properties: dict[str, Any] = {}
    required: list[str] = []
    for item in fields:
        name = str(item.get("name"))
        field = {k: v for k, v in item.items() if k not in ("name", "in", "required")}
        if field.get("type") == "file":
            field = {"type": "string", "format": "binary", "description": field.get("description", "")}
        properties[name] = refs.schema(field)
        if item.get("required"):
            required.append(name)
    files = any(p.get("format") == "binary" for p in properties.values())
    multipart = files or _MULTIPART in [str(t) for t in consumes or ()]
    form: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        form["required"] = required
    key, _ = keys.claim("body")
    return ApiBody(
        key=key,
        content_type=_MULTIPART if multipart else _FORM,
        kind="multipart" if multipart else "form",
        schema=form,
        required=bool(required),
        description="The form's fields" + (" (files as bytes)." if files else "."),
    )
