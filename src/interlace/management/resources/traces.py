"""Message tracing: switching it per artifact at run time, and reading the message traces the server
keeps. Switching needs an admin; reading any logged-in user (the traces are redacted)."""

from __future__ import annotations

import logging
from typing import Any, cast

from pydantic import BaseModel

from interlace.management.errors import NotFoundError
from interlace.management.routes import Call, QueryParam, Route, Schema, items_of, ref
from interlace.observability.tracing import (
    MESSAGE_TRACER,
    TRACED_KINDS,
    MessageTrace,
    TracedKind,
    TraceSummary,
    TraceSwitch,
)

__all__ = ["ROUTES", "SCHEMAS"]

_log = logging.getLogger("interlace.management")
_KIND_SCHEMA: Schema = {"enum": list(TRACED_KINDS)}


def _untitled(schema: dict[str, Any]) -> dict[str, Any]:
    schema.pop("title", None)
    for value in schema.get("properties", {}).values():
        value.pop("title", None)
    return schema


def _components(*models: type[BaseModel]) -> dict[str, Schema]:
    """The models' JSON Schemas as OpenAPI components, with the models they hold as components too."""
    schemas: dict[str, Schema] = {}
    for model in models:
        schema = model.model_json_schema(
            by_alias=True, mode="serialization", ref_template="#/components/schemas/{model}"
        )
        for name, held in schema.pop("$defs", {}).items():
            schemas[name] = _untitled(held)
        schemas[model.__name__] = _untitled(schema)
    return schemas


SCHEMAS: dict[str, Schema] = {
    **_components(TraceSwitch, TraceSummary, MessageTrace),
    "TraceSwitchChange": {
        "type": "object",
        "required": ["enabled"],
        "additionalProperties": False,
        "properties": {"enabled": {"type": "boolean", "description": "Trace the artifact's messages."}},
    },
}


def _view(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(by_alias=True, mode="json")


def _artifact(call: Call) -> tuple[TracedKind, str]:
    """The kind and name of the path, of an artifact that is deployed."""
    kind, name = call.path["kind"], call.path["name"]
    if kind not in TRACED_KINDS:
        raise NotFoundError(
            f"no kind of artifact {kind!r} is traced; the kinds are {', '.join(TRACED_KINDS)}"
        )
    artifacts = call.context.artifacts()
    names: dict[TracedKind, Any] = {
        "api": {api.name for api in artifacts.apis},
        "sequence": artifacts.sequences,
        "processor": artifacts.processors,
        "inbound": artifacts.inbound,
        "task": artifacts.tasks,
    }
    traced: TracedKind = kind
    if name not in names[traced]:
        raise NotFoundError(f"no {kind} named {name!r} is deployed")
    return traced, name


async def _switches(call: Call) -> dict[str, Any]:
    return {"items": [_view(switch) for switch in MESSAGE_TRACER.switches()]}


async def _switch_state(call: Call) -> dict[str, Any]:
    kind, name = _artifact(call)
    return _view(TraceSwitch(kind=kind, name=name, enabled=MESSAGE_TRACER.traces(kind, name)))


async def _switch(call: Call) -> dict[str, Any]:
    kind, name = _artifact(call)
    enabled: bool = call.body["enabled"]
    switch = MESSAGE_TRACER.switch(kind, name, enabled)
    _log.info(
        "management: %s switched message tracing %s for %s %s",
        call.user,
        "on" if enabled else "off",
        kind,
        name,
    )
    return _view(switch)


async def _list(call: Call) -> dict[str, Any]:
    query = call.query
    kind = query.get("kind") or None
    traces = MESSAGE_TRACER.find(
        correlation_id=query.get("correlationId") or None,
        kind=cast(TracedKind | None, kind),
        name=query.get("name") or None,
        limit=int(query["limit"]),
    )
    return {"items": [_view(trace.summary()) for trace in traces]}


async def _get(call: Call) -> dict[str, Any]:
    raw = call.path["id"]
    trace = MESSAGE_TRACER.get(int(raw)) if raw.isdigit() else None
    if trace is None:
        raise NotFoundError(f"no message trace {raw}; the server keeps the newest ones only")
    return _view(trace)


async def _clear(call: Call) -> dict[str, Any]:
    MESSAGE_TRACER.clear()
    _log.info("management: %s cleared the message traces", call.user)
    return {"items": []}


_SWITCH_PATH = "/management/tracing/{kind}/{name}"

ROUTES = (
    Route(
        "listTraceSwitches",
        "GET",
        "/management/tracing",
        _switches,
        "The artifacts whose messages are traced now",
        items_of(ref("TraceSwitch")),
        "tracing",
        needs_deployment=False,
    ),
    Route(
        "getTraceSwitch",
        "GET",
        _SWITCH_PATH,
        _switch_state,
        "Whether an artifact's messages are traced",
        ref("TraceSwitch"),
        "tracing",
        description="`kind` is one of " + ", ".join(TRACED_KINDS) + ".",
    ),
    Route(
        "switchTracing",
        "PUT",
        _SWITCH_PATH,
        _switch,
        "Trace an artifact's messages from now on, or stop",
        ref("TraceSwitch"),
        "tracing",
        body=ref("TraceSwitchChange"),
        description="The switch lasts until the server stops. A message that a traced flow stored is "
        "traced again when a processor delivers it, while its first trace is kept.",
        every_worker=True,
    ),
    Route(
        "listMessageTraces",
        "GET",
        "/management/traces",
        _list,
        "The message traces the server keeps, newest first, without their steps",
        items_of(ref("TraceSummary")),
        "tracing",
        needs_deployment=False,
        query=(
            QueryParam(
                "correlationId", "Only the traces of this message.", {"type": "string", "maxLength": 200}
            ),
            QueryParam("kind", "Only traces that entered this kind of artifact.", _KIND_SCHEMA),
            QueryParam(
                "name",
                "Only traces that entered the artifact of this name.",
                {"type": "string", "maxLength": 200},
            ),
            QueryParam(
                "limit",
                "The most traces to show.",
                {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100},
            ),
        ),
    ),
    Route(
        "getMessageTrace",
        "GET",
        "/management/traces/{id}",
        _get,
        "One message trace with its steps and their redacted snapshots",
        ref("MessageTrace"),
        "tracing",
        needs_deployment=False,
    ),
    Route(
        "clearMessageTraces",
        "DELETE",
        "/management/traces",
        _clear,
        "Forget the message traces kept so far",
        items_of(ref("TraceSummary")),
        "tracing",
        needs_deployment=False,
        every_worker=True,
    ),
)
