"""Message processors -> ``processors/NAME.yaml``.

Scheduled message forwarding becomes ``forwarding`` (``interval``, ``max.delivery.attempts``,
``client.retry.interval`` as a constant backoff, ``non.retry.status.codes``, ``is.active``;
``max.delivery.drop`` Enabled drops the message after the last attempt, else the processor
deactivates, as MI does). A reply sequence is kept by forwarding into a generated sequence that calls
the endpoint and then runs it. Sampling becomes ``sampling``.
"""

from __future__ import annotations

from typing import Any, Final

from lxml import etree

from interlace.importers.synapse.artifacts.store import Parameters
from interlace.importers.synapse.conversion import Conversion
from interlace.importers.synapse.registry import artifact
from interlace.importers.synapse.xml import attribute

__all__ = ["convert_message_processor"]

_FORWARDING_USED: Final = frozenset(
    {
        "interval",
        "max.delivery.attempts",
        "client.retry.interval",
        "non.retry.status.codes",
        "is.active",
        "max.delivery.drop",
        "message.processor.fault.sequence",
        "message.processor.reply.sequence",
        "member.count",
        "target.endpoint",
    }
)
_SAMPLING_USED: Final = frozenset({"interval", "is.active", "sequence"})


def _duration(millis: str) -> str | None:
    return f"{int(millis)}ms" if millis.isdigit() and int(millis) > 0 else None


def _forwarding(
    element: etree._Element, params: Parameters, conversion: Conversion, name: str
) -> dict[str, Any]:
    get = params.value
    body: dict[str, Any] = {"store": attribute(element, "messageStore") or ""}
    endpoint = attribute(element, "targetEndpoint") or get("target.endpoint")
    reply = get("message.processor.reply.sequence")
    if reply:
        generated = f"{name}_delivery"
        flow = [{"call": endpoint}, {"sequence": reply}]
        conversion.add_document("sequences", generated, {"sequence": generated, "flow": flow}, element)
        conversion.converted(
            params.at("message.processor.reply.sequence"),
            f"reply sequence {reply}",
            f"delivered through the sequence {generated}",
        )
        body["sequence"] = generated
    else:
        body["endpoint"] = endpoint
    if interval := _duration(get("interval")):
        body["interval"] = interval
    if get("max.delivery.attempts").isdigit():
        body["max-attempts"] = max(int(get("max.delivery.attempts")), 1)
    retry = _duration(get("client.retry.interval")) or "1000ms"
    body.update({"backoff": retry, "backoff-factor": 1, "max-backoff": retry})
    codes = [
        int(code) for code in get("non.retry.status.codes").replace(" ", "").split(",") if code.isdigit()
    ]
    if codes:
        body["never-retry-status"] = codes
    exhausted: dict[str, Any] = {
        "action": "drop" if get("max.delivery.drop").lower() == "enabled" else "deactivate"
    }
    fault = get("message.processor.fault.sequence")
    if fault:
        exhausted["sequence"] = fault
        conversion.approximated(
            params.at("message.processor.fault.sequence"),
            f"fault sequence {fault}",
            "run once the attempts of a message are exhausted, not after each failed attempt",
        )
    body["on-exhausted"] = exhausted
    if get("is.active").lower() == "false":
        body["active"] = False
    if "member.count" in params and get("member.count") not in ("", "1"):
        conversion.approximated(params.at("member.count"), "member.count", "one consumer per node")
    return body


def _sampling(element: etree._Element, params: Parameters) -> dict[str, Any]:
    get = params.value
    body: dict[str, Any] = {"store": attribute(element, "messageStore") or "", "sequence": get("sequence")}
    if interval := _duration(get("interval")):
        body["interval"] = interval
    if get("is.active").lower() == "false":
        body["active"] = False
    return body


@artifact("messageProcessor")
def convert_message_processor(element: etree._Element, conversion: Conversion) -> None:
    name = attribute(element, "name") or conversion.generated_name("Processor")
    kind = (attribute(element, "class") or "").rsplit(".", 1)[-1]
    params = Parameters(element)
    if kind == "ScheduledMessageForwardingProcessor":
        data: dict[str, Any] = {
            "processor": name,
            "forwarding": _forwarding(element, params, conversion, name),
        }
        used = _FORWARDING_USED
    elif kind == "SamplingProcessor":
        data = {"processor": name, "sampling": _sampling(element, params)}
        used = _SAMPLING_USED
    else:
        conversion.unsupported(element, f"message processor {name} of class {attribute(element, 'class')}")
        return
    for key, each in params.elements.items():
        if key not in used:
            conversion.unsupported(each, f"message processor parameter {key}")
    conversion.add_document("processors", name, data, element)
    conversion.converted(element, f"message processor {name}")
