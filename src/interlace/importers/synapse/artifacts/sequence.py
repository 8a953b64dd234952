"""Named sequences (``sequences/*.xml``) -> ``sequences/NAME.yaml``."""

from __future__ import annotations

from typing import Any

from lxml import etree

from interlace.importers.synapse.conversion import Conversion
from interlace.importers.synapse.registry import artifact
from interlace.importers.synapse.xml import attribute

__all__ = ["convert_sequence", "sequence_data"]


def sequence_data(element: etree._Element, conversion: Conversion, name: str) -> dict[str, Any]:
    """The flow and on-error sequence of the ``<sequence>`` ``element``, as a sequence named ``name``."""
    data: dict[str, Any] = {"sequence": name, "flow": conversion.flow(element, "sequence")}
    on_error = attribute(element, "onError")
    if on_error:
        data["on-error"] = on_error
    for ignored in ("trace", "statistics"):
        if attribute(element, ignored) == "enable":
            conversion.approximated(
                element, f"sequence {name} {ignored}", "left to Interlace's observability"
            )
    return data


@artifact("sequence")
def convert_sequence(element: etree._Element, conversion: Conversion) -> None:
    name = attribute(element, "name") or conversion.generated_name("Sequence")
    conversion.add_document("sequences", name, sequence_data(element, conversion, name), element)
    conversion.converted(element, f"sequence {name}")
