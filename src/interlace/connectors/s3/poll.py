"""The ``s3.newObjects`` trigger: objects that appear under a prefix, found by polling with a checkpoint.

Each poll lists the prefix (every page) and takes the objects modified after the checkpoint, in the
order of their modification time, then key. The checkpoint is the last processed object's modification
time and the keys processed at that very time (S3 keeps times to the second): it advances, durably,
past an object only when that object and every one before it were acknowledged (see
:class:`~interlace.sdk.AckWindow`), so a restart goes on after the last processed object and nothing
is skipped (at least once). An object replaced by a new upload has a new time and is taken again.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal, cast

from pydantic import Field

from interlace.connectors.s3.connection import S3_ERRORS, S3Connection, s3_failure
from interlace.connectors.s3.objects import Bucket, object_facts
from interlace.sdk import AckWindow, Checkpoint, CheckpointValue, Param, Payload, TriggerEvent

__all__ = ["new_objects"]


async def new_objects(
    conn: S3Connection,
    checkpoint: Checkpoint,
    bucket: Bucket,
    *,
    prefix: Annotated[str, Param("Only keys that start with this.", example="incoming/")] = "",
    poll: Annotated[float, Param("Seconds between two listings."), Field(gt=0)] = 10.0,
    start: Annotated[
        Literal["beginning", "end"],
        Param(
            "Without a checkpoint yet: take the objects already there (`beginning`) or only later ones"
            " (`end`)."
        ),
    ] = "beginning",
) -> AsyncIterator[TriggerEvent]:
    """Each object that appears (or is replaced) under a prefix of a bucket, found by listing it every
    `poll` seconds; the runtime's checkpoint remembers the last processed object, so a restart goes on
    after it.

    The payload is the object's facts as JSON, `{bucket, key, size, etag, lastModified}` (the same as
    properties); read the content with `s3.getObject`. Objects are taken in the order of their
    modification time; the checkpoint passes an object only when it and every object before it were
    acknowledged, and an object handed back is taken again (with those after it: at least once). Each
    poll lists the whole prefix: keep it small by moving or deleting processed objects, or by a prefix
    per day. With `coordination: true` one node polls."""
    doing = f"s3.newObjects of {bucket}/{prefix}* on connection {conn.name}"
    committed = await checkpoint.load()
    if committed is None and start == "end":
        found = await _listing(conn, bucket, prefix, doing)
        if found:
            latest = found[-1]["lastModified"]
            committed = {"modified": latest, "keys": [o["key"] for o in found if o["lastModified"] == latest]}
            await checkpoint.save(committed)
    window = AckWindow(checkpoint, committed)
    read_after = committed
    while True:
        if window.failed:
            await window.wait_settled()  # objects after the failed one finish before the rewind
            read_after = window.rewind()
        for facts in _after(await _listing(conn, bucket, prefix, doing), read_after):
            read_after = _position(read_after, facts)
            yield TriggerEvent(
                Payload.of_json({"bucket": bucket, **facts}),
                attributes={"bucket": bucket, **facts},
                delivery=window.delivery(read_after),
                key=f"{bucket}/{facts['key']}@{facts['lastModified']}",
            )
            if window.failed:
                break
        else:
            await asyncio.sleep(poll)


async def _listing(conn: S3Connection, bucket: str, prefix: str, doing: str) -> list[dict[str, Any]]:
    """Every object under the prefix, in the order of modification time, then key."""
    found: list[dict[str, Any]] = []
    request: dict[str, Any] = {"Bucket": bucket, "Prefix": prefix}
    try:
        while True:
            answer = await conn.client.list_objects_v2(**request)
            found.extend(object_facts(item) for item in answer.get("Contents", []))
            token = answer.get("NextContinuationToken")
            if not answer.get("IsTruncated") or not token:
                break
            request["ContinuationToken"] = token
    except S3_ERRORS as exc:
        raise s3_failure(exc, doing) from exc
    found.sort(key=lambda facts: (facts["lastModified"], facts["key"]))
    return found


def _after(found: list[dict[str, Any]], position: CheckpointValue | None) -> list[dict[str, Any]]:
    if position is None:
        return found
    modified = str(position["modified"])
    seen = set(cast("list[Any]", position.get("keys") or []))
    return [
        facts
        for facts in found
        if facts["lastModified"] > modified
        or (facts["lastModified"] == modified and facts["key"] not in seen)
    ]


def _position(previous: CheckpointValue | None, facts: dict[str, Any]) -> CheckpointValue:
    modified = facts["lastModified"]
    keys: list[Any] = []
    if previous is not None and previous["modified"] == modified:
        keys = list(cast("list[Any]", previous.get("keys") or []))
    return {"modified": modified, "keys": [*keys, facts["key"]]}
