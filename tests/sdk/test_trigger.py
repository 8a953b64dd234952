from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Annotated

import pytest

from interlace.message import Payload
from interlace.sdk import NO_ACK, Connector, InvalidInput, Param, TriggerEvent

from .kv import KvConfig, KvConnection, connector

changes = connector.get_trigger("changes")


def test_the_trigger_spec_comes_from_the_signature() -> None:
    assert changes.qualified_name == "kv.changes"
    assert changes.summary == "Each value stored, as it is stored."
    assert [(p.name, p.required, p.default) for p in changes.parameters] == [("prefix", False, "")]


def test_trigger_values_are_checked_like_operation_values() -> None:
    (problem,) = changes.validate_static({"prefx": "a"})
    assert (problem.kind, problem.hint) == ("unknown", "did you mean 'prefix'?")
    with pytest.raises(InvalidInput, match=re.escape("parameter 'prefix' of kv.changes")):
        changes.coerce({"prefix": 3})


async def test_a_started_trigger_yields_events_that_are_acknowledged_through_their_delivery() -> None:
    put = connector.get_operation("put")
    async with KvConnection(KvConfig()) as connection:
        events = changes.start(connection, {"prefix": "order"})
        await put.invoke(connection, {"key": "other", "value": 0})
        await put.invoke(connection, {"key": "order:1", "value": {"total": 3}})
        await put.invoke(connection, {"key": "order:2", "value": 4})
        first = await anext(events)
        second = await anext(events)
        await first.ack()
        await second.nack(requeue=False)
        assert first.payload.json() == {"total": 3}
        assert first.headers == {"X-Key": "order:1"}
        await events.aclose()
    assert connection.acks == ["ack order:1", "nack order:2 requeue=False", "stopped"]


async def test_events_without_a_delivery_are_settled_by_no_ack() -> None:
    event = TriggerEvent(Payload(b"x", "text/plain"))
    assert event.delivery is NO_ACK
    await event.ack()
    await event.nack()


def test_a_trigger_must_be_an_async_generator() -> None:
    fresh = Connector("fresh", version="1", connection=KvConnection)

    async def not_a_generator(conn: KvConnection) -> None:
        """Returns instead of yielding."""

    with pytest.raises(
        TypeError, match=re.escape("fresh.not_a_generator: a trigger is an async generator function")
    ):
        fresh.trigger(not_a_generator)  # type: ignore[type-var]


def test_a_trigger_can_be_named_apart_from_its_function() -> None:
    fresh = Connector("fresh", version="1", connection=KvConnection)

    async def new_mail(
        conn: KvConnection, *, folder: Annotated[str, Param("Folder.")] = "INBOX"
    ) -> AsyncIterator[TriggerEvent]:
        """New mail."""
        yield TriggerEvent(Payload())

    assert fresh.trigger(name="newMail")(new_mail) is new_mail
    assert fresh.get_trigger("newMail").parameters[0].name == "folder"


def test_a_connector_declares_its_operations_and_triggers_in_lists() -> None:
    async def put(conn: KvConnection, key: Annotated[str, Param("The key.")]) -> None:
        """Store a key."""

    async def fetch_value(conn: KvConnection, key: Annotated[str, Param("The key.")]) -> str:
        """Read a key."""
        return key

    async def watch(conn: KvConnection) -> AsyncIterator[TriggerEvent]:
        """Each change."""
        yield TriggerEvent(Payload.empty())

    declared = Connector(
        "listed",
        version="1.0.0",
        connection=KvConnection,
        operations=[put, ("get", fetch_value)],
        triggers=[("changes", watch)],
    )
    assert (list(declared.operations), list(declared.triggers)) == (["put", "get"], ["changes"])
    assert declared.get_operation("get").qualified_name == "listed.get"
