"""``throttle`` with an inline policy -> ``throttle``.

The policy's ``MaximumConcurrentAccess`` becomes ``max-concurrent`` and its ``Control``'s
``MaximumCount`` per ``UnitTime`` (milliseconds) ``max-requests`` per ``window``; ``onAccept`` and
``onReject`` (mediators or a sequence key) are kept. MI counts a caller's concurrent messages until
their answer: without an ``onAccept``, the mediators after the throttle become the on-accept flow. The
caller's address is not in an Interlace message, so a per-IP or per-domain policy is one limit shared by
all callers (reported); a policy from the registry is reported.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from interlace.importers.synapse.conversion import Conversion
from interlace.importers.synapse.registry import FlowItem, FlowPart, mediator
from interlace.importers.synapse.xml import attribute, child, local_name, text_of

__all__ = ["convert_throttle"]


def _find(policy: etree._Element, name: str) -> etree._Element | None:
    return next(
        (each for each in policy.iter() if isinstance(each.tag, str) and local_name(each) == name), None
    )


def _number(element: etree._Element | None) -> int | None:
    text = text_of(element)
    return int(text) if text.isdigit() and int(text) > 0 else None


def _limits(policy: etree._Element, conversion: Conversion) -> dict[str, Any]:
    limits: dict[str, Any] = {}
    if (concurrent := _number(_find(policy, "MaximumConcurrentAccess"))) is not None:
        limits["max-concurrent"] = concurrent
    count, unit = _number(_find(policy, "MaximumCount")), _number(_find(policy, "UnitTime"))
    if count is not None:
        limits["max-requests"] = count
        limits["window"] = f"{unit}ms" if unit is not None else "1s"
    identities = [each for each in policy.iter() if isinstance(each.tag, str) and local_name(each) == "ID"]
    if identities:
        conversion.approximated(
            identities[0], "throttle per caller", "one limit shared by all callers (no caller address)"
        )
    if (prohibit := _find(policy, "ProhibitTimePeriod")) is not None:
        conversion.approximated(prohibit, "throttle ProhibitTimePeriod", "refused until the window ends")
    return limits


def _branch(
    element: etree._Element, name: str, conversion: Conversion, part: FlowPart
) -> list[FlowItem] | None:
    if key := attribute(element, name):
        return [{"sequence": key}]
    branch = child(element, name)
    return conversion.flow(branch, part) if branch is not None else None


@mediator("throttle")
def convert_throttle(element: etree._Element, conversion: Conversion, part: FlowPart) -> list[FlowItem]:
    policy = child(element, "policy")
    if policy is None or attribute(policy, "key"):
        key = attribute(policy, "key") if policy is not None else None
        conversion.unsupported(element, f"throttle policy {key or ''}".rstrip(), "write the policy inline")
        return []
    options = _limits(policy, conversion)
    if not options:
        conversion.unsupported(policy, "throttle policy", "it sets no count and no concurrency")
        return []
    on_accept, on_reject = (_branch(element, name, conversion, part) for name in ("onAccept", "onReject"))
    if on_accept is None and "max-concurrent" in options:
        on_accept = conversion.take_following(element, part)
        conversion.approximated(
            element, "throttle concurrency", "counted while the mediators after the throttle run"
        )
    if on_accept is not None:
        options["on-accept"] = on_accept
    if on_reject is not None:
        options["on-reject"] = on_reject
    conversion.converted(element, "throttle")
    return [{"throttle": options}]
