"""A CApp artifact that is not Synapse configuration (registry resource, library, data service...):
reported as not converted, at its descriptor."""

from __future__ import annotations

from lxml import etree

from interlace.importers.synapse.conversion import Conversion
from interlace.importers.synapse.registry import artifact
from interlace.importers.synapse.xml import attribute

__all__ = ["report_capp_artifact"]


@artifact("artifact")
def report_capp_artifact(element: etree._Element, conversion: Conversion) -> None:
    kind = attribute(element, "type") or "unknown"
    conversion.unsupported(
        element, f"CApp artifact {attribute(element, 'name')} of type {kind}", "not converted yet"
    )
