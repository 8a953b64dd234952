"""``cache`` -> ``cache``: the finder (``collector="false"``) takes the mediators after it, up to the
collector (``collector="true"``), as the flow whose answer is kept; ``timeout`` (seconds) is the ``ttl``,
the implementation's ``maxSize`` ``max-entries`` and ``maxMessageSize`` ``max-size``. ``onCacheHit``
is the ``on-hit`` flow; without one MI answers the kept response at once, so ``on-hit`` is a
``respond``. A collector that its finder did not reach (in an outSequence) keeps what the finder's flow
answered."""

from __future__ import annotations

from typing import Any

from lxml import etree

from interlace.importers.synapse.conversion import Conversion
from interlace.importers.synapse.registry import FlowItem, FlowPart, mediator
from interlace.importers.synapse.xml import attribute, child, children, local_name, text_of

__all__ = ["convert_cache"]


def _collector(element: etree._Element) -> bool:
    return local_name(element) == "cache" and attribute(element, "collector") == "true"


def _numbers(element: etree._Element, options: dict[str, Any]) -> None:
    timeout = attribute(element, "timeout") or ""
    if timeout.isdigit() and int(timeout) > 0:
        options["ttl"] = f"{timeout}s"
    implementation = child(element, "implementation")
    size = attribute(implementation, "maxSize") if implementation is not None else None
    if size is not None and size.isdigit() and int(size) > 0:
        options["max-entries"] = int(size)
    message_size = attribute(element, "maxMessageSize") or ""
    if message_size.isdigit() and int(message_size) > 0:
        options["max-size"] = int(message_size)


def _protocol(element: etree._Element, conversion: Conversion) -> None:
    protocol = child(element, "protocol")
    texts = {local_name(each): text_of(each) for each in children(protocol)} if protocol is not None else {}
    headers = texts.get("headersToIncludeInHash") or texts.get("headersToExcludeInHash")
    if attribute(element, "hashGenerator") or texts.get("hashGenerator") or headers:
        conversion.approximated(
            element, "cache hash", "the key hashes the method, path, query and payload, not headers"
        )
    if texts.get("methods", "*") not in ("", "*"):
        conversion.approximated(element, "cache methods", "answers to every method are kept")
    if texts.get("responseCodes", ".*") not in ("", ".*", "2[0-9][0-9]"):
        conversion.approximated(element, "cache responseCodes", "2xx answers are kept")


@mediator("cache")
def convert_cache(element: etree._Element, conversion: Conversion, part: FlowPart) -> list[FlowItem]:
    if _collector(element):
        conversion.converted(element, "cache collector", "the cache keeps what its flow answered")
        return []
    options: dict[str, Any] = {}
    _numbers(element, options)
    _protocol(element, conversion)
    on_hit = child(element, "onCacheHit")
    if on_hit is not None and (key := attribute(on_hit, "sequence")):
        options["on-hit"] = [{"sequence": key}]
    elif on_hit is not None and list(children(on_hit)):
        options["on-hit"] = conversion.flow(on_hit, part)
    else:
        options["on-hit"] = [{"respond": {}}]
    options["flow"] = conversion.take_following(element, part, until=_collector)
    conversion.converted(element, "cache")
    return [{"cache": options}]
