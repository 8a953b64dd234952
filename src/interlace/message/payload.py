"""The message body: raw bytes as they arrived, with lazily parsed JSON, XML and text views.

A payload is immutable from the outside: a mediator that changes the body builds a new ``Payload``
(``Payload.of_json(value)``) and assigns it to the context. Views are parsed at most once, and bytes
are serialized at most once, so a body that is only forwarded is never parsed.

JSON may be nested at most ``MAX_JSON_DEPTH`` (200) levels deep: a deeper body is refused when it is
parsed (``PayloadError``, 400), so that every value a flow reads can be written again (the JSON writer
stops at 254 levels, which leaves a flow room to wrap a body it received).

A payload may also be *unread* (``Payload.streamed``): it holds the body's stream until
``await payload.read()`` (see :mod:`interlace.message.body`); its content type and kind are known, its
bytes and views are not.
"""

from __future__ import annotations

from typing import Any, Final

import orjson
from lxml import etree

from interlace.errors import PayloadError
from interlace.message.body import BodyStream

__all__ = ["JSON_TYPE", "MAX_JSON_DEPTH", "Payload", "PayloadKind", "media_type_of"]

JSON_TYPE: Final = "application/json"
MAX_JSON_DEPTH: Final = 200
"""How deeply JSON bodies may nest (objects and arrays within each other)."""
_XML_TYPES: Final = frozenset({"application/xml", "text/xml"})
_UNSET: Final[Any] = object()
_XML_PARSER: Final = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)

PayloadKind = str  # one of "json", "xml", "text", "binary", "empty"


def media_type_of(content_type: str) -> str:
    """``'application/json; charset=utf-8'`` -> ``'application/json'``."""
    return content_type.partition(";")[0].strip().lower()


def _charset_of(content_type: str) -> str:
    for part in content_type.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip('"')
    return "utf-8"


def _kind_of(media_type: str) -> PayloadKind:
    if media_type == JSON_TYPE or media_type.endswith("+json"):
        return "json"
    if media_type in _XML_TYPES or media_type.endswith("+xml"):
        return "xml"
    if media_type.startswith("text/") or media_type in ("application/x-www-form-urlencoded",):
        return "text"
    return "binary"


class Payload:
    """A message body with its content type; JSON, XML and text views are parsed on first use."""

    __slots__ = ("_json", "_raw", "_stream", "_text", "_xml", "content_type", "kind", "media_type")

    def __init__(self, raw: bytes = b"", content_type: str = "application/octet-stream") -> None:
        self._raw: bytes | None = raw
        self._stream: BodyStream | None = None
        self._json: Any = _UNSET
        self._xml: Any = _UNSET
        self._text: str | None = None
        self.content_type = content_type
        self.media_type = media_type_of(content_type)
        self.kind: PayloadKind = "empty" if not raw else _kind_of(self.media_type)

    @classmethod
    def empty(cls) -> Payload:
        return cls(b"", "application/octet-stream")

    @classmethod
    def of_json(cls, value: Any) -> Payload:
        """A JSON payload from a Python value; serialized only when its bytes are needed."""
        payload = cls.__new__(cls)
        payload._raw = None
        payload._stream = None
        payload._json = value
        payload._xml = _UNSET
        payload._text = None
        payload.content_type = JSON_TYPE
        payload.media_type = JSON_TYPE
        payload.kind = "json"
        return payload

    @classmethod
    def streamed(cls, stream: BodyStream, content_type: str = "application/octet-stream") -> Payload:
        """An unread payload: the body stays in ``stream`` until :meth:`read` (or until it is sent on)."""
        payload = cls.__new__(cls)
        payload._raw = None
        payload._stream = stream
        payload._json = _UNSET
        payload._xml = _UNSET
        payload._text = None
        payload.content_type = content_type
        payload.media_type = media_type_of(content_type)
        payload.kind = _kind_of(payload.media_type)
        return payload

    @property
    def unread(self) -> BodyStream | None:
        """The stream of a body not read yet (None once read, and for a payload made in memory)."""
        return self._stream

    async def read(self) -> None:
        """Read an unread body into memory (at once for any other payload); raises
        :class:`PayloadError` when it is too large or cannot be read (see
        :class:`~interlace.message.BodyStream`)."""
        stream = self._stream
        if stream is not None:
            raw = await stream.read()
            self._raw, self._stream = raw, None
            if not raw:
                self.kind = "empty"

    def close(self) -> None:
        """Give up an unread body (nothing happens to a payload in memory)."""
        stream = self._stream
        if stream is not None:
            stream.close()

    @classmethod
    def of_text(cls, text: str, content_type: str = "text/plain; charset=utf-8") -> Payload:
        payload = cls(text.encode(_charset_of(content_type)), content_type)
        payload._text = text
        if not text:
            payload.kind = "empty"
        return payload

    @classmethod
    def of_xml(cls, element: etree._Element, content_type: str = "application/xml") -> Payload:
        payload = cls(etree.tostring(element, encoding="utf-8"), content_type)
        payload._xml = element
        return payload

    @property
    def raw(self) -> bytes:
        """The body as bytes (serialized from the JSON view once if the payload was built from a value)."""
        if self._raw is None:
            if self._stream is not None:
                raise RuntimeError(f"the {self._stream.origin} body was not read before its bytes were used")
            try:
                self._raw = orjson.dumps(self._json, option=orjson.OPT_NON_STR_KEYS)
            except TypeError as exc:
                raise _unwritable(exc) from exc
        return self._raw

    def __len__(self) -> int:
        return len(self.raw)

    def json(self) -> Any:
        """The body parsed as JSON; raises :class:`PayloadError` saying where the JSON is malformed."""
        if self._json is _UNSET:
            raw = self.raw
            if not raw.strip():
                self._json = None
            else:
                try:
                    self._json = orjson.loads(raw)
                except orjson.JSONDecodeError as exc:
                    if "depth" in exc.msg:
                        raise _too_deep() from exc
                    raise PayloadError(
                        f"the payload is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})",
                        detail={"line": exc.lineno, "column": exc.colno},
                    ) from exc
                _check_depth(self._json, raw)
        return self._json

    def text(self) -> str:
        """The body decoded with its charset (UTF-8 by default); JSON values are serialized."""
        if self._text is None:
            try:
                self._text = self.raw.decode(_charset_of(self.content_type))
            except (UnicodeDecodeError, LookupError) as exc:
                raise PayloadError(f"the payload is not text in its declared charset: {exc}") from exc
        return self._text

    def xml(self) -> etree._Element:
        """The body parsed as XML (no entity expansion, no network); raises :class:`PayloadError`."""
        if self._xml is _UNSET:
            try:
                self._xml = etree.fromstring(self.raw, _XML_PARSER)
            except etree.XMLSyntaxError as exc:
                raise PayloadError(f"the payload is not well-formed XML: {exc}") from exc
        element: etree._Element = self._xml
        return element

    def value(self) -> Any:
        """The natural view for expressions: JSON value, XML element, text, bytes, or None when empty."""
        kind = self.kind
        if kind == "json":
            return self.json()
        if kind == "empty":
            return None
        if kind == "xml":
            return self.xml()
        if kind == "text":
            return self.text()
        return self.raw

    def __repr__(self) -> str:
        if self._stream is not None:
            return f"Payload({self.media_type}, unread {self._stream.origin} body)"
        return f"Payload({self.media_type}, {len(self.raw)} bytes)"


def _check_depth(value: Any, raw: bytes) -> None:
    """Refuse JSON nested deeper than :data:`MAX_JSON_DEPTH`; bodies with fewer brackets than that are
    not walked at all."""
    if raw.count(b"[") + raw.count(b"{") <= MAX_JSON_DEPTH:
        return
    level: list[Any] = [value]
    for depth in range(1, MAX_JSON_DEPTH + 2):
        inner: list[Any] = []
        for item in level:
            if isinstance(item, dict):
                inner.extend(child for child in item.values() if isinstance(child, dict | list))
            elif isinstance(item, list):
                inner.extend(child for child in item if isinstance(child, dict | list))
        if not inner:
            return
        if depth >= MAX_JSON_DEPTH:
            raise _too_deep()
        level = inner


def _unwritable(exc: TypeError) -> PayloadError:
    """A JSON value that cannot be written: nested too deeply, or holding what JSON has no form for
    (bytes of a binary payload put into a JSON document)."""
    if "recursion" in str(exc).lower():
        return PayloadError(
            "the payload cannot be written as JSON: it is nested deeper than the writer's 254 levels"
            f" (bodies may nest at most {MAX_JSON_DEPTH})",
            detail={"maxDepth": MAX_JSON_DEPTH},
        )
    return PayloadError(f"the payload cannot be written as JSON: {exc} (a binary payload put into JSON?)")


def _too_deep() -> PayloadError:
    return PayloadError(
        f"the JSON payload must be nested at most {MAX_JSON_DEPTH} levels deep (got more)",
        detail={"maxDepth": MAX_JSON_DEPTH},
    )
