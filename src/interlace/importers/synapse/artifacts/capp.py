"""A CApp artifact that is not Synapse configuration, at its descriptor: a registry resource is read by
key where referenced (:mod:`..registry_resources`); another (library, data service...) is reported as
not converted."""

from __future__ import annotations

from lxml import etree

from interlace.importers.synapse.conversion import Conversion
from interlace.importers.synapse.registry import artifact
from interlace.importers.synapse.xml import attribute

__all__ = ["report_capp_artifact"]


@artifact("artifact")
def report_capp_artifact(element: etree._Element, conversion: Conversion) -> None:
    kind = attribute(element, "type") or "unknown"
    if kind == "registry/resource":
        conversion.converted(
            element,
            f"registry resource {attribute(element, 'name')}",
            "its files are copied into the project where a mediator refers to their gov:/conf: key",
        )
        return
    conversion.unsupported(
        element, f"CApp artifact {attribute(element, 'name')} of type {kind}", "not converted yet"
    )
