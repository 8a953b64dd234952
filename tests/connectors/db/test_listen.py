"""The db.listen trigger against this machine's PostgreSQL: each NOTIFY on the channel runs the flow once,
JSON payloads as JSON, others as text; the postgres-notify source of earlier versions is still read."""

from __future__ import annotations

from pathlib import Path

import asyncpg
import pytest
from tests.addresses import POSTGRES
from tests.inbound.gate import GateConnection
from tests.inbound.projects import REGISTRY, gate_of, problems
from tests.support import eventually, unique, write_project

from interlace.runtime import Runtime

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


def listening_project(root: Path, channel: str, flow: str, source: str = "") -> Path:
    """A project whose endpoint Notes runs each notification of ``channel`` through ``flow``."""
    source = source or f"trigger:\n  db.listen: {{connection: pg, channel: {channel}}}"
    return write_project(
        root,
        {
            "connections/gate.yaml": "connection: gate\nconnector: gate\n",
            "connections/pg.yaml": f"connection: pg\nconnector: db\nurl: {DSN}\n",
            "sequences/take.yaml": f"sequence: Take\nflow:\n{flow}",
            "inbound/notes.yaml": f"inbound: Notes\nsequence: Take\n{source}\n",
        },
    )


@pytest.mark.needs("postgres")
async def test_each_notification_runs_the_flow(tmp_path: Path) -> None:
    channel = unique("orders", "_")
    flow = '  - gate.pass: {connection: gate, key: "${props.channel}:${payload.id ?? payload}"}\n'
    async with Runtime(listening_project(tmp_path, channel, flow), env={}, connectors=REGISTRY) as runtime:
        gate = await gate_of(runtime)
        await notify_until_heard(gate, channel, ['{"id": 7}', "plain"])
        await gate.until(lambda: gate.passed[-2:] == [f"{channel}:7", f"{channel}:plain"])
        assert set(gate.passed[:-2]) == {f"{channel}:probe"}


@pytest.mark.needs("postgres")
async def test_a_notification_whose_flow_fails_is_kept_in_the_dead_letter_store(tmp_path: Path) -> None:
    """(Written in the postgres-notify shape of earlier versions, which is read as the trigger.)"""
    channel = unique("orders", "_")
    flow = (
        '  - gate.pass: {connection: gate, key: "n:${payload.id ?? payload}"}\n'
        '  - gate.pass: {connection: gate, key: "refused", failures: 1000}\n'
    )
    source = f"postgres-notify: {{connection: pg, channel: {channel}}}"
    root = listening_project(tmp_path, channel, flow, source)
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


def test_postgres_notify_with_a_dsn_is_a_problem_saying_what_to_write(tmp_path: Path) -> None:
    files = {
        "sequences/take.yaml": "sequence: Take\nflow: [{log: {message: x}}]\n",
        "inbound/notes.yaml": "inbound: Notes\nsequence: Take\npostgres-notify:\n  channel: c\n  dsn: x\n",
    }
    [problem] = problems(write_project(tmp_path, files))
    assert problem.startswith(
        "inbound/notes.yaml:5: postgres-notify with a dsn is no longer read: a db.listen trigger runs on a db"
        " connection\n    hint: add connections/NAME.yaml (connector: db"
    )


async def test_listening_on_a_database_other_than_postgresql_stops_the_endpoint_saying_why(
    tmp_path: Path,
) -> None:
    root = write_project(
        tmp_path,
        {
            "connections/lite.yaml": "connection: lite\nconnector: db\nurl: sqlite+aiosqlite:///lite.db\n",
            "sequences/take.yaml": "sequence: Take\nflow: [{log: {message: x}}]\n",
            "inbound/notes.yaml": "inbound: Notes\ntrigger: {db.listen: {connection: lite, channel: c}}\n"
            "sequence: Take\n",
        },
    )
    async with Runtime(root, env={}, connectors=REGISTRY) as runtime:
        await eventually(lambda: runtime.services.state("inbound", "Notes").status == "failed")
        error = runtime.services.state("inbound", "Notes").last_error or ""
    assert (
        "db.listen on connection lite: LISTEN needs a PostgreSQL database (the connection is sqlite)" in error
    )
