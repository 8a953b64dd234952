"""Reading a flow graph from a project's definitions: one node per mediator with its kind, label,
settings and file:line; branches for every kind that branches; calls with what they call."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from interlace.diagrams import FlowGraph, UnknownFlowError, find_flow, flow_references
from interlace.model.load import load_project
from tests.diagrams.projects import ORDERS_FLOW, RESERVE, healthcare, orders
from tests.support import write_project


def _shape(graph: FlowGraph) -> list[str]:
    return [node.kind for node in graph.flow.nodes]


def test_the_reserve_resource_is_drawn_mediator_by_mediator_with_its_switch_and_on_error() -> None:
    graph = find_flow(healthcare(), RESERVE)

    assert graph.name == "HealthcareAPI POST /categories/{category}/reserve"
    assert _shape(graph) == [
        "variable", "variable", "payload", "switch", "log", "call", "sequence",
        "variable", "call", "sequence", "variable", "payload", "store", "respond",
    ]  # fmt: skip
    switch = graph.flow.nodes[3]
    assert (switch.label, str(switch.location)) == ("${vars.hospital}", "apis/healthcare.yaml:34")
    assert [branch.label for branch in switch.branches] == [
        "grand oak community hospital",
        "clemency medical center",
        "pine valley community hospital",
        "default",
    ]
    grand_oak = switch.branches[0].flow.nodes[0]
    assert grand_oak.settings == {"name": "hospital_id", "value": "grandoaks"}
    assert grand_oak.path == ("resources", 1, "flow", 3, "switch", "cases", "grand oak community hospital", 0)
    default = switch.branches[3]
    assert [node.kind for node in default.flow.nodes] == ["log", "respond"]
    assert default.ends and not switch.branches[0].ends and not switch.ends

    call, called = graph.flow.nodes[5], graph.flow.nodes[6]
    assert (call.label, call.link, str(call.location)) == (
        "HospitalReserveEP",
        "endpoint:HospitalReserveEP",
        "apis/healthcare.yaml:48",
    )
    assert called.link == "sequence:RejectBackendStatus"
    store, respond = graph.flow.nodes[12], graph.flow.nodes[13]
    assert store.link == "store:PaymentRequestMessageStore"
    assert respond.ends and graph.flow.ends

    assert graph.on_error is not None
    [on_error] = graph.on_error.nodes
    assert (on_error.link, on_error.on_error) == ("sequence:HealthcareErrorSequence", True)
    ids = [node.id for node in graph.nodes()]
    assert ids == [f"n{i}" for i in range(1, len(ids) + 1)]


def test_a_connector_operation_names_its_connection() -> None:
    graph = find_flow(healthcare(), "sequence:PaymentRequestProcessingSequence")

    mail = graph.flow.nodes[-1]
    assert (mail.kind, mail.connection, mail.link, mail.label) == (
        "gmail.sendMail",
        "patientMail",
        "connection:patientMail",
        "via patientMail",
    )
    assert mail.settings["subject"] == "Payment Status"
    assert mail.category == "outbound"
    refused = graph.flow.nodes[3]
    assert [branch.label for branch in refused.branches] == ["then", "else"]
    assert refused.branches[0].flow.nodes[0].kind == "throw-error"


def test_validate_filter_foreach_and_scatter_gather_branch(tmp_path: Path) -> None:
    graph = find_flow(orders(tmp_path), ORDERS_FLOW)

    assert _shape(graph) == ["validate", "filter", "foreach", "scatter-gather", "store", "respond"]
    validate, filter_, foreach, scatter = graph.flow.nodes[:4]
    assert [(b.label, b.ends) for b in validate.branches] == [("valid", False), ("invalid", True)]
    assert [(b.label, [n.kind for n in b.flow.nodes]) for b in filter_.branches] == [
        ("then", ["header"]),
        ("else", ["log"]),
    ]
    [body] = foreach.branches
    assert (body.label, foreach.label) == ("each item", "${payload.items}")
    inner = body.flow.nodes[0]
    assert inner.branches[0].flow.nodes == () and inner.branches[1].flow.nodes[0].kind == "throw-error"
    assert not foreach.ends  # a throw in a loop body is drawn inside it, the loop itself goes on
    assert [[n.kind for n in b.flow.nodes] for b in scatter.branches] == [
        ["variable"],
        ["variable", "sequence"],
    ]
    assert scatter.branches[1].flow.nodes[1].link == "sequence:Audit"
    assert graph.on_error is not None and graph.on_error.nodes[0].kind == "respond"
    assert flow_references(orders(tmp_path / "again")) == ["OrdersAPI/", "sequence:Audit"]


def test_a_mediator_with_problems_is_drawn_with_them(tmp_path: Path) -> None:
    root = write_project(
        tmp_path,
        {"sequences/s.yaml": "sequence: S\nflow:\n  - log: {level: loud}\n  - frobnicate: {}\n"},
    )
    graph = find_flow(load_project(root), "sequence:S")

    wrong_level, unknown = graph.flow.nodes
    assert wrong_level.kind == "log" and "sequences/s.yaml:3" in wrong_level.problems[0]
    assert unknown.kind == "frobnicate" and "unknown mediator 'frobnicate'" in unknown.problems[0]


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ("HealthcareApi", "no API named 'HealthcareApi'; did you mean 'HealthcareAPI'?"),
        (
            "HealthcareAPI",
            "API HealthcareAPI has 2 resources; name one: HealthcareAPI/querydoctor/{category}, " + RESERVE,
        ),
        (
            "HealthcareAPI/categories/reserve",
            f"API HealthcareAPI has no resource 'HealthcareAPI/categories/reserve'; did you mean '{RESERVE}'?",
        ),
        ("sequence:RejectBackend", "no sequence named 'RejectBackend'; did you mean 'RejectBackendStatus'?"),
        ("sequence:Nothing", "no sequence named 'Nothing' (sequences: HealthcareErrorSequence, "),
    ],
)
def test_an_unknown_flow_is_named_with_the_closest_one(reference: str, message: str) -> None:
    with pytest.raises(UnknownFlowError) as raised:
        find_flow(healthcare(), reference)
    assert raised.value.message.startswith(message)


def test_a_resource_is_found_by_method_when_resources_share_a_template(tmp_path: Path) -> None:
    api = """\
        api: Items
        context: /items
        resources:
          - {methods: [GET], uri-template: /, flow: [{respond: {}}]}
          - {methods: [POST, PUT], uri-template: /, flow: [drop]}
        """
    project = load_project(write_project(tmp_path, {"apis/items.yaml": api}))
    references = flow_references(project)
    assert references == ["GET Items/", "POST|PUT Items/"]
    assert [find_flow(project, reference).reference for reference in references] == references

    assert _shape(find_flow(project, "POST Items/")) == ["drop"]
    with pytest.raises(
        UnknownFlowError,
        match=re.escape("Items has 2 resources there; name one: GET Items/, POST|PUT Items/"),
    ):
        find_flow(project, "api:Items/")
