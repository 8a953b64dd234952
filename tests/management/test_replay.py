"""Replaying a stored message never loses it, whatever the source and the target: into the store that
holds it or another one, with its id or a new one, into a store with a dedupe-window; over the
management API with real sqlite and postgres stores."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from interlace.stores import StoredMessage
from tests.management.conftest import PROJECT, Managed, serve, write_project
from tests.support import unique

POSTGRES_DSN = "postgresql://root@127.0.0.1:5432/test"


def store_files(kind: str, table: str, dedupe: str) -> dict[str, str]:
    """Orders and DeadLetters as stores of ``kind`` (postgres: in ``table``), with ``dedupe`` keys."""
    if kind == "sqlite":
        backend = "sqlite: {path: .interlace/replay.sqlite}"
    else:
        backend = f"postgres: {{dsn: '{POSTGRES_DSN}', table: {table}}}"
    return {
        "stores/orders.yaml": f"store: Orders\n{backend}\n{dedupe}",
        "stores/dead.yaml": f"store: DeadLetters\n{backend}\n",
    }


async def drop_tables(table: str) -> None:
    conn = await asyncpg.connect(POSTGRES_DSN)
    try:
        await conn.execute(f'DROP TABLE IF EXISTS "{table}", "{table}_seen"')
    finally:
        await conn.close()


@pytest.fixture(params=["sqlite", "postgres"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def table() -> str:
    return unique("replay", "_")


async def running(tmp_path: Path, kind: str, table: str, dedupe: str = "") -> AsyncIterator[Managed]:
    root = write_project(tmp_path / "shop", {**PROJECT, **store_files(kind, table, dedupe)})
    try:
        async with serve(root) as served:
            yield served
    finally:
        if kind == "postgres":
            await drop_tables(table)


@pytest.fixture
async def shop(tmp_path: Path, kind: str, table: str) -> AsyncIterator[Managed]:
    async for served in running(tmp_path, kind, table):
        yield served


@pytest.fixture
async def deduping_shop(tmp_path: Path, kind: str, table: str) -> AsyncIterator[Managed]:
    async for served in running(tmp_path, kind, table, "dedupe-window: 1h\n"):
        yield served


def order(message_id: str, payload: bytes = b'{"amount": -1}') -> StoredMessage:
    return StoredMessage(
        message_id,
        payload,
        "application/json",
        attempts=5,
        last_error="502 from the back-end",
        origin="Orders",
    )


async def replay(
    managed: Managed, store: str, message_id: str, **body: object
) -> tuple[int, dict[str, object]]:
    token = await managed.token("admin")
    answer = await managed.call(
        "POST", f"/management/stores/{store}/messages/{message_id}/replay", token=token, json=body
    )
    return answer.status, answer.json


async def ids_in(managed: Managed, store: str) -> list[str]:
    return [message.id for message in await managed.runtime.message_store(store).browse()]


async def test_a_replay_into_the_store_that_holds_it_keeps_it_with_attempts_cleared(shop: Managed) -> None:
    orders = shop.runtime.message_store("Orders")
    await orders.put(order("m1"))
    status, answer = await replay(shop, "Orders", "m1", payload='{"amount": 10}')
    assert (status, answer["store"]) == (200, "Orders")
    assert await ids_in(shop, "Orders") == ["m1"]
    kept = await orders.get("m1")
    assert kept is not None
    assert (kept.payload, kept.attempts, kept.last_error) == (b'{"amount": 10}', 0, None)


async def test_a_replay_into_the_store_that_holds_it_with_a_new_id_keeps_one_copy(shop: Managed) -> None:
    await shop.runtime.message_store("Orders").put(order("m1"))
    status, answer = await replay(shop, "Orders", "m1", newId=True)
    assert status == 200
    new_id = answer["message"]["id"]  # type: ignore[index]
    assert new_id != "m1"
    assert await ids_in(shop, "Orders") == [new_id]


@pytest.mark.parametrize("new_id", [False, True])
async def test_a_replay_into_its_origin_moves_it_there(shop: Managed, new_id: bool) -> None:
    await shop.runtime.message_store("DeadLetters").put(order("m1"))
    status, answer = await replay(shop, "DeadLetters", "m1", newId=new_id)
    assert (status, answer["store"]) == (200, "Orders")
    replayed_id = answer["message"]["id"]  # type: ignore[index]
    assert (replayed_id != "m1") is new_id
    assert await ids_in(shop, "Orders") == [replayed_id]
    assert await ids_in(shop, "DeadLetters") == []


async def test_a_replay_into_a_store_that_already_holds_the_id_keeps_both(shop: Managed) -> None:
    await shop.runtime.message_store("Orders").put(order("m1", payload=b"older"))
    await shop.runtime.message_store("DeadLetters").put(order("m1"))
    status, answer = await replay(shop, "DeadLetters", "m1")
    assert status == 409
    assert "already holds a message 'm1'" in answer["error"]["message"]  # type: ignore[index]
    assert await ids_in(shop, "DeadLetters") == ["m1"]
    assert await ids_in(shop, "Orders") == ["m1"]


async def test_a_replay_a_dedupe_window_would_ignore_keeps_the_message_where_it_was(
    deduping_shop: Managed,
) -> None:
    orders = deduping_shop.runtime.message_store("Orders")
    await orders.put(order("m1"))
    await orders.ack("m1")  # delivered, then dead-lettered: the origin saw the id within its window
    await deduping_shop.runtime.message_store("DeadLetters").put(order("m1"))
    status, answer = await replay(deduping_shop, "DeadLetters", "m1")
    assert status == 409
    assert "dedupe-window" in answer["error"]["message"]  # type: ignore[index]
    assert await ids_in(deduping_shop, "DeadLetters") == ["m1"]
    status, answer = await replay(deduping_shop, "DeadLetters", "m1", newId=True)
    assert status == 200
    assert await ids_in(deduping_shop, "Orders") == [answer["message"]["id"]]  # type: ignore[index]
    assert await ids_in(deduping_shop, "DeadLetters") == []


async def test_a_replay_in_place_that_a_dedupe_window_ignores_keeps_the_message_under_a_new_id(
    deduping_shop: Managed,
) -> None:
    await deduping_shop.runtime.message_store("Orders").put(order("m1"))
    status, answer = await replay(deduping_shop, "Orders", "m1")
    assert status == 200
    replayed_id = answer["message"]["id"]  # type: ignore[index]
    assert await ids_in(deduping_shop, "Orders") == [replayed_id]
    kept = await deduping_shop.runtime.message_store("Orders").get(str(replayed_id))
    assert kept is not None and (kept.attempts, kept.payload) == (0, b'{"amount": -1}')
