"""Opening a nats connection: refused credentials are fatal and not shown (against a server of the
test's own that asks for a password), an unreachable server is transient and answers quickly."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator

import pytest
from tests.support import deadline, unused_port, wait_for_port

from interlace.sdk import FatalError, RetryableError

from .server import nats_connection

pytestmark = pytest.mark.needs("nats")

NATS_SERVER = shutil.which("nats-server") or "/usr/sbin/nats-server"


@pytest.fixture
def guarded_port() -> Iterator[int]:
    """A NATS server on a free port that lets in only the user ``clinic`` with password ``s3cret-pw``."""
    port = unused_port()
    server = subprocess.Popen(
        [NATS_SERVER, "-a", "127.0.0.1", "-p", str(port), "--user", "clinic", "--pass", "s3cret-pw"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    yield port
    server.terminate()
    server.wait(timeout=10)


async def test_the_right_credentials_open_and_ping(guarded_port: int) -> None:
    await wait_for_port(guarded_port)
    conn = nats_connection(servers=[f"nats://127.0.0.1:{guarded_port}"], user="clinic", password="s3cret-pw")
    async with conn:
        await conn.ping()


async def test_a_wrong_password_is_fatal_and_not_shown(guarded_port: int) -> None:
    await wait_for_port(guarded_port)
    conn = nats_connection(
        servers=[f"nats://127.0.0.1:{guarded_port}"], user="clinic", password="wrong-pw-123"
    )
    with pytest.raises(
        FatalError, match=r"connecting connection events to NATS at .* refused the credentials"
    ) as caught:
        await conn.open()
    assert "wrong-pw-123" not in str(caught.value)
    await conn.aclose()


async def test_an_unreachable_server_is_retryable_at_once() -> None:
    # Tried twice, reconnect-wait apart, then given up: not retried for minutes.
    conn = nats_connection(
        servers=[f"nats://127.0.0.1:{unused_port()}"], timeout=2, **{"reconnect-wait": 0.1}
    )
    async with deadline():
        with pytest.raises(
            RetryableError, match=r"connecting connection events to NATS at nats://127\.0\.0\.1:\d+"
        ):
            await conn.open()
    await conn.aclose()
