"""Operator actions on stored messages: replay from a dead-letter store, and the JSON view of a message."""

from __future__ import annotations

import pytest

from interlace.processors import MessageNotFoundError, describe_message, replay_message
from interlace.stores import MemoryStore, StoredMessage, StoreError

from .receiver import message


async def test_replay_puts_the_message_back_into_its_origin_with_attempts_cleared(
    orders: MemoryStore, dead_letters: MemoryStore
) -> None:
    await dead_letters.put(message(1, attempts=5, last_error="answered 500"))
    replayed = await replay_message(dead_letters, "m001", {"orders": orders})
    assert (replayed.id, replayed.attempts, replayed.last_error, replayed.origin) == (
        "m001",
        0,
        None,
        "orders",
    )
    assert await orders.get("m001") == replayed
    assert await dead_letters.size() == 0


async def test_replay_can_edit_the_payload_and_give_a_new_id(
    orders: MemoryStore, dead_letters: MemoryStore
) -> None:
    await dead_letters.put(message(1))
    replayed = await replay_message(
        dead_letters,
        "m001",
        {"orders": orders},
        payload=b"<n>1</n>",
        content_type="application/xml",
        new_id=True,
    )
    [stored] = await orders.browse()
    assert stored == replayed
    assert (stored.payload, stored.content_type) == (b"<n>1</n>", "application/xml")
    assert stored.id != "m001"


async def test_replay_refuses_an_unknown_message_or_origin(
    orders: MemoryStore, dead_letters: MemoryStore
) -> None:
    with pytest.raises(MessageNotFoundError, match="message store dead-letters holds no message 'm404'"):
        await replay_message(dead_letters, "m404", {"orders": orders})
    await dead_letters.put(message(1, origin="gone"))
    with pytest.raises(
        MessageNotFoundError, match=r"cannot be replayed into gone: no such store \(stores: orders\)"
    ):
        await replay_message(dead_letters, "m001", {"orders": orders})
    assert await dead_letters.size() == 1


def test_a_message_is_described_as_json_values() -> None:
    view = describe_message(message(1, attempts=2, last_error="boom", headers=(("X-A", "1"),)))
    assert view == {
        "id": "m001",
        "created": 1.0,
        "attempts": 2,
        "lastError": "boom",
        "origin": "orders",
        "correlationId": "",
        "contentType": "application/json",
        "headers": {"X-A": "1"},
        "variables": {},
        "properties": {},
        "payload": '{"n":1}',
    }
    assert describe_message(message(1, payload=b"\xff"))["payloadSize"] == 1


class FailingPuts(MemoryStore):
    """A memory store whose next ``failures`` puts fail."""

    def __init__(self, name: str, failures: int) -> None:
        super().__init__(name)
        self.failures = failures

    async def put(self, message: StoredMessage) -> None:
        if self.failures:
            self.failures -= 1
            raise StoreError(f"message store {self.name} is full")
        await super().put(message)


async def test_a_replay_in_place_whose_put_fails_puts_the_message_back() -> None:
    store = FailingPuts("orders", failures=0)
    await store.open()
    await store.put(message(1, attempts=5, last_error="answered 500"))
    store.failures = 1
    with pytest.raises(StoreError):
        await replay_message(store, "m001", {"orders": store}, payload=b"{}")
    kept = await store.get("m001")
    assert kept is not None and (kept.attempts, kept.payload) == (5, b'{"n":1}')
    await store.aclose()


async def test_a_replay_whose_target_fails_leaves_the_message_where_it_was(
    dead_letters: MemoryStore,
) -> None:
    target = FailingPuts("orders", failures=1)
    await target.open()
    await dead_letters.put(message(1))
    with pytest.raises(StoreError):
        await replay_message(dead_letters, "m001", {"orders": target})
    assert [stored.id for stored in await dead_letters.browse()] == ["m001"]
    assert await target.size() == 0
    await target.aclose()
