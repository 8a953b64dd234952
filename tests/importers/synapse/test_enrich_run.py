"""The enrich mediator imported from Synapse copies bodies, properties, variables and inline values
into JSON paths, properties and variables, and ``child`` adds to an object or an array."""

from __future__ import annotations

from pathlib import Path

from tests.importers.synapse.serving import serve_case


async def test_imported_enrich_copies_and_adds_as_mi_does(tmp_path: Path) -> None:
    request = {"order": {"id": 7, "tags": ["new"]}}
    async with serve_case("enrich", tmp_path) as client, client.post("/enrich/", json=request) as answer:
        assert answer.status == 200
        assert await answer.json() == {
            "order": {"id": 7, "tags": ["new", "priority"], "status": "received"},
            "id": 7,
            "copy": request,
            "lines": [7],
        }
