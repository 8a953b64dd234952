"""``log`` -> ``log``: level from ``category``, the custom properties as ``name = value`` pairs,
``full`` and ``headers`` as they are; MI 4.4's ``<message>`` template is kept."""

from __future__ import annotations

from typing import Any, Final

from lxml import etree

from interlace.importers.synapse.conversion import Conversion
from interlace.importers.synapse.registry import FlowItem, FlowPart, mediator
from interlace.importers.synapse.xml import attribute, child, children, local_name, text_of

__all__ = ["convert_log"]

_LEVELS: Final = {
    "TRACE": "debug",
    "DEBUG": "debug",
    "INFO": "info",
    "WARN": "warning",
    "ERROR": "error",
    "FATAL": "error",
}


def _pairs(element: etree._Element, conversion: Conversion) -> list[str]:
    pairs: list[str] = []
    for each in children(element):
        if local_name(each) != "property":
            continue
        name, value, expression = (
            attribute(each, "name"),
            attribute(each, "value"),
            attribute(each, "expression"),
        )
        if expression is not None:
            value = conversion.expression(each, expression, f"log property {name}")
        if value is not None:
            pairs.append(f"{name} = {value}")
    return pairs


@mediator("log")
def convert_log(element: etree._Element, conversion: Conversion, part: FlowPart) -> list[FlowItem]:
    options: dict[str, Any] = {}
    message = text_of(child(element, "message"))
    pairs = _pairs(element, conversion)
    separator = attribute(element, "separator") or ", "
    text = separator.join(([message] if message else []) + pairs)
    if text:
        options["message"] = text
    level = _LEVELS.get((attribute(element, "category") or "INFO").upper(), "info")
    if level != "info":
        options["level"] = level
    kind = (attribute(element, "level") or "simple").lower()
    if kind == "full" or attribute(element, "logFullPayload") == "true":
        options["full"] = True
    elif kind == "headers" or attribute(element, "logMessageID") == "true":
        options["headers"] = True
    elif kind == "simple" and not message:
        conversion.approximated(
            element, "log level simple", "logs the given properties, not To/From/WSAction/SOAPAction"
        )
    for each in children(element):
        if local_name(each) not in ("property", "message"):
            conversion.unsupported(each, f"log <{local_name(each)}>")
    conversion.converted(element, "log")
    return [{"log": options}]
