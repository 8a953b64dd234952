"""``call`` and ``send`` -> ``call``.

``call`` waits for the answer and goes on, as Interlace's ``call`` does. ``send`` in an API's
inSequence hands the answer to the outSequence, whose mediators the converted flow runs after the
call (see :mod:`..artifacts.api`): so it is a ``call`` too. In the outSequence a ``send`` without an
endpoint returns the answer to the client: ``respond``.
"""

from __future__ import annotations

from lxml import etree

from interlace.importers.synapse.artifacts.endpoint import endpoint_reference
from interlace.importers.synapse.conversion import Conversion
from interlace.importers.synapse.registry import FlowItem, FlowPart, mediator
from interlace.importers.synapse.xml import attribute, child, children, local_name

__all__ = ["convert_call", "convert_send"]


def _endpoint(element: etree._Element, conversion: Conversion, kind: str) -> list[FlowItem]:
    endpoint = child(element, "endpoint")
    if endpoint is None:
        conversion.unsupported(
            element, f"{kind} without an endpoint", "the To header as address is not converted"
        )
        return []
    name = endpoint_reference(endpoint, conversion, "Endpoint")
    if name is None:
        return []
    for each in children(element):
        if local_name(each) != "endpoint":
            conversion.unsupported(
                each, f"{kind} <{local_name(each)}>", "give the call's source and target by hand"
            )
    return [{"call": name}]


@mediator("call")
def convert_call(element: etree._Element, conversion: Conversion, part: FlowPart) -> list[FlowItem]:
    items = _endpoint(element, conversion, "call")
    if items:
        conversion.converted(element, "call")
    return items


@mediator("send")
def convert_send(element: etree._Element, conversion: Conversion, part: FlowPart) -> list[FlowItem]:
    if child(element, "endpoint") is None and part != "in":
        conversion.converted(element, "send (back to the client)", "respond")
        return [{"respond": {}}]
    items = _endpoint(element, conversion, "send")
    if items and part == "in":
        conversion.converted(element, "send", "call, then the outSequence")
    elif items:
        conversion.approximated(
            element, "send", "a call that waits for the answer; the flow goes on after it"
        )
    if attribute(element, "receive"):
        conversion.unsupported(
            element, "send receive sequence", "call it with a sequence mediator after the send"
        )
    return items
