"""Message tracing: a traced request's path through its flow, mediator by mediator, with redacted
snapshots of payload, variables and headers; switched per artifact at run time; kept in a bounded
buffer; a stored message's delivery joins the trace of the request that stored it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import orjson
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from interlace.http.server import HttpServer
from interlace.observability.tracing import MESSAGE_TRACER, MessageTrace
from interlace.runtime import Runtime
from tests.observability.settlement import SETTLEMENT, reserve_api
from tests.support import eventually, write_project

SECRET = "hunter2-secret"
SSN = "123-45-6789"
CARD = "4111111111111111"

FILES = {
    "connections/hospital.yaml": """\
        connection: hospital
        connector: http
        base-url: ${env.HOSPITAL}
        auth: {type: api-key, name: X-Hospital-Key, value: "${secret.HOSPITAL_KEY}"}
        """,
    "apis/healthcare.yaml": reserve_api(
        """\
              - variable: {name: hospital, value: "${payload.hospital}"}
              - variable: {name: patient, value: "${payload.patient}"}
              - switch:
                  on: "${vars.hospital}"
                  cases:
                    grand oak community hospital: [{variable: {name: hospital_id, value: grandoaks}}]
                  default:
                    - respond: {status: 400, json: {error: "Invalid hospital"}}
              - http.post: {connection: hospital, path: "reserve", body: "${payload}"}
              - store: Payments
              - respond: {json: {message: "Payment request successfully submitted."}}
        """
    ),
    **SETTLEMENT,
}
TOML = '\n[tracing]\nsensitive = ["ssn", "payload.patient.cardNumber"]\n'


@dataclass
class Healthcare:
    runtime: Runtime
    client: aiohttp.ClientSession

    async def reserve(self, hospital: str = "grand oak community hospital") -> tuple[int, str]:
        body = {"hospital": hospital, "patient": {"name": "John Doe", "ssn": SSN, "cardNumber": CARD}}
        async with self.client.post("/healthcare/categories/surgery/reserve", json=body) as answer:
            await answer.read()
            return answer.status, answer.headers["X-Correlation-ID"]


async def _hospital(request: web.Request) -> web.Response:
    sent = await request.json()
    # a careless back-end that echoes the key it was given
    return web.json_response(
        {"appointment": 7, "patient": sent["patient"], "key": request.headers["X-Hospital-Key"]}
    )


@pytest.fixture(autouse=True)
def tracer() -> Iterator[None]:
    MESSAGE_TRACER.reset()
    MESSAGE_TRACER.configure(buffer_size=200, max_payload_size=16384, max_steps=500)
    yield
    MESSAGE_TRACER.reset()


@pytest.fixture
async def healthcare(tmp_path: Path) -> AsyncIterator[Healthcare]:
    backend = web.Application()
    backend.router.add_post("/reserve", _hospital)
    backend.router.add_post("/settle", _hospital)
    async with TestServer(backend, host="127.0.0.1") as hospital:
        root = write_project(tmp_path / "healthcare", FILES, TOML)
        env = {"HOSPITAL": str(hospital.make_url("")).rstrip("/"), "HOSPITAL_KEY": SECRET}
        async with (
            Runtime(root, env=env) as runtime,
            HttpServer(runtime, "127.0.0.1", 0, 1 << 20) as server,
            aiohttp.ClientSession(f"http://127.0.0.1:{server.port}") as client,
        ):
            yield Healthcare(runtime, client)


def _dump(traces: list[MessageTrace]) -> str:
    return orjson.dumps([trace.model_dump(by_alias=True, mode="json") for trace in traces]).decode()


async def test_a_traced_request_records_each_mediator_with_redacted_snapshots(healthcare: Healthcare) -> None:
    MESSAGE_TRACER.switch("api", "HealthcareAPI", True)
    status, correlation_id = await healthcare.reserve()
    assert status == 200

    [trace] = MESSAGE_TRACER.find(correlation_id=correlation_id, kind="api")
    assert (trace.name, trace.outcome) == ("HealthcareAPI", "replied")
    steps = trace.steps
    assert [(step.kind, step.name, step.parent) for step in steps] == [
        ("variable", "hospital", None),
        ("variable", "patient", None),
        ("switch", None, None),
        ("variable", "hospital_id", 2),
        ("operation", "http.post", None),
        ("store", "Payments", None),
        ("respond", None, None),
    ]
    assert [step.location for step in steps[0:3]] == [
        "apis/healthcare.yaml:7",
        "apis/healthcare.yaml:8",
        "apis/healthcare.yaml:9",
    ]
    assert [step.outcome for step in steps] == ["continued"] * 6 + ["stopped"]
    assert all(step.duration_ms is not None and step.duration_ms >= 0 for step in steps)

    first = steps[0]
    assert first.before.variables == {}
    assert first.after is not None and first.after.variables == {"hospital": "grand oak community hospital"}
    patient = {"name": "John Doe", "ssn": "***", "cardNumber": "***"}
    assert first.before.payload.body == {"hospital": "grand oak community hospital", "patient": patient}
    assert steps[1].after is not None and steps[1].after.variables["patient"] == {
        "name": "John Doe",
        "ssn": "***",
        "cardNumber": SECRET_FREE_CARD,
    }
    call = steps[4]
    assert call.after is not None
    assert call.after.payload.body == {"appointment": 7, "patient": patient, "key": "***"}

    text = _dump([trace])
    for never in (SECRET, SSN):
        assert never not in text


SECRET_FREE_CARD = CARD
"""A path (``payload.patient.cardNumber``) redacts that place only: the same field in a variable shows."""


async def test_a_stored_messages_delivery_joins_the_trace_of_the_request_that_stored_it(
    healthcare: Healthcare,
) -> None:
    MESSAGE_TRACER.switch("api", "HealthcareAPI", True)
    _, correlation_id = await healthcare.reserve()

    def both() -> bool:
        found = MESSAGE_TRACER.find(correlation_id=correlation_id)
        return len(found) == 2 and found[0].outcome != "running"

    await eventually(both)
    delivery, request = MESSAGE_TRACER.find(correlation_id=correlation_id)
    assert (request.kind, request.name) == ("api", "HealthcareAPI")
    assert (delivery.kind, delivery.name, delivery.outcome) == ("processor", "Settler", "finished")
    assert [(step.kind, step.name) for step in delivery.steps] == [("operation", "http.post")]
    for never in (SECRET, SSN):
        assert never not in _dump([delivery])


async def test_tracing_is_switched_on_and_off_at_run_time(healthcare: Healthcare) -> None:
    _, before = await healthcare.reserve()
    MESSAGE_TRACER.switch("api", "HealthcareAPI", True)
    _, during = await healthcare.reserve()
    MESSAGE_TRACER.switch("api", "HealthcareAPI", False)
    assert not MESSAGE_TRACER.on
    _, after = await healthcare.reserve()

    traced = {trace.correlation_id for trace in MESSAGE_TRACER.find(kind="api")}
    assert traced == {during}
    assert MESSAGE_TRACER.find(correlation_id=before) == []
    assert MESSAGE_TRACER.find(correlation_id=after) == []


async def test_a_named_sequence_is_traced_on_its_own(healthcare: Healthcare) -> None:
    MESSAGE_TRACER.switch("sequence", "Settle", True)
    _, correlation_id = await healthcare.reserve()

    await eventually(lambda: bool(MESSAGE_TRACER.find(correlation_id=correlation_id, kind="sequence")))
    [trace] = MESSAGE_TRACER.find(correlation_id=correlation_id, kind="sequence")
    assert (trace.name, [step.name for step in trace.steps]) == ("Settle", ["http.post"])
    assert MESSAGE_TRACER.find(kind="api") == []


async def test_the_buffer_keeps_the_newest_traces_and_cuts_payloads(healthcare: Healthcare) -> None:
    MESSAGE_TRACER.configure(buffer_size=3, max_payload_size=40, max_steps=2)
    MESSAGE_TRACER.switch("api", "HealthcareAPI", True)
    sent = [(await healthcare.reserve("nowhere"))[1] for _ in range(5)]

    kept = MESSAGE_TRACER.find(kind="api")
    assert [trace.correlation_id for trace in kept] == sent[:1:-1]
    trace = kept[0]
    assert (trace.step_count, trace.steps_left_out) == (2, 2)  # variable, variable; switch, respond
    payload = trace.steps[1].before.payload
    assert payload.truncated and isinstance(payload.body, str) and len(payload.body) == 40
    assert payload.size > 40


def test_nothing_is_recorded_while_nothing_is_traced() -> None:
    assert not MESSAGE_TRACER.on
    assert MESSAGE_TRACER.find() == []


def _sensitive_xml(xml: str) -> Any:
    MESSAGE_TRACER.redactor.mark_sensitive("xml", ["ssn"])
    try:
        return MESSAGE_TRACER.redactor.markup(xml)
    finally:
        MESSAGE_TRACER.redactor.mark_sensitive("xml", [])


def test_sensitive_elements_of_an_xml_payload_are_redacted() -> None:
    shown = _sensitive_xml(
        '<p:patient xmlns:p="urn:p"><p:name>Jo</p:name><p:ssn a="1">123</p:ssn></p:patient>'
    )
    assert shown == '<p:patient xmlns:p="urn:p"><p:name>Jo</p:name><p:ssn a="1">***</p:ssn></p:patient>'
