"""Reading Synapse XML safely: no network, no DTD, no entity expansion; lines kept for the report."""

from __future__ import annotations

from collections.abc import Iterator
from copy import deepcopy
from typing import Final

from lxml import etree

from interlace.errors import ConfigError, SourceLocation

__all__ = [
    "SYNAPSE_NS",
    "attribute",
    "child",
    "children",
    "detached",
    "line_of",
    "local_name",
    "parse_xml",
    "text_of",
]

SYNAPSE_NS: Final = "http://ws.apache.org/ns/synapse"

_PARSER: Final = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
)


def parse_xml(data: bytes, file: str) -> etree._Element:
    """The root element of ``data``; a malformed file is a ConfigError at its line."""
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or 1
        raise ConfigError(
            f"must be well-formed XML ({exc.msg})", location=SourceLocation(file, line)
        ) from exc
    if root.getroottree().docinfo.internalDTD is not None:
        raise ConfigError(
            "must have no DOCTYPE: Synapse configuration declares no entities, and none are expanded",
            location=SourceLocation(file, 1),
        )
    return root


def line_of(element: etree._Element) -> int:
    """The element's line in its file (0 when unknown)."""
    line = element.sourceline
    return line if isinstance(line, int) else 0


def local_name(element: etree._Element) -> str:
    """The tag without its namespace (``{http://ws.apache.org/ns/synapse}log`` -> ``log``)."""
    return etree.QName(element).localname


def children(element: etree._Element) -> Iterator[etree._Element]:
    """The child elements, comments and processing instructions left out."""
    for each in element:
        if isinstance(each.tag, str):
            yield each


def child(element: etree._Element, name: str) -> etree._Element | None:
    """The first child element called ``name`` (any namespace)."""
    return next((each for each in children(element) if local_name(each) == name), None)


def attribute(element: etree._Element, name: str) -> str | None:
    value = element.get(name)
    return None if value is None else str(value)


def text_of(element: etree._Element | None) -> str:
    """The element's text, stripped ("" for a missing element)."""
    if element is None or element.text is None:
        return ""
    return str(element.text).strip()


def detached(element: etree._Element) -> etree._Element:
    """A copy of ``element`` (a message or value written inside Synapse configuration) with the Synapse
    namespace taken off: the XML as its author meant it, not in Synapse's namespace."""
    copy = deepcopy(element)
    for each in copy.iter():
        if isinstance(each.tag, str) and etree.QName(each).namespace == SYNAPSE_NS:
            each.tag = etree.QName(each).localname
    etree.cleanup_namespaces(copy)
    return copy
