"""What a diagram shows of each mediator kind: a short label, its settings and its nested flows.

One function per concern, each a table by kind, so a new mediator kind is one line in each table.
Labels are plain text (the SVG renderer escapes them); settings keep the options as written, without
nested flows and without the settings of a connection written inline (``init``), which may hold
credentials.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from pydantic import JsonValue

from interlace.model.base import Definition
from interlace.model.guards import CacheDefinition, ThrottleDefinition
from interlace.model.mediators import (
    FilterDefinition,
    ForeachDefinition,
    ScatterGatherDefinition,
    SwitchDefinition,
    ValidateDefinition,
)

__all__ = ["MAX_SETTING_TEXT", "NestedFlow", "label_of", "nested_flows", "operation_settings", "settings_of"]

MAX_SETTING_TEXT = 500
"""Longer text in a setting is cut (a details panel shows the file:line for the rest)."""
_INLINE = "(inline settings, not shown)"


@dataclass(frozen=True, slots=True)
class NestedFlow:
    """A flow held by a mediator: its branch label, its YAML tree and its key path under the options."""

    label: str
    tree: Any
    path: tuple[str | int, ...]
    ends: bool = False
    """The branch ends the flow even when its last mediator does not (validate's on-fail)."""


def text_of(value: Any) -> str:
    """A value as one line of text: text as it is, anything else as compact JSON."""
    if isinstance(value, str):
        return value
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
    except TypeError:
        return str(value)


def _assignment(d: Any) -> str:
    return f"remove {d.name}" if d.action == "remove" else f"{d.name} = {text_of(d.value)}"


def _body(d: Any) -> str:
    if "json_" in d.model_fields_set:
        return "json body"
    return "xml body" if d.xml is not None else "text body" if d.text is not None else ""


def _respond(d: Any) -> str:
    status = f"status {d.status}" if d.status is not None else ""
    return " ".join(part for part in (status, _body(d)) if part) or "the current message"


_LABELS: dict[str, Callable[[Any], str]] = {
    "log": lambda d: d.message or ("the full message" if d.full else "headers" if d.headers else ""),
    "variable": _assignment,
    "property": _assignment,
    "header": lambda d: f"remove {d.name}" if d.action == "remove" else f"{d.name}: {d.value}",
    "payload": _body,
    "enrich": lambda d: f"{d.action} {d.target}",
    "filter": lambda d: d.condition,
    "switch": lambda d: d.on,
    "call": lambda d: d.endpoint + (f" → vars.{d.response_variable}" if d.response_variable else ""),
    "respond": _respond,
    "drop": lambda d: "no answer",
    "sequence": lambda d: d.name,
    "store": lambda d: d.name + (f" (failover {d.failover_store})" if d.failover_store else ""),
    "foreach": lambda d: d.collection,
    "scatter-gather": lambda d: f"{len(d.branches)} branches → {d.target}",
    "validate": lambda d: d.schema_file or "inline schema",
    "throw-error": lambda d: d.code,
    "fault": lambda d: d.reason,
    "throttle": lambda d: d.key or "all messages",
    "cache": lambda d: d.key or "the payload",
    "xslt": lambda d: d.stylesheet,
}


def label_of(kind: str, definition: Definition) -> str:
    """What the mediator does, in a few words (the renderer cuts long ones)."""
    label = _LABELS.get(kind)
    return label(definition) if label is not None else ""


def nested_flows(kind: str, definition: Definition) -> list[NestedFlow]:
    """The flows a mediator holds, as the diagram draws them side by side (empty lanes included, so
    that the way past a filter without ``else`` is drawn too)."""
    d: Any = definition
    if isinstance(d, FilterDefinition):
        return [NestedFlow("then", d.then, ("then",)), NestedFlow("else", d.else_, ("else",))]
    if isinstance(d, SwitchDefinition):
        cases = [NestedFlow(label, tree, ("cases", label)) for label, tree in d.cases.items()]
        return [*cases, NestedFlow("default", d.default, ("default",))]
    if isinstance(d, ForeachDefinition):
        return [NestedFlow(f"each {d.as_}", d.flow, ("flow",))]
    if isinstance(d, ScatterGatherDefinition):
        return [NestedFlow(f"branch {i + 1}", tree, ("branches", i)) for i, tree in enumerate(d.branches)]
    if isinstance(d, ValidateDefinition):
        invalid = [NestedFlow("invalid", d.on_fail, ("on-fail",), ends=True)] if d.on_fail is not None else []
        return [NestedFlow("valid", [], ()), *invalid]
    if isinstance(d, ThrottleDefinition):
        return [
            NestedFlow("accepted", d.on_accept or [], ("on-accept",)),
            NestedFlow("rejected", d.on_reject or [], ("on-reject",), ends=d.on_reject is not None),
        ]
    if isinstance(d, CacheDefinition):
        return [NestedFlow("miss", d.flow, ("flow",)), NestedFlow("hit", d.on_hit or [], ("on-hit",))]
    return []


_NESTED_FIELDS = (
    "then",
    "else_",
    "cases",
    "default",
    "flow",
    "branches",
    "on_fail",
    "on_accept",
    "on_reject",
    "on_hit",
)


def _bounded(value: Any) -> JsonValue:
    if isinstance(value, str):
        return value if len(value) <= MAX_SETTING_TEXT else value[:MAX_SETTING_TEXT] + "…"
    if isinstance(value, Mapping):
        return {str(key): _bounded(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_bounded(item) for item in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)


def settings_of(definition: Definition) -> dict[str, JsonValue]:
    """The options as written (defaults left out), without nested flows; long text cut."""
    fields = set(_NESTED_FIELDS) & set(type(definition).model_fields)
    written = definition.model_dump(mode="json", by_alias=True, exclude_unset=True, exclude=fields)
    settings = _bounded(written)
    return settings if isinstance(settings, dict) else {}


def operation_settings(options: Any) -> dict[str, JsonValue]:
    """A connector operation's options as written; the settings of an inline connection are left out."""
    if not isinstance(options, Mapping):
        return {} if options is None else {"value": _bounded(options)}
    shown = {key: (_INLINE if key == "init" else value) for key, value in options.items()}
    settings = _bounded(shown)
    return settings if isinstance(settings, dict) else {}
