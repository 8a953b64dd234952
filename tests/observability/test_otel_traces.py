"""OpenTelemetry traces: a reserve request and its later settlement by a processor are one trace, with a
span per request, mediator, endpoint call and connector operation, and the W3C trace context goes
out to the back-ends."""

from __future__ import annotations

import io
import logging
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import orjson
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from multidict import CIMultiDict
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from interlace.http.server import HttpServer
from interlace.message import MessageContext
from interlace.observability import configure_logging
from interlace.observability.otel import OTEL
from interlace.runtime import Runtime
from tests.observability.settlement import SETTLEMENT, reserve_api
from tests.observability.test_logging import written
from tests.support import eventually, write_project

__all__ = ["written"]  # the logging tests' fixture, used here by name

CLIENT_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
CLIENT_SPAN = "00f067aa0ba902b7"

FILES = {
    "endpoints/reserve.yaml": """\
        endpoint: HospitalReserveEP
        http: {url: "${env.HOSPITAL}/reserve", method: POST}
        """,
    "connections/hospital.yaml": "connection: hospital\nconnector: http\nbase-url: ${env.HOSPITAL}\n",
    "apis/healthcare.yaml": reserve_api(
        """\
              - variable: {name: hospital, value: "${payload.hospital}"}
              - call: {endpoint: HospitalReserveEP}
              - store: Payments
              - respond: {json: {message: "Payment request successfully submitted."}}
        """
    ),
    **SETTLEMENT,
}


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    OTEL.enable(provider)
    yield exporter
    OTEL.disable()


async def test_a_request_and_its_later_settlement_are_one_trace(
    tmp_path: Path, spans: InMemorySpanExporter
) -> None:
    received: dict[str, str] = {}

    async def hospital(request: web.Request) -> web.Response:
        received[request.path] = request.headers.get("traceparent", "")
        return web.json_response({"appointment": 7})

    backend = web.Application()
    backend.router.add_post("/reserve", hospital)
    backend.router.add_post("/settle", hospital)
    async with TestServer(backend, host="127.0.0.1") as server:
        root = write_project(tmp_path / "healthcare", FILES)
        env = {"HOSPITAL": str(server.make_url("")).rstrip("/")}
        async with (
            Runtime(root, env=env) as runtime,
            HttpServer(runtime, "127.0.0.1", 0, 1 << 20) as http,
            aiohttp.ClientSession(f"http://127.0.0.1:{http.port}") as client,
        ):
            headers = {"traceparent": f"00-{CLIENT_TRACE}-{CLIENT_SPAN}-01"}
            body = {"hospital": "grand oak community hospital"}
            async with client.post(
                "/healthcare/categories/surgery/reserve", json=body, headers=headers
            ) as answer:
                assert answer.status == 200
            await eventually(
                lambda: any(span.name == "processor Settler" for span in spans.get_finished_spans())
            )
            await eventually(lambda: "/settle" in received)

    finished = spans.get_finished_spans()
    by_id = {span.context.span_id: span for span in finished}

    def named(name: str) -> ReadableSpan:
        [span] = [span for span in finished if span.name == name]
        return span

    def parent_of(span: ReadableSpan) -> str | None:
        return by_id[span.parent.span_id].name if span.parent and span.parent.span_id in by_id else None

    assert {format(span.context.trace_id, "032x") for span in finished} == {CLIENT_TRACE}
    request = named("api HealthcareAPI")
    assert request.kind == SpanKind.SERVER
    assert request.parent is not None and format(request.parent.span_id, "016x") == CLIENT_SPAN
    assert (
        request.attributes is not None
        and request.attributes["url.path"] == "/healthcare/categories/surgery/reserve"
    )
    tree = {
        "variable hospital": "api HealthcareAPI",
        "call HospitalReserveEP": "api HealthcareAPI",
        "endpoint HospitalReserveEP": "call HospitalReserveEP",
        "store Payments": "api HealthcareAPI",
        "respond": "api HealthcareAPI",
        "processor Settler": "store Payments",
        "operation http.post": "processor Settler",
        "http.post on connection hospital": "operation http.post",
    }
    assert {name: parent_of(named(name)) for name in tree} == tree
    assert named("endpoint HospitalReserveEP").kind == SpanKind.CLIENT
    assert named("processor Settler").kind == SpanKind.CONSUMER
    variable = named("variable hospital").attributes
    assert variable is not None and variable["code.filepath"] == "apis/healthcare.yaml"

    def sent_by(name: str) -> str:
        span = named(name).context
        return f"00-{CLIENT_TRACE}-{format(span.span_id, '016x')}-01"

    assert received == {
        "/reserve": sent_by("endpoint HospitalReserveEP"),
        "/settle": sent_by("http.post on connection hospital"),
    }


def test_opentelemetry_is_not_imported_while_tracing_is_off() -> None:
    script = (
        "import sys, interlace.cli, interlace.runtime, interlace.http.server, interlace.management.app\n"
        "assert not [name for name in sys.modules if name.startswith('opentelemetry')]\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True)


def test_a_json_log_line_logged_in_a_span_carries_its_trace_id(
    spans: InMemorySpanExporter, written: io.StringIO
) -> None:
    configure_logging("INFO", "json", stream=written)
    ctx = MessageContext(headers=CIMultiDict({"traceparent": f"00-{CLIENT_TRACE}-{CLIENT_SPAN}-01"}))
    with OTEL.flow_span("task", "Nightly", ctx):
        logging.getLogger("interlace.test.otel").info("inside")
    logging.getLogger("interlace.test.otel").info("outside")
    inside, outside = (orjson.loads(line) for line in written.getvalue().splitlines())
    assert inside["traceId"] == CLIENT_TRACE
    assert "traceId" not in outside
