"""``header`` -> ``header``. A default-scope header is a SOAP header in Synapse; Interlace messages
have HTTP headers only, so it is set there and reported as approximated."""

from __future__ import annotations

from typing import Any

from lxml import etree

from interlace.importers.synapse.conversion import Conversion
from interlace.importers.synapse.registry import FlowItem, FlowPart, mediator
from interlace.importers.synapse.xml import attribute

__all__ = ["convert_header"]


@mediator("header")
def convert_header(element: etree._Element, conversion: Conversion, part: FlowPart) -> list[FlowItem]:
    name = attribute(element, "name") or ""
    construct = f"header {name}"
    options: dict[str, Any] = {"name": name}
    if attribute(element, "action") == "remove":
        options["action"] = "remove"
    elif (expression := attribute(element, "expression")) is not None:
        template = conversion.expression(element, expression, construct)
        if template is None:
            return []
        options["value"] = template
    elif (value := attribute(element, "value")) is not None:
        options["value"] = value
    else:
        conversion.unsupported(element, construct, "an inline XML header is not converted")
        return []
    if (attribute(element, "scope") or "default") != "transport":
        conversion.approximated(element, construct, "set as an HTTP header (Interlace has no SOAP headers)")
    else:
        conversion.converted(element, construct)
    return [{"header": options}]
