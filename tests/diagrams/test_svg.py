"""The SVG of a flow diagram: well-formed, clickable nodes with their data, text from project files kept
inert, long labels cut, and the same text for the same files."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from interlace.diagrams import (
    Flow,
    FlowGraph,
    FlowNode,
    diagram_svg,
    find_flow,
    layout_graph,
    render_svg,
)
from interlace.errors import SourceLocation
from interlace.model.load import load_project
from tests.diagrams.projects import ORDERS_FLOW, RESERVE, healthcare, orders
from tests.support import write_project

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> etree._Element:
    return etree.fromstring(svg.encode())


def _nodes(root: etree._Element) -> dict[str, etree._Element]:
    return {group.get("data-node"): group for group in root.iter(f"{SVG}g") if group.get("data-node")}


def test_each_node_is_a_focusable_group_with_its_kind_location_settings_and_link() -> None:
    root = _parse(diagram_svg(healthcare(), RESERVE))

    assert root.tag == f"{SVG}svg" and "interlace-diagram" in root.get("class", "")
    nodes = _nodes(root)
    assert len(nodes) == 20
    call = nodes["n11"]
    assert call.get("id") == "n11"
    assert call.get("data-kind") == "call"
    assert call.get("data-location") == "apis/healthcare.yaml:48"
    assert call.get("data-link") == "endpoint:HospitalReserveEP"
    assert call.get("data-settings") == '{"endpoint":"HospitalReserveEP"}'
    assert call.get("data-path") == '["resources",1,"flow",5]'
    assert call.get("tabindex") == "0"
    assert set(call.get("class", "").split()) == {"node", "kind-call", "cat-outbound"}
    assert nodes["n12"].get("data-link") == "sequence:RejectBackendStatus"
    assert nodes["n4"].get("data-kind") == "switch" and "cat-flow" in nodes["n4"].get("class", "")
    branch_labels = [text.text for text in root.iter(f"{SVG}text") if text.get("class") == "branch-label"]
    assert branch_labels[-1] == "default" and "clemency medical center" in branch_labels


def test_the_diagram_of_a_flow_with_every_branch_kind_is_well_formed(tmp_path: Path) -> None:
    graph = find_flow(orders(tmp_path), ORDERS_FLOW)
    root = _parse(render_svg(layout_graph(graph), id_prefix="orders-"))

    nodes = _nodes(root)
    assert len(nodes) == len(list(graph.nodes()))
    assert all(group.get("id") == "orders-" + node_id for node_id, group in nodes.items())
    joins = [g for g in root.iter(f"{SVG}g") if g.get("data-marker") == "join"]
    assert len(joins) == 5  # validate, filter, the filter in the loop, foreach, scatter-gather
    edges = list(root.iter(f"{SVG}path"))
    assert all(edge.get("d", "").startswith("M") for edge in edges)


def test_text_from_project_files_stays_text(tmp_path: Path) -> None:
    hostile = '<script>alert("x")</script> & \' "quoted"'
    root = write_project(
        tmp_path,
        {
            "sequences/s.yaml": "sequence: S\nflow:\n  - log: {message: "
            + repr(hostile).replace("\\'", "''")
            + "}\n"
        },
    )
    project = load_project(root)
    assert project.problems == []
    svg = diagram_svg(project, "sequence:S")

    assert "<script" not in svg
    parsed = _parse(svg)
    assert not list(parsed.iter("{*}script"))
    [node] = _nodes(parsed).values()
    assert node.find(f"{SVG}title").text.startswith(f"log: {hostile}")  # whole, in the tooltip
    assert node.get("data-settings") == '{"message":"<script>alert(\\"x\\")</script> & \' \\"quoted\\""}'


def test_long_labels_are_cut_to_fit_their_box(tmp_path: Path) -> None:
    long_name = "a_variable_whose_name_goes_on_and_on_and_on"
    root = write_project(
        tmp_path, {"sequences/s.yaml": f"sequence: S\nflow:\n  - variable: {{name: {long_name}, value: 1}}\n"}
    )
    [node] = _nodes(_parse(diagram_svg(load_project(root), "sequence:S"))).values()

    label = next(text for text in node.iter(f"{SVG}text") if text.get("class") == "label")
    assert len(label.text) == 28 and label.text.endswith("…")
    assert f"{long_name} = 1" in node.find(f"{SVG}title").text


def test_the_same_files_give_the_same_svg(tmp_path: Path) -> None:
    first = diagram_svg(orders(tmp_path / "a"), ORDERS_FLOW)
    again = diagram_svg(orders(tmp_path / "b"), ORDERS_FLOW)

    assert first == again
    assert diagram_svg(healthcare(), RESERVE) == diagram_svg(healthcare(), RESERVE)


@settings(max_examples=40, deadline=None)
@given(text=st.text(max_size=80))
def test_any_label_and_setting_give_a_well_formed_svg(text: str) -> None:
    where = SourceLocation("sequences/s.yaml", 3)
    node = FlowNode("n1", "log", text, where, 0, ("flow", 0), {"message": text}, link=f"sequence:{text}")
    graph = FlowGraph("sequence", text, f"sequence:{text}", where, Flow((node,)))

    root = _parse(render_svg(layout_graph(graph)))

    [group] = _nodes(root).values()
    shown = "".join(
        "\ufffd" if ch in "\x00\ufffe\uffff" or (ord(ch) < 32 and ch not in "\t\n\r") else ch for ch in text
    )
    assert group.get("data-link") == f"sequence:{shown}"
    if text:
        assert group.find(f"{SVG}title").text.startswith(f"log: {shown}"[:20])
