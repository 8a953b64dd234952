"""xpath(): XPath 1.0 over XML payloads and XML variables."""

from __future__ import annotations

from typing import Any

import pytest
from lxml import etree

from interlace.errors import ExpressionError
from interlace.expressions import compile_expression
from interlace.message import MessageContext

from .messages import XML_ORDER, json_message


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("xpath('//patient/text()')", "John"),
        ("xpath('string(/order/@id)')", "7"),
        ("xpath('//item/text()')", ["scan", "test"]),
        ("xpath('//item/@price')", ["10", "20"]),
        ("xpath('sum(//item/@price)')", 30),
        ("xpath('count(//item) div 4')", 0.5),
        ("xpath('count(//item) > 1')", True),
        ("xpath('//patient')", "<patient>John</patient>"),
        ("xpath('//missing')", None),
        ("toUpper(xpath('//patient/text()'))", "JOHN"),
        ("xpath(\"//*[local-name()='item'][2]/text()\")", "test"),
    ],
)
def test_xpath_reads_the_xml_payload(xml_ctx: MessageContext, source: str, expected: Any) -> None:
    assert compile_expression(source).evaluate(xml_ctx) == expected


def test_xpath_reads_an_xml_variable() -> None:
    ctx = json_message()
    ctx.variables["doc"] = "<a><b>1</b></a>"
    ctx.variables["element"] = etree.fromstring(b"<a><b>2</b></a>")
    ctx.variables["which"] = "element"
    assert compile_expression("xpath('//b/text()', 'doc')").evaluate(ctx) == "1"
    assert compile_expression("xpath('//b/text()', vars.which)").evaluate(ctx) == "2"


def test_a_dynamic_xpath_is_compiled_at_run_time(xml_ctx: MessageContext) -> None:
    xml_ctx.variables["path"] = "//patient/text()"
    assert compile_expression("xpath(vars.path)").evaluate(xml_ctx) == "John"
    xml_ctx.variables["path"] = "//["
    with pytest.raises(ExpressionError, match=r"valid XPath 1\.0"):
        compile_expression("xpath(vars.path)").evaluate(xml_ctx)


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ("xpath('//a')", "xpath() needs an XML payload (got a json payload)"),
        ("xpath('//a', 'name')", "xpath() needs XML in variable 'name'"),
        ("xpath('//a', 'index')", "xpath() needs XML in variable 'index' (got number 1)"),
        ("xpath('//a', vars.index)", "needs the variable name as a string"),
        ("xpath(vars.index)", "xpath() needs the XPath to be a string"),
    ],
)
def test_xpath_errors_are_expression_errors(source: str, fragment: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        compile_expression(source).evaluate(json_message())
    assert fragment in str(caught.value)


def test_an_undefined_namespace_prefix_is_an_expression_error(xml_ctx: MessageContext) -> None:
    with pytest.raises(ExpressionError, match="xpath\\(\\) failed on '//x:a'"):
        compile_expression("xpath('//x:a')").evaluate(xml_ctx)


def test_a_literal_xpath_is_checked_at_compile_time() -> None:
    with pytest.raises(ExpressionError, match="at column 1 in"):
        compile_expression("xpath('//a[')")


def test_xml_payload_element_is_the_payload_value(xml_ctx: MessageContext) -> None:
    value = compile_expression("payload").evaluate(xml_ctx)
    assert isinstance(value, etree._Element)
    assert etree.tostring(value) == etree.tostring(etree.fromstring(XML_ORDER))
