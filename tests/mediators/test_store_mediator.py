"""The store mediator: the flow goes on only once the message is durable, else it fails (or uses the
failover store)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from multidict import CIMultiDict

from interlace.compiler.stores import StoreSink
from interlace.errors import SourceLocation
from interlace.mediators.sequence import SequenceMediator
from interlace.mediators.store import StoreMediator
from interlace.message import MessageContext, Payload
from interlace.stores import MemoryStore, StoredMessage, StoreError
from interlace.stores.sqlite import SqliteStore

HERE = SourceLocation("sequences/s.yaml", 3)


def order() -> MessageContext:
    ctx = MessageContext(
        Payload(b'{"order": 7}', "application/json"),
        headers=CIMultiDict({"X-Tenant": "acme"}),
        variables={"email": "john.doe@example.com"},
        correlation_id="corr-7",
    )
    ctx.properties["priority"] = "high"
    return ctx


@pytest.fixture
async def sqlite(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    store = SqliteStore("Orders", tmp_path / "stores.sqlite")
    await store.open()
    yield store
    await store.aclose()


class ReadFromAnotherConnection:
    """A mediator after the store mediator: looks the message up through a second store on the same file."""

    location = HERE

    def __init__(self, path: Path) -> None:
        self.path = path
        self.seen: list[StoredMessage | None] = []

    async def mediate(self, ctx: MessageContext) -> bool:
        other = SqliteStore("Orders", self.path)
        await other.open()
        try:
            self.seen.append(await other.get(ctx.properties["storedMessageId"]))
        finally:
            await other.aclose()
        return True


async def test_the_flow_goes_on_only_once_the_message_is_in_the_database(
    sqlite: SqliteStore, tmp_path: Path
) -> None:
    reader = ReadFromAnotherConnection(tmp_path / "stores.sqlite")
    flow = SequenceMediator("S", HERE, (StoreMediator(StoreSink(sqlite), None, HERE), reader))
    assert await flow.mediate(order())
    [stored] = reader.seen
    assert stored is not None
    assert stored.payload == b'{"order": 7}'
    assert stored.content_type == "application/json"
    assert ("X-Tenant", "acme") in stored.headers
    assert stored.variables == {"email": "john.doe@example.com"}
    assert stored.properties == {"priority": "high"}
    assert (stored.correlation_id, stored.origin, stored.attempts) == ("corr-7", "Orders", 0)


async def test_a_stored_message_survives_the_store_being_closed_and_opened_again(
    sqlite: SqliteStore, tmp_path: Path
) -> None:
    ctx = order()
    await StoreMediator(StoreSink(sqlite), None, HERE).mediate(ctx)
    await sqlite.aclose()
    reopened = SqliteStore("Orders", tmp_path / "stores.sqlite")
    await reopened.open()
    try:
        [message] = await reopened.fetch(1)
    finally:
        await reopened.aclose()
    assert message.id == ctx.properties["storedMessageId"]


async def test_the_flow_fails_when_the_store_cannot_take_the_message() -> None:
    closed = MemoryStore("Orders")
    await closed.aclose()
    after: list[str] = []

    class Next:
        location = HERE

        async def mediate(self, ctx: MessageContext) -> bool:
            after.append("ran")
            return True

    flow = SequenceMediator("S", HERE, (StoreMediator(StoreSink(closed), None, HERE), Next()))
    with pytest.raises(StoreError, match="message store Orders is closed"):
        await flow.mediate(order())
    assert after == []


async def test_the_failover_store_keeps_the_message_for_the_primary_while_the_primary_fails() -> None:
    primary, failover = MemoryStore("Orders"), MemoryStore("OrdersFailover")
    await failover.open()
    await primary.aclose()
    ctx = order()
    assert await StoreMediator(StoreSink(primary), StoreSink(failover), HERE).mediate(ctx)
    [kept] = await failover.browse()
    assert (kept.id, kept.origin) == (ctx.properties["storedMessageId"], "Orders")


async def test_the_primary_is_used_whenever_it_takes_the_message() -> None:
    primary, failover = MemoryStore("Orders"), MemoryStore("OrdersFailover")
    await primary.open()
    await failover.open()
    await StoreMediator(StoreSink(primary), StoreSink(failover), HERE).mediate(order())
    assert (await primary.size(), await failover.size()) == (1, 0)


async def test_when_both_stores_fail_the_error_names_both() -> None:
    primary, failover = MemoryStore("Orders"), MemoryStore("OrdersFailover")
    await primary.aclose()
    await failover.aclose()
    with pytest.raises(StoreError) as caught:
        await StoreMediator(StoreSink(primary), StoreSink(failover), HERE).mediate(order())
    assert str(caught.value) == (
        "message store OrdersFailover is closed (and message store Orders before it: "
        "message store Orders is closed)"
    )
