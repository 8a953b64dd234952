"""A message stored by this runtime is forwarded at once, not at the processor's next poll."""

from __future__ import annotations

import asyncio
from pathlib import Path

from interlace.message import MessageContext, Payload
from interlace.runtime import Runtime
from interlace.stores import StoreBell
from tests.support import eventually, within, write_project

FILES = {
    "interlace.toml": '[project]\nname = "bell"\n',
    "stores/inbox.yaml": "store: Inbox\nmemory: {}\n",
    "sequences/keep.yaml": "sequence: Keep\nflow:\n  - store: Inbox\n",
    "sequences/handle.yaml": "sequence: Handle\nflow:\n  - log: handled ${payload.n}\n",
    "processors/inbox.yaml": "processor: InboxProcessor\nforwarding:\n  store: Inbox\n  sequence: Handle\n  interval: 1h\n",
}


async def test_a_processor_polling_hourly_delivers_a_message_stored_here_at_once(tmp_path: Path) -> None:
    async with Runtime(write_project(tmp_path, FILES), env={}) as runtime:
        keep = runtime.artifacts.sequences["Keep"]
        await keep.mediate(MessageContext(Payload.of_json({"n": 0})))
        # Delivered: the processor has looked, and now waits for an hour unless a store rings.
        await eventually(lambda: runtime.services.state("processor", "InboxProcessor").delivered == 1)
        for n in range(1, 4):
            await keep.mediate(MessageContext(Payload.of_json({"n": n})))
        await eventually(lambda: runtime.services.state("processor", "InboxProcessor").delivered == 4)


async def test_a_ring_between_two_waits_is_not_lost() -> None:
    bell, stop = StoreBell(), asyncio.Event()
    bell.ring()
    assert await within(bell.wait(stop, 3600)) is False
    waiting = asyncio.ensure_future(bell.wait(stop, 3600))
    await asyncio.sleep(0)
    stop.set()
    assert await within(waiting) is True
