"""The ``redis.stream`` trigger: a stream's entries through a consumer group, acknowledged after the flow.

Where entries come from, in order of preference on each round: entries a nack asked to deliver again
(``XCLAIM`` to this consumer), this consumer's own pending entries when the trigger starts (left by a
run that stopped or crashed), entries of any consumer idle longer than ``claimIdle`` (``XAUTOCLAIM``),
then new entries (``XREADGROUP >``, blocking). At most ``count`` entries are in flight: the trigger
reads again only when fewer are unsettled, so a slow flow leaves entries in Redis, not in memory.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import AsyncIterator, Mapping
from typing import Annotated, Any, cast

import redis.exceptions as rex
from pydantic import Field

from interlace.connectors.redis.connection import RedisConnection, redis_failure
from interlace.sdk import (
    DEAD_LETTER_REASON,
    Backlog,
    ConnectorError,
    FatalError,
    InFlight,
    Param,
    Payload,
    TriggerEvent,
)

__all__ = ["consume_stream"]

Entry = tuple[bytes, dict[bytes, bytes] | None]
StreamId = int | bytes | str | memoryview


async def consume_stream(
    conn: RedisConnection,
    stream: Annotated[str, Param("The stream's key.", example="orders")],
    group: Annotated[str, Param("The consumer group; consumers of one group share the entries.")],
    *,
    consumer: Annotated[
        str,
        Param(
            "This consumer's name in the group; keep it stable across restarts so that the entries it"
            " left pending come back to it at once."
        ),
    ] = "interlace",
    count: Annotated[
        int, Param("Entries in flight at most: read, not yet acknowledged."), Field(gt=0, le=10_000)
    ] = 10,
    block: Annotated[
        float, Param("Seconds one read waits for new entries before looking for idle ones."), Field(gt=0)
    ] = 5.0,
    claimIdle: Annotated[
        float,
        Param(
            "Seconds an entry may stay unacknowledged with a consumer before this one takes it over"
            " (`XAUTOCLAIM`); longer than the slowest flow, or an entry is processed twice."
        ),
        Field(ge=0),
    ] = 60.0,
    createGroup: Annotated[
        bool, Param("Create the group (and the stream) if missing, starting at `startId`.")
    ] = True,
    startId: Annotated[
        str, Param("Where a created group starts: `$` for entries added from now on, `0` for all.")
    ] = "$",
    payloadField: Annotated[
        str | None,
        Param(
            "The field holding the payload; the other fields become headers. If not given, the payload"
            " is the entry as a JSON object of its fields.",
            example="payload",
        ),
    ] = None,
    contentType: Annotated[
        str | None,
        Param("The content type of `payloadField`'s value; `application/octet-stream` if not given."),
    ] = None,
    deadLetterStream: Annotated[
        str | None,
        Param(
            "A stream that takes entries whose attempts ran out, with the fields `x-source-stream`,"
            " `x-source-id`, `x-group` and `x-interlace-dead-letter-reason` added; if not given, the"
            " inbound endpoint's dead-letter store takes them.",
            example="orders:dead",
        ),
    ] = None,
) -> AsyncIterator[TriggerEvent]:
    """Each entry of a stream, through a consumer group.

    The payload is the entry's fields as a JSON object, or the value of `payloadField`. Attributes are
    `stream`, `id`, `group`, `consumer` and `redelivered` (whether the entry was delivered before). An
    entry is acknowledged (`XACK`) after its flow has finished; a failed one is delivered again, and after
    its last attempt moved to `deadLetterStream` and acknowledged. Entries not
    acknowledged when the trigger stops stay pending in the group and are delivered again. An event's
    lag is the group's entries not yet delivered (`XINFO GROUPS`, Redis 7; asked at most once a second,
    counted down by the events taken in between).
    """
    doing = f"reading stream {stream!r} as {consumer!r} of group {group!r} on connection {conn.name}"
    source = _Source(conn, stream, group, consumer, doing)
    if createGroup:
        await source.create_group(startId)
    flight = InFlight(count)
    lag = Backlog(source.lag)
    retries: deque[bytes] = deque()  # entries a nack asked to deliver again
    shape = _Shape(payloadField, contentType)
    backlog: bytes | None = b"0"
    claim_cursor = b"0-0"
    claimed_at = float("-inf")
    while True:
        await flight.wait_for_room()
        entries: list[Entry] = []
        redelivered = True
        if retries:
            entries = await source.claim([retries.popleft() for _ in range(min(flight.room, len(retries)))])
        elif backlog is not None:
            entries = await source.read(backlog, flight.room, block=None)
            backlog = entries[-1][0] if entries else None
        if not entries and time.monotonic() - claimed_at >= claimIdle / 2:
            claim_cursor, entries = await source.autoclaim(claimIdle, claim_cursor, flight.room)
            if claim_cursor == b"0-0":
                claimed_at = time.monotonic()
        if not entries:
            entries = await source.read(b">", flight.room, block=block)
            redelivered = False
        for entry_id, fields in entries:
            if entry_id in flight:
                continue  # already in this consumer's hands: a claim only refreshed it
            if fields is None:  # trimmed from the stream while pending: nothing left to deliver
                await source.ack(entry_id)
                continue
            flight.add(entry_id)
            # The group's delivery count (XPENDING) numbers a redelivered entry's attempt.
            attempt = await source.deliveries(entry_id) if redelivered else 1
            delivery = _StreamDelivery(source, flight, retries, entry_id, fields, deadLetterStream)
            yield shape.event(
                fields,
                delivery,
                {
                    "stream": stream,
                    "id": entry_id.decode(),
                    "group": group,
                    "consumer": consumer,
                    "redelivered": redelivered,
                },
                attempt,
                await lag.lag(),
            )


class _Source:
    """The stream commands of one consumer, with errors sorted."""

    def __init__(self, conn: RedisConnection, stream: str, group: str, consumer: str, doing: str) -> None:
        self.conn = conn
        self.stream = stream
        self.group = group
        self.consumer = consumer
        self.doing = doing

    async def create_group(self, start_id: str) -> None:
        try:
            await self.conn.client.xgroup_create(self.stream, self.group, start_id, mkstream=True)
        except rex.ResponseError as exc:
            if not str(exc).startswith("BUSYGROUP"):
                raise self._failure(exc) from exc
        except rex.RedisError as exc:
            raise self._failure(exc) from exc

    async def read(self, after: bytes, count: int, *, block: float | None) -> list[Entry]:
        try:
            answer = await self.conn.client.xreadgroup(
                self.group,
                self.consumer,
                {self.stream: after},
                count=count,
                block=None if block is None else max(1, int(block * 1000)),
            )
        except rex.RedisError as exc:
            raise self._failure(exc) from exc
        # Protocol 2 answers [[stream, [(id, fields), ...]]]; fields are None for a trimmed pending entry.
        streams = cast("list[tuple[bytes, list[Entry]]]", answer or [])
        return [entry for _, entries in streams for entry in entries]

    async def autoclaim(self, idle: float, cursor: bytes, count: int) -> tuple[bytes, list[Entry]]:
        try:
            answer = await self.conn.client.xautoclaim(
                self.stream, self.group, self.consumer, int(idle * 1000), cursor, count=count
            )
        except rex.RedisError as exc:
            raise self._failure(exc) from exc
        # [next cursor, [(id, fields), ...], [ids of deleted entries]]
        following, entries = answer[0], answer[1]
        return cast("bytes", following), cast("list[Entry]", entries)

    async def claim(self, ids: list[bytes]) -> list[Entry]:
        """The entries ``ids`` (pending with this consumer), delivered again."""
        try:
            answer = await self.conn.client.xclaim(
                self.stream, self.group, self.consumer, 0, list[StreamId](ids)
            )
        except rex.RedisError as exc:
            raise self._failure(exc) from exc
        return cast("list[Entry]", answer)

    async def deliveries(self, entry_id: bytes) -> int | None:
        """How many times the group delivered the pending entry ``entry_id`` (None if it is not pending)."""
        try:
            answer = await self.conn.client.xpending_range(
                self.stream, self.group, min=entry_id, max=entry_id, count=1
            )
        except rex.RedisError as exc:
            raise self._failure(exc) from exc
        return int(answer[0]["times_delivered"]) if answer else None

    async def lag(self) -> int | None:
        """The group's entries not yet delivered to any consumer (``XINFO GROUPS``' ``lag``, Redis 7); None
        when the server cannot say (an older server, or entries deleted from the middle of the stream)."""
        try:
            groups = await self.conn.client.xinfo_groups(self.stream)
        except rex.RedisError as exc:
            raise self._failure(exc) from exc
        for info in groups:
            name = info.get("name")
            if (name.decode() if isinstance(name, bytes) else name) == self.group:
                lag = info.get("lag")
                return None if lag is None else int(lag)
        return None

    async def ack(self, entry_id: bytes) -> None:
        try:
            await self.conn.client.xack(self.stream, self.group, entry_id)
        except rex.RedisError as exc:
            raise self._failure(exc, settling=entry_id) from exc

    async def dead_letter(self, entry_id: bytes, fields: Mapping[bytes, bytes], target: str) -> None:
        marked = {
            **fields,
            b"x-source-stream": self.stream.encode(),
            b"x-source-id": entry_id,
            b"x-group": self.group.encode(),
        }
        try:
            async with self.conn.client.pipeline(transaction=True) as both:
                both.xadd(target, marked)  # type: ignore[arg-type]
                both.xack(self.stream, self.group, entry_id)
                await both.execute()
        except rex.RedisError as exc:
            raise self._failure(exc, settling=entry_id) from exc

    def _failure(self, exc: rex.RedisError, *, settling: bytes | None = None) -> ConnectorError:
        doing = self.doing if settling is None else f"{self.doing}, settling entry {settling.decode()}"
        if isinstance(exc, rex.ResponseError) and str(exc).startswith("NOGROUP"):
            return FatalError(f"{doing}: the stream or the group does not exist ({exc})")
        return redis_failure(exc, doing)


class _StreamDelivery:
    """Settles one entry: ``XACK``; a nack delivers it again or moves it to the dead-letter stream."""

    __slots__ = ("_dead_letters", "_fields", "_flight", "_id", "_retries", "_source")

    def __init__(
        self,
        source: _Source,
        flight: InFlight,
        retries: deque[bytes],
        entry_id: bytes,
        fields: dict[bytes, bytes],
        dead_letters: str | None,
    ) -> None:
        self._source = source
        self._flight = flight
        self._retries = retries
        self._id = entry_id
        self._fields = fields
        self._dead_letters = dead_letters

    async def ack(self) -> None:
        try:
            await self._source.ack(self._id)
        finally:
            self._flight.settle(self._id)

    async def nack(self, *, requeue: bool) -> None:
        if requeue:
            self._retries.append(self._id)
            self._flight.settle(self._id)
            return
        try:
            if self._dead_letters is not None:
                await self._source.dead_letter(self._id, self._fields, self._dead_letters)
            else:
                await self._source.ack(self._id)
        finally:
            self._flight.settle(self._id)

    async def dead_letter(self, reason: str) -> bool:
        if self._dead_letters is None:
            return False
        fields = {**self._fields, DEAD_LETTER_REASON.encode(): reason.encode()}
        try:
            await self._source.dead_letter(self._id, fields, self._dead_letters)
        finally:
            self._flight.settle(self._id)
        return True


class _Shape:
    """How an entry's fields become an event's payload and headers."""

    def __init__(self, payload_field: str | None, content_type: str | None) -> None:
        self._field = payload_field.encode() if payload_field is not None else None
        self._content_type = content_type or "application/octet-stream"

    def event(
        self,
        fields: dict[bytes, bytes],
        delivery: _StreamDelivery,
        attributes: dict[str, Any],
        attempt: int | None,
        lag: int | None,
    ) -> TriggerEvent:
        key = f"{attributes['stream']}/{attributes['id']}"
        if self._field is None:
            payload, headers = Payload.of_json(_texts(fields)), {}
        else:
            payload = Payload(fields.get(self._field, b""), self._content_type)
            headers = _texts({name: value for name, value in fields.items() if name != self._field})
        return TriggerEvent(
            payload,
            headers=headers,
            attributes=attributes,
            delivery=delivery,
            attempt=attempt,
            key=key,
            lag=lag,
        )


def _texts(fields: Mapping[bytes, bytes]) -> dict[str, str]:
    return {name.decode(errors="replace"): value.decode(errors="replace") for name, value in fields.items()}
