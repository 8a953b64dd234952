"""redis operations against the local server: xadd, set, get and publish, and their errors."""

from __future__ import annotations

import asyncio

import pytest
import redis.asyncio as aioredis

from interlace.connectors.redis import RedisConnection, connector
from interlace.sdk import InvalidInput, OperationResult

from .server import Keys

pytestmark = pytest.mark.needs("redis")


async def run(conn: RedisConnection, operation: str, **values: object) -> object:
    return await connector.get_operation(operation).invoke(conn, values)


async def test_xadd_appends_fields_encoding_values_and_returns_the_id(
    conn: RedisConnection, plain: aioredis.Redis, keys: Keys
) -> None:
    stream = keys("orders")
    entry_id = await run(
        conn, "xadd", stream=stream, fields={"payload": {"id": 1}, "source": "clinic", "n": 3}
    )
    ((stored_id, fields),) = await plain.xrange(stream)
    assert entry_id == stored_id.decode()
    assert fields == {b"payload": b'{"id":1}', b"source": b"clinic", b"n": b"3"}


async def test_xadd_trims_the_stream_to_about_max_length(
    conn: RedisConnection, plain: aioredis.Redis, keys: Keys
) -> None:
    stream = keys("orders")
    for n in range(300):
        await run(conn, "xadd", stream=stream, fields={"n": n}, maxLength=10)
    assert await plain.xlen(stream) < 300


async def test_set_and_get_round_trip_text_and_json(conn: RedisConnection, keys: Keys) -> None:
    text_key, json_key = keys(), keys()
    assert await run(conn, "set", key=text_key, value="grand oak") is True
    assert await run(conn, "set", key=json_key, value={"beds": 4}) is True
    text = await run(conn, "get", key=text_key)
    parsed = await run(conn, "get", key=json_key, json=True)
    assert text == OperationResult("grand oak", attributes={"found": True})
    assert parsed == OperationResult({"beds": 4}, attributes={"found": True})


async def test_get_of_a_missing_key_answers_not_found(conn: RedisConnection, keys: Keys) -> None:
    assert await run(conn, "get", key=keys()) == OperationResult(None, attributes={"found": False})


async def test_set_only_if_absent_keeps_the_first_value_and_expire_sets_a_ttl(
    conn: RedisConnection, plain: aioredis.Redis, keys: Keys
) -> None:
    key = keys()
    assert await run(conn, "set", key=key, value="first", onlyIfAbsent=True, expire=30) is True
    assert await run(conn, "set", key=key, value="second", onlyIfAbsent=True) is False
    assert await plain.get(key) == b"first"
    assert 0 < await plain.pttl(key) <= 30_000


async def test_publish_reaches_a_subscriber(conn: RedisConnection, plain: aioredis.Redis, keys: Keys) -> None:
    channel = keys("channel")
    async with plain.pubsub() as subscription:
        await subscription.subscribe(channel)
        assert (await subscription.get_message(timeout=5))["type"] == "subscribe"
        assert await run(conn, "publish", channel=channel, message={"id": 9}) == 1
        message = await subscription.get_message(timeout=5)
    assert message is not None
    assert message["data"] == b'{"id":9}'


async def test_a_command_on_a_key_of_another_type_is_invalid_input(conn: RedisConnection, keys: Keys) -> None:
    key = keys()
    await run(conn, "set", key=key, value="text")
    with pytest.raises(InvalidInput, match=rf"redis.xadd to stream '{key}' on connection cache: .*WRONGTYPE"):
        await run(conn, "xadd", stream=key, fields={"a": 1})


async def test_conflicting_set_conditions_are_invalid_input(conn: RedisConnection, keys: Keys) -> None:
    with pytest.raises(InvalidInput, match="onlyIfAbsent and onlyIfPresent exclude each other"):
        await run(conn, "set", key=keys(), value=1, onlyIfAbsent=True, onlyIfPresent=True)


async def test_operations_run_concurrently_on_one_connection(conn: RedisConnection, keys: Keys) -> None:
    stream = keys("orders")
    await asyncio.gather(*[run(conn, "xadd", stream=stream, fields={"n": n}) for n in range(50)])
    assert await conn.client.xlen(stream) == 50
