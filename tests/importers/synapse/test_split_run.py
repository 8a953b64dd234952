"""``iterate``, ``clone``, ``aggregate``, ``foreach`` and MI 4.4's ``scatter-gather`` imported from Synapse, run in front of the
sample hospital back-end: the splits' results come back in order, and foreach updates elements in place."""

from __future__ import annotations

from pathlib import Path

from tests.examples.conftest import Backend
from tests.importers.synapse.serving import serve_case


async def test_imported_splits_and_aggregates_answer_as_mi_does(tmp_path: Path, backend: Backend) -> None:
    async with serve_case("split", tmp_path, {"url_localhost_9090": backend.url}) as client:
        request = {"categories": ["surgery", "cardiology"]}
        async with client.post("/doctors/by-category", json=request) as answer:
            assert answer.status == 200
            assert await answer.json() == ["thomas collins", "emeline fulton"]
        async with client.get("/doctors/first") as answer:
            assert answer.status == 200
            assert await answer.json() == ["grand oak community hospital", "pine valley community hospital"]
        async with client.get("/doctors/names") as answer:
            assert answer.status == 200
            assert await answer.json() == {"names": ["thomas collins", "emeline fulton"]}
        async with client.post("/doctors/priced", json={"items": [{"id": "a"}, {"id": "b"}]}) as answer:
            assert answer.status == 200
            assert await answer.json() == {
                "items": [
                    {"id": "a", "checked": True, "position": 0},
                    {"id": "b", "checked": True, "position": 1},
                ]
            }
