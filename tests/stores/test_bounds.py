"""Puts waiting for room in a full store are served in the order they came."""

from __future__ import annotations

import asyncio

from interlace.stores import MemoryStore, StoreBounds, StoredMessage


def message(number: int) -> StoredMessage:
    return StoredMessage(f"m{number}", b"{}", "application/json")


async def test_waiting_puts_are_stored_oldest_first_as_room_is_made() -> None:
    store = MemoryStore("Orders", bounds=StoreBounds(max_messages=1, when_full="wait", full_wait=30))
    await store.open()
    await store.put(message(0))
    waiting = []
    for number in (1, 2, 3):
        waiting.append(asyncio.create_task(store.put(message(number))))
        await asyncio.sleep(0)  # each put reaches the line before the next starts

    stored, pending = [], set(waiting)
    for _ in range(3):
        [held] = await store.fetch()
        stored.append(held.id)
        await store.ack(held.id)  # room for one: one waiting put gets in
        done, pending = await asyncio.wait(pending, timeout=10, return_when=asyncio.FIRST_COMPLETED)
        assert len(done) == 1
    [last] = await store.fetch()

    assert [*stored, last.id] == ["m0", "m1", "m2", "m3"]
