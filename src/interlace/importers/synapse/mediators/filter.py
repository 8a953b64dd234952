"""``filter`` -> ``filter`` (``xpath``: a condition) or, for ``source`` and ``regex``, a ``switch``
with one regex case, which matches the whole value as Synapse does."""

from __future__ import annotations

from typing import Any

from lxml import etree

from interlace.importers.synapse.conversion import Conversion
from interlace.importers.synapse.mediators.switch import regex_switch
from interlace.importers.synapse.registry import FlowItem, FlowPart, mediator
from interlace.importers.synapse.xml import attribute, child

__all__ = ["convert_filter"]


def _branches(
    element: etree._Element, conversion: Conversion, part: FlowPart
) -> tuple[list[FlowItem], list[FlowItem]]:
    then, otherwise = child(element, "then"), child(element, "else")
    if then is None and otherwise is None:
        return conversion.flow(element, part), []
    return (
        conversion.flow(then, part) if then is not None else [],
        conversion.flow(otherwise, part) if otherwise is not None else [],
    )


@mediator("filter")
def convert_filter(element: etree._Element, conversion: Conversion, part: FlowPart) -> list[FlowItem]:
    source, regex, xpath = (
        attribute(element, "source"),
        attribute(element, "regex"),
        attribute(element, "xpath"),
    )
    if source is not None and regex is not None:
        on = conversion.expression(element, source, "filter source")
        if on is None:
            return []
        then, otherwise = _branches(element, conversion, part)
        conversion.converted(element, "filter (source and regex)")
        return [regex_switch(on, {regex: then}, otherwise)]
    condition = conversion.expression(element, xpath or "", "filter xpath")
    if condition is None:
        return []
    if condition.startswith("${") and condition.endswith("}") and condition.count("${") == 1:
        condition = condition[2:-1]
    then, otherwise = _branches(element, conversion, part)
    options: dict[str, Any] = {"condition": condition, "then": then}
    if otherwise:
        options["else"] = otherwise
    conversion.converted(element, "filter (xpath)")
    return [{"filter": options}]
