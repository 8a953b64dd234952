"""``xslt`` imported from Synapse: the stylesheet resource is copied into the project and transforms
the XML request with the mediator's properties as parameters."""

from __future__ import annotations

import shutil
from pathlib import Path

from lxml import etree

from tests.importers.synapse.serving import CASES, serve_case


async def test_imported_xslt_transforms_the_xml_payload(tmp_path: Path) -> None:
    shutil.copytree(CASES / "xslt.registry", tmp_path / "synapse-config" / "registry")
    order = '<order id="7"><line price="2"/><line price="3.5"/></order>'
    async with (
        serve_case("xslt", tmp_path) as client,
        client.post(
            "/invoices/", data=order, headers={"Content-Type": "application/xml", "X-Customer": "Ada"}
        ) as answer,
    ):
        assert answer.status == 200
        invoice = etree.fromstring(await answer.read())
    assert dict(invoice.attrib) == {"id": "7", "currency": "CHF", "customer": "Ada"}
    assert invoice.findtext("total") == "5.5"
