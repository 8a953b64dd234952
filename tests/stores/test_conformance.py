"""The MessageStore contract, run against every store kind on its real server."""

from __future__ import annotations

import asyncio
import time

import pytest

from interlace.stores import StoredMessage, StoreError, StoreFullError, encode_message
from tests.support import eventually, scaled, within

from .conftest import KINDS, Backend, kinds

# Some guarantees only some kinds can give; the others are not asked (their docs say why).
SHARED = pytest.mark.parametrize("backend", kinds(*[k for k in KINDS if k != "memory"]), indirect=True)
"""Kinds whose store is shared by several store instances (and survives closing them)."""
LOOKS_UP_IDS = pytest.mark.parametrize(
    "backend", kinds(*[k for k in KINDS if k != "rabbitmq"]), indirect=True
)
"""Kinds that can tell whether a message id is stored (RabbitMQ cannot look into a queue)."""
COUNTS_BYTES = LOOKS_UP_IDS
"""Kinds that know how many bytes they hold (RabbitMQ does not tell a queue's bytes)."""


def message(number: int, **fields: object) -> StoredMessage:
    return StoredMessage(
        id=f"m{number}",
        payload=f'{{"n": {number}}}'.encode(),
        content_type="application/json",
        created=1_700_000_000.0 + number,
        **fields,  # type: ignore[arg-type]
    )


def ids(messages: list[StoredMessage]) -> list[str]:
    return [stored.id for stored in messages]


async def put_all(store: object, count: int) -> None:
    for number in range(count):
        await store.put(message(number))  # type: ignore[attr-defined]


async def test_fetch_claims_the_oldest_messages_first(backend: Backend) -> None:
    store = await backend.store()
    await put_all(store, 5)

    assert ids(await store.fetch(2)) == ["m0", "m1"]
    assert ids(await store.fetch(10)) == ["m2", "m3", "m4"]
    assert await store.fetch(10) == []


async def test_a_message_round_trips_with_binary_payload_and_metadata(backend: Backend) -> None:
    store = await backend.store()
    original = StoredMessage(
        id="binary-1",
        payload=bytes(range(256)) * 3,
        content_type="application/octet-stream",
        headers=(("X-Trace", "a"), ("X-Trace", "b"), ("Content-Type", "application/octet-stream")),
        variables={"hospital": {"id": "grandoaks", "beds": [1, 2.5, None, True]}, "ünïcode": "✓"},
        properties={"origin.api": "HealthcareAPI"},
        correlation_id="corr-7",
        created=1_712_345_678.25,
        attempts=2,
        last_error="payments answered 503",
        origin="PaymentRequestMessageStore",
    )
    await store.put(original)

    assert await store.fetch() == [original]


@SHARED
async def test_two_consumers_never_claim_the_same_message(backend: Backend) -> None:
    first, second = await backend.store(), await backend.store()
    await put_all(first, 40)

    async def drain(store: object) -> list[str]:
        taken: list[str] = []
        while batch := await store.fetch(3):  # type: ignore[attr-defined]
            taken.extend(ids(batch))
        return taken

    by_first, by_second = await asyncio.gather(drain(first), drain(second))

    assert set(by_first).isdisjoint(by_second)
    assert sorted(by_first + by_second) == sorted(f"m{n}" for n in range(40))
    for taken in (by_first, by_second):
        assert taken == sorted(taken, key=lambda name: int(name[1:]))


async def test_ack_removes_the_message_for_good(backend: Backend) -> None:
    store = await backend.store()
    await put_all(store, 2)
    [first] = await store.fetch()

    await store.ack(first.id)

    assert await store.size() == 1
    if backend.shared:  # a new consumer does not receive it either
        await store.aclose()
        store = await backend.store()
    assert ids(await store.fetch(5)) == ["m1"]


async def test_release_puts_a_message_back_in_its_place_with_its_attempts(backend: Backend) -> None:
    store = await backend.store()
    await put_all(store, 3)
    first, second = await store.fetch(2)

    await store.release(first.failed("payments answered 503"))
    await store.ack(second.id)

    again = await store.fetch(5)
    assert ids(again) == ["m0", "m2"]
    assert (again[0].attempts, again[0].last_error) == (1, "payments answered 503")
    assert (again[1].attempts, again[1].last_error) == (0, None)


@SHARED
async def test_the_claims_of_a_closed_consumer_return_in_order(backend: Backend) -> None:
    consumer = await backend.store()
    await put_all(consumer, 4)
    assert ids(await consumer.fetch(2)) == ["m0", "m1"]

    await consumer.aclose()

    successor = await backend.store()
    assert ids(await successor.fetch(10)) == ["m0", "m1", "m2", "m3"]


async def test_size_counts_claimed_messages(backend: Backend) -> None:
    store = await backend.store()
    await put_all(store, 4)
    await store.fetch(1)

    assert await store.size() == 4


async def test_browse_pages_through_every_message_in_order(backend: Backend) -> None:
    store = await backend.store()
    await put_all(store, 5)
    await store.fetch(1)
    if not backend.lookup:
        with pytest.raises(StoreError, match="cannot browse"):
            await store.browse()
        return

    assert ids(await store.browse()) == ["m0", "m1", "m2", "m3", "m4"]
    assert ids(await store.browse(offset=1, limit=2)) == ["m1", "m2"]
    assert await store.browse(offset=5) == []


async def test_get_and_delete_find_a_message_by_id(backend: Backend) -> None:
    store = await backend.store()
    await put_all(store, 3)
    if not backend.lookup:
        with pytest.raises(StoreError, match="cannot read a message by id"):
            await store.get("m1")
        with pytest.raises(StoreError, match="cannot delete a message by id"):
            await store.delete("m1")
        return

    assert await store.get("m1") == message(1)
    assert await store.get("missing") is None
    assert await store.delete("m1") is True
    assert await store.delete("m1") is False
    assert await store.get("m1") is None
    assert ids(await store.fetch(5)) == ["m0", "m2"]


async def test_purge_removes_every_message_claimed_or_not(backend: Backend) -> None:
    store = await backend.store()
    await put_all(store, 3)
    await store.fetch(1)

    assert await store.purge() == 3

    assert await store.size() == 0
    assert await store.fetch(5) == []
    await store.put(message(9))
    assert ids(await store.fetch(5)) == ["m9"]


@LOOKS_UP_IDS
async def test_a_put_of_an_id_the_store_holds_is_ignored(backend: Backend) -> None:
    store = await backend.store()
    await store.put(message(1))

    await store.put(message(1, attempts=5))

    assert await store.size() == 1
    assert [(m.id, m.attempts) for m in await store.fetch(5)] == [("m1", 0)]


@LOOKS_UP_IDS
async def test_the_dedupe_window_ignores_an_id_stored_within_it(backend: Backend) -> None:
    store = await backend.store(dedupe_window=0.5)
    await store.put(message(1))
    [first] = await store.fetch()
    await store.ack(first.id)

    await store.put(message(1))
    assert await store.fetch() == []

    async def taken_again() -> bool:  # once the window passed, on the store's clock (the server's, for some)
        await store.put(message(1))
        return ids(await store.fetch()) == ["m1"]

    await eventually(taken_again, every=0.05, what="the id stored again after the dedupe window")


@SHARED
async def test_messages_survive_reopening_the_store(backend: Backend) -> None:
    store = await backend.store()
    await put_all(store, 3)
    await store.aclose()

    reopened = await backend.store()

    assert await reopened.fetch(5) == [message(0), message(1), message(2)]


async def test_a_message_that_is_not_json_is_refused_with_a_store_error(backend: Backend) -> None:
    store = await backend.store()

    with pytest.raises(StoreError, match=rf"{backend.name} cannot store message m1: variables"):
        await store.put(message(1, variables={"when": object()}))

    assert await store.size() == 0


async def test_a_closed_store_raises_a_store_error(backend: Backend) -> None:
    store = await backend.store()
    await store.aclose()
    await store.aclose()  # idempotent

    with pytest.raises(StoreError, match=backend.name):
        await store.put(message(1))
    with pytest.raises(StoreError, match=backend.name):
        await store.fetch()


@pytest.mark.parametrize("kind", ["postgres", "redis", "rabbitmq"])
async def test_an_unreachable_server_is_a_store_error_naming_the_store(kind: str, tmp_path: object) -> None:
    from interlace.model.store import StoreDefinition
    from interlace.stores import build_store
    from tests.support import unused_port

    port = unused_port()
    urls = {
        "postgres": {"dsn": f"postgresql://root:secret@127.0.0.1:{port}/test"},
        "redis": {"url": f"redis://:secret@127.0.0.1:{port}/0"},
        "rabbitmq": {"url": f"amqp://guest:secret@127.0.0.1:{port}/"},
    }
    definition = StoreDefinition.model_validate({"store": "Payments", kind: {**urls[kind], "timeout": 2}})
    store = build_store(definition, project_root=tmp_path)  # type: ignore[arg-type]
    started = time.monotonic()

    with pytest.raises(StoreError) as caught:
        await store.open()

    text = str(caught.value)
    assert text.startswith(f"message store Payments ({kind} ")
    assert "could not connect" in text
    assert str(port) in text
    assert "secret" not in text
    assert time.monotonic() - started < scaled(4)


# -- bounds: every kind holds at most max-messages (and max-bytes where it counts bytes) ----------------


async def test_a_put_into_a_full_store_is_refused_with_503_and_retry_after(backend: Backend) -> None:
    store = await backend.store(bounds={"max-messages": 3, "retry-after": "7s"})
    await put_all(store, 3)

    with pytest.raises(StoreFullError) as refused:
        await store.put(message(3))

    error = refused.value
    assert (error.status, error.code, error.headers) == (503, "STORE_FULL", {"Retry-After": "7"})
    assert f"message store {backend.name} is full: it holds 3 messages" in error.message
    assert error.public_message == f"message store {backend.name} is full: try again in 7s"
    assert await store.size() == 3
    [first] = await store.fetch()
    await store.ack(first.id)
    await store.put(message(3))  # room again
    assert (await store.usage()).messages == 3


@COUNTS_BYTES
async def test_max_bytes_bounds_the_stored_bytes(backend: Backend) -> None:
    each = len(encode_message(message(1)))
    store = await backend.store(bounds={"max-bytes": 2 * each + each // 2})
    await put_all(store, 2)

    with pytest.raises(StoreFullError, match="holds 2 messages"):
        await store.put(message(2))

    usage = await store.usage()
    assert (usage.messages, usage.bytes) == (2, 2 * each)
    assert store.bounds.max_bytes == 2 * each + each // 2


async def test_usage_and_bounds_show_depth_and_limit(backend: Backend) -> None:
    store = await backend.store(bounds={"max-messages": 50})
    await put_all(store, 3)
    await store.fetch(1)

    usage = await store.usage()

    assert usage.messages == 3
    assert store.bounds.max_messages == 50
    if backend.kind == "rabbitmq":
        assert (usage.bytes, store.bounds.max_bytes) == (None, None)
    else:
        assert usage.bytes == sum(len(encode_message(message(n))) for n in range(3))
        assert store.bounds.max_bytes == 100 * 1024 * 1024  # the default


@LOOKS_UP_IDS
async def test_a_put_of_a_held_id_is_ignored_even_when_the_store_is_full(backend: Backend) -> None:
    store = await backend.store(bounds={"max-messages": 2})
    await put_all(store, 2)

    await store.put(message(1))  # an idempotent producer sending again is not refused

    assert await store.size() == 2


@SHARED
async def test_the_bound_holds_for_every_instance_of_a_shared_store(backend: Backend) -> None:
    first = await backend.store(bounds={"max-messages": 2})
    await put_all(first, 2)
    second = await backend.store(bounds={"max-messages": 2})

    with pytest.raises(StoreFullError):
        await second.put(message(5))

    assert await second.size() == 2


async def test_a_waiting_put_gives_up_after_full_wait(backend: Backend) -> None:
    store = await backend.store(bounds={"max-messages": 1, "when-full": "wait", "full-wait": "400ms"})
    await store.put(message(0))
    started = time.monotonic()

    with pytest.raises(StoreFullError, match=r"waited 400ms for room"):
        await store.put(message(1))

    assert time.monotonic() - started >= 0.4
    assert ids(await store.fetch(5)) == ["m0"]


async def test_a_waiting_put_is_stored_once_a_message_is_acknowledged(backend: Backend) -> None:
    store = await backend.store(bounds={"max-messages": 2, "when-full": "wait", "full-wait": "20s"})
    await put_all(store, 2)
    waiting = [asyncio.create_task(store.put(message(n))) for n in (2, 3)]
    first, second = await store.fetch(2)

    await store.ack(first.id)
    done, _ = await asyncio.wait(waiting, timeout=scaled(15), return_when=asyncio.FIRST_COMPLETED)
    await store.ack(second.id)
    await within(asyncio.gather(*waiting), 15)

    assert len(done) >= 1
    assert sorted(ids(await store.fetch(5))) == ["m2", "m3"]
