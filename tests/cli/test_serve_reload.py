"""`interlace run` reads the project again on SIGHUP: changed flows serve without a restart, and a broken
change is refused while the running deployment keeps serving."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from tests.support import START, deadline, interlace_run, unused_port, within, write_project

API = "api: Hello\ncontext: /hello\nresources:\n  - flow:\n      - respond: {{json: {{say: {word}}}}}\n"


async def read_until(stream: asyncio.StreamReader, text: str) -> str:
    seen = ""
    async with deadline(START):
        while text not in seen:
            line = (await stream.readline()).decode()
            assert line, "the server exited early:\n" + seen
            seen += line
    return seen


@dataclass
class Served:
    """`interlace run` of a project in its own process: its output so far and its API's URL."""

    process: asyncio.subprocess.Process
    url: str
    output: str = ""

    async def read_until(self, text: str) -> None:
        assert self.process.stdout is not None
        self.output += await read_until(self.process.stdout, text)


@asynccontextmanager
async def served(root: Path, *options: str) -> AsyncIterator[Served]:
    """The project at ``root`` (serving /hello) run with ``options`` until its APIs are announced; stopped
    with SIGINT."""
    port = unused_port()
    process = await interlace_run(root, "--port", str(port), *options)
    running = Served(process, f"http://127.0.0.1:{port}/hello")
    try:
        await running.read_until("Hello: http://")
        yield running
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGINT)
        assert process.stdout is not None
        running.output += (await within(process.stdout.read(), START)).decode()
        await within(process.wait(), START)


def reload_project(root: Path) -> tuple[Path, Path]:
    """A project with one API saying hello: its interlace.toml and the API's file."""
    (root / "apis").mkdir()
    toml = root / "interlace.toml"
    toml.write_text('[project]\nname = "reload"\n\n[management]\nenabled = false\n')
    api = root / "apis" / "hello.yaml"
    api.write_text(API.format(word="hello"))
    return toml, api


async def test_sighup_redeploys_the_project(tmp_path: Path) -> None:
    _, api = reload_project(tmp_path)
    async with served(tmp_path) as running, aiohttp.ClientSession() as client:
        async with client.get(running.url) as r:
            assert await r.json() == {"say": "hello"}
        api.write_text(API.format(word="again"))
        running.process.send_signal(signal.SIGHUP)
        await running.read_until("redeployed reload")
        async with client.get(running.url) as r:
            assert await r.json() == {"say": "again"}
        api.write_text("api: Hello\ncontext: /hello\nresources: []\n")
        running.process.send_signal(signal.SIGHUP)
        await running.read_until("redeploy of reload refused")
        async with client.get(running.url) as r:
            assert await r.json() == {"say": "again"}


async def test_sighup_reloads_every_project_through_the_deployment_lock(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from interlace.cli import app
    from interlace.runtime.bundles import build_bundle

    management = unused_port()
    root = write_project(
        tmp_path / "home",
        {
            "interlace.toml": f'[project]\nname = "reload"\n\n[management]\nport = {management}\n',
            "apis/hello.yaml": API.format(word="hello"),
        },
    )
    other = write_project(
        tmp_path / "other",
        {
            "interlace.toml": '[project]\nname = "other"\nversion = "0.4.0"\n',
            "apis/other.yaml": API.format(word="other").replace("Hello", "Other").replace("/hello", "/other"),
        },
    )
    bundle = build_bundle(other, tmp_path / "dist")
    port = unused_port()
    env = {**os.environ, "INTERLACE_ADMIN_PASSWORD": "a-long-enough-admin-password"}
    process = await interlace_run(root, "--port", str(port), env=env)
    assert process.stdout is not None
    base = f"http://127.0.0.1:{management}"
    try:
        await read_until(process.stdout, "management API: http://")
        async with aiohttp.ClientSession() as client:
            login = {"user": "admin", "password": "a-long-enough-admin-password"}
            async with client.post(f"{base}/management/login", json=login) as r:
                token = (await r.json())["token"]
            deployed = await asyncio.to_thread(
                CliRunner().invoke, app, ["deploy", str(bundle), "--url", base, "--token", token]
            )
            assert deployed.exit_code == 0, deployed.output
            process.send_signal(signal.SIGHUP)
            seen = ""
            for expected in ("redeployed reload 0.1.0", "redeployed other 0.4.0"):
                if expected not in seen:
                    seen += await read_until(process.stdout, expected)
            for path, word in (("/hello", "hello"), ("/other", "other")):
                async with client.get(f"http://127.0.0.1:{port}{path}") as r:
                    assert await r.json() == {"say": word}
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGINT)
        await within(process.wait(), START)


async def test_sighup_with_hostile_files_reports_their_problems_and_keeps_serving(tmp_path: Path) -> None:
    toml, api = reload_project(tmp_path)
    hostile = [
        (
            api,
            b"api: Hello\ncontext: /hello\nresources: \x00\n",
            "apis/hello.yaml:3: invalid YAML: the character NUL",
        ),
        (
            api,
            b"api: Hello\nresources: " + b"[" * 2000 + b"]" * 2000,
            "apis/hello.yaml:2: mappings and lists nest",
        ),
        (api, b"api: Hello\ncontext: !!set {a}\n", "apis/hello.yaml:2: the YAML tag !!set is not supported"),
        (
            toml,
            b'[project]\nname = "re\xffload"\n',
            "interlace.toml:2: the file must be UTF-8 text: byte 0xff",
        ),
    ]
    async with served(tmp_path) as running, aiohttp.ClientSession() as client:
        for path, content, problem in hostile:
            good = path.read_bytes()
            path.write_bytes(content)
            running.process.send_signal(signal.SIGHUP)
            await running.read_until(problem)
            async with client.get(running.url) as r:
                assert await r.json() == {"say": "hello"}
            path.write_bytes(good)
        api.write_text(API.format(word="again"))
        running.process.send_signal(signal.SIGHUP)
        await running.read_until("redeployed reload")
        async with client.get(running.url) as r:
            assert await r.json() == {"say": "again"}
    assert running.output.count("redeploy of reload refused; its running version keeps serving") == len(
        hostile
    )
    assert "Traceback" not in running.output
    assert "Task exception was never retrieved" not in running.output
