"""``datamapper`` -> ``payload``: a mapping of JSON to JSON made of assignments becomes the payload
template it builds.

The mapping configuration (``config="gov:datamapper/NAME.dmc"``) is read from the source's registry
resources; its schemas (``inputSchema``, ``outputSchema``) give the titles that name the mapping
function and its input and output. A script of another shape (loops, arrays, conditions, functions of
its own) is reported at its own lines, and so are XML and CSV inputs or outputs: the mediator is then
left out for porting by hand.
"""

from __future__ import annotations

from typing import Any

import orjson
from lxml import etree

from interlace.importers.synapse.conversion import Conversion
from interlace.importers.synapse.datamapper_script import read_mapping
from interlace.importers.synapse.registry import FlowItem, FlowPart, mediator
from interlace.importers.synapse.report import Origin
from interlace.importers.synapse.xml import attribute

__all__ = ["convert_datamapper"]


def _title(conversion: Conversion, key: str | None) -> str | None:
    """The ``title`` of the schema ``key`` (the root the mapping names), when the source holds it."""
    data = conversion.resources(key) if key else None
    if data is None:
        return None
    try:
        schema: Any = orjson.loads(data)
    except orjson.JSONDecodeError:
        return None
    title = schema.get("title") if isinstance(schema, dict) else None
    return title if isinstance(title, str) and title else None


@mediator("datamapper")
def convert_datamapper(element: etree._Element, conversion: Conversion, part: FlowPart) -> list[FlowItem]:
    key = attribute(element, "config") or ""
    kinds = {side: (attribute(element, f"{side}Type") or "XML").upper() for side in ("input", "output")}
    if not key or key.startswith("{"):
        conversion.unsupported(element, "datamapper config", "give the mapping's registry key")
        return []
    others = [f"{side} {kind}" for side, kind in kinds.items() if kind != "JSON"]
    if others:
        conversion.unsupported(
            element,
            f"datamapper {key}",
            f"only JSON to JSON mappings convert (this one has {', '.join(others)})",
        )
        return []
    script = conversion.resources(key)
    if script is None:
        conversion.unsupported(element, f"datamapper {key}", "the mapping is not in the source")
        return []
    mapping = read_mapping(
        script.decode("utf-8", errors="replace"),
        _title(conversion, attribute(element, "inputSchema")),
        _title(conversion, attribute(element, "outputSchema")),
    )
    if mapping.problems:
        for problem in mapping.problems:
            conversion.report.add(
                "unsupported", Origin(key, problem.line), f"datamapper {problem.construct}", problem.why
            )
        conversion.unsupported(
            element, f"datamapper {key}", "more than assignments (its lines are reported): port it by hand"
        )
        return []
    conversion.converted(element, f"datamapper {key}", "as a payload template")
    return [{"payload": {"json": mapping.document}}]
