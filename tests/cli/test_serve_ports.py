"""`interlace run` takes its ports before it starts anything: with a port busy, it says which one and how
to choose another, and no task ran, no consumer started, no admin password was made."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from aiohttp import web

from tests.support import interlace_run, unused_port, within, write_project


def busy_project(root: Path, backend: int, management: int, listener: int) -> Path:
    return write_project(
        root,
        {
            "interlace.toml": f'[project]\nname = "busy"\n\n[management]\nport = {management}\n',
            "endpoints/backend.yaml": f"endpoint: Backend\nhttp: {{url: 'http://127.0.0.1:{backend}/hit'}}\n",
            "sequences/ping.yaml": "sequence: Ping\nflow:\n  - call: {endpoint: Backend}\n",
            "tasks/ping.yaml": "task: PingAtStart\nonce: true\nsequence: Ping\n",
            "inbound/files.yaml": "inbound: Inbox\nfile: {folder: inbox, min-age: 0s, poll: 10ms}\nsequence: Ping\n",
            "inbound/side.yaml": f"inbound: Side\nhttp: {{port: {listener}, apis: [PingAPI]}}\n",
            "apis/ping.yaml": "api: PingAPI\ncontext: /ping\nresources:\n  - flow:\n      - respond: {json: {}}\n",
            "inbox/order.json": "{}",
        },
    )


async def run_until_exit(root: Path, *args: str) -> tuple[int, str]:
    process = await interlace_run(root, *args)
    try:
        output, _ = await within(process.communicate(), 60)
    finally:
        if process.returncode is None:
            process.kill()
    assert process.returncode is not None
    return process.returncode, output.decode()


@pytest.mark.parametrize("taken", ["api", "management", "listener"])
async def test_a_busy_port_stops_the_server_before_anything_started(tmp_path: Path, taken: str) -> None:
    hits: list[str] = []

    async def hit(request: web.Request) -> web.Response:
        hits.append(request.path)
        return web.json_response({})

    backend = web.Application()
    backend.router.add_route("*", "/hit", hit)
    runner = web.AppRunner(backend)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    backend_port = runner.addresses[0][1]
    ports = {"api": unused_port(), "management": unused_port(), "listener": unused_port()}
    root = busy_project(tmp_path / "busy", backend_port, ports["management"], ports["listener"])
    with socket.socket() as occupant:
        occupant.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        occupant.bind(("127.0.0.1", ports[taken]))
        occupant.listen()
        try:
            code, output = await run_until_exit(root, "--port", str(ports["api"]))
        finally:
            await runner.cleanup()
    text = " ".join(output.split())
    assert code == 1, output
    host = "0.0.0.0" if taken == "listener" else "127.0.0.1"  # a listener's host is the [server] one
    assert f"port {ports[taken]} on {host} is in use" in text
    assert "nothing was started" in text
    expected = {
        "api": "--port, INTERLACE_HTTP_PORT, or port in the [server] table of interlace.toml",
        "management": "--management-port, INTERLACE_MANAGEMENT_PORT, or port in the [management] table",
        "listener": "port of its http table (inbound/side.yaml:2)",
    }
    assert expected[taken] in text
    assert hits == []  # the task never ran, the file consumer never took the file
    assert (root / "inbox" / "order.json").is_file()
    assert not (root / ".interlace" / "users.json").exists()
    assert "created user admin" not in output
    assert "task PingAtStart runs" not in output
    assert "inbound endpoint Inbox" not in output
