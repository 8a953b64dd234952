"""Stores when their process is killed: nothing a returned put stored is lost, and claims come back."""

from __future__ import annotations

import asyncio
import signal
import sys
import time
from pathlib import Path

import pytest

from interlace.model.store import StoreKind
from interlace.stores import MessageStore, StoredMessage
from tests.support import START, deadline, eventually, scaled

from .conftest import Backend, kinds, make_backend

CHILD = Path(__file__).with_name("child.py")


async def _run_child(backend: Backend, mode: str, count: int, stop_after: int) -> list[str]:
    """Start the child, let it report ``stop_after`` ids, SIGKILL it, and return every id it reported."""
    definition = backend.definition().model_dump_json(by_alias=True, exclude_none=True)
    child = await asyncio.create_subprocess_exec(
        sys.executable, str(CHILD), definition, str(backend.root), mode, str(count),
        stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert child.stdout is not None
    reported: list[str] = []
    try:
        async with deadline(START):
            while len(reported) < stop_after:
                line = (await child.stdout.readline()).decode().strip()
                assert line, "the child stopped before it was killed"
                reported.append(line)
    finally:
        child.send_signal(signal.SIGKILL)
        await child.wait()
    # What it printed before it died counts too: those puts had returned.
    reported += (await child.stdout.read()).decode().split()
    return [line for line in reported if line != "done"]


async def _fetch_all(store: MessageStore, *, within: float) -> list[StoredMessage]:
    """Fetch (and acknowledge) until the store is empty: claims return within ``within`` seconds."""
    taken: list[StoredMessage] = []

    async def emptied() -> bool:
        batch = await store.fetch(500)
        taken.extend(batch)
        for stored in batch:
            await store.ack(stored.id)
        return not batch and await store.size() == 0

    await eventually(emptied, within, every=0.1, what="the claims back and the store emptied")
    return taken


async def _holds(store: MessageStore, count: int) -> bool:
    return await store.size() == count


async def test_every_message_whose_put_returned_survives_a_sigkill(tmp_path: Path) -> None:
    backend, _ = await make_backend("sqlite", tmp_path)

    reported = await _run_child(backend, "put", count=100_000, stop_after=300)

    store = await backend.store()
    try:
        stored = {message.id for message in await store.browse(limit=1_000_000)}
    finally:
        await store.aclose()
    assert len(reported) >= 300
    assert set(reported) <= stored
    assert len(stored) - len(reported) <= 8  # at most the puts in flight when it died


@pytest.mark.parametrize("kind", kinds("sqlite", "postgres", "redis", "rabbitmq"))
async def test_the_claims_of_a_killed_consumer_return(kind: StoreKind, tmp_path: Path) -> None:
    backend, cleanup = await make_backend(kind, tmp_path)
    try:
        producer = await backend.store()
        for number in range(5):
            await producer.put(StoredMessage(id=f"m{number}", payload=b"x", content_type="text/plain"))
        await producer.aclose()

        claimed = await _run_child(backend, "fetch", count=3, stop_after=3)
        assert claimed == ["m0", "m1", "m2"]

        successor = await backend.store()
        if kind == "rabbitmq":  # the broker requeues a dead connection's deliveries when it notices
            await eventually(lambda: _holds(successor, 5), what="the claims back in the queue")
        started = time.monotonic()
        taken = await _fetch_all(successor, within=10)
        waited = time.monotonic() - started
        await successor.aclose()
    finally:
        await cleanup()

    assert sorted(stored.id for stored in taken) == ["m0", "m1", "m2", "m3", "m4"]
    if kind in ("sqlite", "rabbitmq"):
        # A dead process on this host (sqlite) or a dropped connection (rabbitmq) is noticed at once,
        # so the messages come back in their places.
        assert [stored.id for stored in taken] == ["m0", "m1", "m2", "m3", "m4"]
        assert waited < scaled(1)
