"""The salesforce.poll trigger against the fake org: changed records in watermark order, the position
kept in the checkpoint past acknowledged records only, a restart going on after it, a failed record
read again, and records before the start left out with ``start: end``."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from typing import Any

from tests.connectors.salesforce.fakesalesforce import FakeSalesforce
from tests.support import deadline, eventually, take

from interlace.connectors.salesforce import SalesforceConnection, connector
from interlace.sdk import MemoryCheckpoint, TriggerEvent

FAST = {"sObject": "Account", "fields": ["Name"], "poll": 0.02}


def polling(
    conn: SalesforceConnection, checkpoint: MemoryCheckpoint, **values: Any
) -> AsyncGenerator[TriggerEvent, None]:
    return connector.get_trigger("poll").start(conn, {**FAST, **values}, checkpoint=checkpoint)


def names(events: list[TriggerEvent]) -> list[str]:
    return [event.payload.json()["Name"] for event in events]


async def test_records_come_in_watermark_order_and_the_position_follows_acknowledgements(
    fake: FakeSalesforce, salesforce: SalesforceConnection
) -> None:
    first = fake.insert("Account", Name="Oak")
    fake.insert("Account", Name="Pine")
    checkpoint = MemoryCheckpoint("crm/NewAccounts")
    events = polling(salesforce, checkpoint, start="beginning")
    try:
        oak, pine = await take(events, 2)
        await pine.ack()
        assert await checkpoint.load() is None  # Oak is not processed yet: the position stays
        await oak.ack()
        position = await checkpoint.load()
        fake.perform("PATCH", f"/v62.0/sobjects/Account/{first}", {}, {"Name": "Oak Clinic"})
        (changed,) = await take(events, 1)
    finally:
        await events.aclose()

    assert names([oak, pine, changed]) == ["Oak", "Pine", "Oak Clinic"]
    assert oak.attributes == {"sObject": "Account", "id": first}
    assert position is not None and position["id"] == pine.attributes["id"]
    assert position["watermark"] == pine.payload.json()["SystemModstamp"]


async def test_a_restart_goes_on_after_the_last_processed_record(
    fake: FakeSalesforce, salesforce: SalesforceConnection
) -> None:
    for name in ("A", "B", "C"):
        fake.insert("Account", Name=name)
    checkpoint = MemoryCheckpoint()
    events = polling(salesforce, checkpoint, start="beginning")
    try:
        for event in await take(events, 2):
            await event.ack()
    finally:
        await events.aclose()

    again = polling(salesforce, checkpoint, start="beginning")
    try:
        assert names(await take(again, 1)) == ["C"]
    finally:
        await again.aclose()


async def test_a_failed_record_is_read_again_with_those_after_it(
    fake: FakeSalesforce, salesforce: SalesforceConnection
) -> None:
    for name in ("A", "B"):
        fake.insert("Account", Name=name)
    events = polling(salesforce, MemoryCheckpoint(), start="beginning")
    try:
        a, b = await take(events, 2)
        await b.ack()
        await a.nack(requeue=True)
        assert names(await take(events, 2)) == ["A", "B"]
    finally:
        await events.aclose()


async def test_start_at_the_end_leaves_earlier_records_and_a_condition_filters(
    fake: FakeSalesforce, salesforce: SalesforceConnection
) -> None:
    fake.insert("Account", Name="Before", Industry="Healthcare")
    events = polling(salesforce, MemoryCheckpoint(), where="Industry = 'Healthcare'")
    try:
        waiting = asyncio.ensure_future(anext(events))
        # The trigger found where the end is (one query) and looked past it (another) before the changes.
        await eventually(lambda: fake.calls.count(("GET", "/v62.0/query")) >= 2)
        fake.insert("Account", Name="Shop", Industry="Retail")
        fake.insert("Account", Name="Clinic", Industry="Healthcare")
        async with deadline():
            assert names([await waiting]) == ["Clinic"]
    finally:
        await events.aclose()
