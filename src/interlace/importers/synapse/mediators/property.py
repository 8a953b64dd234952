"""``property`` and ``variable``.

A default-scope property becomes an Interlace message property (``${props.name}``, what
``get-property`` reads); a transport-scope property is a transport header, so it becomes ``header``;
``HTTP_SC`` in the axis2 scope is the answer's status. MI 4.4's ``variable`` is Interlace's.
"""

from __future__ import annotations

from typing import Any, Final

from lxml import etree

from interlace.importers.synapse.conversion import Conversion
from interlace.importers.synapse.registry import FlowItem, FlowPart, mediator
from interlace.importers.synapse.xml import attribute

__all__ = ["convert_property", "convert_variable"]

_TYPES: Final = {
    "STRING": "string",
    "INTEGER": "integer",
    "LONG": "integer",
    "SHORT": "integer",
    "DOUBLE": "number",
    "FLOAT": "number",
    "BOOLEAN": "boolean",
    "JSON": "json",
}


def _value(element: etree._Element, conversion: Conversion, construct: str) -> tuple[bool, Any]:
    """(True, value) for a value or a convertible expression; (False, None) otherwise (reported)."""
    expression = attribute(element, "expression")
    if expression is not None:
        template = conversion.expression(element, expression, construct)
        return (template is not None), template
    value = attribute(element, "value")
    if value is None:
        conversion.unsupported(element, construct, "an inline XML value is not converted")
        return False, None
    return True, value


def _typed(element: etree._Element, options: dict[str, Any], conversion: Conversion, construct: str) -> None:
    kind = (attribute(element, "type") or "STRING").upper()
    if kind in _TYPES and kind != "STRING":
        options["type"] = _TYPES[kind]
    elif kind not in _TYPES:
        conversion.approximated(element, f"{construct} type {kind}", "kept as it is (type auto)")


@mediator("property")
def convert_property(element: etree._Element, conversion: Conversion, part: FlowPart) -> list[FlowItem]:
    name = attribute(element, "name") or ""
    options: dict[str, Any]
    scope = (attribute(element, "scope") or "default").lower()
    remove = attribute(element, "action") == "remove"
    construct = f"property {name} ({scope})"
    if scope == "axis2" and name == "REST_URL_POSTFIX" and remove:
        conversion.converted(
            element, construct, "Interlace never appends the request's path to an endpoint's URL"
        )
        return []
    if scope == "axis2" and name == "HTTP_SC":
        kind, options = "property", {"name": "status", "scope": "transport"}
    elif scope == "transport":
        kind, options = "header", {"name": name}
    elif scope == "default":
        kind, options = "property", {"name": name}
    else:
        conversion.unsupported(element, construct, f"the {scope} scope has no Interlace equivalent")
        return []
    if remove:
        options["action"] = "remove"
    else:
        ok, value = _value(element, conversion, construct)
        if not ok:
            return []
        options["value"] = int(value) if options["name"] == "status" and str(value).isdigit() else value
        if kind == "property" and scope == "default":
            _typed(element, options, conversion, construct)
    conversion.converted(element, construct)
    return [{kind: options}]


@mediator("variable")
def convert_variable(element: etree._Element, conversion: Conversion, part: FlowPart) -> list[FlowItem]:
    name = attribute(element, "name") or ""
    options: dict[str, Any] = {"name": name}
    if attribute(element, "action") == "remove":
        options["action"] = "remove"
    else:
        ok, value = _value(element, conversion, f"variable {name}")
        if not ok:
            return []
        options["value"] = value
        _typed(element, options, conversion, f"variable {name}")
    conversion.converted(element, f"variable {name}")
    return [{"variable": options}]
