"""The fault mediator: replace the payload with a fault, for a flow to answer or send.

A SOAP 1.1 fault (``faultcode``, ``faultstring``, ``faultactor``, ``detail``) or a SOAP 1.2 one
(``Code/Value``, ``Reason/Text``, ``Node``, ``Role``, ``Detail``) inside an envelope, or Interlace's one
JSON error body (``{"error": {"code", "message", "correlationId"[, "details"]}}``). The texts are
templates; the document is built with lxml, so a value never breaks it.
"""

from __future__ import annotations

from typing import Final

from lxml import etree

from interlace.errors import SourceLocation
from interlace.expressions import Template
from interlace.mediators.base import CONTINUE
from interlace.message import MessageContext, Payload
from interlace.message.json import error_body

__all__ = ["FaultMediator"]

_SOAP11: Final = "http://schemas.xmlsoap.org/soap/envelope/"
_SOAP12: Final = "http://www.w3.org/2003/05/soap-envelope"
_SOAP12_CODES: Final = {"Server": "Receiver", "Client": "Sender"}
_CONTENT_TYPES: Final = {
    "soap11": "text/xml; charset=utf-8",
    "soap12": "application/soap+xml; charset=utf-8",
}


def _text(parent: etree._Element, tag: str, text: str) -> etree._Element:
    element = etree.SubElement(parent, tag)
    element.text = text
    return element


class FaultMediator:
    """Sets the payload to a fault of ``format`` with ``code`` and the rendered texts, and the message's
    status to ``status``; the flow goes on (a ``respond`` answers it)."""

    __slots__ = ("code", "detail", "format", "location", "node", "reason", "role", "status")

    def __init__(
        self,
        format: str,
        code: str,
        reason: Template,
        texts: tuple[Template | None, Template | None, Template | None],
        status: int,
        location: SourceLocation,
    ) -> None:
        self.format = format
        self.code = _SOAP12_CODES.get(code, code) if format == "soap12" else code
        self.reason = reason
        self.detail, self.node, self.role = texts
        self.status = status
        self.location = location

    def _render(self, template: Template | None, ctx: MessageContext) -> str | None:
        return template.render_str(ctx) if template is not None else None

    def _soap11(self, ctx: MessageContext) -> etree._Element:
        envelope = etree.Element(f"{{{_SOAP11}}}Envelope", nsmap={"soapenv": _SOAP11})
        fault = etree.SubElement(etree.SubElement(envelope, f"{{{_SOAP11}}}Body"), f"{{{_SOAP11}}}Fault")
        _text(fault, "faultcode", f"soapenv:{self.code}")
        _text(fault, "faultstring", self.reason.render_str(ctx))
        for tag, template in (("faultactor", self.role), ("detail", self.detail)):
            if (value := self._render(template, ctx)) is not None:
                _text(fault, tag, value)
        return envelope

    def _soap12(self, ctx: MessageContext) -> etree._Element:
        def tag(name: str) -> str:
            return f"{{{_SOAP12}}}{name}"

        envelope = etree.Element(tag("Envelope"), nsmap={"soapenv": _SOAP12})
        fault = etree.SubElement(etree.SubElement(envelope, tag("Body")), tag("Fault"))
        _text(etree.SubElement(fault, tag("Code")), tag("Value"), f"soapenv:{self.code}")
        reason = _text(etree.SubElement(fault, tag("Reason")), tag("Text"), self.reason.render_str(ctx))
        reason.set("{http://www.w3.org/XML/1998/namespace}lang", "en")
        for name, template in (("Node", self.node), ("Role", self.role), ("Detail", self.detail)):
            if (value := self._render(template, ctx)) is not None:
                _text(fault, tag(name), value)
        return envelope

    async def mediate(self, ctx: MessageContext) -> bool:
        if self.format == "json":
            body = error_body(
                self.code, self.reason.render_str(ctx), ctx.correlation_id, self._render(self.detail, ctx)
            )
            ctx.payload = Payload.of_json(body)
        else:
            envelope = self._soap11(ctx) if self.format == "soap11" else self._soap12(ctx)
            ctx.payload = Payload.of_xml(envelope, _CONTENT_TYPES[self.format])
        ctx.transport["status"] = self.status
        return CONTINUE
