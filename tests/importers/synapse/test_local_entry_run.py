"""Local entries imported from Synapse are found by their keys: a stylesheet given inline or by ``src``
transforms the request, and a text entry is read where ``get-property`` read it."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.importers.synapse.serving import CASES, serve_case


async def test_local_entries_resolve_by_key(tmp_path: Path) -> None:
    shutil.copytree(CASES / "local-entry.registry", tmp_path / "synapse-config" / "registry")
    xml = {"Content-Type": "application/xml"}
    async with serve_case("local-entry", tmp_path) as client:
        item = "<item><code>A1</code><title>Bolt</title></item>"
        async with client.post("/entries/label", data=item, headers=xml) as answer:
            assert answer.status == 200
            assert (await answer.text()).endswith("<label>A1: Bolt</label>")
        person = "<person><name>Ada</name></person>"
        async with client.post("/entries/greeting", data=person, headers=xml) as answer:
            assert answer.status == 200
            assert (await answer.text()).endswith("<greeting>Hello, Ada</greeting>")
        async with client.get("/entries/version") as answer:
            assert await answer.json() == {"version": "2.3.1"}
