"""Flow diagrams: a running project's API resources and sequences drawn as SVG from the definitions
its deployment loaded, with a kept message trace laid over one (:mod:`interlace.diagrams`).
Any logged-in user may read them. The diagrams package is loaded by the first diagram asked for."""

from __future__ import annotations

import hashlib
from typing import Any

from interlace.management.errors import BadRequestError, NotFoundError
from interlace.management.routes import Call, QueryParam, Route, Schema, ref
from interlace.model.load import Project
from interlace.observability.tracing import MESSAGE_TRACER, MessageTrace

__all__ = ["ROUTES", "SCHEMAS"]

_TEXT: Schema = {"type": "string", "maxLength": 500}

SCHEMAS: dict[str, Schema] = {
    "FlowReference": {
        "type": "object",
        "required": ["flow", "kind", "artifact"],
        "properties": {
            "flow": {"type": "string", "description": "The reference that names the flow."},
            "kind": {"enum": ["resource", "sequence"]},
            "artifact": {"type": "string", "description": "The API (of a resource) or the sequence."},
        },
    },
    "FlowDiagram": {
        "type": "object",
        "required": ["flow", "svg"],
        "properties": {
            "flow": {"type": "string", "description": "The reference asked for."},
            "svg": {"type": "string", "description": "The diagram, an SVG document."},
            "trace": {"type": "integer", "description": "The number of the message trace laid over it."},
        },
    },
    "FlowDiagrams": {
        "type": "object",
        "description": "With `flow`: that flow's diagram; without: the flows that can be drawn.",
        "oneOf": [
            ref("FlowDiagram"),
            {
                "type": "object",
                "required": ["items"],
                "properties": {"items": {"type": "array", "items": ref("FlowReference")}},
            },
        ],
    },
}


def _project(call: Call) -> Project:
    """The loaded project the ``project`` query names, of its running deployment."""
    name = call.query.get("project")
    running = call.context.runtime.deployments.running
    if not name:
        if len(running) != 1:
            raise BadRequestError("query parameter project is required: name the project to draw")
        return next(iter(running.values())).project
    deployment = running.get(name)
    if deployment is None:
        raise NotFoundError(f"no project named {name!r} is running")
    return deployment.project


def _trace(raw: str) -> MessageTrace:
    """The kept trace of that number, else the newest one of that correlation id."""
    trace = MESSAGE_TRACER.get(int(raw)) if raw.isdigit() else None
    if trace is None:
        found = MESSAGE_TRACER.find(correlation_id=raw, kind=None, name=None, limit=1)
        trace = found[0] if found else None
    if trace is None:
        raise NotFoundError(f"no message trace {raw}; the server keeps the newest ones only")
    return trace


def _prefix(flow: str) -> str:
    """A prefix of the element ids that keeps them apart when a page holds several diagrams."""
    return "d" + hashlib.sha256(flow.encode()).hexdigest()[:8] + "-"


async def _diagrams(call: Call) -> dict[str, Any]:
    from interlace.diagrams import UnknownFlowError, diagram_svg, flows_of

    project = _project(call)
    flow = call.query.get("flow")
    if not flow:
        return {
            "items": [
                {"flow": each.reference, "kind": each.kind, "artifact": each.artifact}
                for each in flows_of(project)
            ]
        }
    raw = call.query.get("trace")
    trace = _trace(raw) if raw else None
    try:
        svg = diagram_svg(project, flow, trace, id_prefix=_prefix(flow))
    except UnknownFlowError as exc:
        raise NotFoundError(str(exc)) from exc
    answer: dict[str, Any] = {"flow": flow, "svg": svg}
    if trace is not None:
        answer["trace"] = trace.id
    return answer


ROUTES = (
    Route(
        "getFlowDiagram",
        "GET",
        "/management/diagrams",
        _diagrams,
        "A flow's diagram as SVG, or the flows a project can draw",
        ref("FlowDiagrams"),
        "diagrams",
        description="A flow is named as `interlace diagram` names it: `API/URI-TEMPLATE` "
        "(`HealthcareAPI/categories/{category}/reserve`), `METHOD API/URI-TEMPLATE` when resources "
        "share a template, or `sequence:NAME`. An unknown one answers 404 with the closest name.",
        errors=(404,),
        query=(
            QueryParam(
                "project",
                "The running project (optional when only one runs).",
                {"type": "string", "maxLength": 200},
            ),
            QueryParam("flow", "The flow to draw; without it, the flows that can be drawn.", _TEXT),
            QueryParam(
                "trace",
                "A kept message trace (its number, or a correlation id: its newest trace) to lay over it.",
                {"type": "string", "maxLength": 200},
            ),
        ),
    ),
)
