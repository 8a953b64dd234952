"""Crash safety: a runtime in another process, killed with SIGKILL while it forwards, loses nothing and
keeps the order; what comes twice is only what it delivered last, whose acknowledgement it may not have
committed (it acknowledges a message while it delivers the next ones, with at most as many
acknowledgements under way as it claims at once)."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

from interlace.stores import StoredMessage
from interlace.stores.sqlite import SqliteStore
from tests.support import START, eventually, interlace_run, write_project

from .receiver import Receiver

COUNT = 120
BATCH = 64  # the messages a forwarding processor claims at once

FILES = {
    "stores/orders.yaml": "store: Orders\nsqlite: {path: data/stores.sqlite}\n",
    "endpoints/receiver.yaml": "endpoint: ReceiverEP\nhttp: {url: '${configs.receiver}', method: POST}\n",
    "processors/forward.yaml": """
        processor: OrderForwarder
        forwarding: {store: Orders, endpoint: ReceiverEP, interval: 20ms, backoff: 20ms, max-attempts: 100}
        """,
}


async def start_runtime(root: Path) -> asyncio.subprocess.Process:
    env = {**os.environ, "INTERLACE_LOG_LEVEL": "WARNING"}
    return await interlace_run(root, "--port", "0", "--management-port", "0", env=env, output=False)


async def test_a_runtime_killed_mid_delivery_loses_no_stored_message(
    tmp_path: Path, receiver: Receiver
) -> None:
    root = write_project(tmp_path / "project", FILES, configs={"receiver": receiver.url})
    store = SqliteStore("Orders", root / "data" / "stores.sqlite")
    await store.open()
    ids = [f"order-{number:04d}" for number in range(COUNT)]
    for number, message_id in enumerate(ids):
        await store.put(StoredMessage(message_id, f'{{"n": {number}}}'.encode(), "application/json"))
    await store.aclose()

    # The delivery after the first third hangs: a message is in flight at the kill.
    receiver.hold, receiver.hold_after = asyncio.Event(), COUNT // 3
    first = await start_runtime(root)
    try:
        await eventually(lambda: receiver.arrivals > COUNT // 3, within=START)
        first.send_signal(signal.SIGKILL)
        assert await first.wait() == -signal.SIGKILL
    finally:
        if first.returncode is None:
            first.kill()
            await first.wait()
    receiver.hold.set()  # the delivery in flight is accepted, though its sender is gone
    await eventually(lambda: len(receiver.received) == receiver.arrivals)
    before = [r.headers["Idempotency-Key"] for r in receiver.received]

    second = await start_runtime(root)
    try:
        await eventually(
            lambda: {r.headers["Idempotency-Key"] for r in receiver.received} == set(ids), within=START
        )
    finally:
        second.send_signal(signal.SIGTERM)
        await second.wait()
    after = [r.headers["Idempotency-Key"] for r in receiver.received][len(before) :]
    assert before == ids[: len(before)] and after == ids[ids.index(after[0]) :]  # each in order, once
    again = before[len(before) - len(set(before) & set(after)) :]
    assert after[: len(again)] == again, (before, after)  # only what the first delivered last came twice
    assert 1 <= len(again) <= BATCH + 1  # the acknowledgements under way, and the one in flight
    check = SqliteStore("Orders", root / "data" / "stores.sqlite")
    await check.open()
    assert await check.size() == 0
    await check.aclose()
