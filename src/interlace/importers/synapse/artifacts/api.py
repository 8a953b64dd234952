"""APIs -> ``apis/NAME.yaml``.

A resource's inSequence, outSequence and faultSequence become one flow and its on-error flow: in
Synapse a ``send`` in the inSequence hands the endpoint's answer to the outSequence, which is what a
``call`` followed by the outSequence's mediators does (see :mod:`..mediators.call`).
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from interlace.importers.synapse.conversion import Conversion
from interlace.importers.synapse.registry import FlowItem, FlowPart, artifact
from interlace.importers.synapse.xml import attribute, child, children, local_name

__all__ = ["convert_api"]

_KNOWN = frozenset({"inSequence", "outSequence", "faultSequence"})


def _part(
    resource: etree._Element, conversion: Conversion, tag: str, part: FlowPart
) -> list[FlowItem] | str | None:
    """A resource's sequence given inline (a flow) or by key (a name), None when absent."""
    key = attribute(resource, tag)
    if key:
        return key
    element = child(resource, tag)
    if element is None:
        return None
    return conversion.flow(element, part)


def _flow(resource: etree._Element, conversion: Conversion) -> list[FlowItem]:
    flow: list[FlowItem] = []
    parts: tuple[tuple[str, FlowPart], ...] = (("inSequence", "in"), ("outSequence", "out"))
    for tag, part in parts:
        converted = _part(resource, conversion, tag, part)
        if isinstance(converted, str):
            flow.append({"sequence": converted})
        elif converted is not None:
            flow.extend(converted)
    return flow


def _resource(resource: etree._Element, conversion: Conversion) -> dict[str, Any]:
    methods = (attribute(resource, "methods") or "GET POST PUT DELETE PATCH HEAD OPTIONS").split()
    template = attribute(resource, "uri-template") or attribute(resource, "url-mapping") or "/"
    # Interlace's trailing /* matches the rest of the path, as a url-mapping does.
    if "*" in template and not template.endswith("/*"):
        conversion.unsupported(resource, f"url-mapping {template!r}", "only a trailing /* is supported")
    data: dict[str, Any] = {"methods": [method.upper() for method in methods], "uri-template": template}
    data["flow"] = _flow(resource, conversion)
    fault = _part(resource, conversion, "faultSequence", "sequence")
    if fault:
        data["on-error"] = fault
    for each in children(resource):
        if local_name(each) not in _KNOWN:
            conversion.unsupported(each, f"resource <{local_name(each)}>")
    conversion.converted(resource, f"resource {' '.join(data['methods'])} {template}")
    return data


@artifact("api")
def convert_api(element: etree._Element, conversion: Conversion) -> None:
    name = attribute(element, "name") or conversion.generated_name("API")
    context = attribute(element, "context") or "/"
    data: dict[str, Any] = {"api": name, "context": context}
    version = attribute(element, "version")
    if version and "{version}" in context:
        data["context"] = context.replace("{version}", version)
    elif version and attribute(element, "version-type") == "url":
        data["version"] = version
    if attribute(element, "hostname") or attribute(element, "port"):
        conversion.unsupported(
            element, f"api {name} hostname/port", "an API is served on every host and port"
        )
    resources: list[dict[str, Any]] = []
    for each in children(element):
        if local_name(each) == "resource":
            resources.append(_resource(each, conversion))
        else:
            conversion.unsupported(
                each, f"api <{local_name(each)}>", "handlers and policies are not converted"
            )
    data["resources"] = resources
    conversion.add_document("apis", name, data, element)
    conversion.converted(element, f"api {name}")
