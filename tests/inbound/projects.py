"""The connectors inbound endpoint and task tests run with, and the test peer of a running project."""

from __future__ import annotations

from interlace.connectors.db import connector as db
from interlace.runtime import Runtime
from interlace.sdk import ConnectorRegistry
from interlace.sdk.testing import connector_entry_point
from tests.inbound.gate import GateConnection
from tests.inbound.gate import connector as gate
from tests.sdk.kv import connector as kv

REGISTRY = ConnectorRegistry(lambda: [connector_entry_point(c) for c in (kv, gate, db)])


async def gate_of(runtime: Runtime) -> GateConnection:
    """The ``gate`` connection of a running project (the test peer its flows and triggers use)."""
    async with runtime.artifacts.connections["gate"].use() as connection:
        assert isinstance(connection, GateConnection)
        return connection
