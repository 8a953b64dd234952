"""The WSO2 healthcare tutorial, written as Synapse XML, imported and run in front of the sample
hospital back-end: it answers as examples/healthcare does."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from interlace.compiler.compile import check_project
from interlace.http.server import HttpServer
from interlace.importers.synapse import convert_synapse, write_project
from interlace.model.load import load_project
from interlace.runtime import Runtime
from tests.examples.conftest import EXAMPLE, MAX_BODY, Backend

FIXTURE = Path(__file__).parent / "fixtures" / "healthcare"
SUBMITTED = {
    "message": "Payment request successfully submitted. Payment confirmation will be sent via email."
}


def _import(target: Path, backend_url: str) -> Path:
    tree, report = convert_synapse(FIXTURE)
    assert [str(f) for f in report.findings if f.status != "converted"] == []
    # An operator points the imported project at the back-end through its configs, as with any project.
    assert tree.configs == {"url_localhost_9090": "http://localhost:9090"}
    tree.configs["url_localhost_9090"] = backend_url
    write_project(tree, target)
    return target


def test_imported_tutorial_passes_check_without_problems(tmp_path: Path) -> None:
    project = _import(tmp_path / "healthcare", "http://127.0.0.1:9090")
    assert check_project(load_project(project)) == []


@pytest.fixture
async def imported(tmp_path: Path, backend: Backend) -> AsyncIterator[aiohttp.ClientSession]:
    project = _import(tmp_path / "healthcare", backend.url)
    async with (
        Runtime(project, None, env={}) as runtime,
        HttpServer(runtime, "127.0.0.1", 0, MAX_BODY) as server,
        aiohttp.ClientSession(f"http://127.0.0.1:{server.port}") as client,
    ):
        yield client


def _reservation(**changes: str) -> dict[str, str]:
    body: dict[str, str] = json.loads((EXAMPLE / "request.json").read_text())
    body.update(changes)
    return body


@pytest.mark.parametrize(
    ("hospital", "doctor", "fee"),
    [
        ("grand oak community hospital", "thomas collins", 7000.0),
        ("clemency medical center", "anne clement", 12000.0),
        ("pine valley community hospital", "seth mears", 8000.0),
    ],
)
async def test_reserve_routes_by_hospital_and_the_processor_settles_the_payment(
    imported: aiohttp.ClientSession, backend: Backend, hospital: str, doctor: str, fee: float
) -> None:
    async with imported.post(
        "/healthcare/categories/surgery/reserve", json=_reservation(hospital=hospital, doctor=doctor)
    ) as answer:
        assert answer.status == 200
        assert await answer.json() == SUBMITTED
    [payment] = await backend.settled(1)
    assert payment["doctorName"] == doctor
    assert payment["patient"] == "John Doe"
    assert payment["actualFee"] == fee
    assert payment["status"] == "Settled"
    assert backend.service.payment_count == 1


async def test_an_unknown_hospital_is_answered_400_with_the_tutorials_message(
    imported: aiohttp.ClientSession,
) -> None:
    async with imported.post(
        "/healthcare/categories/surgery/reserve", json=_reservation(hospital="no such hospital")
    ) as answer:
        assert answer.status == 400
        assert await answer.json() == {"error": "Invalid hospital - no such hospital"}


async def test_query_doctor_answers_the_back_ends_list(
    imported: aiohttp.ClientSession, backend: Backend
) -> None:
    async with imported.get("/healthcare/querydoctor/surgery") as answer:
        assert answer.status == 200
        doctors = await answer.json()
    async with aiohttp.ClientSession() as direct, direct.get(f"{backend.url}/healthcare/surgery") as expected:
        assert doctors == await expected.json()
    assert {doctor["name"] for doctor in doctors} >= {"thomas collins", "anne clement", "seth mears"}
