"""``iterate`` -> ``foreach``: each element of the expression's array, as the payload, runs the target's
flow; the elements run at once unless ``sequential``. The results (the payloads each run ends with)
replace the payload as a JSON array once all are done, which the ``aggregate`` completing the iterate
then reads (see :mod:`.aggregate`)."""

from __future__ import annotations

from typing import Any

from lxml import etree

from interlace.importers.synapse.conversion import Conversion
from interlace.importers.synapse.mediators.aggregate import target_flow
from interlace.importers.synapse.registry import FlowItem, FlowPart, mediator
from interlace.importers.synapse.xml import attribute, child

__all__ = ["convert_iterate", "element_as_payload"]


def element_as_payload() -> dict[str, Any]:
    """The first step of the flow run per element: the element is the payload, as in Synapse."""
    return {"enrich": {"source": "${vars.item}", "target": "payload"}}


@mediator("iterate")
def convert_iterate(element: etree._Element, conversion: Conversion, part: FlowPart) -> list[FlowItem]:
    collection = conversion.expression(element, attribute(element, "expression") or "", "iterate")
    target = child(element, "target")
    if target is None:
        conversion.unsupported(element, "iterate without a target", "nothing to run per element")
        return []
    flow, trailing = target_flow(target, conversion, "iterate")
    if collection is None:
        return []
    for option in ("preservePayload", "attachPath"):
        if attribute(element, option):
            conversion.approximated(element, f"iterate {option}", "each element alone is the payload")
    if attribute(element, "continueParent") == "true":
        conversion.approximated(
            element, "iterate continueParent", "the flow goes on once every element is done"
        )
    options: dict[str, Any] = {"collection": collection, "flow": [element_as_payload(), *flow]}
    if attribute(element, "sequential") != "true":
        options["parallel"] = True
    conversion.splits[attribute(element, "id") or ""] = options
    conversion.converted(element, "iterate", "foreach")
    items: list[FlowItem] = [{"foreach": options}]
    return items + (conversion.mediators([trailing], part) if trailing is not None else [])
