"""``interlace run --watch``: a saved change is served without a restart and without a failed request;
a broken change is refused with its problems at their lines while the last good version keeps serving."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp

from interlace.cli.watch import _deploys
from tests.cli.test_serve_reload import API, reload_project, served
from tests.support import START, eventually


async def _ask(client: aiohttp.ClientSession, url: str) -> object:
    async with client.get(url) as answer:
        assert answer.status == 200, await answer.text()
        return (await answer.json())["say"]


async def test_a_saved_change_is_served_and_no_request_fails_meanwhile(tmp_path: Path) -> None:
    _, api = reload_project(tmp_path)
    async with served(tmp_path, "--watch") as running, aiohttp.ClientSession() as client:
        await running.read_until("watching")
        seen: list[object] = []
        done = asyncio.Event()

        async def keep_asking() -> None:
            while not done.is_set():
                seen.append(await _ask(client, running.url))  # a failed request fails the test

        asker = asyncio.ensure_future(keep_asking())
        try:
            await eventually(lambda: bool(seen), START, what="a first answer")
            api.write_text(API.format(word="again"))
            await running.read_until("redeployed reload")
            await eventually(lambda: seen[-1] == "again", START, what="the changed flow answering")
        finally:
            done.set()
            await asker
        assert seen[0] == "hello" and seen[-1] == "again"
        assert set(seen) == {"hello", "again"}
        assert "changed: apis/hello.yaml; redeploying" in running.output


async def test_a_broken_change_prints_its_problems_and_the_last_good_version_keeps_serving(
    tmp_path: Path,
) -> None:
    _, api = reload_project(tmp_path)
    async with served(tmp_path, "--watch") as running, aiohttp.ClientSession() as client:
        await running.read_until("watching")
        api.write_text(API.format(word="hello").replace("respond", "repsond"))
        await running.read_until("redeploy of reload refused")
        await running.read_until("apis/hello.yaml:5: unknown mediator 'repsond'")
        assert await _ask(client, running.url) == "hello"
        api.write_text(API.format(word="fixed"))
        await running.read_until("redeployed reload")
        assert await _ask(client, running.url) == "fixed"


def test_the_runtime_state_tests_and_editor_files_do_not_redeploy(tmp_path: Path) -> None:
    root = tmp_path.resolve()
    assert _deploys(root, str(root / "apis" / "hello.yaml"))
    assert _deploys(root, str(root / "interlace.toml"))
    assert _deploys(root, str(root / "xslt" / "to-soap.xsl"))
    for quiet in (".interlace/checkpoints/x.json", "tests/a.yaml", ".git/index", "apis/hello.yaml~",
                  "apis/.hello.yaml.swp", "apis/.#hello.yaml", ".vscode/settings.json"):  # fmt: skip
        assert not _deploys(root, str(root / quiet)), quiet
    assert not _deploys(root, "/elsewhere/apis/a.yaml")
