"""Named sequences (``sequences/*.xml``) -> ``sequences/NAME.yaml``."""

from __future__ import annotations

from typing import Any

from lxml import etree

from interlace.importers.synapse.conversion import Conversion
from interlace.importers.synapse.registry import artifact
from interlace.importers.synapse.xml import attribute

__all__ = ["convert_sequence"]


@artifact("sequence")
def convert_sequence(element: etree._Element, conversion: Conversion) -> None:
    name = attribute(element, "name") or conversion.generated_name("Sequence")
    data: dict[str, Any] = {"sequence": name, "flow": conversion.flow(element, "sequence")}
    on_error = attribute(element, "onError")
    if on_error:
        data["on-error"] = on_error
    for ignored in ("trace", "statistics"):
        if attribute(element, ignored) == "enable":
            conversion.approximated(
                element, f"sequence {name} {ignored}", "left to Interlace's observability"
            )
    conversion.add_document("sequences", name, data, element)
    conversion.converted(element, f"sequence {name}")
