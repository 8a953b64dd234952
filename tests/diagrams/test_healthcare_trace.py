"""The healthcare example's reserve request traced and laid over its diagrams: the hospital's case of the
switch, the calls and the store on the request's diagram, the settlement on its sequence's."""

from __future__ import annotations

import json
from pathlib import Path

import aiohttp

from interlace.diagrams import FlowGraph, TraceOverlay, find_flow, overlay_trace
from interlace.model.load import load_project
from interlace.observability.tracing import MESSAGE_TRACER
from tests.examples.conftest import backend, example, healthcare, mailbox, running
from tests.support import eventually

__all__ = ["backend", "example", "healthcare", "mailbox", "running"]  # fixtures, used here by name

RESERVE = "HealthcareAPI/categories/{category}/reserve"


def _states(graph: FlowGraph, overlay: TraceOverlay) -> dict[str, str]:
    """The state of each node, by kind and label (the first of each)."""
    states: dict[str, str] = {}
    for node in graph.nodes():
        states.setdefault(f"{node.kind} {node.label}", overlay.state_of(node.id))
    return states


async def test_a_traced_reservation_shows_its_case_its_calls_and_its_settlement(
    healthcare: aiohttp.ClientSession, example: Path
) -> None:
    MESSAGE_TRACER.switch("api", "HealthcareAPI", True)
    request = json.loads((example / "request.json").read_text())
    request.update(hospital="clemency medical center", doctor="anne clement")
    async with healthcare.post("/healthcare/categories/surgery/reserve", json=request) as answer:
        assert answer.status == 200
        correlation_id = answer.headers["X-Correlation-ID"]

    def both() -> bool:
        found = MESSAGE_TRACER.find(correlation_id=correlation_id)
        return len(found) == 2 and all(each.outcome != "running" for each in found)

    await eventually(both, what="the reservation's trace and its settlement's")
    delivery, reservation = MESSAGE_TRACER.find(correlation_id=correlation_id)
    project = load_project(example)

    graph = find_flow(project, RESERVE)
    states = _states(graph, overlay_trace(graph, reservation))
    assert states["variable hospital_id = clemency"] == "visited"
    assert states["variable hospital_id = grandoaks"] == "unvisited"
    assert states["respond status 400 json body"] == "unvisited"  # the switch's default
    assert states["call HospitalReserveEP"] == "visited"
    assert states["sequence RejectBackendStatus"] == "visited"
    assert states["store PaymentRequestMessageStore"] == "visited"
    assert states["respond json body"] == "stopped"
    assert states["sequence HealthcareErrorSequence"] == "unvisited"

    settlement = find_flow(project, "sequence:PaymentRequestProcessingSequence")
    states = _states(settlement, overlay_trace(settlement, delivery))
    assert states["call SettlePaymentEP"] == "visited"
    assert states["throw-error PAYMENT_REFUSED"] == "unvisited"
    assert states["gmail.sendMail via patientMail"] == "visited"


async def test_a_refusal_inside_a_called_sequence_marks_the_node_that_called_it(
    healthcare: aiohttp.ClientSession, example: Path
) -> None:
    MESSAGE_TRACER.switch("api", "HealthcareAPI", True)
    request = json.loads((example / "request.json").read_text())
    request.update(hospital="clemency medical center", doctor="thomas collins")  # not a doctor there
    async with healthcare.post("/healthcare/categories/surgery/reserve", json=request) as answer:
        assert answer.status == 400
        correlation_id = answer.headers["X-Correlation-ID"]
    [trace] = MESSAGE_TRACER.find(correlation_id=correlation_id)

    graph = find_flow(load_project(example), RESERVE)
    states = _states(graph, overlay_trace(graph, trace))
    assert states["call HospitalReserveEP"] == "visited"
    assert states["sequence RejectBackendStatus"] == "stopped"  # its respond answered the 400
    assert states["call ChannelingFeeEP"] == "unvisited"
    assert states["store PaymentRequestMessageStore"] == "unvisited"
