"""Inbound endpoints (``inbound-endpoints/*.xml``) -> ``inbound/NAME.yaml``, bound to the converted
sequence (``sequence``, ``onError``; ``suspend="true"`` -> ``active: false``).

Each protocol has its module: files (:mod:`.inbound_file`), RabbitMQ, Kafka, MQTT and JMS
(:mod:`.inbound_broker`), database tables (:mod:`.inbound_db`); HTTP is here.
``sequential="true"`` -> ``max-in-flight: 1``; ``coordination`` is kept for polling sources (files,
tables). A parameter with no Interlace counterpart is reported
unsupported at its line.

An HTTP inbound endpoint injects every request on its port into its sequence; Interlace's HTTP
listener serves APIs, so the sequence is served by a generated API (context ``/``, every path and
method) on the listener's port. With ``dispatch.filter.pattern`` the listener serves the project's
APIs too, as MI dispatches the matching requests to them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from lxml import etree

from interlace.importers.synapse.artifacts.store import Parameters
from interlace.importers.synapse.conversion import Conversion
from interlace.importers.synapse.registry import artifact
from interlace.importers.synapse.xml import attribute, child

__all__ = ["InboundSource", "convert_inbound_endpoint", "inbound_source"]

InboundSource = Callable[[str, Parameters, Conversion], "dict[str, Any] | None"]
"""A protocol's converter: the endpoint's source keys (``file``, ``trigger`` with ``connection``...)
from its parameters, None (reported) when it cannot be converted."""

SOURCES: dict[str, InboundSource] = {}
_COMMON: Final = frozenset({"sequential", "coordination", "inbound.behavior"})
_HTTP_IGNORED: Final = frozenset(
    {
        "inbound.worker.pool.size.core",
        "inbound.worker.pool.size.max",
        "inbound.worker.thread.keep.alive.sec",
        "inbound.worker.pool.queue.length",
        "inbound.thread.id",
        "inbound.thread.group.id",
    }
)
_USED: dict[str, frozenset[str]] = {}


def inbound_source(*kinds: str, used: frozenset[str]) -> Callable[[InboundSource], InboundSource]:
    """Register the converter of the inbound endpoints of protocol (or class suffix) ``kinds``, which
    reads the parameters ``used`` (the others are reported)."""

    def register(converter: InboundSource) -> InboundSource:
        for kind in kinds:
            SOURCES[kind] = converter
            _USED[kind] = used
        return converter

    return register


@inbound_source("http", used=frozenset({"inbound.http.port", "dispatch.filter.pattern", *_HTTP_IGNORED}))
def _http(name: str, params: Parameters, conversion: Conversion) -> dict[str, Any] | None:
    port = params.value("inbound.http.port")
    if not port.isdigit():
        conversion.unsupported(params.at("inbound.http.port"), f"inbound endpoint {name} port {port!r}")
        return None
    keys: dict[str, Any] = {"http": {"port": int(port), "apis": [name]}}
    workers = params.value("inbound.worker.pool.size.max")
    if workers.isdigit() and int(workers) > 0:
        keys["max-in-flight"] = int(workers)
    for key in sorted(_HTTP_IGNORED & params.elements.keys() - {"inbound.worker.pool.size.max"}):
        conversion.approximated(
            params.at(key), f"inbound endpoint {name} {key}", "Interlace sizes its own workers"
        )
    return keys


def _listener_apis(conversion: Conversion) -> set[str]:
    """The APIs generated for HTTP inbound endpoints so far (named after them)."""
    return {
        str(each.data["inbound"])
        for each in conversion.tree.documents.values()
        if "inbound" in each.data and "http" in each.data
    }


def _serve_sequence(element: etree._Element, data: dict[str, Any], conversion: Conversion) -> None:
    """An HTTP endpoint's sequence as the generated API its listener serves: at ``/``, or at ``/NAME``
    when an API (another endpoint's) already is at ``/``."""
    name = data["inbound"]
    sequence, on_error = data.pop("sequence", None), data.pop("on-error", None)
    resource: dict[str, Any] = {"methods": ["*"], "uri-template": "/*", "flow": [{"sequence": sequence}]}
    if on_error:
        resource["on-error"] = on_error
    taken = any(each.data.get("context") == "/" for each in conversion.tree.documents.values())
    context = f"/{name}" if taken else "/"
    conversion.approximated(
        element,
        f"HTTP inbound endpoint {name}",
        f"the sequence {sequence} is served by the API {name} at {context} on the listener's port"
        + ("; on the main port that API answers the requests no other API takes" if not taken else ""),
    )
    conversion.add_document("apis", name, {"api": name, "context": context, "resources": [resource]}, element)
    params = _parameters(element)
    if "dispatch.filter.pattern" in params:
        conversion.approximated(
            params.at("dispatch.filter.pattern"),
            "dispatch.filter.pattern",
            "the listener serves every API of the project, whatever the path",
        )

        def serve_all_apis() -> None:
            others = _listener_apis(conversion) - {name}
            apis = {
                str(each.data["api"]) for each in conversion.tree.documents.values() if "api" in each.data
            }
            data["http"]["apis"] = sorted(apis - others)

        conversion.finishing.append(serve_all_apis)


def _parameters(element: etree._Element) -> Parameters:
    wrapper = child(element, "parameters")
    return Parameters(element if wrapper is None else wrapper)


def _kind(element: etree._Element) -> str:
    protocol = attribute(element, "protocol")
    if protocol:
        return protocol
    return (attribute(element, "class") or "").rsplit(".", 1)[-1]


@artifact("inboundEndpoint")
def convert_inbound_endpoint(element: etree._Element, conversion: Conversion) -> None:
    name = attribute(element, "name") or conversion.generated_name("Inbound")
    kind = _kind(element)
    params = _parameters(element)
    source = SOURCES.get(kind)
    if source is None:
        conversion.unsupported(
            element,
            f"inbound endpoint {name} of "
            + (
                f"protocol {kind}"
                if attribute(element, "protocol")
                else f"class {attribute(element, 'class')}"
            ),
            "use an Interlace trigger (interlace connector list) or a file or http inbound endpoint",
        )
        return
    keys = source(name, params, conversion)
    for key, each in params.elements.items():
        if key not in _USED[kind] and key not in _COMMON:
            conversion.unsupported(each, f"inbound endpoint {name} parameter {key}")
    if keys is None:
        return
    data: dict[str, Any] = {"inbound": name, **keys}
    sequence, on_error = attribute(element, "sequence"), attribute(element, "onError")
    if sequence:
        data["sequence"] = sequence
    if on_error:
        data["on-error"] = on_error
    if params.value("sequential").lower() == "true":
        data["max-in-flight"] = 1
    polling = any(trigger in (data.get("trigger") or {}) for trigger in ("file.poll", "db.poll"))
    if params.value("coordination").lower() == "true" and polling:
        data["coordination"] = True
    if attribute(element, "suspend") == "true":
        data["active"] = False
    if "http" in data:
        _serve_sequence(element, data, conversion)
    conversion.add_document("inbound", name, data, element)
    conversion.converted(element, f"inbound endpoint {name}")
