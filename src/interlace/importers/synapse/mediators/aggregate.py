"""``aggregate`` completes the ``iterate`` or ``clone`` before it, and the targets those split into.

An ``iterate`` became a ``foreach`` and a ``clone`` a ``scatter-gather`` (see their modules); both wait
for every result and put them, in order, in a JSON array. The ``aggregate`` of the same ``id`` (or the
latest split, without one) says what each result contributes (its ``onComplete`` expression: a
``foreach`` ``result``, or a last step of each branch), and its ``onComplete`` mediators follow the split,
reading the array as the payload. The complete condition has nothing left to decide: all results are
awaited.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from interlace.importers.synapse.artifacts.endpoint import endpoint_reference
from interlace.importers.synapse.conversion import Conversion
from interlace.importers.synapse.registry import FlowItem, FlowPart, mediator
from interlace.importers.synapse.xml import attribute, child, children, local_name

__all__ = ["complete_split", "convert_aggregate", "target_flow"]

_WHOLE = "${payload}"


def target_flow(
    target: etree._Element, conversion: Conversion, construct: str
) -> tuple[list[FlowItem], etree._Element | None]:
    """The flow a split's ``<target>`` runs (its inline or named sequence, then its endpoint), and the
    ``aggregate`` ending its inline sequence, left for the split to convert after itself."""
    for unsupported in ("to", "soapAction"):
        if attribute(target, unsupported):
            conversion.unsupported(target, f"{construct} target {unsupported}", "set it by hand")
    items: list[FlowItem] = []
    trailing = None
    if key := attribute(target, "sequence"):
        items.append({"sequence": key})
    body = child(target, "sequence")
    if body is not None:
        elements = list(children(body))
        if elements and local_name(elements[-1]) == "aggregate":
            trailing = elements.pop()
        items += conversion.mediators(elements, "sequence")
    if key := attribute(target, "endpoint"):
        items.append({"call": key})
    endpoint = child(target, "endpoint")
    if endpoint is not None:
        name = endpoint_reference(endpoint, conversion, "Endpoint")
        if name is not None:
            items.append({"call": name})
    return items, trailing


def complete_split(split: dict[str, Any], result: str | None) -> None:
    """Make each result of ``split`` (a foreach's or scatter-gather's options) the value of ``result``."""
    if result is None or result == _WHOLE:
        return
    if "flow" in split:
        split["result"] = result
    else:
        for branch in split["branches"]:
            branch.append({"enrich": {"source": result, "target": "payload"}})


@mediator("aggregate")
def convert_aggregate(element: etree._Element, conversion: Conversion, part: FlowPart) -> list[FlowItem]:
    split_id = attribute(element, "id") or ""
    key = split_id if split_id in conversion.splits else next(reversed(conversion.splits), None)
    if key is None:
        conversion.unsupported(element, "aggregate", "no iterate or clone before it to complete")
        return []
    split = conversion.splits.pop(key)
    on_complete = child(element, "onComplete")
    if on_complete is None:
        conversion.unsupported(element, "aggregate without onComplete", "nothing to run with the results")
        return []
    expression = attribute(on_complete, "expression")
    result = conversion.expression(on_complete, expression, "aggregate") if expression else None
    complete_split(split, result)
    condition = child(element, "completeCondition")
    if condition is not None:
        conversion.approximated(condition, "aggregate completeCondition", "every result is awaited")
    if attribute(on_complete, "enclosingElementProperty"):
        conversion.approximated(
            on_complete, "aggregate enclosingElementProperty", "the results are a JSON array"
        )
    items = conversion.flow(on_complete, part)
    if key := attribute(on_complete, "sequence"):
        items.append({"sequence": key})
    conversion.converted(element, "aggregate", "the results in order, as a JSON array in the payload")
    return items
