"""The postgres-notify inbound endpoint against this machine's PostgreSQL: each NOTIFY on the channel
runs the flow once, JSON payloads as JSON, others as text."""

from __future__ import annotations

import uuid
from pathlib import Path

import asyncpg
import pytest

from interlace.runtime import Runtime
from tests.addresses import POSTGRES
from tests.inbound.gate import GateConnection
from tests.inbound.projects import REGISTRY, gate_of
from tests.support import eventually, write_project

pytestmark = pytest.mark.needs("postgres")
DSN = POSTGRES.url


async def notify_until_heard(gate: GateConnection, channel: str, payloads: list[str]) -> None:
    """Notifications sent before the endpoint listens are lost (PostgreSQL keeps none): send a probe until
    one arrives, then the payloads."""
    connection = await asyncpg.connect(DSN)
    try:

        async def heard() -> bool:
            await connection.execute("SELECT pg_notify($1, $2)", channel, "probe")
            return bool(gate.passed)

        await eventually(heard, every=0.05, what=f"a probe heard on channel {channel}")
        for payload in payloads:
            await connection.execute("SELECT pg_notify($1, $2)", channel, payload)
    finally:
        await connection.close()


async def test_each_notification_runs_the_flow(tmp_path: Path) -> None:
    channel = f"orders_{uuid.uuid4().hex[:8]}"
    root = write_project(
        tmp_path,
        {
            "connections/gate.yaml": "connection: gate\nconnector: gate\n",
            "connections/pg.yaml": f"connection: pg\nconnector: db\nurl: {DSN}\n",
            "sequences/take.yaml": """
                sequence: Take
                flow:
                  - gate.pass: {connection: gate, key: "${props.channel}:${payload.id ?? payload}"}
                """,
            "inbound/notes.yaml": f"""
                inbound: Notes
                postgres-notify: {{connection: pg, channel: {channel}}}
                sequence: Take
                """,
        },
    )
    async with Runtime(root, env={}, connectors=REGISTRY) as runtime:
        gate = await gate_of(runtime)
        await notify_until_heard(gate, channel, ['{"id": 7}', "plain"])
        await gate.until(lambda: gate.passed[-2:] == [f"{channel}:7", f"{channel}:plain"])
        assert set(gate.passed[:-2]) == {f"{channel}:probe"}


async def test_a_notification_whose_flow_fails_is_kept_in_the_dead_letter_store(tmp_path: Path) -> None:
    channel = f"orders_{uuid.uuid4().hex[:8]}"
    root = write_project(
        tmp_path,
        {
            "connections/gate.yaml": "connection: gate\nconnector: gate\n",
            "connections/pg.yaml": "connection: pg\nconnector: db\nurl: postgresql://root@127.0.0.1:5432/test\n",
            "sequences/take.yaml": """
                sequence: Take
                flow:
                  - gate.pass: {connection: gate, key: "n:${payload.id ?? payload}"}
                  - gate.pass: {connection: gate, key: "refused", failures: 1000}
                """,
            "inbound/notes.yaml": f"""
                inbound: Notes
                postgres-notify: {{connection: pg, channel: {channel}}}
                sequence: Take
                """,
        },
    )
    async with Runtime(root, env={}, connectors=REGISTRY) as runtime:
        gate = await gate_of(runtime)
        await notify_until_heard(gate, channel, ['{"id": 7}'])
        await gate.until(lambda: "n:7" in gate.passed)
        dead_letters = runtime.message_store("test.dead-letters")

        async def all_kept() -> bool:
            return await dead_letters.size() >= len(gate.passed)

        await eventually(all_kept, every=0.02, what="every failed notification dead-lettered")
        kept = [message.payload for message in await dead_letters.browse()]
        tried = gate.attempts["refused"]
    # PostgreSQL cannot deliver a notification again: each failed its one attempt and was kept.
    assert sorted(kept) == sorted([b"probe"] * (len(kept) - 1) + [b'{"id":7}'])
    assert tried == len(kept)
