"""Values from a request put into the healthcare example's endpoint URLs are percent-encoded: a path
parameter cannot reach another back-end resource, add a query, or walk up the path."""

from __future__ import annotations

import aiohttp
from yarl import URL

from tests.examples.conftest import Backend
from tests.examples.test_healthcare import RESERVE, reservation


async def test_an_encoded_slash_in_a_category_does_not_reach_an_appointment(
    healthcare: aiohttp.ClientSession, backend: Backend
) -> None:
    async with healthcare.post(RESERVE.format(category="surgery"), json=reservation()) as r:
        assert r.status == 200
    async with healthcare.get(URL("/healthcare/querydoctor/appointments%2F1", encoded=True)) as r:
        text = await r.text()
    assert reservation()["ssn"] not in text
    assert "GET /healthcare/appointments%2F1" in backend.received
    assert "GET /healthcare/appointments/1" not in backend.received


async def test_a_category_cannot_change_the_back_ends_path_or_query(
    healthcare: aiohttp.ClientSession, backend: Backend
) -> None:
    hostile = "/healthcare/categories/..%2F..%2F_fault%3Fmode=503%26x=/reserve"
    async with healthcare.post(URL(hostile, encoded=True), json=reservation()) as r:
        await r.read()
    assert backend.received == ["POST /grandoaks/categories/..%2F..%2F_fault%3Fmode%3D503%26x%3D/reserve"]


async def test_a_category_that_is_a_dot_segment_is_refused_with_400_before_calling(
    healthcare: aiohttp.ClientSession, backend: Backend
) -> None:
    async with healthcare.get(URL("/healthcare/querydoctor/%2E%2E", encoded=True)) as r:
        assert r.status == 400
        text = await r.text()
    assert "'.' or '..' segment" in text
    assert backend.received == []
