"""``switch`` -> ``switch``. Synapse matches each case's regex against the whole value, as Interlace's
``match: regex`` does; cases whose regexes are plain text become literal cases."""

from __future__ import annotations

from typing import Any, Final

from lxml import etree

from interlace.importers.synapse.conversion import Conversion
from interlace.importers.synapse.registry import FlowItem, FlowPart, mediator
from interlace.importers.synapse.xml import attribute, children, local_name

__all__ = ["convert_switch", "regex_switch"]

_SPECIAL: Final = frozenset(".^$*+?{}[]\\|()")


def regex_switch(on: str, cases: dict[str, list[FlowItem]], default: list[FlowItem]) -> dict[str, Any]:
    """A switch on ``on`` over regex ``cases``, literal when every pattern is plain text."""
    literal = not any(_SPECIAL.intersection(pattern) for pattern in cases)
    options: dict[str, Any] = {"on": on}
    if not literal:
        options["match"] = "regex"
    options["cases"] = cases
    if default:
        options["default"] = default
    return {"switch": options}


@mediator("switch")
def convert_switch(element: etree._Element, conversion: Conversion, part: FlowPart) -> list[FlowItem]:
    source = conversion.expression(element, attribute(element, "source") or "", "switch source")
    if source is None:
        return []
    cases: dict[str, list[FlowItem]] = {}
    default: list[FlowItem] = []
    for each in children(element):
        if local_name(each) == "case":
            cases[attribute(each, "regex") or ""] = conversion.flow(each, part)
        elif local_name(each) == "default":
            default = conversion.flow(each, part)
        else:
            conversion.unsupported(each, f"switch <{local_name(each)}>")
    conversion.converted(element, "switch")
    return [regex_switch(source, cases, default)]
