"""Inbound endpoints and scheduled tasks of the active deployment: state, switching them off and on, and
running a task now."""

from __future__ import annotations

import logging
from typing import Any

from interlace.inbound import InboundState, TaskState
from interlace.management.context import iso_time
from interlace.management.routes import Call, Route, Schema, items_of, ref

__all__ = ["ROUTES", "SCHEMAS"]

_log = logging.getLogger("interlace.management")
_TIME: Schema = {"type": ["string", "null"], "format": "date-time"}

SCHEMAS: dict[str, Schema] = {
    "InboundEndpoint": {
        "type": "object",
        "required": [
            "name",
            "kind",
            "source",
            "target",
            "status",
            "coordinated",
            "received",
            "processed",
            "failed",
            "inFlight",
            "restarts",
            "lastError",
        ],
        "properties": {
            "name": {"type": "string"},
            "kind": {"type": "string", "description": "trigger, http, file, db-poll or postgres-notify."},
            "source": {"type": "string", "description": "Where its messages come from."},
            "target": {"type": "string", "description": "The sequence its messages go to."},
            "status": {"enum": ["active", "inactive", "standby", "failed"]},
            "coordinated": {"type": "boolean", "description": "Runs on one node of several (a lease)."},
            "received": {"type": "integer"},
            "processed": {"type": "integer"},
            "failed": {"type": "integer"},
            "inFlight": {"type": "integer"},
            "restarts": {"type": "integer", "description": "Restarts of its source after an error."},
            "lastError": {"type": ["string", "null"]},
        },
    },
    "Task": {
        "type": "object",
        "required": [
            "name",
            "schedule",
            "target",
            "status",
            "coordinated",
            "runs",
            "failures",
            "running",
            "lastRun",
            "nextRun",
            "lastError",
        ],
        "properties": {
            "name": {"type": "string"},
            "schedule": {"type": "string"},
            "target": {"type": "string"},
            "status": {"enum": ["active", "inactive", "standby", "done"]},
            "coordinated": {"type": "boolean"},
            "runs": {"type": "integer"},
            "failures": {"type": "integer"},
            "running": {"type": "boolean"},
            "lastRun": _TIME,
            "nextRun": _TIME,
            "lastError": {"type": ["string", "null"]},
        },
    },
}


def _inbound_view(state: InboundState) -> dict[str, Any]:
    return {
        "name": state.name,
        "kind": state.kind,
        "source": state.source,
        "target": state.target,
        "status": state.status,
        "coordinated": state.coordinated,
        "received": state.received,
        "processed": state.processed,
        "failed": state.failed,
        "inFlight": state.in_flight,
        "restarts": state.restarts,
        "lastError": state.last_error,
    }


def _task_view(state: TaskState) -> dict[str, Any]:
    return {
        "name": state.name,
        "schedule": state.schedule,
        "target": state.target,
        "status": state.status,
        "coordinated": state.coordinated,
        "runs": state.runs,
        "failures": state.failures,
        "running": state.running,
        "lastRun": iso_time(state.last_run) if state.last_run is not None else None,
        "nextRun": iso_time(state.next_run) if state.next_run is not None else None,
        "lastError": state.last_error,
    }


async def _list_inbound(call: Call) -> dict[str, Any]:
    call.context.artifacts()
    states = call.context.runtime.inbound.inbound_states()
    return {"items": [_inbound_view(state) for state in sorted(states, key=lambda state: state.name)]}


async def _get_inbound(call: Call) -> dict[str, Any]:
    call.context.artifacts()
    return _inbound_view(call.context.runtime.inbound.inbound_state(call.path["name"]))  # 404 if unknown


async def _activate_inbound(call: Call) -> dict[str, Any]:
    call.context.artifacts()
    state = await call.context.runtime.inbound.activate_inbound(call.path["name"])
    _log.info("management: %s activated inbound endpoint %s", call.user, state.name)
    return _inbound_view(state)


async def _deactivate_inbound(call: Call) -> dict[str, Any]:
    call.context.artifacts()
    state = await call.context.runtime.inbound.deactivate_inbound(call.path["name"])
    _log.info("management: %s deactivated inbound endpoint %s", call.user, state.name)
    return _inbound_view(state)


async def _list_tasks(call: Call) -> dict[str, Any]:
    call.context.artifacts()
    states = call.context.runtime.inbound.task_states()
    return {"items": [_task_view(state) for state in sorted(states, key=lambda state: state.name)]}


async def _get_task(call: Call) -> dict[str, Any]:
    call.context.artifacts()
    return _task_view(call.context.runtime.inbound.task_state(call.path["name"]))  # 404 if unknown


async def _activate_task(call: Call) -> dict[str, Any]:
    call.context.artifacts()
    state = await call.context.runtime.inbound.activate_task(call.path["name"])
    _log.info("management: %s activated task %s", call.user, state.name)
    return _task_view(state)


async def _deactivate_task(call: Call) -> dict[str, Any]:
    call.context.artifacts()
    state = await call.context.runtime.inbound.deactivate_task(call.path["name"])
    _log.info("management: %s deactivated task %s", call.user, state.name)
    return _task_view(state)


async def _trigger_task(call: Call) -> dict[str, Any]:
    call.context.artifacts()
    state = await call.context.runtime.inbound.trigger_task(call.path["name"])
    _log.info("management: %s triggered task %s", call.user, state.name)
    return _task_view(state)


_INBOUND = "/management/inbound"
_TASKS = "/management/tasks"

ROUTES = (
    Route(
        "listInboundEndpoints",
        "GET",
        _INBOUND,
        _list_inbound,
        "The inbound endpoints and their states",
        items_of(ref("InboundEndpoint")),
        "inbound",
    ),
    Route(
        "getInboundEndpoint",
        "GET",
        _INBOUND + "/{name}",
        _get_inbound,
        "One inbound endpoint's state",
        ref("InboundEndpoint"),
        "inbound",
    ),
    Route(
        "activateInboundEndpoint",
        "POST",
        _INBOUND + "/{name}/activate",
        _activate_inbound,
        "Run the inbound endpoint (also after a fatal error stopped it)",
        ref("InboundEndpoint"),
        "inbound",
        description="It stays active across redeploys.",
    ),
    Route(
        "deactivateInboundEndpoint",
        "POST",
        _INBOUND + "/{name}/deactivate",
        _deactivate_inbound,
        "Stop the inbound endpoint gracefully",
        ref("InboundEndpoint"),
        "inbound",
        description="Messages in flight finish first; it stays inactive across redeploys until activated.",
    ),
    Route(
        "listTasks",
        "GET",
        _TASKS,
        _list_tasks,
        "The scheduled tasks and their states",
        items_of(ref("Task")),
        "tasks",
    ),
    Route("getTask", "GET", _TASKS + "/{name}", _get_task, "One task's state", ref("Task"), "tasks"),
    Route(
        "activateTask",
        "POST",
        _TASKS + "/{name}/activate",
        _activate_task,
        "Schedule the task again",
        ref("Task"),
        "tasks",
    ),
    Route(
        "deactivateTask",
        "POST",
        _TASKS + "/{name}/deactivate",
        _deactivate_task,
        "Stop scheduling the task",
        ref("Task"),
        "tasks",
        description="A run in progress finishes; it stays inactive across redeploys until activated.",
    ),
    Route(
        "triggerTask",
        "POST",
        _TASKS + "/{name}/trigger",
        _trigger_task,
        "Run the task once now, active or not",
        ref("Task"),
        "tasks",
        description="On this node; its schedule is unchanged. Answers when the run has finished.",
    ),
)
