"""``cache`` imported from Synapse, in front of the sample hospital back-end: a repeated request is
answered from the cache without calling the back-end again."""

from __future__ import annotations

from pathlib import Path

from tests.examples.conftest import Backend
from tests.importers.synapse.serving import serve_case


async def test_imported_cache_answers_a_repeated_request_without_the_back_end(
    tmp_path: Path, backend: Backend
) -> None:
    async with serve_case("cache", tmp_path, {"url_localhost_9090": backend.url}) as client:
        answers = []
        for category in ("surgery", "surgery", "cardiology"):
            async with client.get(f"/cached/doctors/{category}") as answer:
                assert answer.status == 200
                answers.append(await answer.json())
    assert answers[0] == answers[1] != answers[2]
    assert [line for line in backend.received if "/healthcare/" in line] == [
        "GET /healthcare/surgery",
        "GET /healthcare/cardiology",
    ]
    assert {doctor["category"] for doctor in answers[0]} == {"surgery"}
