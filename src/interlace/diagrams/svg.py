"""Render a laid-out flow graph as SVG, on the server, for a page to embed or a file to keep.

Every node is a ``<g class="node kind-K cat-C [state-S]">`` with ``id``, ``data-node``, ``data-kind``,
``data-location`` (``file:line``), ``data-path`` (its place in the YAML, as JSON), ``data-settings``
(JSON), ``data-link`` (``sequence:NAME``, ...) and, with a trace, ``data-steps`` and
``data-duration-ms``, so a page's script can open a details panel or follow a link on a click; nodes
are focusable (``tabindex``) for the keyboard. Colours are CSS variables over ``currentColor``, so the
diagram follows the page's light or dark theme (``--diagram-*`` variables override them).

Labels come from project files: every text and attribute is written through lxml, which escapes it,
so a label such as ``<script>`` or one with quotes stays text. Long labels are cut to fit their box;
the whole text is in the node's ``<title>`` (the tooltip).
"""

from __future__ import annotations

import re

import orjson
from lxml import etree

from interlace.diagrams.graph import FlowNode
from interlace.diagrams.layout import BRANCH_LABEL_CHARS, Box, Edge, Layout, Marker, Point, char_width
from interlace.diagrams.trace import TraceOverlay

__all__ = ["STYLE", "render_svg"]

_SVG = "http://www.w3.org/2000/svg"
_TITLE_CHARS = 26
_LABEL_CHARS = 28
_UNSAFE_CLASS = re.compile(r"[^a-z0-9-]+")
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

STYLE = """
.interlace-diagram { color-scheme: light dark; font: 12px system-ui, sans-serif;
  --diagram-bg: Canvas; --diagram-flow: #8250df; --diagram-outbound: #0969da; --diagram-store: #1a7f37;
  --diagram-reference: #bf8700; --diagram-end: #57606a; --diagram-transform: #0a7e8c;
  --diagram-visited: #1a7f37; --diagram-failed: #cf222e; --diagram-stopped: #0969da; }
@media (prefers-color-scheme: dark) { .interlace-diagram { --diagram-flow: #bc8cff;
  --diagram-outbound: #58a6ff; --diagram-store: #3fb950; --diagram-reference: #d29922;
  --diagram-end: #8b949e; --diagram-transform: #39c5cf; --diagram-visited: #3fb950;
  --diagram-failed: #f85149; --diagram-stopped: #58a6ff; } }
.interlace-diagram text { fill: currentColor; }
.interlace-diagram .edge { fill: none; stroke: currentColor; stroke-opacity: 0.55; stroke-width: 1.2; }
.interlace-diagram .edge.on-error { stroke-dasharray: 4 3; }
.interlace-diagram .arrow { fill: currentColor; fill-opacity: 0.7; }
.interlace-diagram .branch-label { font-size: 11px; font-style: italic; }
.interlace-diagram .node rect { fill: var(--diagram-bg); stroke: var(--diagram-kind, currentColor);
  stroke-width: 1.5; }
.interlace-diagram .node .kind { font-weight: 600; fill: var(--diagram-kind, currentColor); }
.interlace-diagram .node .timing { font-size: 10px; }
.interlace-diagram .node { cursor: pointer; outline: none; }
.interlace-diagram .node:hover rect, .interlace-diagram .node:focus rect { stroke-width: 3; }
.interlace-diagram .cat-flow { --diagram-kind: var(--diagram-flow); }
.interlace-diagram .cat-outbound { --diagram-kind: var(--diagram-outbound); }
.interlace-diagram .cat-store { --diagram-kind: var(--diagram-store); }
.interlace-diagram .cat-reference { --diagram-kind: var(--diagram-reference); }
.interlace-diagram .cat-end { --diagram-kind: var(--diagram-end); }
.interlace-diagram .cat-transform { --diagram-kind: var(--diagram-transform); }
.interlace-diagram .has-problems rect { stroke: var(--diagram-failed); stroke-dasharray: 5 3; }
.interlace-diagram .marker rect, .interlace-diagram .marker circle { fill: var(--diagram-bg);
  stroke: currentColor; stroke-width: 1.2; }
.interlace-diagram .marker.join circle, .interlace-diagram .marker .dot { fill: currentColor; }
.interlace-diagram.traced .unvisited { opacity: 0.35; }
.interlace-diagram .edge.followed { stroke: var(--diagram-visited); stroke-opacity: 1; stroke-width: 2.5; }
.interlace-diagram .state-visited rect { stroke: var(--diagram-visited); stroke-width: 2.5; }
.interlace-diagram .state-stopped rect { stroke: var(--diagram-stopped); stroke-width: 3; }
.interlace-diagram .state-failed rect { stroke: var(--diagram-failed); stroke-width: 3.5; }
.interlace-diagram .state-failed .kind { fill: var(--diagram-failed); }
"""


def _xml(text: str) -> str:
    """``text`` with the characters XML cannot hold (control characters a YAML escape may write) shown
    as U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


def _element(
    parent: etree._Element, tag: str, attributes: dict[str, str], text: str | None
) -> etree._Element:
    element = etree.SubElement(
        parent, f"{{{_SVG}}}{tag}", {key: _xml(value) for key, value in attributes.items()}
    )
    if text is not None:
        element.text = _xml(text)
    return element


def _cut(text: str, chars: int) -> str:
    """One line of at most ``chars`` characters (an ellipsis marks a cut)."""
    line = " ".join(text.split())
    return line if len(line) <= chars else line[: chars - 1] + "…"


def _number(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def _path(points: tuple[Point, ...]) -> str:
    return " ".join(f"{'M' if i == 0 else 'L'}{_number(x)},{_number(y)}" for i, (x, y) in enumerate(points))


def _json(value: object) -> str:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attributes: str) -> etree._Element:
    return _element(parent, tag, {k.rstrip("_").replace("_", "-"): v for k, v in attributes.items()}, text)


def _classes(node: FlowNode) -> list[str]:
    kind = "operation" if "." in node.kind else _UNSAFE_CLASS.sub("-", node.kind.lower()).strip("-")
    classes = ["node", f"kind-{kind or 'unknown'}", f"cat-{node.category}"]
    return [*classes, "has-problems"] if node.problems else classes


def _node(parent: etree._Element, box: Box, prefix: str, overlay: TraceOverlay | None) -> None:
    node = box.node
    classes = _classes(node)
    attributes = {
        "id": prefix + node.id,
        "data-node": node.id,
        "data-kind": node.kind,
        "data-location": str(node.location),
        "data-path": _json(list(node.path)),
        "data-settings": _json(dict(node.settings)),
        "tabindex": "0",
        "role": "button",
    }
    if node.link is not None:
        attributes["data-link"] = node.link
    if node.problems:
        attributes["data-problems"] = _json(list(node.problems))
    visit = overlay.visits.get(node.id) if overlay is not None else None
    if overlay is not None:
        classes.append(f"state-{overlay.state_of(node.id)}")
        classes.append("visited" if visit is not None else "unvisited")
    if visit is not None:
        attributes["data-steps"] = " ".join(map(str, visit.steps))
        attributes["data-duration-ms"] = str(visit.duration_ms)
        if visit.error:
            attributes["data-error"] = visit.error
    attributes["class"] = " ".join(classes)
    title = f"{node.kind}: {node.label}" if node.label else node.kind
    details = [title, str(node.location), *node.problems]
    if visit is not None and visit.error:
        details.append(f"failed: {visit.error}")
    attributes["aria-label"] = _cut(title, 200)
    group = _element(parent, "g", attributes, None)
    _sub(group, "title", "\n".join(details))
    _sub(
        group,
        "rect",
        x=_number(box.x),
        y=_number(box.y),
        width=_number(box.width),
        height=_number(box.height),
        rx="6",
    )
    left = box.x + 10
    kind_chars = _TITLE_CHARS if visit is None else _TITLE_CHARS - 8
    _sub(group, "text", _cut(node.kind, kind_chars), x=_number(left), y=_number(box.y + 19), class_="kind")
    if node.label:
        _sub(
            group,
            "text",
            _cut(node.label, _LABEL_CHARS),
            x=_number(left),
            y=_number(box.y + 37),
            class_="label",
        )
    if visit is not None:
        timing = f"{_number(visit.duration_ms)} ms" + (
            f" {len(visit.steps)} times" if len(visit.steps) > 1 else ""
        )
        _sub(
            group,
            "text",
            timing,
            x=_number(box.x + box.width - 8),
            y=_number(box.y + 19),
            text_anchor="end",
            class_="timing",
        )


def _marker(parent: etree._Element, marker: Marker, prefix: str, reached: bool | None) -> None:
    classes = ["marker", marker.kind]
    if reached is not None:
        classes.append("visited" if reached else "unvisited")
    group = _sub(parent, "g", id=prefix + marker.id, data_marker=marker.kind)
    group.set("class", " ".join(classes))
    if marker.kind in ("start", "on-error"):
        _sub(group, "title", marker.label)
        _sub(
            group,
            "rect",
            x=_number(marker.x - marker.width / 2),
            y=_number(marker.y - 14),
            width=_number(marker.width),
            height="28",
            rx="14",
        )
        chars = int((marker.width - 20) / char_width())
        _sub(
            group,
            "text",
            _cut(marker.label, chars),
            x=_number(marker.x),
            y=_number(marker.y + 4),
            text_anchor="middle",
        )
    elif marker.kind == "end":
        _sub(group, "title", "end of the flow")
        _sub(group, "circle", cx=_number(marker.x), cy=_number(marker.y), r="8")
        _sub(group, "circle", cx=_number(marker.x), cy=_number(marker.y), r="4").set("class", "dot")
    else:
        _sub(group, "circle", cx=_number(marker.x), cy=_number(marker.y), r="4")


def _edge(parent: etree._Element, edge: Edge, prefix: str, followed: bool | None) -> None:
    classes = ["edge", *(["on-error"] if edge.on_error else [])]
    if followed is not None:
        classes.append("followed" if followed else "unvisited")
    line = _sub(parent, "path", d=_path(edge.points), data_source=edge.source, data_target=edge.target)
    if not edge.target.endswith("-join"):
        line.set("marker-end", f"url(#{prefix}arrow)")
    line.set("class", " ".join(classes))
    if edge.label is not None and edge.label_at is not None:
        label = _sub(
            parent,
            "text",
            _cut(edge.label, BRANCH_LABEL_CHARS),
            x=_number(edge.label_at[0]),
            y=_number(edge.label_at[1]),
        )
        label.set("class", "branch-label" + ("" if followed is None or followed else " unvisited"))
        if len(edge.label) > BRANCH_LABEL_CHARS:
            _sub(label, "title", edge.label)


def render_svg(layout: Layout, overlay: TraceOverlay | None = None, *, id_prefix: str = "") -> str:
    """The SVG document of ``layout``, with ``overlay`` marked when given. ``id_prefix`` keeps element
    ids unique when a page holds several diagrams. The same input gives the same text."""
    graph = layout.graph
    classes = "interlace-diagram" + (" traced" if overlay is not None else "")
    root = etree.Element(
        f"{{{_SVG}}}svg",
        {
            "viewBox": f"0 0 {_number(layout.width)} {_number(layout.height)}",
            "width": _number(layout.width),
            "height": _number(layout.height),
            "class": classes,
            "role": "img",
            "data-flow": _xml(graph.reference),
        },
        nsmap={None: _SVG},  # type: ignore[dict-item]  # the default namespace has no prefix
    )
    _sub(root, "title", f"{graph.kind} {graph.name}")
    _sub(root, "style", STYLE)
    defs = _sub(root, "defs")
    arrow = _sub(
        defs,
        "marker",
        id=f"{id_prefix}arrow",
        viewBox="0 0 8 8",
        refX="8",
        refY="4",
        markerWidth="8",
        markerHeight="8",
        orient="auto",
        markerUnits="userSpaceOnUse",
    )
    _sub(arrow, "path", d="M0,0 L8,4 L0,8 z").set("class", "arrow")
    edges = _sub(root, "g")
    edges.set("class", "edges")
    for edge in layout.edges:
        _edge(edges, edge, id_prefix, overlay.followed(edge, layout) if overlay is not None else None)
    markers = _sub(root, "g")
    markers.set("class", "markers")
    reached = overlay.reached(layout) if overlay is not None else None
    for marker in layout.markers:
        _marker(markers, marker, id_prefix, marker.id in reached if reached is not None else None)
    nodes = _sub(root, "g")
    nodes.set("class", "nodes")
    for box in layout.boxes:
        _node(nodes, box, id_prefix, overlay)
    return etree.tostring(root, encoding="unicode", pretty_print=True)
