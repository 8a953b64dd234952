"""The xslt mediator: a project stylesheet transforms the XML payload, with parameters; text results,
bad stylesheets and stylesheets reaching for files are handled."""

from __future__ import annotations

import pytest

from interlace.errors import ConfigError, MediationError, PayloadError

from .conftest import CompileFlows
from .harness import message

ORDER_XSL = """<?xml version="1.0"?>
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:param name="currency" select="'EUR'"/>
  <xsl:template match="/order">
    <invoice id="{@id}" currency="{$currency}">
      <total><xsl:value-of select="sum(line/@price)"/></total>
    </invoice>
  </xsl:template>
</xsl:stylesheet>
"""
TEXT_XSL = """<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:output method="text"/>
  <xsl:template match="/order">Order <xsl:value-of select="@id"/></xsl:template>
</xsl:stylesheet>
"""
ORDER = '<order id="7"><line price="2"/><line price="3.5"/></order>'


async def test_a_stylesheet_transforms_the_xml_payload_with_its_parameters(
    compile_flows: CompileFlows,
) -> None:
    flows = compile_flows(
        {"stylesheets/order.xsl": ORDER_XSL},
        flow='- xslt: {stylesheet: stylesheets/order.xsl, parameters: {currency: "${vars.currency}"}}',
    )
    ctx = await flows.run(message(text=ORDER, content_type="application/xml", variables={"currency": "CHF"}))
    assert ctx.payload.content_type == "application/xml"
    invoice = ctx.payload.xml()
    assert (invoice.tag, invoice.get("id"), invoice.get("currency")) == ("invoice", "7", "CHF")
    assert invoice.findtext("total") == "5.5"


async def test_a_text_result_is_a_text_payload(compile_flows: CompileFlows) -> None:
    flows = compile_flows({"stylesheets/text.xsl": TEXT_XSL}, flow="- xslt: stylesheets/text.xsl")
    ctx = await flows.run(message(text=ORDER, content_type="application/xml"))
    assert ctx.payload.text() == "Order 7"
    assert ctx.payload.content_type.startswith("text/plain")


async def test_a_payload_that_is_not_xml_fails_the_flow(compile_flows: CompileFlows) -> None:
    flows = compile_flows({"stylesheets/text.xsl": TEXT_XSL}, flow="- xslt: stylesheets/text.xsl")
    with pytest.raises(PayloadError):
        await flows.run(message(text="not xml", content_type="application/xml"))


def test_a_missing_or_malformed_stylesheet_is_a_load_time_error(compile_flows: CompileFlows) -> None:
    with pytest.raises(ConfigError) as caught:
        compile_flows(
            {"stylesheets/bad.xsl": "<xsl:stylesheet"},
            flow="- xslt: stylesheets/bad.xsl\n- xslt: stylesheets/none.xsl",
        )
    assert isinstance(caught.value.detail, list)
    messages = [str(problem) for problem in caught.value.detail]
    assert "is not a valid XSLT 1.0 stylesheet" in messages[0]
    assert "cannot read stylesheet 'stylesheets/none.xsl'" in messages[1]


async def test_a_stylesheet_cannot_read_files(compile_flows: CompileFlows) -> None:
    reader = """<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
      <xsl:template match="/"><x><xsl:copy-of select="document('/etc/hostname')"/></x></xsl:template>
    </xsl:stylesheet>"""
    flows = compile_flows({"stylesheets/reader.xsl": reader}, flow="- xslt: stylesheets/reader.xsl")
    with pytest.raises(MediationError, match=r"stylesheet stylesheets/reader\.xsl failed"):
        await flows.run(message(text=ORDER, content_type="application/xml"))
