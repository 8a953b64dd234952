"""Proxy services (``proxy-services/*.xml``) -> a sequence and the API that serves it.

A proxy's target becomes the sequence ``NAME``: the inSequence, then (with a target endpoint) a
``call`` to it, then the outSequence, as MI hands the endpoint's answer to the outSequence; the
faultSequence is its on-error flow. Sequences given by key are called by name. Over ``http``/``https``
the sequence is served by the API ``NAME`` at ``/services/NAME`` (any method, any path below), where
MI serves the proxy; over ``vfs`` the proxy's VFS parameters become a file inbound endpoint feeding the
sequence (see :mod:`.inbound_file`). A task injecting into the proxy injects into the sequence.

What MI adds around a proxy (a published WSDL, SOAP action dispatch, WS-Security and WS-Addressing
policies) is reported.
"""

from __future__ import annotations

from typing import Any, Final

from lxml import etree

from interlace.importers.synapse.artifacts.endpoint import endpoint_reference
from interlace.importers.synapse.artifacts.inbound_file import file_inbound, file_options
from interlace.importers.synapse.artifacts.store import Parameters
from interlace.importers.synapse.conversion import Conversion
from interlace.importers.synapse.registry import FlowItem, FlowPart, artifact
from interlace.importers.synapse.xml import attribute, child, children, local_name

__all__ = ["convert_proxy"]

_TARGET_PARTS: Final = frozenset({"inSequence", "outSequence", "faultSequence", "endpoint"})
_WEB: Final = frozenset({"http", "https"})


def _part(target: etree._Element, conversion: Conversion, tag: str, part: FlowPart) -> list[FlowItem]:
    key = attribute(target, tag)
    if key:
        return [{"sequence": key}]
    element = child(target, tag)
    return [] if element is None else conversion.flow(element, part)


def _target(element: etree._Element, conversion: Conversion, name: str) -> dict[str, Any] | None:
    target = child(element, "target")
    if target is None:
        conversion.unsupported(element, f"proxy {name} without a target")
        return None
    flow = _part(target, conversion, "inSequence", "in")
    endpoint = attribute(target, "endpoint")
    inline = child(target, "endpoint")
    if inline is not None:
        endpoint = endpoint_reference(inline, conversion, name)
    if endpoint:
        flow.append({"call": endpoint})
    flow.extend(_part(target, conversion, "outSequence", "out"))
    data: dict[str, Any] = {"sequence": name, "flow": flow}
    fault = attribute(target, "faultSequence")
    if fault:
        data["on-error"] = fault
    elif child(target, "faultSequence") is not None:
        data["on-error"] = _part(target, conversion, "faultSequence", "sequence")
    for each in children(target):
        if local_name(each) not in _TARGET_PARTS:
            conversion.unsupported(each, f"proxy {name} target <{local_name(each)}>")
    return data


def _file_inbound(element: etree._Element, conversion: Conversion, name: str) -> None:
    params = Parameters(element)
    interval = params.value("transport.PollInterval")
    options = file_options(name, params, conversion)
    if options is None:
        return
    if interval:
        seconds = interval.removesuffix("ms") if interval.endswith("ms") else None
        options["poll"] = f"{seconds}ms" if seconds else f"{interval}s"
    data = {"inbound": name, **file_inbound(options, name), "sequence": name}
    conversion.add_document("inbound", name, data, element)
    conversion.converted(element, f"proxy {name} over vfs", f"the file inbound endpoint {name}")


def _report_extras(element: etree._Element, conversion: Conversion, name: str, transports: set[str]) -> None:
    for each in children(element):
        kind = local_name(each)
        if kind in ("target", "description"):
            continue
        if kind == "parameter" and "vfs" in transports:
            continue  # read by the file inbound endpoint
        if kind in ("publishWSDL", "policy", "enableSec", "enableAddressing", "enableRM"):
            conversion.unsupported(each, f"proxy {name} <{kind}>", "WSDL publishing and WS-* policies")
        else:
            what = f"parameter {attribute(each, 'name')}" if kind == "parameter" else f"<{kind}>"
            conversion.unsupported(each, f"proxy {name} {what}")
    if attribute(element, "startOnLoad") == "false":
        conversion.approximated(element, f"proxy {name} startOnLoad false", "served from the start")


@artifact("proxy")
def convert_proxy(element: etree._Element, conversion: Conversion) -> None:
    name = attribute(element, "name") or conversion.generated_name("Proxy")
    transports = set((attribute(element, "transports") or "http https").replace(",", " ").split())
    data = _target(element, conversion, name)
    _report_extras(element, conversion, name, transports)
    if data is None:
        return
    if transports & _WEB:
        conversion.approximated(
            element,
            f"proxy {name}",
            f"served by the API {name} at /services/{name}; no WSDL, SOAP actions are not dispatched",
        )
        resource = {"methods": ["*"], "uri-template": "/*", "flow": [{"sequence": name}]}
        api = {"api": name, "context": f"/services/{name}", "resources": [resource]}
        conversion.add_document("apis", name, api, element)
    conversion.add_document("sequences", name, data, element)
    if "vfs" in transports:
        _file_inbound(element, conversion, name)
    for other in sorted(transports - _WEB - {"vfs"}):
        conversion.unsupported(
            element, f"proxy {name} transport {other}", f"add an inbound endpoint feeding the sequence {name}"
        )
    conversion.converted(element, f"proxy {name}", f"the sequence {name}")
