"""Sequence templates imported from Synapse run as parameterised sequences: ``call-template`` passes its
parameters, and a parameter not passed takes the template's default."""

from __future__ import annotations

from pathlib import Path

from tests.importers.synapse.serving import serve_case


async def test_call_template_passes_parameters_and_defaults_fill_the_rest(tmp_path: Path) -> None:
    async with serve_case("template", tmp_path) as client:
        async with client.post("/greet/", json={"name": "Ada"}) as answer:
            assert answer.status == 200
            assert await answer.json() == {"message": "Hello, Ada!", "note": "sent by call-template"}
        async with client.post("/greet/formal", json={"title": "Dr Who"}) as answer:
            assert answer.status == 200
            assert await answer.json() == {"message": "Good morning, Dr Who!", "note": None}
