"""The message processors of the active deployment: state, counts, and switching them off and on."""

from __future__ import annotations

import logging
from typing import Any

from interlace.management.routes import Call, Route, Schema, items_of, ref
from interlace.processors import ProcessorState

__all__ = ["ROUTES", "SCHEMAS"]

_log = logging.getLogger("interlace.management")

SCHEMAS: dict[str, Schema] = {
    "Processor": {
        "type": "object",
        "required": [
            "name",
            "kind",
            "status",
            "store",
            "targetKind",
            "target",
            "delivered",
            "failedAttempts",
            "deadLettered",
            "dropped",
            "inFlight",
            "lastError",
        ],
        "properties": {
            "name": {"type": "string"},
            "kind": {"enum": ["forwarding", "sampling"]},
            "status": {"enum": ["active", "inactive", "deactivated-by-failure"]},
            "store": {"type": "string"},
            "targetKind": {"enum": ["endpoint", "sequence", "store"]},
            "target": {"type": "string"},
            "delivered": {"type": "integer"},
            "failedAttempts": {"type": "integer"},
            "deadLettered": {"type": "integer"},
            "dropped": {"type": "integer"},
            "inFlight": {"type": "integer"},
            "lastError": {"type": ["string", "null"]},
        },
    },
}


def _view(state: ProcessorState) -> dict[str, Any]:
    return {
        "name": state.name,
        "kind": state.kind,
        "status": state.status,
        "store": state.store,
        "targetKind": state.target_kind,
        "target": state.target,
        "delivered": state.delivered,
        "failedAttempts": state.failed_attempts,
        "deadLettered": state.dead_lettered,
        "dropped": state.dropped,
        "inFlight": state.in_flight,
        "lastError": state.last_error,
    }


async def _list(call: Call) -> dict[str, Any]:
    call.context.artifacts()
    states = call.context.runtime.processor_states()
    return {"items": [_view(state) for state in sorted(states, key=lambda state: state.name)]}


async def _get(call: Call) -> dict[str, Any]:
    call.context.artifacts()
    return _view(call.context.runtime.processor_state(call.path["name"]))  # UnknownProcessorError: 404


async def _activate(call: Call) -> dict[str, Any]:
    call.context.artifacts()
    state = await call.context.runtime.activate_processor(call.path["name"])
    _log.info("management: %s activated processor %s", call.user, state.name)
    return _view(state)


async def _deactivate(call: Call) -> dict[str, Any]:
    call.context.artifacts()
    state = await call.context.runtime.deactivate_processor(call.path["name"])
    _log.info("management: %s deactivated processor %s", call.user, state.name)
    return _view(state)


ROUTES = (
    Route(
        "listProcessors",
        "GET",
        "/management/processors",
        _list,
        "The message processors and their states",
        items_of(ref("Processor")),
        "processors",
    ),
    Route(
        "getProcessor",
        "GET",
        "/management/processors/{name}",
        _get,
        "One processor's state",
        ref("Processor"),
        "processors",
    ),
    Route(
        "activateProcessor",
        "POST",
        "/management/processors/{name}/activate",
        _activate,
        "Run the processor (also after a failure deactivated it)",
        ref("Processor"),
        "processors",
        description="It stays active across redeploys.",
    ),
    Route(
        "deactivateProcessor",
        "POST",
        "/management/processors/{name}/deactivate",
        _deactivate,
        "Stop the processor gracefully",
        ref("Processor"),
        "processors",
        description="A delivery under way finishes first; the processor stays inactive across "
        "redeploys until activated.",
    ),
)
