"""URI templates and context paths of inbound API resources, compiled once into segment matchers.

The template language and matching rules are described in ``interlace.routing``; this module
parses a template, checks it, and gives an object that binds an already split and percent-decoded
request path (``split_path``) to the template's variables.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final
from urllib.parse import unquote

from interlace.errors import ConfigError

__all__ = ["TemplateError", "UriTemplate", "compile_uri_template", "parse_context", "split_path"]

WILDCARD: Final = "*"
_VARIABLE_NAME: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")
# Segment kinds double as precedence ranks: lower is more specific.
_LITERAL, _MIXED, _VARIABLE, _TAIL = 0, 1, 2, 3


class TemplateError(ConfigError, ValueError):
    """A context path or URI template is malformed; the message says which rule it breaks.

    When raised by ``RouteTable.build``, ``api`` names the API, ``index`` is the resource's position in
    it (None when the context is wrong) and ``target`` that resource's target, so the caller can point
    at the definition's file and line.
    """

    def __init__(
        self, message: str, *, api: str | None = None, index: int | None = None, target: object = None
    ) -> None:
        super().__init__(message)
        self.api = api
        self.index = index
        self.target = target


@dataclass(frozen=True, slots=True)
class _Segment:
    kind: int
    literal: str = ""
    names: tuple[str, ...] = ()
    pattern: re.Pattern[str] | None = None

    def bind(self, text: str, params: dict[str, str]) -> bool:
        if self.kind == _LITERAL:
            return text == self.literal
        if self.kind == _VARIABLE:
            if not text:
                return False
            params[self.names[0]] = text
            return True
        assert self.pattern is not None
        found = self.pattern.fullmatch(text)
        if found is None:
            return False
        params.update(zip(self.names, found.groups(), strict=True))
        return True

    @property
    def shape(self) -> str:
        if self.kind == _LITERAL:
            return self.literal.replace("{", "{{")
        if self.kind == _VARIABLE:
            return "{}"
        assert self.pattern is not None
        return self.pattern.pattern.replace("(.+)", "{}")


@dataclass(frozen=True, slots=True)
class _QueryItem:
    key: str
    name: str | None  # None: the value must equal ``literal``
    literal: str


@dataclass(frozen=True, slots=True)
class UriTemplate:
    """A compiled URI template.

    ``shape`` is the template with variable names erased (``/a/{}?q={}``): two templates with one
    shape match the same requests. ``ranks`` orders templates by specificity, most specific first.
    """

    source: str
    segments: tuple[_Segment, ...]
    tail: bool
    query: tuple[_QueryItem, ...]
    shape: str
    ranks: tuple[tuple[int, ...], int]

    def bind(self, segments: Sequence[str], query: Mapping[str, str]) -> dict[str, str] | None:
        """The template's parameters for a request path split by ``split_path``, or None if no match."""
        count = len(self.segments)
        if len(segments) != count and not (self.tail and len(segments) >= count):
            return None
        params: dict[str, str] = {}
        for segment, text in zip(self.segments, segments, strict=False):
            if not segment.bind(text, params):
                return None
        for item in self.query:
            value = query.get(item.key)
            if value is None or (item.name is None and value != item.literal):
                return None
            if item.name is not None:
                params[item.name] = value
        if self.tail:
            params[WILDCARD] = "/".join(segments[count:])
        return params


def split_path(path: str) -> list[str]:
    """``'/a/b%20c/'`` -> ``['a', 'b c']``: segments, each percent-decoded, one trailing slash dropped."""
    if not path.startswith("/"):
        return []
    parts = path.split("/")[1:]
    segments = [unquote(part) for part in parts] if "%" in path else parts
    if segments and not segments[-1]:
        segments.pop()
    return segments


def parse_context(context: str, version: str | None) -> tuple[str, ...]:
    """The decoded segments an API is served under: its context, then its version if it has one."""
    if not context.startswith("/"):
        raise TemplateError(f"the context must start with '/' (got {context!r})")
    if any(char in context for char in "{}*?#"):
        raise TemplateError(f"the context must be a plain path without '{{}}*?#' (got {context!r})")
    stripped = context.strip("/")
    parts = stripped.split("/") if stripped else []
    if "" in parts:
        raise TemplateError(f"the context must not contain empty segments (got {context!r})")
    if version:
        if any(char in version for char in "/{}*?#"):
            raise TemplateError(f"the version must be one plain path segment (got {version!r})")
        parts.append(version)
    return tuple(unquote(part) for part in parts)


def compile_uri_template(template: str | None) -> UriTemplate:
    """Compile *template* (None or ``""`` mean ``"/"``: the context root); raise ``TemplateError``."""
    source = template or "/"
    path, has_query, query_text = source.partition("?")
    if not path.startswith("/"):
        raise TemplateError(f"a URI template must start with '/' (got {source!r})")
    names: set[str] = set()
    parts = path[1:].split("/")
    if parts and not parts[-1]:
        parts.pop()
    tail = bool(parts) and parts[-1] == WILDCARD
    if tail:
        parts.pop()
    segments = tuple(_parse_segment(part, names) for part in parts)
    query = _parse_query(query_text, names) if has_query else ()
    shape = "/" + "/".join(segment.shape for segment in segments) + ("/*" if tail else "")
    if query:
        shape += "?" + "&".join(sorted(f"{q.key}={'{}' if q.name else q.literal}" for q in query))
    ranks = tuple(segment.kind for segment in segments) + ((_TAIL,) if tail else ())
    return UriTemplate(source, segments, tail, query, shape, (ranks, -len(query)))


def _parse_segment(text: str, names: set[str]) -> _Segment:
    pieces: list[tuple[bool, str]] = []  # (is_variable, text)
    position = 0
    while position < len(text):
        opening = text.find("{", position)
        closing = text.find("}", position)
        if closing != -1 and (opening == -1 or closing < opening):
            raise TemplateError(f"'}}' without a matching '{{' in segment {text!r}")
        if opening == -1:
            pieces.append((False, text[position:]))
            break
        if opening > position:
            pieces.append((False, text[position:opening]))
        if closing == -1:
            raise TemplateError(f"'{{' without a matching '}}' in segment {text!r}")
        if pieces and pieces[-1][0]:
            raise TemplateError(f"two variables must be separated by literal text in segment {text!r}")
        pieces.append((True, _variable(text[opening + 1 : closing], names)))
        position = closing + 1
    if not pieces:
        raise TemplateError("a URI template must not contain empty segments ('//')")
    if any(not is_variable and WILDCARD in piece for is_variable, piece in pieces):
        raise TemplateError(f"'*' may only be the whole last segment of a URI template (got {text!r})")
    if len(pieces) == 1:
        is_variable, piece = pieces[0]
        if is_variable:
            return _Segment(_VARIABLE, names=(piece,))
        return _Segment(_LITERAL, literal=unquote(piece))
    pattern = "".join("(.+)" if is_variable else re.escape(unquote(piece)) for is_variable, piece in pieces)
    variables = tuple(piece for is_variable, piece in pieces if is_variable)
    return _Segment(_MIXED, names=variables, pattern=re.compile(pattern, re.DOTALL))


def _parse_query(text: str, names: set[str]) -> tuple[_QueryItem, ...]:
    items: list[_QueryItem] = []
    for part in filter(None, text.split("&")):
        key, has_value, value = part.partition("=")
        if not key or not has_value or "{" in key or "}" in key:
            raise TemplateError(f"a query template item must be key={{variable}} or key=value (got {part!r})")
        if any(item.key == key for item in items):
            raise TemplateError(f"query parameter {key!r} appears twice")
        if value.startswith("{") and value.endswith("}"):
            items.append(_QueryItem(key, _variable(value[1:-1], names), ""))
        elif "{" in value or "}" in value:
            raise TemplateError(f"a query value must be one {{variable}} or plain text (got {part!r})")
        else:
            items.append(_QueryItem(key, None, value))
    return tuple(items)


def _variable(name: str, names: set[str]) -> str:
    if not name:
        raise TemplateError("a variable needs a name ('{}' is empty)")
    if _VARIABLE_NAME.fullmatch(name) is None:
        raise TemplateError(
            f"variable name {name!r} must start with a letter or '_' and hold only letters, digits, '_-.'"
        )
    if name in names:
        raise TemplateError(f"variable {name!r} appears twice")
    names.add(name)
    return name
