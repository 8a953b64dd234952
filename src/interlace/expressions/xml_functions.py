"""``xpath()``: XPath 1.0 over the XML payload (or an XML variable), through lxml.

A literal XPath is compiled once when the expression is compiled; others are compiled on first use and
cached. Results become language values: text and attributes are strings, numbers are numbers (whole
numbers as integers), elements are XML text; one result is returned as itself, none as null, several as
an array.
"""

from __future__ import annotations

import functools
from typing import Any, Final

from lxml import etree

from interlace.errors import ExpressionError
from interlace.expressions.registry import describe, expect_text, function
from interlace.expressions.values import xml_text
from interlace.message import MessageContext

__all__ = ["compile_xpath", "run_xpath"]

_PARSER: Final = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


@functools.lru_cache(maxsize=512)
def compile_xpath(expression: str) -> etree.XPath:
    """The compiled XPath; raises :class:`ExpressionError` when it is not valid XPath 1.0."""
    try:
        return etree.XPath(expression, smart_strings=False)
    except etree.XPathSyntaxError as exc:
        raise ExpressionError(
            f"xpath() needs a valid XPath 1.0 expression (got {expression!r}: {exc})"
        ) from exc
    except ValueError as exc:  # NUL, control characters or lone surrogates, which XML cannot hold
        raise ExpressionError(
            f"xpath() needs an XPath of XML characters: no NUL, control characters or lone surrogates "
            f"(got {expression!r})"
        ) from exc


def _document(ctx: MessageContext, variable: str | None) -> etree._Element:
    if variable is None:
        if ctx.payload.kind != "xml":
            raise ExpressionError(f"xpath() needs an XML payload (got a {ctx.payload.kind} payload)")
        return ctx.payload.xml()
    value = ctx.variables.get(variable)
    if isinstance(value, etree._Element):
        return value
    if isinstance(value, str | bytes):
        try:
            return etree.fromstring(value.encode() if isinstance(value, str) else value, _PARSER)
        except (etree.XMLSyntaxError, ValueError) as exc:
            raise ExpressionError(f"xpath() needs XML in variable {variable!r}: {exc}") from exc
    raise ExpressionError(f"xpath() needs XML in variable {variable!r} (got {describe(value)})")


def _convert(item: Any) -> Any:
    if isinstance(item, etree._Element):
        return xml_text(item)
    if isinstance(item, float):
        return int(item) if item.is_integer() and abs(item) < 2**53 else item
    if isinstance(item, tuple):  # namespace nodes
        return str(item[1])
    return item


def run_xpath(xpath: etree.XPath, ctx: MessageContext, variable: str | None = None) -> Any:
    """Evaluate a compiled XPath against the payload, or against the XML held in variable ``variable``."""
    document = _document(ctx, variable)
    try:
        result = xpath(document)
    except etree.XPathError as exc:
        raise ExpressionError(f"xpath() failed on {xpath.path!r}: {exc}") from exc
    if not isinstance(result, list):
        return _convert(result)
    if not result:
        return None
    if len(result) == 1:
        return _convert(result[0])
    return [_convert(item) for item in result]


@function(
    "xpath(expression[, variable])",
    "xpath('//patient/name/text()') → \"John\"",
    pure=False,
    needs_context=True,
)
def _xpath(ctx: MessageContext, expression: Any, variable: Any = None) -> Any:
    """The result of an XPath 1.0 expression evaluated on the XML payload, or on the XML held in the
    variable named ``variable`` (an XML value or XML text). A single text or attribute gives a string,
    a single element its XML text, no match null, several matches an array. Prefixed names need
    ``local-name()``: ``//*[local-name()='order']``."""
    xpath = compile_xpath(expression=expect_text("xpath", expression, "the XPath"))
    name = None if variable is None else expect_text("xpath", variable, "the variable name")
    return run_xpath(xpath, ctx, name)
