"""The trace overlay: a message trace laid over a flow graph, node by node.

A trace step names where its mediator is written (``file:line``), as a graph node does, so each step
finds its node without any runtime object (its position in its flow tells apart mediators written on
one line). A node is *visited* when a step ran it (a loop body runs it once per element: every step is
kept), *failed* when the error of the trace started there (the deepest failed step; a failure inside a
called sequence marks the node that called it), and *stopped* when the flow ended there (``respond``,
``drop``). Steps that ran elsewhere (inside a called sequence) count only through the node that called
them. A named on-error sequence is visited when steps ran in it at the top of the trace.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from interlace.diagrams.graph import FlowGraph, FlowNode
from interlace.diagrams.layout import Edge, Layout
from interlace.observability.tracing import MessageTrace, TraceStep

__all__ = ["NodeState", "NodeVisit", "TraceOverlay", "overlay_trace"]

NodeState = Literal["visited", "stopped", "failed", "unvisited"]


@dataclass(frozen=True, slots=True)
class NodeVisit:
    """What a trace recorded at one node."""

    state: NodeState
    steps: tuple[int, ...]
    """The indexes of the trace's steps that ran this node, in order (several in a loop)."""
    duration_ms: float
    """Their time together (a called sequence's time is its caller's)."""
    error: str | None = None
    """The error, on the failed node (redacted as the trace is)."""


@dataclass(frozen=True, slots=True)
class TraceOverlay:
    """A trace laid over one graph: the visits by node id."""

    trace: MessageTrace
    visits: Mapping[str, NodeVisit]

    def state_of(self, node_id: str) -> NodeState:
        visit = self.visits.get(node_id)
        return visit.state if visit is not None else "unvisited"

    def followed(self, edge: Edge, layout: Layout) -> bool:
        """The message went along ``edge``: both its ends ran. A line past an empty branch counts when
        its node ran more often than the first nodes of its other branches (once per loop element)."""
        reached = self.reached(layout)
        if edge.target == "end-marker":
            return edge.source in reached
        if edge.source not in reached or edge.target not in reached:
            return False
        owner = next(
            (m.owner for m in layout.markers if m.id == edge.target and m.owner == edge.source), None
        )
        node = layout.graph.node(owner) if owner is not None else None
        if node is None:
            return True
        firsts = [branch.flow.nodes[0].id for branch in node.branches if branch.flow.nodes]
        taken = sum(len(self.visits[first].steps) for first in firsts if first in self.visits)
        return len(self.visits[node.id].steps) > taken

    def reached(self, layout: Layout) -> set[str]:
        """The ids of the nodes and markers the message reached."""
        reached = set(self.visits)
        main = {node.id for node in layout.graph.flow.walk()}
        for marker in layout.markers:
            if (
                (marker.kind == "start" and reached & main)
                or (marker.kind == "on-error" and reached - main)
                or (marker.owner is not None and marker.owner in reached)
            ):
                reached.add(marker.id)
        return reached


def _place(nodes: list[FlowNode], position: int) -> list[str]:
    """The nodes written where a step's mediator is; several on one line (``[{a: ..}, {b: ..}]``) are
    told apart by their position in the flow."""
    if len(nodes) > 1:
        nodes = [node for node in nodes if node.position == position] or nodes
    return [node.id for node in nodes]


def _deepest(steps: list[TraceStep], outcome: str) -> list[TraceStep]:
    """The steps with ``outcome`` that no step with the same outcome ran inside."""
    holders = {step.parent for step in steps if step.outcome == outcome and step.parent is not None}
    return [step for step in steps if step.outcome == outcome and step.index not in holders]


def overlay_trace(graph: FlowGraph, trace: MessageTrace) -> TraceOverlay:
    """Lay ``trace`` (as the management API serves it) over ``graph``."""
    by_location: dict[str, list[FlowNode]] = defaultdict(list)
    on_error_sequences: dict[str, str] = {}
    for node in graph.nodes():
        by_location[str(node.location)].append(node)
        if node.on_error and node.link is not None:
            on_error_sequences[node.link.removeprefix("sequence:")] = node.id
    steps = {step.index: step for step in trace.steps}
    matched: dict[int, list[str]] = {}
    for step in trace.steps:
        ids = _place(by_location.get(step.location, []), step.position)
        if not ids and step.parent is None and step.sequence in on_error_sequences:
            ids = [on_error_sequences[step.sequence]]
        if ids:
            matched[step.index] = ids
    ran: dict[str, list[TraceStep]] = defaultdict(list)
    for index, ids in matched.items():
        for node_id in ids:
            ran[node_id].append(steps[index])
    marks: dict[str, tuple[NodeState, str | None]] = {}
    for outcome in ("stopped", "failed"):
        for step in _deepest(trace.steps, outcome):
            holder: TraceStep | None = step
            while holder is not None and holder.index not in matched:
                holder = steps.get(holder.parent) if holder.parent is not None else None
            if holder is not None:
                for node_id in matched[holder.index]:
                    marks[node_id] = ("failed" if outcome == "failed" else "stopped", step.error)
    visits = {
        node_id: NodeVisit(
            marks.get(node_id, ("visited", None))[0],
            tuple(step.index for step in node_steps),
            round(sum(step.duration_ms or 0.0 for step in node_steps), 3),
            marks.get(node_id, ("visited", None))[1],
        )
        for node_id, node_steps in ran.items()
    }
    return TraceOverlay(trace, visits)
