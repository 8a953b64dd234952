"""``makefault`` -> ``fault``: SOAP 1.1 and 1.2 faults as they are (the code's local name, the reason,
node, role and detail), a POX fault as Interlace's JSON error body. The answer's status is 500, as MI
sends a fault; the ``respond`` or ``send`` after it answers the client, as in MI."""

from __future__ import annotations

from typing import Any, Final

from lxml import etree

from interlace.importers.synapse.conversion import Conversion
from interlace.importers.synapse.registry import FlowItem, FlowPart, mediator
from interlace.importers.synapse.xml import attribute, child, children, text_of

__all__ = ["convert_makefault"]

_FORMATS: Final = {"soap11": "soap11", "soap12": "soap12", "pox": "json"}
_CODES: Final = frozenset(
    {"Server", "Client", "Receiver", "Sender", "MustUnderstand", "VersionMismatch", "DataEncodingUnknown"}
)


def _text(element: etree._Element | None, conversion: Conversion, construct: str) -> tuple[bool, str | None]:
    """The value (literal or expression) of ``element``; (False, None) when it cannot be converted."""
    if element is None:
        return True, None
    if any(True for _ in children(element)):
        conversion.unsupported(element, f"{construct} as XML", "give it as text or an expression")
        return False, None
    expression = attribute(element, "expression")
    if expression is None:
        return True, attribute(element, "value") or text_of(element)
    template = conversion.expression(element, expression, construct)
    return template is not None, template


def _code(element: etree._Element | None, conversion: Conversion, version: str) -> str:
    value = attribute(element, "value") if element is not None else None
    code = (value or "").rpartition(":")[2]
    if code in _CODES and not (version == "soap11" and code in ("Receiver", "Sender", "DataEncodingUnknown")):
        return code
    if element is not None:
        conversion.approximated(element, f"makefault code {value or '(computed)'}", "the code Server")
    return "Server"


@mediator("makefault")
def convert_makefault(element: etree._Element, conversion: Conversion, part: FlowPart) -> list[FlowItem]:
    version = (attribute(element, "version") or "soap11").lower()
    options: dict[str, Any] = {"format": _FORMATS.get(version, "soap11")}
    if version == "pox":
        conversion.approximated(element, "makefault version pox", "Interlace's JSON error body")
    elif version not in _FORMATS:
        conversion.approximated(element, f"makefault version {version}", "a SOAP 1.1 fault")
    options["code"] = _code(child(element, "code"), conversion, options["format"])
    converted = True
    for key in ("reason", "detail", "node", "role"):
        ok, value = _text(child(element, key), conversion, f"makefault {key}")
        converted = converted and ok
        if value is not None and (key != "node" or options["format"] == "soap12"):
            options[key] = value
    if "reason" not in options:
        options["reason"] = ""
    if not converted:
        return []
    conversion.converted(element, "makefault", "fault")
    return [{"fault": options}]
