"""``foreach`` -> ``foreach``: each element of a JSON array, as the payload, runs the sequence, and the
payloads the runs end with replace the elements in place, as Synapse does. MI 4.4's form
(``collection``, ``parallel-execution``, ``counter-variable``) converts too. An XPath collection is
reported: Interlace's foreach writes JSON."""

from __future__ import annotations

from typing import Any

from lxml import etree

from interlace.importers.synapse.conversion import Conversion
from interlace.importers.synapse.expressions import payload_target
from interlace.importers.synapse.mediators.iterate import element_as_payload
from interlace.importers.synapse.registry import FlowItem, FlowPart, mediator
from interlace.importers.synapse.xml import attribute, child

__all__ = ["convert_foreach"]


@mediator("foreach")
def convert_foreach(element: etree._Element, conversion: Conversion, part: FlowPart) -> list[FlowItem]:
    modern = attribute(element, "collection") is not None
    source = attribute(element, "collection") or attribute(element, "expression") or ""
    target = payload_target(source)
    if target is None:
        conversion.unsupported(element, f"foreach over {source!r}", "Interlace's foreach updates JSON arrays")
        return []
    if attribute(element, "update-original") == "false":
        conversion.unsupported(
            element, "foreach update-original=false", "collect into a variable: foreach target: vars.NAME"
        )
        return []
    flow: list[FlowItem] = [element_as_payload()]
    if counter := attribute(element, "counter-variable"):
        flow.append({"variable": {"name": counter, "value": "${vars.index}"}})
    body = child(element, "sequence")
    flow += conversion.flow(body, "sequence") if body is not None else []
    if key := attribute(element, "sequence"):
        flow.append({"sequence": key})
    options: dict[str, Any] = {"collection": "${" + target + "}", "flow": flow, "target": target}
    if modern and attribute(element, "parallel-execution") != "false":
        options["parallel"] = True
    conversion.converted(element, "foreach")
    return [{"foreach": options}]
