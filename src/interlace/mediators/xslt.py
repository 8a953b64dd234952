"""The xslt mediator: transform the XML payload with an XSLT 1.0 stylesheet (lxml).

The stylesheet is compiled once, at load time, with no access to files or the network (``document()``,
``xsl:include`` and ``xsl:import`` are refused), so a message can only reach what the stylesheet and
the payload hold. A result with a root element becomes an XML payload; a text result (``xsl:output
method="text"``) a text payload.
"""

from __future__ import annotations

from lxml import etree

from interlace.errors import MediationError, SourceLocation
from interlace.expressions import Template
from interlace.mediators.base import CONTINUE
from interlace.message import MessageContext, Payload

__all__ = ["XsltMediator"]


class XsltMediator:
    """Sets the payload to ``transform`` applied to the XML payload, with ``parameters`` (rendered
    templates) as the stylesheet's ``xsl:param`` values."""

    __slots__ = ("content_type", "location", "name", "parameters", "transform")

    def __init__(
        self,
        transform: etree.XSLT,
        name: str,
        parameters: tuple[tuple[str, Template], ...],
        content_type: str | None,
        location: SourceLocation,
    ) -> None:
        self.transform = transform
        self.name = name
        self.parameters = parameters
        self.content_type = content_type
        self.location = location

    async def mediate(self, ctx: MessageContext) -> bool:
        document = ctx.payload.xml()
        values = {name: etree.XSLT.strparam(value.render_str(ctx)) for name, value in self.parameters}
        try:
            result = self.transform(document, profile_run=False, **values)
        except etree.XSLTApplyError as exc:
            raise MediationError(f"stylesheet {self.name} failed: {exc}", location=self.location) from exc
        root = result.getroot()
        if root is not None:
            ctx.payload = Payload.of_xml(root, self.content_type or "application/xml")
        else:
            ctx.payload = Payload.of_text(str(result), self.content_type or "text/plain; charset=utf-8")
        return CONTINUE
