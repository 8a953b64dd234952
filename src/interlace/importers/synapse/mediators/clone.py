"""``clone`` -> ``scatter-gather``: each ``target`` is a branch run on its own copy of the message; the
branches' payloads replace the payload as a JSON array once all are done, which the ``aggregate``
completing the clone then reads (see :mod:`.aggregate`)."""

from __future__ import annotations

from typing import Any

from lxml import etree

from interlace.importers.synapse.conversion import Conversion
from interlace.importers.synapse.mediators.aggregate import target_flow
from interlace.importers.synapse.registry import FlowItem, FlowPart, mediator
from interlace.importers.synapse.xml import attribute, children, local_name

__all__ = ["convert_clone"]


@mediator("clone")
def convert_clone(element: etree._Element, conversion: Conversion, part: FlowPart) -> list[FlowItem]:
    branches: list[list[FlowItem]] = []
    trailing = None
    for target in children(element):
        if local_name(target) != "target":
            conversion.unsupported(target, f"clone <{local_name(target)}>", "only targets are cloned to")
            continue
        flow, aggregate = target_flow(target, conversion, "clone")
        branches.append(flow)
        trailing = trailing if trailing is not None else aggregate
    if not branches:
        conversion.unsupported(element, "clone without a target", "nothing to run")
        return []
    if attribute(element, "sequential") == "true":
        conversion.approximated(element, "clone sequential", "the branches run at once")
    if attribute(element, "continueParent") == "true":
        conversion.approximated(element, "clone continueParent", "the flow goes on once every branch is done")
    options: dict[str, Any] = {"branches": branches}
    conversion.splits[attribute(element, "id") or ""] = options
    conversion.converted(element, "clone", "scatter-gather")
    items: list[FlowItem] = [{"scatter-gather": options}]
    return items + (conversion.mediators([trailing], part) if trailing is not None else [])
