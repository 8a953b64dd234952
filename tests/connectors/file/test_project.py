"""A project's file connection: a relative local root is the project's folder's, whatever the working
directory, and file.poll feeds a sequence that writes with file.write on the same connection."""

from __future__ import annotations

from pathlib import Path

from tests.inbound.projects import REGISTRY, gate_of
from tests.support import eventually, write_project

from interlace.runtime import Runtime

PROJECT = {
    "connections/gate.yaml": "connection: gate\nconnector: gate\n",
    "connections/exchange.yaml": "connection: exchange\nconnector: file\nprotocol: local\nroot: exchange\n",
    "sequences/take.yaml": """
        sequence: Take
        flow:
          - file.write: {connection: exchange, path: "out/${props.fileName}", content: "${payload}"}
          - gate.pass: {connection: gate, key: "${props.path}"}
        """,
    "inbound/orders.yaml": """
        inbound: Orders
        trigger:
          file.poll: {connection: exchange, folder: in, pattern: "*.json", minAge: 0, poll: 0.02}
        sequence: Take
        """,
}


async def test_a_relative_root_is_in_the_project_and_polled_files_flow_through(tmp_path: Path) -> None:
    root = write_project(tmp_path / "project", PROJECT)
    (root / "exchange" / "in").mkdir(parents=True)
    (root / "exchange" / "in" / "o1.json").write_text('{"id": 1}')
    async with Runtime(root, env={}, connectors=REGISTRY) as runtime:
        gate = await gate_of(runtime)
        await gate.until(lambda: gate.passed == ["in/o1.json"])
        await eventually(lambda: not (root / "exchange" / "in" / "o1.json").exists())
    assert (root / "exchange" / "out" / "o1.json").read_text() == '{"id":1}'
