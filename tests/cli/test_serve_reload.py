"""`interlace run` reads the project again on SIGHUP: changed flows serve without a restart, and a broken
change is refused while the running deployment keeps serving."""

from __future__ import annotations

import asyncio
import signal
import socket
import sys
from pathlib import Path

import aiohttp

API = "api: Hello\ncontext: /hello\nresources:\n  - flow:\n      - respond: {{json: {{say: {word}}}}}\n"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def read_until(stream: asyncio.StreamReader, text: str) -> str:
    seen = ""
    async with asyncio.timeout(30):
        while text not in seen:
            line = (await stream.readline()).decode()
            assert line, "the server exited early:\n" + seen
            seen += line
    return seen


async def test_sighup_redeploys_the_project(tmp_path: Path) -> None:
    (tmp_path / "apis").mkdir()
    (tmp_path / "interlace.toml").write_text('[project]\nname = "reload"\n\n[management]\nenabled = false\n')
    api = tmp_path / "apis" / "hello.yaml"
    api.write_text(API.format(word="hello"))
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "interlace", "run", str(tmp_path), "--host", "127.0.0.1", "--port", str(port),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    assert process.stdout is not None
    url = f"http://127.0.0.1:{port}/hello"
    try:
        await read_until(process.stdout, "Hello: http://")
        async with aiohttp.ClientSession() as client:
            async with client.get(url) as r:
                assert await r.json() == {"say": "hello"}
            api.write_text(API.format(word="again"))
            process.send_signal(signal.SIGHUP)
            await read_until(process.stdout, "redeployed reload")
            async with client.get(url) as r:
                assert await r.json() == {"say": "again"}
            api.write_text("api: Hello\ncontext: /hello\nresources: []\n")
            process.send_signal(signal.SIGHUP)
            await read_until(process.stdout, "redeploy refused")
            async with client.get(url) as r:
                assert await r.json() == {"say": "again"}
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGINT)
        await asyncio.wait_for(process.wait(), 30)
