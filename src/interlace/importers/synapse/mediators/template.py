"""``call-template`` -> ``sequence`` with ``parameters``: each ``with-param`` value as it is, or, written
``{expression}``, as its ``${...}``. The template became a sequence of that name (see
:mod:`..artifacts.template`)."""

from __future__ import annotations

from typing import Any

from lxml import etree

from interlace.importers.synapse.conversion import Conversion
from interlace.importers.synapse.registry import FlowItem, FlowPart, mediator
from interlace.importers.synapse.xml import attribute, children, local_name

__all__ = ["convert_call_template"]


def _value(element: etree._Element, conversion: Conversion, construct: str) -> tuple[bool, Any]:
    value = attribute(element, "value") or ""
    if not (value.startswith("{") and value.endswith("}")):
        return True, value
    template = conversion.expression(element, value[1:-1], construct)
    return template is not None, template


@mediator("call-template")
def convert_call_template(element: etree._Element, conversion: Conversion, part: FlowPart) -> list[FlowItem]:
    target = attribute(element, "target") or ""
    if not target:
        conversion.unsupported(element, "call-template", "it names no template")
        return []
    parameters: dict[str, Any] = {}
    for each in children(element):
        name = attribute(each, "name") or ""
        if local_name(each) != "with-param" or not name:
            conversion.unsupported(
                each, f"call-template <{local_name(each)}>", "give it as a parameter by hand"
            )
            continue
        ok, value = _value(each, conversion, f"call-template parameter {name}")
        if ok:
            parameters[name] = value
    if attribute(element, "onError"):
        conversion.unsupported(
            element, "call-template onError", "give the template's sequence an on-error flow instead"
        )
    conversion.converted(element, f"call-template {target}", "a sequence call with parameters")
    return [{"sequence": {"name": target, "parameters": parameters} if parameters else target}]
