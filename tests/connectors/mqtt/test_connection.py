"""Opening an mqtt connection: refused credentials are fatal and not shown (against a Mosquitto of the
test's own with a password file), an unreachable broker is transient."""

from __future__ import annotations

import getpass
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.support import unused_port, wait_for_port

from interlace.sdk import FatalError, RetryableError

from .broker import mqtt_connection

pytestmark = pytest.mark.needs("mqtt")

MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
MOSQUITTO_PASSWD = shutil.which("mosquitto_passwd") or "/usr/bin/mosquitto_passwd"


@pytest.fixture
def guarded_port(tmp_path: Path) -> Iterator[int]:
    """A Mosquitto on a free port that lets in only the user ``clinic`` with password ``s3cret-pw``."""
    passwords = tmp_path / "passwords"
    subprocess.run([MOSQUITTO_PASSWD, "-c", "-b", str(passwords), "clinic", "s3cret-pw"], check=True)
    passwords.chmod(0o600)
    port = unused_port()
    config = tmp_path / "mosquitto.conf"
    # As root, Mosquitto switches to its own user unless told to stay, and could not read the file.
    config.write_text(
        f"user {getpass.getuser()}\nlistener {port} 127.0.0.1\nallow_anonymous false\npassword_file {passwords}\n"
    )
    broker = subprocess.Popen(
        [MOSQUITTO, "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    yield port
    broker.terminate()
    broker.wait(timeout=10)


async def test_the_right_credentials_open_and_ping(guarded_port: int) -> None:
    await wait_for_port(guarded_port)
    async with mqtt_connection(port=guarded_port, username="clinic", password="s3cret-pw") as conn:
        await conn.ping()


async def test_a_wrong_password_is_fatal_and_not_shown(guarded_port: int) -> None:
    await wait_for_port(guarded_port)
    conn = mqtt_connection(port=guarded_port, username="clinic", password="wrong-pw-123")
    with pytest.raises(
        FatalError, match=r"connecting connection sensors to MQTT broker 127\.0\.0\.1:\d+: the broker refused"
    ) as caught:
        await conn.open()
    assert "wrong-pw-123" not in str(caught.value)
    await conn.aclose()


async def test_an_unreachable_broker_is_retryable() -> None:
    conn = mqtt_connection(port=unused_port(), timeout=2)
    with pytest.raises(
        RetryableError, match=r"connecting connection sensors to MQTT broker 127\.0\.0\.1:\d+"
    ):
        await conn.open()
    await conn.aclose()
