"""Opening a rabbitmq connection: wrong credentials are fatal, an unreachable broker is transient, and
neither message shows the password."""

from __future__ import annotations

import pytest
from tests.support import unused_port

from interlace.sdk import FatalError, RetryableError

from .broker import rabbit

pytestmark = pytest.mark.needs("rabbitmq")


async def test_a_wrong_password_is_fatal_and_not_shown() -> None:
    conn = rabbit(password="not-the-guest-password")
    with pytest.raises(FatalError, match=r"connection orders .* refused the user name or password") as caught:
        await conn.open()
    assert "not-the-guest-password" not in str(caught.value)
    await conn.aclose()


async def test_an_unreachable_broker_is_retryable() -> None:
    conn = rabbit(port=unused_port(), timeout=2)
    with pytest.raises(
        RetryableError, match=r"connecting connection orders to RabbitMQ at 127\.0\.0\.1:\d+/"
    ):
        await conn.open()
    await conn.aclose()


async def test_ping_answers_on_an_open_connection() -> None:
    async with rabbit() as conn:
        await conn.ping()
