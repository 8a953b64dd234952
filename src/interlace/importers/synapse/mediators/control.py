"""The mediators that end or redirect a flow: ``respond``, ``drop``, ``loopback``, ``sequence`` and
``store``."""

from __future__ import annotations

from lxml import etree

from interlace.importers.synapse.conversion import Conversion
from interlace.importers.synapse.registry import FlowItem, FlowPart, mediator
from interlace.importers.synapse.xml import attribute

__all__ = ["convert_drop", "convert_loopback", "convert_respond", "convert_sequence_call", "convert_store"]


@mediator("respond")
def convert_respond(element: etree._Element, conversion: Conversion, part: FlowPart) -> list[FlowItem]:
    conversion.converted(element, "respond")
    return [{"respond": {}}]


@mediator("drop")
def convert_drop(element: etree._Element, conversion: Conversion, part: FlowPart) -> list[FlowItem]:
    conversion.converted(element, "drop", "an HTTP caller gets 202 Accepted")
    return ["drop"]


@mediator("loopback")
def convert_loopback(element: etree._Element, conversion: Conversion, part: FlowPart) -> list[FlowItem]:
    following = element.getnext()
    while following is not None and not isinstance(following.tag, str):
        following = following.getnext()
    parent = element.getparent()
    at_end = following is None and parent is not None and etree.QName(parent).localname == "inSequence"
    if part == "in" and at_end:
        conversion.converted(element, "loopback", "the outSequence's mediators follow")
    else:
        conversion.unsupported(element, "loopback", "only at the end of an API's inSequence")
    return []


def _static(element: etree._Element, conversion: Conversion, name: str | None, construct: str) -> str | None:
    if not name:
        conversion.unsupported(element, construct, "it names nothing")
        return None
    if name.startswith("{"):
        conversion.unsupported(element, f"{construct} {name}", "a name computed per message is not converted")
        return None
    return name


@mediator("sequence")
def convert_sequence_call(element: etree._Element, conversion: Conversion, part: FlowPart) -> list[FlowItem]:
    name = _static(element, conversion, attribute(element, "key"), "sequence")
    if name is None:
        return []
    conversion.converted(element, f"sequence {name}")
    return [{"sequence": name}]


@mediator("store")
def convert_store(element: etree._Element, conversion: Conversion, part: FlowPart) -> list[FlowItem]:
    name = _static(element, conversion, attribute(element, "messageStore"), "store")
    if name is None:
        return []
    if attribute(element, "sequence"):
        conversion.unsupported(element, "store sequence", "run it with a sequence mediator before the store")
    conversion.converted(element, f"store {name}")
    return [{"store": name}]
