"""Small projects written as strings, and waiting helpers, for inbound endpoint and task tests."""

from __future__ import annotations

import asyncio
import textwrap
from collections.abc import Callable, Mapping
from pathlib import Path

from interlace.connectors.db import connector as db
from interlace.runtime import Runtime
from interlace.sdk import ConnectorRegistry
from interlace.sdk.testing import connector_entry_point
from tests.inbound.gate import GateConnection
from tests.inbound.gate import connector as gate
from tests.sdk.kv import connector as kv

REGISTRY = ConnectorRegistry(lambda: [connector_entry_point(c) for c in (kv, gate, db)])


def write_project(root: Path, files: Mapping[str, str], toml: str = "", name: str = "inbound-test") -> Path:
    """``interlace.toml`` (plus ``toml``) and every file, dedented, under ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    text = f'[project]\nname = "{name}"\n\n[server]\ngraceful-timeout = 2\n' + textwrap.dedent(toml)
    (root / "interlace.toml").write_text(text, encoding="utf-8")
    for relative, body in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(body).lstrip("\n"), encoding="utf-8")
    return root


async def eventually(condition: Callable[[], bool], within: float = 5.0, every: float = 0.01) -> None:
    """Wait until ``condition()`` holds; fail after ``within`` seconds (for peers with no signal to wait on)."""
    async with asyncio.timeout(within):
        while not condition():  # noqa: ASYNC110 - a peer with nothing to wait on but the condition
            await asyncio.sleep(every)


async def gate_of(runtime: Runtime) -> GateConnection:
    """The ``gate`` connection of a running project (the test peer its flows and triggers use)."""
    async with runtime.artifacts.connections["gate"].use() as connection:
        assert isinstance(connection, GateConnection)
        return connection
