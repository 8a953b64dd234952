"""An opened connection to this machine's NATS and a fresh JetStream stream per test, deleted after it."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import nats
import pytest
from nats.js import JetStreamContext

from interlace.connectors.nats import NatsConnection

from .server import URL, nats_connection


@dataclass(frozen=True)
class Stream:
    """A stream capturing ``{prefix}.>``, reached through a plain JetStream context ``js``."""

    name: str
    prefix: str
    js: JetStreamContext


@pytest.fixture
async def conn() -> AsyncIterator[NatsConnection]:
    async with nats_connection() as opened:
        yield opened


@pytest.fixture
async def stream() -> AsyncIterator[Stream]:
    client = await nats.connect(URL)
    js = client.jetstream()
    token = uuid.uuid4().hex[:10]
    made = Stream(name=f"TEST_{token}", prefix=f"test.{token}", js=js)
    await js.add_stream(name=made.name, subjects=[f"{made.prefix}.>"])
    yield made
    with contextlib.suppress(Exception):
        await js.delete_stream(made.name)
    await client.close()
