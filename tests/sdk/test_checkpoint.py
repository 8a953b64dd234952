"""A trigger that keeps a position declares a Checkpoint parameter: the runtime passes it, users never
write it, and one in memory stands in when the trigger is started without a runtime."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Annotated

import pytest

from interlace.message import Payload
from interlace.sdk import Checkpoint, Connector, MemoryCheckpoint, Param, TriggerEvent

from .kv import KvConfig, KvConnection

positions = Connector("positions", version="1", connection=KvConnection)


@positions.trigger
async def counted(
    conn: KvConnection, checkpoint: Checkpoint, *, step: Annotated[int, Param("Added per event.")] = 1
) -> AsyncIterator[TriggerEvent]:
    """Numbers from where the last run stopped."""
    position = await checkpoint.load()
    number = int(str((position or {}).get("at", 0)))
    while True:
        number += step
        yield TriggerEvent(Payload.of_json(number))
        await checkpoint.save({"at": number})  # the event was taken: asked for the next


def test_the_checkpoint_is_not_a_parameter_users_write() -> None:
    spec = positions.get_trigger("counted")
    assert spec.checkpoint == "checkpoint"
    assert [parameter.name for parameter in spec.parameters] == ["step"]
    assert "checkpoint" not in spec.json_schema()["properties"]
    (problem,) = spec.validate_static({"checkpoint": {}})
    assert problem.kind == "unknown"


async def test_a_trigger_goes_on_from_the_position_its_checkpoint_kept() -> None:
    checkpoint = MemoryCheckpoint("test/Counter", {"at": 40})
    spec = positions.get_trigger("counted")
    async with KvConnection(KvConfig()) as connection:
        events = spec.start(connection, {"step": 2}, checkpoint=checkpoint)
        assert (await anext(events)).payload.json() == 42
        assert (await anext(events)).payload.json() == 44
        await events.aclose()
        restarted = spec.start(connection, {}, checkpoint=checkpoint)
        assert (await anext(restarted)).payload.json() == 43  # 44 was never followed by a request
        await restarted.aclose()
    assert await checkpoint.load() == {"at": 42}


async def test_a_trigger_started_without_a_runtime_gets_a_checkpoint_in_memory() -> None:
    async with KvConnection(KvConfig()) as connection:
        events = positions.get_trigger("counted").start(connection, {})
        assert (await anext(events)).payload.json() == 1
        await events.aclose()


def test_a_trigger_has_one_checkpoint() -> None:
    fresh = Connector("fresh", version="1", connection=KvConnection)

    async def twice(conn: KvConnection, one: Checkpoint, other: Checkpoint) -> AsyncIterator[TriggerEvent]:
        """Two positions."""
        yield TriggerEvent(Payload.empty())

    with pytest.raises(TypeError, match=re.escape("fresh.twice: a trigger has one checkpoint")):
        fresh.trigger(twice)
