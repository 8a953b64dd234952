"""URL templates of endpoints, expanded as RFC 6570 expands URI templates; compiled once, so a message
only renders its values and no URL is parsed per message.

``http://host/patients/${vars.id}?fields=${vars.fields}``:

- a ``${...}`` value in the path or the query is percent-encoded (:func:`interlace.sdk.quote_value`):
  ``a/b?c#d&e=f`` arrives as one segment or one query value, never as URL structure;
- ``${+...}`` (reserved expansion, RFC 6570's ``{+var}``) inserts the value as raw URL text, for a value
  that is a URL or a path on purpose;
- values known at load time (``${configs.x}``, ``${env.X}``) are part of the template's literal text and
  stay raw, so ``${configs.backend}/orders`` works with a base URL that has a path;
- a URL whose path has a ``.`` or ``..`` segment is refused, so no value can walk up the path.

The scheme and host must be literal text (or known at load time), else the URL is parsed per message
and must be an absolute http or https URL.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from yarl import URL

from interlace.endpoints.headers import redact_url
from interlace.errors import ConfigError, SourceLocation
from interlace.expressions import CompileScope, compile_template, split_template
from interlace.message import MessageContext
from interlace.sdk import has_dot_segment, quote_reserved, quote_value

__all__ = [
    "UrlTemplate",
    "UrlTemplateError",
    "UrlText",
    "compile_url_template",
    "compile_url_text",
    "url_of_text",
]

_Render = Callable[[MessageContext], str]
_NO_MESSAGE: Final = MessageContext()


class UrlTemplateError(ValueError):
    """A rendered URL is not usable: ``from_value`` says whether a message's value made it so (a ``.``
    or ``..`` segment) rather than the template (not an absolute http or https URL)."""

    def __init__(self, message: str, *, from_value: bool, text: str = "") -> None:
        super().__init__(message)
        self.from_value = from_value
        self.text = text


@dataclass(frozen=True, slots=True)
class _Value:
    """A value put into the URL: rendered per message, encoded unless ``reserved``."""

    render: _Render
    reserved: bool
    reads_payload: bool = True

    def text(self, ctx: MessageContext) -> str:
        value = self.render(ctx)
        return quote_reserved(value) if self.reserved else quote_value(value)


_Part = str | _Value


def _joined(parts: tuple[_Part, ...], ctx: MessageContext) -> str:
    return "".join(part if isinstance(part, str) else part.text(ctx) for part in parts)


@dataclass(frozen=True, slots=True)
class UrlTemplate:
    """A compiled URL template; immutable, safe to share between concurrent messages.

    ``render`` gives the URL for one message, or raises :class:`UrlTemplateError` (or
    :class:`~interlace.errors.ExpressionError` when a value cannot be computed)."""

    source: str
    _origin: URL | None
    _path: tuple[_Part, ...]
    _query: tuple[_Part, ...] | None
    _fragment: tuple[_Part, ...] | None
    _constant: URL | None

    @property
    def reads_payload(self) -> bool:
        """Whether rendering it may read the payload (a value taken from it)."""
        parts = (*self._path, *(self._query or ()), *(self._fragment or ()))
        return any(isinstance(part, _Value) and part.reads_payload for part in parts)

    def render(self, ctx: MessageContext) -> URL:
        if self._constant is not None:
            return self._constant
        path = _joined(self._path, ctx)
        query = _joined(self._query, ctx) if self._query is not None else ""
        fragment = _joined(self._fragment, ctx) if self._fragment is not None else ""
        origin = self._origin
        if origin is None:
            url = _absolute(path + (f"?{query}" if self._query is not None else ""), fragment)
            _check_path(url.raw_path)
            return url
        _check_path(path)
        return URL.build(
            scheme=origin.scheme,
            authority=origin.raw_authority,
            path=path,
            query_string=query,
            fragment=fragment,
            encoded=True,
        )

    def render_str(self, ctx: MessageContext) -> str:
        return str(self.render(ctx))


def _check_path(path: str) -> None:
    if has_dot_segment(path):
        raise UrlTemplateError(
            "a value put into the URL's path must not make a '.' or '..' segment", from_value=True
        )


def _absolute(text: str, fragment: str) -> URL:
    try:
        url: URL | None = URL(text + (f"#{fragment}" if fragment else ""), encoded=True)
        usable = url is not None and url.scheme in ("http", "https") and bool(url.host)
    except (TypeError, ValueError):  # yarl parses the authority lazily: a bad port fails at .host
        url, usable = None, False
    if url is None or not usable:
        raise UrlTemplateError(
            "the URL must be an absolute http or https URL; a value that holds a whole URL or path is"
            " inserted as raw URL text with ${+...}",
            from_value=False,
            text=text,
        )
    return url


def _parts(text: str, location: SourceLocation | None, scope: CompileScope | None) -> list[_Part]:
    """Literal text (values known at load time folded in) and values, adjacent literals merged."""
    parts: list[_Part] = []
    for piece in split_template(text, location):
        part: _Part
        if isinstance(piece, tuple):
            source = piece[0].strip()
            reserved = source.startswith("+")
            template = compile_template(
                "${" + (source[1:] if reserved else source) + "}", location=location, scope=scope
            )
            part = (
                template.render_str(_NO_MESSAGE)
                if template.is_constant
                else _Value(template.render_str, reserved, template.reads_payload)
            )
        else:
            part = piece
        if isinstance(part, str):
            part = quote_reserved(part)
            if parts and isinstance(parts[-1], str):
                parts[-1] += part
                continue
        parts.append(part)
    return parts


def _cut(parts: list[_Part], marker: str) -> tuple[list[_Part], list[_Part] | None]:
    """``parts`` before and after the first ``marker`` in their literal text (None: no marker)."""
    for index, part in enumerate(parts):
        if isinstance(part, str) and marker in part:
            before, _, after = part.partition(marker)
            return [*parts[:index], *([before] if before else [])], [
                *([after] if after else []),
                *parts[index + 1 :],
            ]
    return parts, None


def _origin(parts: list[_Part]) -> tuple[URL | None, list[_Part]]:
    """The scheme and authority when they are literal text, and the parts after them."""
    first = parts[0] if parts else ""
    if not isinstance(first, str) or "://" not in first:
        return None, parts
    start = first.index("://") + 3
    ends = [index for index in (first.find(mark, start) for mark in "/?#") if index >= 0]
    if not ends and len(parts) > 1:
        return None, parts  # the host or port comes from a value
    end = min(ends) if ends else len(first)
    origin = _absolute(first[:end], "")
    rest = first[end:]
    return origin, [*([rest] if rest else []), *parts[1:]]


def compile_url_template(
    text: str, *, location: SourceLocation | None = None, scope: CompileScope | None = None
) -> UrlTemplate:
    """Compile an endpoint's URL; :class:`~interlace.errors.ExpressionError` for a bad expression,
    :class:`~interlace.errors.ConfigError` when the URL starts with a literal ``scheme://host`` that is
    not an absolute http or https URL, or its literal path has a ``.`` or ``..`` segment."""
    parts = _parts(text, location, scope)
    try:
        origin, rest = _origin(parts)
    except UrlTemplateError as exc:
        raise ConfigError(f"{exc} (got {redact_url(text)!r})", location=location) from exc
    if origin is None:
        # parsed per message: only the query and fragment are told apart from the rest
        rest = parts
    before_fragment, fragment = _cut(rest, "#")
    path, query = _cut(before_fragment, "?")
    if origin is not None and has_dot_segment("".join(p if isinstance(p, str) else "x" for p in path)):
        raise ConfigError(
            f"the URL's path must have no '.' or '..' segment (got {redact_url(text)!r})", location=location
        )
    template = UrlTemplate(
        text,
        origin,
        tuple(path),
        tuple(query) if query is not None else None,
        tuple(fragment) if fragment is not None else None,
        None,
    )
    if origin is not None and all(isinstance(part, str) for part in parts):
        return UrlTemplate(text, origin, (), None, None, template.render(_NO_MESSAGE))
    # Without a literal scheme and host (a configuration value may be missing, and is reported as such)
    # the URL is checked when it is rendered.
    return template


@dataclass(frozen=True, slots=True)
class UrlText:
    """A relative URL (a path with an optional ``?query``) written as a template, rendered as text with
    the values encoded as in :class:`UrlTemplate`; the one who uses the text checks it (a connector
    under its base URL)."""

    source: str
    _parts: tuple[_Part, ...]

    def render_str(self, ctx: MessageContext) -> str:
        return _joined(self._parts, ctx)


def compile_url_text(
    text: str, *, location: SourceLocation | None = None, scope: CompileScope | None = None
) -> UrlText:
    """Compile a relative URL template; :class:`~interlace.errors.ExpressionError` for a bad expression."""
    return UrlText(text, tuple(_parts(text, location, scope)))


def url_of_text(render: _Render, source: str = "") -> UrlTemplate:
    """A URL template whose whole text comes from ``render`` as raw URL text (``${+...}``), parsed per
    message: for URLs built by other means than a template."""
    return UrlTemplate(source, None, (_Value(render, reserved=True),), None, None, None)
