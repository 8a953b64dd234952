"""`interlace connection authorize` and `interlace connection status`, run as a user runs them: the
command in its own process, the consent page in a "browser" driven over real HTTP."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from interlace.cli import app
from interlace.connectors.gmail.scopes import SEND
from interlace.samples.mailbox import DevMailbox, start_dev_mailbox
from tests.connections.consent_browser import consent
from tests.connections.test_authorize_flow import TOKEN_PREFIXES, write_project
from tests.support import deadline


@pytest.fixture
async def mailbox() -> AsyncIterator[DevMailbox]:
    async with await start_dev_mailbox(port=0, smtp_port=None) as running:
        yield running


async def run_authorize(root: Path, *extra: str, decision: str = "allow") -> tuple[int, str, str]:
    """Run the command, open the consent address it prints, press ``decision``; its exit code and output."""
    command = [sys.executable, "-m", "interlace", "connection", "authorize", str(root), "mail", "-p", "dev"]
    process = await asyncio.create_subprocess_exec(
        *command, "--no-browser", "--timeout", "120", *extra,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert process.stdout is not None and process.stderr is not None
    lines: list[str] = []
    async with deadline(120):
        while not lines or "/authorize?" not in lines[-1]:
            line = (await process.stdout.readline()).decode()
            assert line, f"the command ended before printing the address: {lines}"
            lines.append(line)
        await consent(lines[-1].strip(), decision)
        rest, errors = await process.communicate()
    return await process.wait(), "".join(lines) + rest.decode(), errors.decode()


async def test_authorize_stores_the_token_and_status_shows_the_grant_without_it(
    tmp_path: Path, mailbox: DevMailbox
) -> None:
    root = write_project(tmp_path, mailbox)
    code, out, err = await run_authorize(root)
    assert code == 0, err
    assert "connection mail: authorized; refresh token stored" in out
    for text in (out, err):
        assert not any(prefix in text for prefix in TOKEN_PREFIXES), text

    status = ["connection", "status", str(root), "-p", "dev"]
    # The command runs its own event loop: in a thread, beside the test's.
    result = await asyncio.to_thread(CliRunner().invoke, app, [*status, "-o", "json"])
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.stdout)
    assert row["name"] == "mail" and row["refreshToken"] == "stored" and row["scopes"] == [SEND]
    assert row["lastRefresh"].endswith("authorized") and row["accessTokenExpires"]
    table = await asyncio.to_thread(CliRunner().invoke, app, [*status[:3], "mail", "-p", "dev"])
    assert "stored" in table.stdout
    assert not any(prefix in result.stdout + table.stdout for prefix in TOKEN_PREFIXES)


async def test_authorize_with_print_shows_the_token_once_and_stores_nothing(
    tmp_path: Path, mailbox: DevMailbox
) -> None:
    root = write_project(tmp_path, mailbox)
    code, out, err = await run_authorize(root, "--print")
    assert code == 0, err
    assert out.count("dev-rt-") == 1
    assert not (root / ".interlace" / "tokens").exists()


async def test_a_denied_consent_exits_1_with_its_explanation(tmp_path: Path, mailbox: DevMailbox) -> None:
    root = write_project(tmp_path, mailbox)
    code, _, err = await run_authorize(root, decision="deny")
    assert code == 1
    assert "access_denied" in err and "choose Allow" in err


def test_status_of_an_unknown_connection_names_the_oauth2_ones(tmp_path: Path) -> None:
    root = tmp_path
    (root / "interlace.toml").write_text('[project]\nname = "mail"\n')
    (root / "connections").mkdir()
    (root / "connections/mail.yaml").write_text(
        "connection: mail\nconnector: gmail\nclient-id: x\nclient-secret: s3cret\nrefresh-token: t0ken\n"
    )
    result = CliRunner().invoke(app, ["connection", "status", str(root), "nope"])
    assert result.exit_code == 1 and "OAuth2 connections: mail" in result.stderr
    result = CliRunner().invoke(app, ["connection", "status", str(root), "-o", "json"])
    (row,) = json.loads(result.stdout)
    assert row["refreshToken"] == "configured" and row["lastRefresh"] is None
    assert not (root / ".interlace").exists()
