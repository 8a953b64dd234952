"""``enrich`` -> ``enrich``.

Sources: ``body`` is ``${payload}``, ``property`` a property (``${props.x}``), MI 4.4's ``variable``
``${vars.x}``, ``custom`` its expression, ``inline`` its JSON or text. Targets: ``body`` is
``payload``, ``property`` ``props.x``, ``variable`` ``vars.x``, ``custom`` with a JSON path
``payload.a.b``. Actions: ``replace`` as it is, ``child`` Interlace's ``child`` (merge into an object,
append to an array). The SOAP envelope, XPath targets, ``sibling`` and ``key`` targets are reported.
"""

from __future__ import annotations

import json
import re
from typing import Any, Final

from lxml import etree

from interlace.importers.synapse.conversion import Conversion
from interlace.importers.synapse.expressions import payload_target, property_path
from interlace.importers.synapse.registry import FlowItem, FlowPart, mediator
from interlace.importers.synapse.xml import attribute, child, children

__all__ = ["convert_enrich"]

_NAME: Final = re.compile(r"^[A-Za-z_][\w-]*$")


def _inline(source: etree._Element, conversion: Conversion) -> tuple[bool, Any]:
    if attribute(source, "key"):
        conversion.unsupported(source, "enrich inline source from the registry", "inline the value")
        return False, None
    if list(children(source)):
        conversion.unsupported(source, "enrich inline XML source", "write it as a JSON or text value")
        return False, None
    text = (source.text or "").strip()
    try:
        return True, json.loads(text)
    except ValueError:
        return True, text


def _source(source: etree._Element, conversion: Conversion) -> tuple[bool, Any]:
    kind = (attribute(source, "type") or "custom").lower()
    name = attribute(source, "property") or ""
    if attribute(source, "clone") == "false":
        conversion.approximated(source, "enrich source clone=false", "the source is copied, and kept")
    if kind == "body":
        return True, "${payload}"
    if kind == "property":
        return True, "${" + property_path(name) + "}"
    if kind == "variable":
        return True, "${vars." + name + "}" if _NAME.match(name) else '${vars["' + name + '"]}'
    if kind == "inline":
        return _inline(source, conversion)
    if kind == "custom":
        template = conversion.expression(source, attribute(source, "xpath") or "", "enrich source")
        return template is not None, template
    conversion.unsupported(source, f"enrich source type {kind}", "Interlace messages have no SOAP envelope")
    return False, None


def _target(target: etree._Element, conversion: Conversion) -> str | None:
    kind = (attribute(target, "type") or "custom").lower()
    name = attribute(target, "property") or ""
    if kind == "body":
        return "payload"
    if kind in ("property", "variable"):
        if _NAME.match(name):
            return f"{'props' if kind == 'property' else 'vars'}.{name}"
        conversion.unsupported(target, f"enrich target {kind} {name!r}", "rename it to a plain name")
        return None
    if kind == "custom":
        path = attribute(target, "xpath") or ""
        found = payload_target(path)
        if found is not None:
            return found
        conversion.unsupported(target, f"enrich target {path!r}", "Interlace enriches JSON paths only")
        return None
    conversion.unsupported(target, f"enrich target type {kind}", "no Interlace equivalent")
    return None


@mediator("enrich")
def convert_enrich(element: etree._Element, conversion: Conversion, part: FlowPart) -> list[FlowItem]:
    source, target = child(element, "source"), child(element, "target")
    if source is None or target is None:
        conversion.unsupported(element, "enrich", "it needs a source and a target")
        return []
    ok, value = _source(source, conversion)
    path = _target(target, conversion)
    action = (attribute(target, "action") or "replace").lower()
    if action not in ("replace", "child"):
        conversion.unsupported(target, f"enrich action {action}", "use replace or child")
        return []
    if not ok or path is None:
        return []
    options: dict[str, Any] = {"source": value, "target": path}
    if action == "child":
        options["action"] = "child"
    conversion.converted(element, "enrich")
    return [{"enrich": options}]
