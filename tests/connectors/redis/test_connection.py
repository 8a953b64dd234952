"""Opening a redis connection: refused credentials are fatal and not shown, an unreachable server is
transient, credentials in the URL are refused."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from tests.support import unused_port

from interlace.connectors.redis import RedisConfig
from interlace.sdk import FatalError, RetryableError

from .server import redis_connection

pytestmark = pytest.mark.needs("redis")


async def test_a_refused_user_is_fatal_and_the_password_not_shown() -> None:
    conn = redis_connection(username="nobody", password="not-a-real-password")
    with pytest.raises(FatalError, match=r"connection cache .* refused the user name or password") as caught:
        await conn.open()
    assert "not-a-real-password" not in str(caught.value)
    await conn.aclose()


async def test_an_unreachable_server_is_retryable() -> None:
    conn = redis_connection(url=f"redis://127.0.0.1:{unused_port()}/0", timeout=2)
    with pytest.raises(RetryableError, match=r"connecting connection cache to Redis at 127\.0\.0\.1:\d+"):
        await conn.open()
    await conn.aclose()


def test_credentials_in_the_url_are_refused() -> None:
    with pytest.raises(ValidationError, match="url must not hold credentials"):
        RedisConfig.model_validate({"url": "redis://user:pw@127.0.0.1:6379/0"})
