"""Endpoint templates (``<template>`` holding an ``<endpoint>``), expanded where an endpoint uses them.

An endpoint ``<endpoint name="A" template="T" uri="..."><parameter name="p" value="v"/></endpoint>``
is the template's endpoint with every ``$p`` in its attributes and texts replaced by the value given
(``$name`` and ``$uri`` by the using endpoint's ``name`` and ``uri``), converted as an endpoint of its
own named ``A``. The templates are found before anything is converted, so a use resolves wherever the
template is defined. A ``$p`` left without a value is reported where the template uses it, and so is
whatever of the template's endpoint is approximated or unsupported (at the template's lines).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from copy import deepcopy
from typing import Final

from lxml import etree

from interlace.importers.synapse.conversion import Conversion
from interlace.importers.synapse.report import Origin
from interlace.importers.synapse.sources import SourceArtifact
from interlace.importers.synapse.xml import attribute, child, children, line_of, local_name

__all__ = ["expand_endpoint_template", "prepare_endpoint_templates"]

_PARAMETER: Final = re.compile(r"\$([A-Za-z_][A-Za-z0-9_.\-]*)")


def prepare_endpoint_templates(sources: Iterable[SourceArtifact], conversion: Conversion) -> None:
    """Make the endpoint templates among ``sources`` known to ``conversion`` by name."""
    for source in sources:
        if local_name(source.element) == "template" and child(source.element, "endpoint") is not None:
            name = attribute(source.element, "name") or ""
            conversion.endpoint_templates[name] = (source.file, source.element)


def _substitute(text: str, values: dict[str, str], missing: dict[str, int], line: int) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in values:
            return values[name]
        missing.setdefault(name, line)
        return match.group(0)

    return _PARAMETER.sub(value, text)


def expand_endpoint_template(
    element: etree._Element, conversion: Conversion, name: str
) -> tuple[str, etree._Element] | None:
    """The endpoint the using ``element`` (named ``name``) stands for, a copy of its template's with the
    parameters filled in, and the template's file; None (reported) when the template is not in the
    source."""
    template_name = attribute(element, "template") or ""
    found = conversion.endpoint_templates.get(template_name)
    if found is None:
        conversion.unsupported(
            element, f"endpoint template {template_name}", "the template is not in the source"
        )
        return None
    file, template = found
    values = {
        attribute(each, "name") or "": attribute(each, "value") or ""
        for each in children(element)
        if local_name(each) == "parameter"
    }
    values["name"] = name
    if attribute(element, "uri") is not None:
        values["uri"] = attribute(element, "uri") or ""
    body = child(template, "endpoint")
    assert body is not None  # only templates holding an endpoint are kept
    expanded = deepcopy(body)
    missing: dict[str, int] = {}  # each parameter without a value, at its first use in the template
    for each in expanded.iter():
        if not isinstance(each.tag, str):
            continue
        for key, text in each.attrib.items():
            each.set(key, _substitute(str(text), values, missing, line_of(each)))
        if each.text and "$" in each.text:
            each.text = _substitute(each.text, values, missing, line_of(each))
    for parameter, line in sorted(missing.items()):
        conversion.report.add(
            "unsupported",
            Origin(file, line),
            f"endpoint template {template_name} parameter ${parameter}",
            f"no value given by {conversion.at(element)}",
        )
    return file, expanded
