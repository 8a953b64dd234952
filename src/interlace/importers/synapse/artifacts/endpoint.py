"""Endpoints -> ``endpoints/NAME.yaml``: ``address`` and ``http`` become ``http`` endpoints,
``loadbalance`` and ``failover`` the groups of the same names; inline endpoints get a name of their own.

The policy maps as follows: ``timeout/duration`` -> ``timeout``; ``suspendOnFailure`` ->
``suspend`` (initial duration, progression factor, maximum duration); ``markForSuspension``'s
``retriesBeforeSuspension`` N -> ``suspend.after-failures`` N+1 (MI suspends on the failure after N
retries). Synapse error codes (101503, 101504, ...) are transport failures, which Interlace always
counts; they are not HTTP statuses and are not carried over.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from interlace.importers.synapse.artifacts.endpoint_template import expand_endpoint_template
from interlace.importers.synapse.conversion import Conversion
from interlace.importers.synapse.expressions import uri_template
from interlace.importers.synapse.registry import artifact
from interlace.importers.synapse.xml import attribute, child, children, local_name, text_of

__all__ = ["convert_endpoint", "endpoint_reference"]

_DEFAULT_MAX_SUSPENSION = 300.0  # Interlace's default suspend.max-duration, in seconds
_POLICY = frozenset({"timeout", "suspendOnFailure", "markForSuspension", "enableAddressing", "enableSec"})


def _millis(element: etree._Element | None) -> float | None:
    text = text_of(element)
    try:
        value = float(text) / 1000
    except ValueError:
        return None
    return value if value > 0 else None


def _seconds(value: float) -> str:
    return f"{value:g}s" if value < 60 or value % 60 else f"{value / 60:g}m"


def _suspend(body: etree._Element, conversion: Conversion) -> dict[str, Any] | None:
    on_failure, marking = child(body, "suspendOnFailure"), child(body, "markForSuspension")
    if on_failure is None and marking is None:
        return None
    suspend: dict[str, Any] = {}
    retries = text_of(child(marking, "retriesBeforeSuspension")) if marking is not None else ""
    suspend["after-failures"] = int(retries) + 1 if retries.isdigit() else 1
    if on_failure is not None:
        initial = _millis(child(on_failure, "initialDuration"))
        maximum = _millis(child(on_failure, "maximumDuration"))
        factor = text_of(child(on_failure, "progressionFactor"))
        if initial is not None:
            suspend["initial-duration"] = _seconds(initial)
        if maximum is not None or (initial or 0) > _DEFAULT_MAX_SUSPENSION:
            suspend["max-duration"] = _seconds(max(maximum or 0, initial or 0))
        if factor:
            suspend["factor"] = max(float(factor), 1.0)
    for part in (on_failure, marking):
        if part is not None and child(part, "errorCodes") is not None:
            conversion.approximated(
                part,
                "endpoint errorCodes",
                "connection failures, timeouts and 502/503/504 answers count as failures",
            )
    if marking is not None and child(marking, "retryDelay") is not None:
        conversion.approximated(marking, "markForSuspension retryDelay", "not carried over")
    return suspend


def _http(body: etree._Element, conversion: Conversion, name: str) -> dict[str, Any]:
    url = attribute(body, "uri") or attribute(body, "uri-template") or ""
    if local_name(body) == "address":
        conversion.approximated(
            body,
            f"address endpoint {name}",
            "called at its URI as written; MI appends the request's path after the API context "
            "(REST_URL_POSTFIX) unless a flow removes it",
        )
    http: dict[str, Any] = {"url": conversion.url(body, uri_template(url))}
    method = attribute(body, "method")
    if method:
        http["method"] = method.upper()
    timeout = child(body, "timeout")
    if timeout is not None:
        seconds = _millis(child(timeout, "duration"))
        if seconds is not None:
            http["timeout"] = _seconds(seconds)
        if text_of(child(timeout, "responseAction")) == "discard":
            conversion.approximated(
                timeout, f"endpoint {name} responseAction discard", "a timeout fails the call"
            )
    suspend = _suspend(body, conversion)
    if suspend is not None:
        http["suspend"] = suspend
    for each in children(body):
        if local_name(each) not in _POLICY:
            conversion.unsupported(each, f"endpoint <{local_name(each)}>")
        elif local_name(each) in ("enableAddressing", "enableSec"):
            conversion.unsupported(each, f"endpoint <{local_name(each)}>", "WS-Addressing and WS-Security")
    return http


def _members(group: etree._Element, conversion: Conversion, owner: str) -> list[str]:
    members = [
        endpoint_reference(each, conversion, owner)
        for each in children(group)
        if local_name(each) == "endpoint"
    ]
    return [member for member in members if member is not None]


def _definition(element: etree._Element, conversion: Conversion, name: str) -> dict[str, Any] | None:
    body = next(
        (each for each in children(element) if local_name(each) not in ("description", "property")), None
    )
    for each in children(element):
        if local_name(each) == "property":
            conversion.unsupported(each, f"endpoint {name} property {attribute(each, 'name')!r}")
    kind = local_name(body) if body is not None else "none"
    if body is not None and kind in ("address", "http"):
        return {"http": _http(body, conversion, name)}
    if body is not None and kind == "loadbalance":
        algorithm = attribute(body, "algorithm") or "RoundRobin"
        if not algorithm.endswith("RoundRobin"):
            conversion.approximated(body, f"loadbalance algorithm {algorithm}", "round robin")
        if child(element, "session") is not None or child(body, "session") is not None:
            conversion.unsupported(body, "loadbalance session affinity")
        return {"load-balance": {"members": _members(body, conversion, name)}}
    if body is not None and kind == "failover":
        return {"failover": {"members": _members(body, conversion, name)}}
    conversion.unsupported(body if body is not None else element, f"endpoint {name} of kind <{kind}>")
    return None


def endpoint_reference(element: etree._Element, conversion: Conversion, owner: str) -> str | None:
    """The name of the endpoint ``element`` refers to (``key``) or defines inline (converted now)."""
    key = attribute(element, "key")
    if key:
        if key.startswith("{"):
            conversion.unsupported(element, f"dynamic endpoint key {key!r}")
            return None
        return key
    name = attribute(element, "name") or conversion.generated_name(owner)
    return name if _convert(element, conversion, name) else None


def _convert(element: etree._Element, conversion: Conversion, name: str) -> bool:
    template = attribute(element, "template")
    expanded = None
    if template:
        expanded = expand_endpoint_template(element, conversion, name)
        if expanded is None:
            return False
        here, (conversion.file, body) = conversion.file, expanded
        try:
            definition = _definition(body, conversion, name)  # reported at the template's lines
        finally:
            conversion.file = here
    else:
        definition = _definition(element, conversion, name)
    if definition is None:
        return False
    conversion.add_document("endpoints", name, {"endpoint": name, **definition}, element, also=expanded)
    conversion.converted(element, f"endpoint {name}" + (f" from template {template}" if template else ""))
    return True


@artifact("endpoint")
def convert_endpoint(element: etree._Element, conversion: Conversion) -> None:
    _convert(element, conversion, attribute(element, "name") or conversion.generated_name("Endpoint"))
