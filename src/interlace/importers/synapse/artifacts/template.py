"""Sequence templates (``templates/*.xml``) -> parameterised sequences.

A ``<template>`` holding a ``<sequence>`` becomes ``sequences/NAME.yaml`` with ``parameters``: a
mandatory parameter without a default is ``required``, another takes its ``defaultValue`` (null without
one). Its flow reads them as ``${params.functionParams.x}`` (what ``$func:x`` converts to), and
``call-template`` becomes a ``sequence`` call passing them. Endpoint templates are expanded where an
endpoint uses them (:mod:`.endpoint_template`).
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from interlace.importers.synapse.artifacts.sequence import sequence_data
from interlace.importers.synapse.conversion import Conversion
from interlace.importers.synapse.registry import artifact
from interlace.importers.synapse.xml import attribute, child, children, local_name

__all__ = ["convert_template"]


def _parameter(element: etree._Element) -> str | dict[str, Any]:
    name = attribute(element, "name") or ""
    default = attribute(element, "defaultValue")
    if default is not None and default != "":
        return {"name": name, "default": default}
    if attribute(element, "isMandatory") == "true":
        return {"name": name, "required": True}
    return name


@artifact("template")
def convert_template(element: etree._Element, conversion: Conversion) -> None:
    name = attribute(element, "name") or conversion.generated_name("Template")
    body = child(element, "sequence")
    if body is None and child(element, "endpoint") is not None:
        conversion.converted(element, f"endpoint template {name}", "expanded where an endpoint uses it")
        return
    if body is None:
        kind = next((local_name(each) for each in children(element) if local_name(each) != "parameter"), "")
        conversion.unsupported(element, f"{kind or 'empty'} template {name}", "not converted yet")
        return
    parameters = [_parameter(each) for each in children(element) if local_name(each) == "parameter"]
    data = {"sequence": name, **({"parameters": parameters} if parameters else {})}
    data.update(sequence_data(body, conversion, name))
    conversion.add_document("sequences", name, data, element)
    conversion.converted(element, f"sequence template {name}", "a sequence with parameters")
