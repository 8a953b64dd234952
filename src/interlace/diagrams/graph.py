"""The flow graph: what a flow diagram draws, read from a flow's definitions (see ``read.py``).

A :class:`FlowGraph` is one API resource's flow or one sequence: its main :class:`Flow` and, when it
has one, its on-error flow. A flow is the ordered :class:`FlowNode` list of one list of mediators. A
node that branches (switch, filter, foreach, scatter-gather, validate, throttle, cache) holds its
:class:`Branch` list, each a labelled flow; the branches join after the node, except those that end
the flow (``respond``, ``drop``, ``throw-error``, ``fault``).

Nodes carry what a details panel shows (kind, short label, settings, ``file:line``) and what a page
links to (``link``: ``sequence:NAME``, ``endpoint:NAME``, ``store:NAME``, ``connection:NAME``). Node
ids (``n1``, ``n2``, ...) follow the order the flow is written in, so the same files give the same ids;
``path`` is the node's place in its YAML document (keys and indexes), for an editor.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Literal

from pydantic import JsonValue

from interlace.errors import SourceLocation

__all__ = ["ENDING_KINDS", "Branch", "Flow", "FlowGraph", "FlowNode", "GraphKind", "YamlPath"]

ENDING_KINDS = frozenset({"respond", "drop", "throw-error", "fault"})
"""Kinds after which a flow goes no further."""

GraphKind = Literal["resource", "sequence"]
YamlPath = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class FlowNode:
    """One mediator of a flow, as a diagram shows it."""

    id: str
    """``n1``, ``n2``, ...: unique in its graph, in the order the flow is written."""
    kind: str
    """The mediator's kind as written (``switch``, ``call``, ``gmail.sendMail``)."""
    label: str
    """What it does, in a few words (``HospitalReserveEP``, ``${vars.hospital}``)."""
    location: SourceLocation
    """Where it is written (``apis/healthcare.yaml:48``); the message trace names the same place."""
    position: int
    """Its position in its flow, from 0 (as the message trace counts)."""
    path: YamlPath
    """Its place in its YAML document: ``("resources", 1, "flow", 3)``."""
    settings: Mapping[str, JsonValue] = field(default_factory=dict)
    """Its options as written, without its nested flows (for a details panel)."""
    branches: tuple[Branch, ...] = ()
    link: str | None = None
    """What it refers to: ``sequence:NAME``, ``endpoint:NAME``, ``store:NAME`` or ``connection:NAME``."""
    connection: str | None = None
    """The connection a connector operation uses (``(inline)`` for settings written with ``init``)."""
    problems: tuple[str, ...] = ()
    """What is wrong with it, with ``file:line`` (it is drawn all the same)."""
    on_error: bool = False
    """A named on-error sequence, entered without a mediator of its own when the flow fails."""

    @property
    def ends(self) -> bool:
        """The flow goes no further after this node."""
        if self.kind in ENDING_KINDS:
            return True
        return bool(self.branches) and all(self.branch_ends(branch) for branch in self.branches)

    def branch_ends(self, branch: Branch) -> bool:
        """The branch ends the whole flow (no line to the join): a branch of foreach and scatter-gather
        runs on a copy of the message, so even a ``respond`` there only ends that copy's run."""
        return self.kind not in ("foreach", "scatter-gather") and branch.ends

    @property
    def category(self) -> str:
        """A family of kinds drawn alike: flow, outbound, store, reference, end, transform or data."""
        if "." in self.kind or self.kind == "call":
            return "outbound"
        return _CATEGORIES.get(self.kind, "data")

    def walk(self) -> Iterator[FlowNode]:
        """This node, then the nodes of its branches, in order."""
        yield self
        for branch in self.branches:
            yield from branch.flow.walk()


_CATEGORIES = {
    **dict.fromkeys(
        ("filter", "switch", "foreach", "scatter-gather", "validate", "throttle", "cache"), "flow"
    ),
    **dict.fromkeys(("respond", "drop", "throw-error", "fault"), "end"),
    **dict.fromkeys(("payload", "enrich", "xslt"), "transform"),
    "store": "store",
    "sequence": "reference",
}


@dataclass(frozen=True, slots=True)
class Branch:
    """One way through a branching node: a switch case, then/else, a scatter-gather branch, ..."""

    label: str
    flow: Flow
    stops: bool = False
    """The branch ends the flow whatever its last node is (validate's on-fail, throttle's on-reject)."""

    @property
    def ends(self) -> bool:
        return self.stops or self.flow.ends


@dataclass(frozen=True, slots=True)
class Flow:
    """The nodes of one list of mediators, in order."""

    nodes: tuple[FlowNode, ...] = ()

    @property
    def ends(self) -> bool:
        """The flow ends here: its last node ends it (a flow that just runs out joins its parent's)."""
        return bool(self.nodes) and self.nodes[-1].ends

    def walk(self) -> Iterator[FlowNode]:
        for node in self.nodes:
            yield from node.walk()


@dataclass(frozen=True, slots=True)
class FlowGraph:
    """An API resource's flow or a sequence, with its on-error flow."""

    kind: GraphKind
    name: str
    """``HealthcareAPI POST /categories/{category}/reserve``, or the sequence's name."""
    reference: str
    """How to ask for it again: ``HealthcareAPI/categories/{category}/reserve`` or ``sequence:NAME``."""
    location: SourceLocation
    flow: Flow
    on_error: Flow | None = None
    description: str = ""

    def nodes(self) -> Iterator[FlowNode]:
        """Every node, main flow first, in the order of their ids."""
        yield from self.flow.walk()
        if self.on_error is not None:
            yield from self.on_error.walk()

    def node(self, node_id: str) -> FlowNode | None:
        return next((node for node in self.nodes() if node.id == node_id), None)
