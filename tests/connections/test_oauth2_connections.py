"""OAuth2 connections under the runtime: a refresh token the server rotates is kept encrypted in the
project and used after a restart, so the grant is not lost."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from interlace.message import MessageContext
from interlace.runtime import Runtime
from interlace.samples.mailbox import DevMailbox, start_dev_mailbox
from tests.support import write_project

SEQUENCE = """\
sequence: Notify
flow:
  - gmail.sendMail: {connection: mail, to: patient@example.com, subject: Hello, messageBody: hi}
"""


@pytest.fixture
async def mailbox() -> AsyncIterator[DevMailbox]:
    async with await start_dev_mailbox(port=0, smtp_port=None, rotate_refresh_tokens=True) as running:
        yield running


def project(root: Path, mailbox: DevMailbox) -> Path:
    files = {
        "interlace.toml": '[project]\nname = "mail"\n',
        "connections/mail.yaml": (
            f"connection: mail\nconnector: gmail\napi-url: {mailbox.url}\ntoken-url: {mailbox.token_url}\n"
            "client-id: interlace-dev\nclient-secret: ${secret.CLIENT_SECRET}\nrefresh-token: ${secret.REFRESH}\n"
        ),
        "sequences/notify.yaml": SEQUENCE,
    }
    return write_project(root, files)


async def test_a_rotated_refresh_token_survives_a_restart_encrypted(
    tmp_path: Path, mailbox: DevMailbox
) -> None:
    root = project(tmp_path, mailbox)
    env = {"CLIENT_SECRET": "dev-secret", "REFRESH": "dev-refresh-token"}
    async with Runtime(root, env=env) as runtime:
        await runtime.artifacts.sequences["Notify"].mediate(MessageContext())
    # The configured refresh token was rotated away: only the stored one still works.
    tokens = (root / ".interlace" / "tokens").read_bytes()
    assert b"refresh" not in tokens and b"dev-" not in tokens
    async with Runtime(root, env=env) as restarted:
        await restarted.artifacts.sequences["Notify"].mediate(MessageContext())
    assert len(mailbox.messages) == 2
    assert mailbox.refresh_count == 2
