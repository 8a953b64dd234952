"""``xslt`` -> ``xslt``: the stylesheet resource (``conf:``/``gov:`` key) is copied from the source into
``stylesheets/``, and each ``property`` becomes a parameter (a value, or its expression as ``${...}``).
The whole XML payload is transformed; ``source``, ``target`` and ``resource`` are reported, features
and attributes of the transformer factory are left to lxml."""

from __future__ import annotations

from typing import Any

from lxml import etree

from interlace.importers.synapse.conversion import Conversion
from interlace.importers.synapse.registry import FlowItem, FlowPart, mediator
from interlace.importers.synapse.xml import attribute, children, local_name

__all__ = ["convert_xslt"]


def _parameters(element: etree._Element, conversion: Conversion) -> dict[str, Any] | None:
    parameters: dict[str, Any] = {}
    for each in children(element):
        kind, name = local_name(each), attribute(each, "name") or ""
        if kind in ("feature", "attribute"):
            conversion.approximated(each, f"xslt {kind} {name}", "lxml's XSLT 1.0 processor as it is")
        elif kind == "property" and (expression := attribute(each, "expression")) is not None:
            template = conversion.expression(each, expression, f"xslt property {name}")
            if template is None:
                return None
            parameters[name] = template
        elif kind == "property":
            parameters[name] = attribute(each, "value") or ""
        else:
            conversion.unsupported(each, f"xslt <{kind}>", "inline the included stylesheet")
            return None
    return parameters


@mediator("xslt")
def convert_xslt(element: etree._Element, conversion: Conversion, part: FlowPart) -> list[FlowItem]:
    key = attribute(element, "key") or ""
    if not key or key.startswith("{"):
        conversion.unsupported(element, f"xslt key {key}".rstrip(), "give the stylesheet's resource key")
        return []
    for option in ("source", "target"):
        if attribute(element, option):
            conversion.unsupported(element, f"xslt {option}", "Interlace transforms the whole payload")
    parameters = _parameters(element, conversion)
    stylesheet = conversion.resource_file(element, key, "stylesheets", "xslt stylesheet")
    if stylesheet is None or parameters is None:
        return []
    conversion.converted(element, "xslt")
    options: dict[str, Any] = {"stylesheet": stylesheet}
    if parameters:
        options["parameters"] = parameters
    return [{"xslt": options}]
