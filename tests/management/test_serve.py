"""`interlace run` serves the management API next to the HTTP APIs, as the project's table says."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp

from interlace.cli.serve import serve
from tests.management.conftest import PROJECT
from tests.support import eventually, within, write_project

TOML = '[project]\nname = "shop"\nversion = "2.0.0"\n\n[management]\nport = 0\n'
ANSWER = "api: {name}\ncontext: /{name}\nresources:\n  - flow:\n      - respond: {{json: {{}}}}\n"


async def wait_for(lines: list[str], pattern: str) -> re.Match[str]:
    """The first match of ``pattern`` in the lines printed so far, once there is one."""
    found: list[re.Match[str]] = []

    def printed() -> bool:
        found.extend(match for line in lines if (match := re.search(pattern, line)) is not None)
        return bool(found)

    # A server starting (deploying its project, hashing its first password) is slow on a busy machine.
    await eventually(printed, within=30, what=f"a line matching {pattern!r}")
    return found[0]


@contextlib.asynccontextmanager
async def served(root: Path) -> AsyncIterator[tuple[list[str], str, str]]:
    """``interlace run`` of ``root`` in this process: its announced lines, the management API's address
    and an admin token (logged in with the first password it announced)."""
    lines: list[str] = []
    stop = asyncio.Event()
    running = asyncio.create_task(serve(root, None, "127.0.0.1", 0, lines.append, stop))
    try:
        url = (await wait_for(lines, r"management API: (http://\S+)/management$")).group(1)
        password = (await wait_for(lines, r"created user admin with password (\S+) ")).group(1)
        async with (
            aiohttp.ClientSession(url) as session,
            session.post("/management/login", json={"user": "admin", "password": password}) as login,
        ):
            token = (await login.json())["token"]
        yield lines, url, token
    finally:
        stop.set()
        with contextlib.suppress(asyncio.CancelledError):
            await within(running)
    assert running.exception() is None


async def test_run_starts_the_management_api_and_shows_its_address_and_first_password(tmp_path: Path) -> None:
    files = {name: text for name, text in PROJECT.items() if not name.startswith("connections/")}
    root = write_project(tmp_path / "shop", {**files, "interlace.toml": TOML})
    async with served(root) as (lines, url, token):
        api_port = (await wait_for(lines, r"OrdersAPI: http://127\.0\.0\.1:(\d+)/orders")).group(1)
        headers = {"Authorization": f"Bearer {token}"}
        async with (
            aiohttp.ClientSession(url) as session,
            session.get("/management/apis", headers=headers) as apis,
        ):
            [api] = (await apis.json())["items"]
    assert api["url"] == f"http://127.0.0.1:{api_port}/orders"


async def test_a_deployed_listener_may_not_take_the_server_s_own_port(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from interlace.cli import app
    from interlace.runtime.bundles import build_bundle

    root = write_project(tmp_path / "shop", {"interlace.toml": TOML, "apis/a.yaml": ANSWER.format(name="A")})
    async with served(root) as (lines, url, token):
        api_port = (await wait_for(lines, r"  A: http://127\.0\.0\.1:(\d+)/A")).group(1)
        side = write_project(
            tmp_path / "side",
            {
                "interlace.toml": '[project]\nname = "side"\n',
                "apis/b.yaml": ANSWER.format(name="B"),
                "inbound/side.yaml": f"inbound: Side\nhttp: {{port: {api_port}, apis: [B]}}\n",
            },
        )
        bundle = build_bundle(side, tmp_path / "dist")
        result = await asyncio.to_thread(
            CliRunner().invoke, app, ["deploy", str(bundle), "--url", url, "--token", token]
        )
    assert result.exit_code == 1
    assert (
        f"port {api_port} of inbound endpoint 'Side' of side (inbound/side.yaml:2) is where the HTTP "
        "APIs of this server listen"
    ) in " ".join(result.output.split())
