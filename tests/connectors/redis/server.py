"""Helpers for tests against the Redis of the tests (:data:`tests.addresses.REDIS`): connections and unique key
names."""

from __future__ import annotations

from tests.addresses import REDIS
from tests.support import unique

from interlace.connectors.redis import RedisConfig, RedisConnection

URL = REDIS.url


def redis_connection(**settings: object) -> RedisConnection:
    """A connection named ``cache`` to the local server, with these settings."""
    return RedisConnection(RedisConfig.model_validate({"url": URL, **settings}), name="cache")


class Keys:
    """Unique key names, remembered for deletion."""

    def __init__(self) -> None:
        self.made: list[str] = []

    def __call__(self, prefix: str = "k") -> str:
        name = unique(f"test:{prefix}", ":")
        self.made.append(name)
        return name
