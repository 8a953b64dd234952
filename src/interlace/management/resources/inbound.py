"""Inbound endpoints and scheduled tasks of the active deployment: state, switching them off and on, and
running a task now."""

from __future__ import annotations

import logging
from typing import Any

from interlace.inbound import InboundState, ScheduledTask, TaskState
from interlace.management.context import owners
from interlace.management.resources.service_routes import service_routes, state_view
from interlace.management.routes import Call, Route, Schema, ref

__all__ = ["ROUTES", "SCHEMAS"]

_log = logging.getLogger("interlace.management")

_INBOUND = service_routes(
    "inbound",
    InboundState,
    path="/management/inbound",
    tag="inbound",
    component="InboundEndpoint",
    operation="InboundEndpoint",
    activate_summary="Run the inbound endpoint (also after a fatal error stopped it)",
    deactivate_summary="Stop the inbound endpoint gracefully",
    deactivate_description="Messages in flight finish first.",
)
_TASKS = service_routes(
    "task",
    TaskState,
    path="/management/tasks",
    tag="tasks",
    component="Task",
    operation="Task",
    activate_summary="Schedule the task again",
    deactivate_summary="Stop scheduling the task",
    deactivate_description="A run in progress finishes.",
)


async def _trigger_task(call: Call) -> dict[str, Any]:
    task = call.context.runtime.services.service("task", call.path["name"])  # 404 if unknown
    assert isinstance(task, ScheduledTask)
    state = await task.trigger_now()
    _log.info("management: %s triggered task %s", call.user, state.name)
    return state_view(state, owners(call.context, "tasks").get(state.name))


ROUTES = (
    *_INBOUND.routes,
    *_TASKS.routes,
    Route(
        "triggerTask",
        "POST",
        "/management/tasks/{name}/trigger",
        _trigger_task,
        "Run the task once now, active or not",
        ref("Task"),
        "tasks",
        description="On this node; its schedule is unchanged. Answers when the run has finished.",
        access="operator",
    ),
)
SCHEMAS: dict[str, Schema] = {**_INBOUND.schemas, **_TASKS.schemas}
