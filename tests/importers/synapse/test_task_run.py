"""Scheduled tasks imported from Synapse inject their message into the named sequence on schedule: the
sequence's call reaches the back-end with the task's payload."""

from __future__ import annotations

from pathlib import Path

from tests.importers.synapse.serving import json_sink, serve_case
from tests.support import within


async def test_an_imported_task_injects_its_message_into_its_sequence(tmp_path: Path) -> None:
    async with json_sink("/reports", "/ping") as (backend, received):
        configs = {"url_inventory_example_com_9000": backend, "url_partner_example_com_8080": backend}
        async with serve_case("task", tmp_path, configs):
            first = await within(received.get())
            second = await within(received.get())
    assert first == second == {"warehouse": "north", "count": 3}
