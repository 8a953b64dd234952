"""The ``poll`` trigger: records of an sObject type created or changed since the last look, found by a
SOQL query ordered by a watermark field (``SystemModstamp`` by default) and the record id.

The position (the last processed record's watermark value and id) is kept in the inbound endpoint's
:class:`~interlace.sdk.Checkpoint` and moves past a record only when that record and every one before
it were acknowledged (:class:`~interlace.sdk.AckWindow`): a restart goes on after the last processed
record, and nothing is skipped. A record handed back is read again, with those after it (at least once).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Final, Literal

from pydantic import Field

from interlace.connectors.salesforce.connection import SalesforceConnection
from interlace.connectors.salesforce.names import ApiName
from interlace.message import JsonValue
from interlace.sdk import (
    AckWindow,
    Checkpoint,
    CheckpointValue,
    Delivery,
    FatalError,
    Param,
    Payload,
    TriggerEvent,
    poll_in_order,
)

__all__ = ["poll"]

_UNQUOTED: Final = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2}))?$")


def soql_literal(value: JsonValue) -> str:
    """A watermark or id value as a SOQL literal: dates, date-times and numbers as they are, text quoted."""
    if isinstance(value, bool) or value is None:
        raise FatalError(
            f"salesforce.poll: a watermark must be a date, a date-time, a number or text (got {value!r})"
        )
    if isinstance(value, int | float):
        return repr(value)
    text = str(value)
    if _UNQUOTED.match(text):
        return text
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


@dataclass(frozen=True, slots=True)
class _Soql:
    """The SOQL of one polled sObject type."""

    sobject: str
    fields: tuple[str, ...]
    where: str | None
    watermark: str
    batch: int

    def after(self, position: Mapping[str, JsonValue] | None) -> str:
        conditions = [f"({self.where})"] if self.where else []
        if position is None:
            conditions.append(f"{self.watermark} != null")
        else:
            mark, key = soql_literal(position["watermark"]), soql_literal(position["id"])
            conditions.append(f"({self.watermark} > {mark} OR ({self.watermark} = {mark} AND Id > {key}))")
        return (
            f"SELECT {', '.join(self.fields)} FROM {self.sobject} WHERE {' AND '.join(conditions)}"
            f" ORDER BY {self.watermark}, Id LIMIT {self.batch}"
        )

    def latest(self) -> str:
        where = f" WHERE ({self.where})" if self.where else ""
        return (
            f"SELECT Id, {self.watermark} FROM {self.sobject}{where}"
            f" ORDER BY {self.watermark} DESC NULLS LAST, Id DESC LIMIT 1"
        )

    def position(self, record: Mapping[str, Any]) -> CheckpointValue:
        return {"watermark": record.get(self.watermark), "id": record.get("Id")}


async def _records(conn: SalesforceConnection, soql: str) -> list[dict[str, Any]]:
    answer = await conn.call("poll", "GET", "/query", params=[("q", soql)])
    records = answer.get("records") if isinstance(answer, dict) else None
    return [record for record in records if isinstance(record, dict)] if isinstance(records, list) else []


async def poll(
    conn: SalesforceConnection,
    checkpoint: Checkpoint,
    *,
    sObject: Annotated[ApiName, Param("The sObject type to watch.", example="Account")],
    fields: Annotated[
        list[ApiName], Param("The fields each message holds (`Id` and the watermark field always are).")
    ] = ["Id", "Name"],  # noqa: B006 -- a parameter's default, never changed
    where: Annotated[
        str | None,
        Param("A SOQL condition records must meet too.", example="Industry = 'Healthcare'"),
    ] = None,
    watermarkField: Annotated[
        ApiName,
        Param(
            "A date-time (or number) field that grows with each change: the records are read in its order."
        ),
    ] = "SystemModstamp",
    poll: Annotated[
        float,
        Param("Seconds between two looks for changed records (at once again after a full batch)."),
        Field(gt=0),
    ] = 30.0,
    batch: Annotated[int, Param("Records read per query."), Field(ge=1, le=2000)] = 200,
    start: Annotated[
        Literal["beginning", "end"],
        Param(
            "Without a position yet: take the records already there (`beginning`) or only later"
            " changes (`end`)."
        ),
    ] = "end",
) -> AsyncIterator[TriggerEvent]:
    """Records created or changed since the last look, in the order of a watermark field
    (`SystemModstamp` by default) and their id, found by polling with SOQL.

    Each record is a JSON message of its fields (properties `sObject`, `id`). The position (the last
    processed record's watermark and id) is kept in the inbound endpoint's checkpoint and moves past a
    record only once it and every record before it were acknowledged: a restarted runtime goes on
    after the last processed record, and nothing is skipped. A record handed back is read again with
    those after it (at least once). Run the inbound endpoint with `coordination: true` so that one node
    polls.

    ```yaml
    inbound: NewAccounts
    trigger:
      salesforce.poll: {connection: crm, sObject: Account, fields: [Id, Name, Industry], poll: 60}
    sequence: SyncAccount
    ```
    """
    chosen = tuple(dict.fromkeys(["Id", *fields, watermarkField]))
    soql = _Soql(sObject, chosen, where, watermarkField, batch)
    committed = await checkpoint.load()
    if committed is None and start == "end":
        latest = await _records(conn, soql.latest())
        if latest:
            committed = soql.position(latest[0])
            await checkpoint.save(committed)

    def event(record: dict[str, Any], delivery: Delivery) -> TriggerEvent:
        return TriggerEvent(
            Payload.of_json(record),
            attributes={"sObject": sObject, "id": record.get("Id")},
            delivery=delivery,
            key=f"{sObject}/{record.get('Id')}@{record.get(watermarkField)}",
        )

    async def read(after: CheckpointValue | None) -> list[dict[str, Any]]:
        return await _records(conn, soql.after(after))

    window = AckWindow(checkpoint, committed)
    async for found in poll_in_order(window, read, soql.position, event, every=poll, batch=batch):
        yield found
