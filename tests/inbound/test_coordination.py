"""Coordination through this machine's PostgreSQL: of two runtimes sharing the coordination database, a
coordinated task runs on one only; it moves to the other when the holder stops (releasing its lease at
once) or dies (its lease expires); an uncoordinated task runs on both."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator, Awaitable
from pathlib import Path

import asyncpg
import pytest

from interlace.runtime import Runtime
from interlace.services import LEASE_TABLE, Coordinator, wait_or_stop
from tests.addresses import POSTGRES
from tests.inbound.projects import REGISTRY, gate_of
from tests.support import START, WAIT, eventually, unique, write_project


async def _is_none(value: Awaitable[object]) -> bool:
    return await value is None


pytestmark = pytest.mark.needs("postgres")
DSN = POSTGRES.url
REPOSITORY = Path(__file__).resolve().parents[2]


class Beats:
    """The table the task writes a row per run into (node, time), read back by the test; and the leases of
    the project (named after the table)."""

    def __init__(self, connection: asyncpg.Connection, table: str) -> None:
        self.connection = connection
        self.table = table

    async def nodes(self) -> list[str]:
        rows = await self.connection.fetch(f"SELECT node FROM {self.table} ORDER BY id")
        return [row["node"] for row in rows]

    async def until(self, node: str, count: int = 2, within: float = WAIT) -> None:
        """Wait until ``node`` wrote ``count`` rows (rows of other processes: nothing to wait on)."""

        async def written() -> bool:
            return (await self.nodes()).count(node) >= count

        await eventually(written, within, every=0.05, what=f"{count} rows of node {node} in {self.table}")

    async def holder(self, lease: str) -> str | None:
        """The node holding lease ``lease`` (``task/Beat``, say) of the project, or None."""
        found = await self.connection.fetchval(
            f"SELECT holder FROM {LEASE_TABLE} WHERE name = $1", f"{self.table}/{lease}"
        )
        return None if found is None else str(found)

    async def renewals(self, lease: str, count: int) -> None:
        """Wait until the holder of ``lease`` renewed it ``count`` times more (its expiry moved ahead)."""
        name = f"{self.table}/{lease}"
        query = f"SELECT expires FROM {LEASE_TABLE} WHERE name = $1"
        seen = [await self.connection.fetchval(query, name)]

        async def renewed() -> bool:
            expires = await self.connection.fetchval(query, name)
            if expires != seen[-1]:
                seen.append(expires)
            return len(seen) > count

        await eventually(renewed, every=0.02, what=f"{count} renewals of lease {name}")


@pytest.fixture
async def beats() -> AsyncIterator[Beats]:
    table = unique("beats", "_")
    connection = await asyncpg.connect(DSN)
    await connection.execute(f"CREATE TABLE {table} (id SERIAL PRIMARY KEY, node TEXT NOT NULL)")
    try:
        yield Beats(connection, table)
    finally:
        await connection.execute(f"DROP TABLE {table}")
        await connection.execute(f"DELETE FROM {LEASE_TABLE} WHERE name LIKE $1", f"{table}/%")
        await connection.close()


def project(root: Path, beats: Beats, coordination: bool = True) -> Path:
    return write_project(
        root,
        {
            "connections/beats.yaml": f"connection: beats\nconnector: db\nurl: {DSN}\n",
            "sequences/beat.yaml": f"""
                sequence: Beat
                flow:
                  - db.insert:
                      connection: beats
                      query: "INSERT INTO {beats.table} (node) VALUES (:node)"
                      parameters: {{node: "${{env.NODE}}"}}
                """,
            "tasks/beat.yaml": f"""
                task: Beat
                interval: 50ms
                sequence: Beat
                coordination: {str(coordination).lower()}
                """,
        },
        f"""
        [coordination]
        dsn = "{DSN}"
        lease = "3s"
        renew = "200ms"
        """,
        name=beats.table,
    )


async def test_a_coordinated_task_runs_on_one_node_and_moves_when_it_stops(
    beats: Beats, tmp_path: Path
) -> None:
    root = project(tmp_path, beats)
    first = Runtime(root, env={"NODE": "a"}, connectors=REGISTRY)
    second = Runtime(root, env={"NODE": "b"}, connectors=REGISTRY)
    await first.start()
    try:
        await beats.until("a")
        await second.start()
        await eventually(lambda: second.services.state("task", "Beat").status == "standby")
        await beats.renewals("task/Beat", 2)  # the other node stands by while the holder renews
        assert set(await beats.nodes()) == {"a"}
        assert first.services.state("task", "Beat").status == "active"
        holder = await beats.holder("task/Beat")  # the first node's name
        assert holder is not None
        await first.aclose()  # releases the lease: the other node takes over at its next try
        assert await beats.holder("task/Beat") != holder
        handed_over = len(await beats.nodes())
        await beats.until("b")
        nodes = await beats.nodes()
        assert set(nodes[:handed_over]) == {"a"} and set(nodes[handed_over:]) == {"b"}
        assert second.services.state("task", "Beat").status == "active"
    finally:
        await first.aclose()
        await second.aclose()


async def test_a_coordinated_task_moves_to_another_node_when_its_holder_dies(
    beats: Beats, tmp_path: Path
) -> None:
    root = project(tmp_path, beats)
    holder = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.inbound.node",
        str(root),
        "a",
        cwd=REPOSITORY,
        stdout=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": f"{REPOSITORY / 'src'}:{REPOSITORY}"},
    )
    try:
        await beats.until("a", within=START)  # a process to start
        async with Runtime(root, env={"NODE": "b"}, connectors=REGISTRY) as survivor:
            await eventually(lambda: survivor.services.state("task", "Beat").status == "standby")
            holder.send_signal(signal.SIGKILL)  # no lease released: it has to expire
            await holder.wait()
            died_after = len(await beats.nodes())
            await beats.until("b")
            nodes = await beats.nodes()
            assert set(nodes[:died_after]) == {"a"} and set(nodes[died_after:]) == {"b"}
    finally:
        if holder.returncode is None:
            holder.kill()
            await holder.wait()


async def test_an_uncoordinated_task_runs_on_every_node(beats: Beats, tmp_path: Path) -> None:
    root = project(tmp_path, beats, coordination=False)
    async with (
        Runtime(root, env={"NODE": "a"}, connectors=REGISTRY),
        Runtime(root, env={"NODE": "b"}, connectors=REGISTRY),
    ):
        await beats.until("a")
        await beats.until("b")


async def test_a_lease_is_held_by_one_node_until_it_expires(beats: Beats) -> None:
    name = f"{beats.table}/lease"
    one = Coordinator(DSN, node="one", lease=2, renew=0.1, wait=wait_or_stop)
    two = Coordinator(DSN, node="two", lease=2, renew=0.1, wait=wait_or_stop)
    try:
        assert await one.acquire(name)
        assert not await two.acquire(name)
        assert await one.acquire(name)  # a renewal
        assert await two.holder(name) == "one"
        await eventually(lambda: _is_none(two.holder(name)), what="the lease expired")
        assert await two.acquire(name)
        assert not await one.acquire(name)
        await two.release(name)
        assert await one.acquire(name)
    finally:
        await one.aclose()
        await two.aclose()


async def test_a_lease_given_up_while_the_standby_tries_it_is_taken_without_waiting_for_the_next_try(
    beats: Beats,
) -> None:
    name = f"{beats.table}/lease"
    holder = Coordinator(DSN, node="holder", lease=60, renew=30, wait=wait_or_stop)
    standby = Coordinator(DSN, node="standby", lease=60, renew=30, wait=wait_or_stop)
    stop, ran = asyncio.Event(), asyncio.Event()
    statuses: list[bool] = []
    tries = 0
    acquire = standby.acquire

    async def acquire_as_the_holder_gives_it_up(lease: str) -> bool:
        # The first try finds the lease held; the holder gives it up before that try's answer is seen.
        nonlocal tries
        tries += 1
        taken = await acquire(lease)
        if tries == 1:
            await holder.release(lease)
        return taken

    async def work(inner: asyncio.Event) -> None:
        ran.set()
        await inner.wait()

    standby.acquire = acquire_as_the_holder_gives_it_up  # type: ignore[method-assign]
    try:
        assert await holder.acquire(name)
        running = asyncio.create_task(standby.run_exclusively(name, work, stop, statuses.append))
        # Far sooner than the next try (30 s): the release was heard although it came during a try.
        await asyncio.wait_for(ran.wait(), WAIT)
        assert await beats.holder("lease") == "standby"
        assert tries == 2
        stop.set()
        await running
    finally:
        stop.set()
        await holder.aclose()
        await standby.aclose()


async def test_a_coordinated_inbound_endpoint_reads_its_source_on_one_node_only(
    beats: Beats, tmp_path: Path
) -> None:
    root = project(tmp_path, beats)
    (root / "connections/gate.yaml").write_text("connection: gate\nconnector: gate\n", encoding="utf-8")
    (root / "sequences/note.yaml").write_text(
        "sequence: Note\nflow: [{gate.pass: {connection: gate, key: '${payload}'}}]\n", encoding="utf-8"
    )
    (root / "inbound/feed.yaml").parent.mkdir()
    (root / "inbound/feed.yaml").write_text(
        "inbound: Feed\ntrigger: {gate.messages: {connection: gate}}\nsequence: Note\ncoordination: true\n",
        encoding="utf-8",
    )
    async with Runtime(root, env={"NODE": "a"}, connectors=REGISTRY) as first:
        await eventually(lambda: first.services.state("inbound", "Feed").status == "active")
        async with Runtime(root, env={"NODE": "b"}, connectors=REGISTRY) as second:
            await eventually(lambda: second.services.state("inbound", "Feed").status == "standby")
            gates = [await gate_of(first), await gate_of(second)]
            for gate in gates:
                gate.send(("k", "hello"))
            await gates[0].until(lambda: gates[0].passed == ["hello"])
            await beats.renewals(
                "inbound/Feed", 2
            )  # renewals later, the standby has still not read its queue
            assert gates[1].pulled == 0
            assert second.services.state("inbound", "Feed").status == "standby"
