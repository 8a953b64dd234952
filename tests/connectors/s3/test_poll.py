"""s3.newObjects against moto's server: objects taken in order, the checkpoint passing an object only
once it and those before it were acknowledged, a restart going on after it, an object handed back
taken again."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from typing import Any

import pytest
from tests.support import eventually, take, within

from interlace.connectors.s3 import S3Connection, connector
from interlace.sdk import MemoryCheckpoint, TriggerEvent

pytestmark = pytest.mark.needs("sqs")

NEW = connector.get_trigger("newObjects")


async def put(conn: S3Connection, bucket: str, *keys: str) -> None:
    for key in keys:
        await conn.client.put_object(Bucket=bucket, Key=key, Body=key.encode())


def start(
    conn: S3Connection, checkpoint: MemoryCheckpoint, **values: Any
) -> AsyncGenerator[TriggerEvent, None]:
    return NEW.start(conn, {"poll": 0.05, **values}, checkpoint=checkpoint)  # type: ignore[return-value]


async def test_new_objects_are_taken_once_and_a_restart_goes_on_after_the_last_processed(
    conn: S3Connection, bucket: str
) -> None:
    await put(conn, bucket, "in/a.csv", "in/b.csv", "other/x.csv")
    checkpoint = MemoryCheckpoint()
    events = start(conn, checkpoint, bucket=bucket, prefix="in/")
    try:
        first = await take(events, 2)
        assert [event.attributes["key"] for event in first] == ["in/a.csv", "in/b.csv"]
        assert first[0].payload.json()["size"] == len("in/a.csv")
        await first[1].ack()
        assert checkpoint.saves == 0  # b is done, but a is not: the checkpoint waits for a
        await first[0].ack()
        assert checkpoint.saves == 1
    finally:
        await events.aclose()
    await put(conn, bucket, "in/c.csv")
    events = start(conn, checkpoint, bucket=bucket, prefix="in/")
    try:
        (event,) = await take(events, 1)
        assert event.attributes["key"] == "in/c.csv"
        await event.ack()
    finally:
        await events.aclose()


async def test_from_the_end_only_later_objects_are_taken(conn: S3Connection, bucket: str) -> None:
    await put(conn, bucket, "old.csv")
    checkpoint = MemoryCheckpoint()
    events = start(conn, checkpoint, bucket=bucket, start="end")
    pending = asyncio.ensure_future(anext(events))
    try:
        await eventually(lambda: checkpoint.saves == 1)  # the end is where old.csv is
        await put(conn, bucket, "new.csv")
        event = await within(pending)
        assert event.attributes["key"] == "new.csv"
    finally:
        pending.cancel()
        await events.aclose()


async def test_an_object_handed_back_is_taken_again(conn: S3Connection, bucket: str) -> None:
    await put(conn, bucket, "a.csv")
    checkpoint = MemoryCheckpoint()
    events = start(conn, checkpoint, bucket=bucket)
    try:
        (event,) = await take(events, 1)
        await event.nack(requeue=True)
        again = await within(anext(events))
        assert again.attributes["key"] == "a.csv"
        await again.ack()
        await eventually(lambda: checkpoint.saves == 1)
    finally:
        await events.aclose()
