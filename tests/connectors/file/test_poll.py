"""file.poll on a local folder, an SFTP server and an FTP server alike: files taken in order, each one
message, deleted or moved once settled, renamed back when handed back; a stale claim released; files in
flight never offered twice."""

from __future__ import annotations

import os
import time
from collections.abc import AsyncGenerator
from pathlib import Path
from typing import Any

import pytest
from tests.support import eventually, take, within

from interlace.connectors.file import FileConnection, connector
from interlace.sdk import FatalError, TriggerEvent

from .conftest import Peer, file_connection

POLL = connector.get_trigger("poll")


def drop(folder: Path, name: str, text: str, age: float = 60.0) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    then = time.time() - age
    os.utime(path, (then, then))


def names(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def start(conn: FileConnection, **values: Any) -> AsyncGenerator[TriggerEvent, None]:
    return POLL.start(conn, {"poll": 0.05, "minAge": 0, **values})


async def test_files_are_taken_in_order_and_moved_or_deleted_once_settled(
    files: FileConnection, peer: Peer
) -> None:
    inbox = peer.served / "inbox"
    drop(inbox, "b.json", '{"id": 2}')
    drop(inbox, "a.json", '{"id": 1}')
    drop(inbox, "skip.txt", "no")
    events = start(files, folder="inbox", pattern="*.json", onSuccess="move", successFolder="done")
    try:
        first, second = await take(events, 2)
        assert [first.attributes["fileName"], second.attributes["fileName"]] == ["a.json", "b.json"]
        assert first.payload.json() == {"id": 1}
        assert first.payload.content_type == "application/json"
        assert first.attributes["path"] == "inbox/a.json"
        assert sum(name.endswith(".processing") for name in names(inbox)) == 2  # claimed
        await first.ack()
        await second.nack(requeue=False)  # onFailure retry: renamed back, to be taken again
        assert names(inbox / "done") == ["a.json"]
        again = await within(anext(events))
        assert again.attributes["fileName"] == "b.json"
        await again.ack()
        assert names(inbox / "done") == ["a.json", "b.json"]
        assert names(inbox) == ["done", "skip.txt"]
    finally:
        await events.aclose()


async def test_a_file_out_of_attempts_goes_to_the_dead_letter_folder_with_the_reason(
    files: FileConnection, peer: Peer
) -> None:
    drop(peer.served, "bad.json", "{not json")
    events = start(files)
    try:
        event = await within(anext(events))
        assert await event.delivery.dead_letter("3 attempts; last: not JSON")  # type: ignore[attr-defined]
    finally:
        await events.aclose()
    assert names(peer.served / "dead-letter") == ["bad.json", "bad.json.reason.txt"]
    reason = (peer.served / "dead-letter" / "bad.json.reason.txt").read_text()
    assert reason == "3 attempts; last: not JSON\n"


async def test_a_failed_file_goes_where_on_failure_says(files: FileConnection, peer: Peer) -> None:
    drop(peer.served, "x.csv", "1")
    events = start(files, onFailure="move", failureFolder="failed", readContent=False)
    try:
        event = await within(anext(events))
        assert event.payload.json()["fileSize"] == 1
        await event.nack(requeue=False)
    finally:
        await events.aclose()
    assert names(peer.served / "failed") == ["x.csv"]


async def test_a_claim_of_a_node_that_died_is_released_after_the_lock_timeout(local_peer: Peer) -> None:
    drop(local_peer.served, "x.json.0123456789ab.1000.processing", "{}")  # claimed long ago
    drop(local_peer.served, f"y.json.0123456789ab.{int(time.time())}.processing", "{}")  # claimed now
    async with file_connection(local_peer) as conn:
        events = start(conn, lockTimeout=30)
        try:
            event = await within(anext(events))
            assert event.attributes["fileName"] == "x.json"
            await event.ack()
        finally:
            await events.aclose()
    assert [name.startswith("y.json.") for name in names(local_peer.served)] == [True]


async def test_without_a_lock_a_file_in_flight_is_not_offered_twice(local_peer: Peer) -> None:
    drop(local_peer.served, "x.json", "{}")
    async with file_connection(local_peer) as conn:
        events = start(conn, lock=False)
        try:
            event = await within(anext(events))
            drop(local_peer.served, "y.json", "{}")  # offered by a later poll, which passes x over
            second = await within(anext(events))
            assert (event.attributes["fileName"], second.attributes["fileName"]) == ("x.json", "y.json")
            await event.ack()
            await second.ack()
        finally:
            await events.aclose()
    await eventually(lambda: names(local_peer.served) == [])


async def test_move_without_its_folder_is_refused(files: FileConnection) -> None:
    events = start(files, onSuccess="move")
    with pytest.raises(FatalError, match="move needs successFolder"):
        await anext(events)


async def test_a_file_still_being_written_beside_its_name_is_not_taken(local_peer: Peer) -> None:
    drop(local_peer.served, ".a.json.part", "{")  # file.write's file before its rename
    drop(local_peer.served, "b.json", "{}")
    async with file_connection(local_peer) as conn:
        events = start(conn)
        try:
            event = await within(anext(events))
            assert event.attributes["fileName"] == "b.json"
            await event.ack()
        finally:
            await events.aclose()
    assert names(local_peer.served) == [".a.json.part"]
