"""The connectors inbound endpoint and task tests run with, the test peer of a running project, and the
problems a project is compiled with."""

from __future__ import annotations

from pathlib import Path

from interlace.compiler import compile_project
from interlace.compiler.diagnostics import format_problem
from interlace.connectors.db import connector as db
from interlace.connectors.file import connector as files
from interlace.endpoints import HttpClient
from interlace.model import load_project
from interlace.runtime import Runtime
from interlace.sdk import ConnectorRegistry
from interlace.sdk.testing import connector_entry_point
from tests.inbound.gate import GateConnection
from tests.inbound.gate import connector as gate
from tests.sdk.kv import connector as kv

REGISTRY = ConnectorRegistry(lambda: [connector_entry_point(c) for c in (kv, gate, db, files)])


async def gate_of(runtime: Runtime) -> GateConnection:
    """The ``gate`` connection of a running project (the test peer its flows and triggers use)."""
    async with runtime.artifacts.connections["gate"].use() as connection:
        assert isinstance(connection, GateConnection)
        return connection


def problems(root: Path) -> list[str]:
    """The problems compiling the project at ``root`` reports, formatted as ``interlace check`` shows them."""
    try:
        compile_project(load_project(root, env={}), HttpClient(), connectors=REGISTRY)
    except Exception as exc:
        return [format_problem(problem) for problem in getattr(exc, "detail", [exc])]
    return []
