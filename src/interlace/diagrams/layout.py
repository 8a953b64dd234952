"""A layered, top-to-bottom layout of a flow graph: deterministic, no layout library needed.

A flow is a series of blocks, and a branching node's branches are flows side by side that join again
below it, so the graph is series-parallel and lays out exactly by nesting: a block is as wide as its
widest part, branches are placed left to right in the order they are written, and every line runs
down or across (no crossings). The on-error flow is a second column to the right.

The same graph always gives the same layout (no randomness, no iteration order but the written one).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from interlace.diagrams.graph import Flow, FlowGraph, FlowNode

__all__ = [
    "BRANCH_LABEL_CHARS",
    "NODE_HEIGHT",
    "NODE_WIDTH",
    "Box",
    "Edge",
    "Layout",
    "Marker",
    "MarkerKind",
    "Point",
    "char_width",
    "layout_graph",
]

NODE_WIDTH = 200
NODE_HEIGHT = 48
BRANCH_LABEL_CHARS = 24
"""A branch label longer than this is cut where it is drawn."""
_GAP_Y = 28
_GAP_X = 24
_LABEL_Y = 18
_EMPTY_LANE = 72
_CHAR_WIDTH = 6.5
"""About how wide a character of the diagram's 12px sans-serif text is."""
_MARGIN = 16
_TERMINAL_HEIGHT = 28

Point = tuple[float, float]
MarkerKind = Literal["start", "end", "join", "on-error"]


@dataclass(frozen=True, slots=True)
class Box:
    """Where a node is drawn: its top-left corner and size."""

    node: FlowNode
    x: float
    y: float
    width: float = NODE_WIDTH
    height: float = NODE_HEIGHT


@dataclass(frozen=True, slots=True)
class Marker:
    """A point that is not a mediator: the start, the end, a join, the start of the on-error flow.
    ``x, y`` is its centre; ``owner`` is the branching node a join belongs to."""

    id: str
    kind: MarkerKind
    x: float
    y: float
    label: str = ""
    owner: str | None = None
    width: float = 0
    """The width of a start marker (its label's, within its column); 0 for the others."""


@dataclass(frozen=True, slots=True)
class Edge:
    """A line from ``source`` to ``target`` (node or marker ids), drawn through ``points``; a branch's
    first line carries the branch's ``label`` at ``label_at``."""

    source: str
    target: str
    points: tuple[Point, ...]
    label: str | None = None
    label_at: Point | None = None
    on_error: bool = False


@dataclass(frozen=True, slots=True)
class Layout:
    """A laid-out graph: what the renderer draws, in SVG user units."""

    graph: FlowGraph
    width: float
    height: float
    boxes: tuple[Box, ...]
    markers: tuple[Marker, ...]
    edges: tuple[Edge, ...]


@dataclass(frozen=True, slots=True)
class _End:
    """Where a placed block leaves: the id and point a following line starts from (None: it ends)."""

    id: str | None
    point: Point


@dataclass(slots=True)
class _Builder:
    boxes: list[Box] = field(default_factory=list)
    markers: list[Marker] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    on_error: bool = False
    sizes: dict[int, tuple[float, float]] = field(default_factory=dict)
    """The size of each branching node (by identity), once computed."""

    # sizes -------------------------------------------------------------------------------------
    def flow_size(self, flow: Flow) -> tuple[float, float]:
        if not flow.nodes:
            return _EMPTY_LANE, 0.0
        sizes = [self.node_size(node) for node in flow.nodes]
        return max(w for w, _ in sizes), sum(h for _, h in sizes) + _GAP_Y * (len(sizes) - 1)

    def lane_width(self, label: str, flow: Flow) -> float:
        shown = min(len(label), BRANCH_LABEL_CHARS + 1)
        return max(self.flow_size(flow)[0], shown * _CHAR_WIDTH + 16)

    def node_size(self, node: FlowNode) -> tuple[float, float]:
        if not node.branches:
            return NODE_WIDTH, NODE_HEIGHT
        known = self.sizes.get(id(node))  # asked again at every level above it
        if known is not None:
            return known
        widths = [self.lane_width(branch.label, branch.flow) for branch in node.branches]
        lanes = sum(widths) + _GAP_X * (len(widths) - 1)
        tallest = max(self.flow_size(branch.flow)[1] for branch in node.branches)
        size = max(NODE_WIDTH, lanes), NODE_HEIGHT + _GAP_Y + _LABEL_Y + tallest + _GAP_Y
        self.sizes[id(node)] = size
        return size

    # placement ---------------------------------------------------------------------------------
    def edge(
        self,
        source: str,
        target: str,
        *points: Point,
        label: str | None = None,
        label_at: Point | None = None,
    ) -> None:
        self.edges.append(Edge(source, target, points, label, label_at, self.on_error))

    def flow(self, flow: Flow, cx: float, y: float, start: _End) -> _End:
        """Place ``flow`` with its top centre at (cx, y), linked from ``start``; where it leaves."""
        end = start
        for node in flow.nodes:
            if end.id is not None:
                self.edge(end.id, node.id, end.point, (cx, y))
            end = self.node(node, cx, y)
            y += self.node_size(node)[1] + _GAP_Y
        return end

    def node(self, node: FlowNode, cx: float, y: float) -> _End:
        self.boxes.append(Box(node, cx - NODE_WIDTH / 2, y))
        bottom = y + NODE_HEIGHT
        if not node.branches:
            return _End(None if node.ends else node.id, (cx, bottom))
        height = self.node_size(node)[1]
        join_y = y + height
        join = _End(f"{node.id}-join", (cx, join_y))
        bus, join_bus = bottom + _GAP_Y / 2, join_y - _GAP_Y / 2
        left = (
            cx
            - (
                sum(self.lane_width(b.label, b.flow) for b in node.branches)
                + _GAP_X * (len(node.branches) - 1)
            )
            / 2
        )
        joined = False
        for branch in node.branches:
            lane = self.lane_width(branch.label, branch.flow)
            lane_cx, lane_top = left + lane / 2, bottom + _GAP_Y + _LABEL_Y
            left += lane + _GAP_X
            label_at = (lane_cx + 4, lane_top - 5)
            ends = node.branch_ends(branch)
            joined = joined or not ends
            if not branch.flow.nodes:
                self.edge(
                    node.id,
                    join.id or "",
                    (cx, bottom),
                    (cx, bus),
                    (lane_cx, bus),
                    (lane_cx, join_bus),
                    (cx, join_bus),
                    join.point,
                    label=branch.label,
                    label_at=label_at,
                )
                continue
            first = branch.flow.nodes[0]
            self.edge(
                node.id,
                first.id,
                (cx, bottom),
                (cx, bus),
                (lane_cx, bus),
                (lane_cx, lane_top),
                label=branch.label,
                label_at=label_at,
            )
            end = self.flow(branch.flow, lane_cx, lane_top, _End(None, (lane_cx, lane_top)))
            if end.id is not None and not ends:
                self.edge(end.id, join.id or "", end.point, (lane_cx, join_bus), (cx, join_bus), join.point)
        if not joined:
            return _End(None, (cx, join_y))
        self.markers.append(Marker(join.id or "", "join", cx, join_y, owner=node.id))
        return join

    def column(
        self, flow: Flow, cx: float, width: float, kind: MarkerKind, label: str, with_end: bool
    ) -> float:
        """A whole column ``width`` wide: a start marker, the flow, an end marker; returns its bottom."""
        marker_width = min(width, max(NODE_WIDTH, len(label) * _CHAR_WIDTH + 24))
        start = Marker(f"{kind}-marker", kind, cx, _MARGIN + _TERMINAL_HEIGHT / 2, label, width=marker_width)
        self.markers.append(start)
        top = _MARGIN + _TERMINAL_HEIGHT + _GAP_Y
        end = self.flow(flow, cx, top, _End(start.id, (cx, _MARGIN + _TERMINAL_HEIGHT)))
        bottom = top + self.flow_size(flow)[1]
        if with_end and end.id is not None:
            bottom = end.point[1] + _GAP_Y + _TERMINAL_HEIGHT / 2
            marker = Marker("end-marker", "end", cx, bottom, "end")
            self.markers.append(marker)
            self.edge(end.id, marker.id, end.point, (cx, bottom - 6))
            bottom += _TERMINAL_HEIGHT / 2
        return bottom


def char_width() -> float:
    """About how wide a character of the diagram's text is, to cut labels to a width."""
    return _CHAR_WIDTH


def layout_graph(graph: FlowGraph) -> Layout:
    """Lay out ``graph`` top to bottom: its flow in the left column, its on-error flow to the right."""
    builder = _Builder()
    title = min(len(graph.name) * _CHAR_WIDTH + 24, 2 * NODE_WIDTH)  # the start marker's label
    main_width = max(builder.flow_size(graph.flow)[0], NODE_WIDTH, title)
    bottom = builder.column(
        graph.flow, _MARGIN + main_width / 2, main_width, "start", graph.name, with_end=True
    )
    width = _MARGIN + main_width + _MARGIN
    if graph.on_error is not None:
        builder.on_error = True
        error_width = max(builder.flow_size(graph.on_error)[0], NODE_WIDTH)
        cx = width + _GAP_X + error_width / 2
        bottom = max(
            bottom, builder.column(graph.on_error, cx, error_width, "on-error", "on error", with_end=False)
        )
        width += _GAP_X + error_width + _MARGIN
    return Layout(
        graph, width, bottom + _MARGIN, tuple(builder.boxes), tuple(builder.markers), tuple(builder.edges)
    )
