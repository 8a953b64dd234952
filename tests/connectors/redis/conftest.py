"""An opened connection to this machine's Redis and unique keys, deleted after each test."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from interlace.connectors.redis import RedisConnection

from .server import URL, Keys, redis_connection


@pytest.fixture
async def conn() -> AsyncIterator[RedisConnection]:
    async with redis_connection() as opened:
        yield opened


@pytest.fixture
async def plain() -> AsyncIterator[aioredis.Redis]:
    """A plain client for arranging and inspecting the server."""
    client = aioredis.Redis.from_url(URL)
    yield client
    await client.aclose()


@pytest.fixture
async def keys(plain: aioredis.Redis) -> AsyncIterator[Keys]:
    made = Keys()
    yield made
    if made.made:
        await plain.delete(*made.made)
