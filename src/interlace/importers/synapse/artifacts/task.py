"""Scheduled tasks (``tasks/*.xml``) -> ``tasks/NAME.yaml``.

Only MI's message-injecting task (``MessageInjector``) converts; a task of another class runs Java code
and is reported. The trigger maps as follows: ``interval`` (seconds) -> ``interval``; ``once="true"``
or ``count="1"`` -> ``once: true``; ``count`` N > 1 -> ``interval`` (reported: Interlace does not stop
after N runs); ``cron`` (Quartz: seconds first, ``?``, Sunday = 1) -> the five-field ``cron``. No
trigger runs once, as in MI.

The message (``message``, inline XML or a ``value``; ``registryKey``, a registry resource) becomes
the task's payload: a JSON value stays JSON, anything else is a text payload (XML ones as
``application/xml``). ``injectTo`` ``sequence`` (``sequenceName``) and ``proxy`` (``proxyName``, whose
flow is the sequence of that name, see :mod:`.proxy`) name the sequence; ``main`` with a ``to``
address becomes a generated sequence that calls it.
"""

from __future__ import annotations

import json
from typing import Any, Final

from lxml import etree

from interlace.importers.synapse.conversion import Conversion
from interlace.importers.synapse.registry import artifact
from interlace.importers.synapse.xml import attribute, child, children, detached, local_name

__all__ = ["convert_task", "quartz_cron"]

_INJECTOR: Final = "MessageInjector"
_USED: Final = frozenset(
    {"message", "registryKey", "injectTo", "sequenceName", "proxyName", "to", "format", "soapAction"}
)
_QUARTZ_DAYS: Final = {str(day): str(day - 1) for day in range(1, 8)}


def _day_of_week(field: str) -> str:
    """A Quartz day-of-week field (1 = Sunday) in cron's numbering (0 = Sunday)."""
    parts = []
    for item in field.split(","):
        step = ""
        if "/" in item:
            item, _, step = item.partition("/")
            step = "/" + step
        item = "-".join(_QUARTZ_DAYS.get(each, each) for each in item.split("-"))
        parts.append(item + step)
    return ",".join(parts)


def quartz_cron(expression: str) -> tuple[str | None, str]:
    """The five-field cron expression of a Quartz one, and what was approximated ("" when exact);
    None when it has no five-field equivalent."""
    fields = expression.split()
    if len(fields) not in (6, 7):
        return None, "a Quartz cron expression has six or seven fields"
    seconds, minute, hour, day, month, weekday = fields[:6]
    notes = []
    if seconds != "0":
        notes.append(f"runs at whole minutes (a cron has no seconds), not at seconds {seconds}")
    if len(fields) == 7 and fields[6] not in ("*", "?"):
        notes.append(f"the year {fields[6]} is not kept")
    day = "*" if day == "?" else day
    weekday = "*" if weekday == "?" else _day_of_week(weekday)
    result = " ".join((minute, hour, day, month, weekday))
    from croniter import croniter

    if not croniter.is_valid(result) or any(mark in result for mark in ("L", "W", "#")):
        return None, f"{result!r} is not a five-field cron expression"
    return result, "; ".join(notes)


def _schedule(element: etree._Element, conversion: Conversion, name: str) -> dict[str, Any] | None:
    trigger = child(element, "trigger")
    if trigger is None or attribute(trigger, "once") == "true":
        return {"once": True}
    cron = attribute(trigger, "cron")
    if cron:
        converted, note = quartz_cron(cron)
        if converted is None:
            conversion.unsupported(trigger, f"task {name} cron {cron!r}", note)
            return None
        if note:
            conversion.approximated(trigger, f"task {name} cron {cron!r}", note)
        return {"cron": converted}
    count = attribute(trigger, "count") or "-1"
    interval = attribute(trigger, "interval") or ""
    if count == "1":
        return {"once": True}
    try:
        seconds = float(interval)
    except ValueError:
        conversion.unsupported(trigger, f"task {name} trigger", "give an interval, a count of 1 or a cron")
        return None
    if count not in ("-1", ""):
        conversion.approximated(
            trigger, f"task {name} count {count}", "runs every interval until deactivated"
        )
    return {"interval": f"{seconds:g}s"}


def _payload(message: str, element: etree._Element | None) -> dict[str, Any]:
    if element is not None:
        text = etree.tostring(detached(element), encoding="unicode", with_tail=False)
        return {"text": text, "content-type": "application/xml"}
    try:
        value = json.loads(message)
    except ValueError:
        value = None
    if isinstance(value, dict | list):
        return {"payload": value}
    if message.lstrip().startswith("<"):
        return {"text": message, "content-type": "application/xml"}
    return {"text": message} if message else {}


def _message(properties: dict[str, etree._Element], conversion: Conversion) -> dict[str, Any]:
    key_element = properties.get("registryKey")
    if key_element is not None:
        key = attribute(key_element, "value") or ""
        data = conversion.resources(key)
        if data is None:
            conversion.unsupported(
                key_element, f"task message {key}", "the resource is not in the source; give it as message"
            )
            return {}
        return _payload(data.decode("utf-8"), None)
    element = properties.get("message")
    if element is None:
        return {}
    inline = next(children(element), None)
    return _payload(attribute(element, "value") or (element.text or "").strip(), inline)


def _target(
    properties: dict[str, etree._Element], element: etree._Element, conversion: Conversion, name: str
) -> str | None:
    def value(key: str) -> str:
        each = properties.get(key)
        return (attribute(each, "value") or "") if each is not None else ""

    inject = value("injectTo") or "main"
    if inject == "sequence" and value("sequenceName"):
        return value("sequenceName")
    if inject == "proxy" and value("proxyName"):
        conversion.converted(properties["proxyName"], f"task {name} into proxy {value('proxyName')}")
        return value("proxyName")
    if inject == "main" and value("to"):
        at = properties["to"]
        generated = f"{name}_send"
        endpoint = {"endpoint": generated, "http": {"url": conversion.url(at, value("to")), "method": "POST"}}
        conversion.add_document("endpoints", generated, endpoint, at)
        flow = {"sequence": generated, "flow": [{"call": generated}]}
        conversion.add_document("sequences", generated, flow, at)
        conversion.approximated(
            at, f"task {name} to {value('to')}", f"posted to the address by the sequence {generated}"
        )
        return generated
    where = properties.get("injectTo", element)
    conversion.unsupported(where, f"task {name} injecting into {inject}", "name a sequence to inject into")
    return None


@artifact("task")
def convert_task(element: etree._Element, conversion: Conversion) -> None:
    name = attribute(element, "name") or conversion.generated_name("Task")
    kind = (attribute(element, "class") or _INJECTOR).rsplit(".", 1)[-1]
    if kind != _INJECTOR:
        conversion.unsupported(
            element, f"task {name} of class {attribute(element, 'class')}", "port its code to a sequence"
        )
        return
    properties = {
        attribute(each, "name") or "": each for each in children(element) if local_name(each) == "property"
    }
    schedule = _schedule(element, conversion, name)
    sequence = _target(properties, element, conversion, name)
    for key, each in properties.items():
        if key not in _USED:
            conversion.unsupported(each, f"task {name} property {key}")
    fmt = properties.get("format")
    if fmt is not None and attribute(fmt, "value") in ("soap11", "soap12"):
        conversion.approximated(fmt, f"task {name} format {attribute(fmt, 'value')}", "no SOAP envelope")
    if "soapAction" in properties:
        conversion.approximated(properties["soapAction"], f"task {name} soapAction", "not sent")
    if schedule is None or sequence is None:
        return
    data: dict[str, Any] = {
        "task": name,
        **schedule,
        "sequence": sequence,
        **_message(properties, conversion),
    }
    conversion.add_document("tasks", name, data, element)
    conversion.converted(element, f"task {name}")
