"""``validate`` with a JSON Schema -> ``validate``: the schema resource (``conf:``/``gov:`` key) is
copied from the source into ``schemas/``, ``source`` is converted as an expression (default the whole
payload), and ``on-fail`` is kept (``${error.message}`` says what failed). XML Schemas, features and
external resources are reported."""

from __future__ import annotations

from typing import Any

import orjson
from lxml import etree

from interlace.importers.synapse.conversion import Conversion
from interlace.importers.synapse.registry import FlowItem, FlowPart, mediator
from interlace.importers.synapse.xml import attribute, child, children, local_name

__all__ = ["convert_validate"]


def _is_json(data: bytes) -> bool:
    try:
        orjson.loads(data)
    except orjson.JSONDecodeError:
        return False
    return True


def _schema(element: etree._Element, conversion: Conversion) -> str | None:
    schemas = [each for each in children(element) if local_name(each) == "schema"]
    if len(schemas) != 1 or not attribute(schemas[0], "key"):
        conversion.unsupported(element, "validate schemas", "give exactly one schema key")
        return None
    key = attribute(schemas[0], "key") or ""
    if key.startswith("{"):
        conversion.unsupported(schemas[0], f"validate schema {key}", "a key computed per message")
        return None
    data = conversion.resources(key)
    if data is not None and (key.endswith(".xsd") or not _is_json(data)):
        conversion.unsupported(schemas[0], f"validate schema {key}", "only JSON Schemas are converted")
        return None
    return conversion.resource_file(schemas[0], key, "schemas", "validate schema")


@mediator("validate")
def convert_validate(element: etree._Element, conversion: Conversion, part: FlowPart) -> list[FlowItem]:
    for each in children(element):
        if local_name(each) in ("feature", "resource"):
            conversion.unsupported(each, f"validate <{local_name(each)}>", "JSON Schemas need neither")
    schema = _schema(element, conversion)
    options: dict[str, Any] = {"schema-file": schema}
    if source := attribute(element, "source"):
        template = conversion.expression(element, source, "validate source")
        if template is None:
            return []
        options["source"] = template
    on_fail = child(element, "on-fail")
    if on_fail is not None and (flow := conversion.flow(on_fail, part)):
        options["on-fail"] = flow
    if schema is None:
        return []
    conversion.converted(element, "validate (JSON Schema)")
    return [{"validate": options}]
