"""What a client is told when a back-end or a database fails: the endpoint's or connection's name, never
its address or user. The log keeps the details for operators."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from tests.http.serving import serve_files
from tests.support import unused_port


def project(port: int) -> dict[str, str]:
    return {
        "interlace.toml": '[project]\nname = "redaction"\n',
        "apis/clinic.yaml": """\
api: ClinicAPI
context: /clinic
resources:
  - methods: [POST]
    uri-template: /reserve
    flow:
      - call: HospitalReserveEP
      - respond: {}
  - methods: [POST]
    uri-template: /handled
    flow:
      - call: HospitalReserveEP
      - respond: {}
    on-error:
      - respond: {status: "${error.status}", json: {error: "${error.message}", detail: "${error.detail}"}}
  - methods: [GET]
    uri-template: /patients
    flow:
      - db.select: {connection: records, query: "SELECT 1 AS one"}
      - respond: {}
""",
        "endpoints/reserve.yaml": f"""\
endpoint: HospitalReserveEP
http:
  url: http://127.0.0.1:{port}/internal/reserve
  method: POST
  timeout: 2s
""",
        "connections/records.yaml": f"""\
connection: records
connector: db
url: postgresql://clinic_admin@127.0.0.1:{port}/records
timeout: 2
""",
    }


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[tuple[aiohttp.ClientSession, int]]:
    port = unused_port()
    async with serve_files(tmp_path, project(port)) as (_, session):
        yield session, port


async def test_a_refused_back_end_is_named_not_located_and_the_log_keeps_the_url(
    served: tuple[aiohttp.ClientSession, int], caplog: pytest.LogCaptureFixture
) -> None:
    client, port = served
    caplog.set_level(logging.WARNING, logger="interlace.http")

    async with client.post("/clinic/reserve", json={}) as answer:
        assert answer.status == 502
        text = await answer.text()
        error = (await answer.json())["error"]
    async with client.post("/clinic/handled", json={}) as handled:
        handled_text = await handled.text()

    for shown in (text, handled_text):
        assert "HospitalReserveEP" in shown
        assert str(port) not in shown
        assert "/internal/reserve" not in shown
    assert error["message"] == "endpoint HospitalReserveEP: POST failed: the back-end could not be reached"
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert f"http://127.0.0.1:{port}/internal/reserve failed: connection refused" in logged


async def test_a_database_that_cannot_be_reached_is_named_by_its_connection_without_its_user(
    served: tuple[aiohttp.ClientSession, int], caplog: pytest.LogCaptureFixture
) -> None:
    client, port = served
    caplog.set_level(logging.WARNING, logger="interlace.http")

    async with client.get("/clinic/patients") as answer:
        assert answer.status == 503
        error = (await answer.json())["error"]

    assert error["message"] == "db.select on connection records failed (CONNECTOR_UNAVAILABLE)"
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert f"clinic_admin@127.0.0.1:{port}" in logged
