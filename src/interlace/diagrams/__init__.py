"""Flow diagrams: an API resource's flow or a sequence drawn as SVG from its definitions, with a
message trace laid over it.

``find_flow`` (or ``resource_graph`` / ``sequence_graph``) reads the :class:`FlowGraph`,
``layout_graph`` places it, ``overlay_trace`` lays a message trace over it and ``render_svg`` draws
it; ``diagram_svg`` does all of it for one reference.
"""

from __future__ import annotations

from interlace.diagrams.graph import Branch, Flow, FlowGraph, FlowNode
from interlace.diagrams.layout import Box, Edge, Layout, Marker, layout_graph
from interlace.diagrams.read import (
    FlowReference,
    UnknownFlowError,
    find_flow,
    flow_references,
    flows_of,
    resource_graph,
    sequence_graph,
)
from interlace.diagrams.svg import render_svg
from interlace.diagrams.trace import NodeVisit, TraceOverlay, overlay_trace
from interlace.model.load import Project
from interlace.observability.tracing import MessageTrace

__all__ = [
    "Box",
    "Branch",
    "Edge",
    "Flow",
    "FlowGraph",
    "FlowNode",
    "FlowReference",
    "Layout",
    "Marker",
    "NodeVisit",
    "TraceOverlay",
    "UnknownFlowError",
    "diagram_svg",
    "find_flow",
    "flow_references",
    "flows_of",
    "layout_graph",
    "overlay_trace",
    "render_svg",
    "resource_graph",
    "sequence_graph",
]


def diagram_svg(
    project: Project, reference: str, trace: MessageTrace | None = None, *, id_prefix: str = ""
) -> str:
    """The SVG diagram of the flow ``reference`` names, with ``trace`` laid over it when given (see
    :func:`render_svg` for ``id_prefix``); UnknownFlowError when no flow answers to it."""
    graph = find_flow(project, reference)
    layout = layout_graph(graph)
    return render_svg(layout, overlay_trace(graph, trace) if trace is not None else None, id_prefix=id_prefix)
