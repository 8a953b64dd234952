"""`interlace run` serves the management API next to the HTTP APIs, as the project's table says."""

from __future__ import annotations

import asyncio
import contextlib
import re
from pathlib import Path

import aiohttp

from interlace.cli.serve import serve
from tests.management.conftest import PROJECT, write_project

TOML = '[project]\nname = "shop"\nversion = "2.0.0"\n\n[management]\nport = 0\n'


async def wait_for(lines: list[str], pattern: str) -> re.Match[str]:
    async with asyncio.timeout(10):
        while True:
            for line in lines:
                if (match := re.search(pattern, line)) is not None:
                    return match
            await asyncio.sleep(0.01)


async def test_run_starts_the_management_api_and_shows_its_address_and_first_password(tmp_path: Path) -> None:
    files = {name: text for name, text in PROJECT.items() if not name.startswith("connections/")}
    root = write_project(tmp_path / "shop", {**files, "interlace.toml": TOML})
    lines: list[str] = []
    stop = asyncio.Event()
    running = asyncio.create_task(serve(root, None, "127.0.0.1", 0, lines.append, stop))
    try:
        url = (await wait_for(lines, r"management API: (http://\S+)/management$")).group(1)
        password = (await wait_for(lines, r"created user admin with password (\S+) ")).group(1)
        api_port = (await wait_for(lines, r"OrdersAPI: http://127\.0\.0\.1:(\d+)/orders")).group(1)
        async with aiohttp.ClientSession(url) as session:
            async with session.post(
                "/management/login", json={"user": "admin", "password": password}
            ) as login:
                token = (await login.json())["token"]
            async with session.get("/management/apis", headers={"Authorization": f"Bearer {token}"}) as apis:
                [api] = (await apis.json())["items"]
        assert api["url"] == f"http://127.0.0.1:{api_port}/orders"
    finally:
        stop.set()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(running, 10)
    assert running.exception() is None
