"""The HTTP listener inbound endpoint: the named APIs answered on a port of their own, with the same
dispatching (and default answers) as the main port; other APIs are not served there."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp

from interlace.http.listener import dispatch_routes
from interlace.inbound import HttpListener
from interlace.runtime import Runtime
from tests.http.conftest import parse_answer, read_until_closed
from tests.inbound.projects import REGISTRY
from tests.support import eventually, within, write_project

FILES = {
    "apis/hello.yaml": """
        api: Hello
        context: /hello
        resources:
          - methods: [GET]
            uri-template: /{name}
            flow:
              - respond: {json: {hello: "${params.pathParams.name}"}}
        """,
    "apis/admin.yaml": """
        api: Admin
        context: /admin
        resources:
          - flow: [{respond: {json: {secret: true}}}]
        """,
    "inbound/side.yaml": """
        inbound: SidePort
        http: {port: 0, host: 127.0.0.1, apis: [Hello]}
        """,
}


async def test_the_listener_serves_its_apis_on_its_own_port(tmp_path: Path) -> None:
    root = write_project(tmp_path, FILES)
    async with Runtime(root, env={}, connectors=REGISTRY, http_dispatch=dispatch_routes) as runtime:
        listener = runtime.services.service("inbound", "SidePort")
        assert isinstance(listener, HttpListener)
        await listener.listening.wait()
        base = f"http://127.0.0.1:{listener.port}"
        async with aiohttp.ClientSession() as session:
            async with session.get(f"{base}/hello/ada") as response:
                assert (response.status, await response.json()) == (200, {"hello": "ada"})
            async with session.get(f"{base}/admin") as response:
                body = await response.json()
                assert response.status == 404 and body["error"]["code"] == "NOT_FOUND"
        state = runtime.services.state("inbound", "SidePort")
        assert (state.kind, state.status, state.received, state.processed) == ("http", "active", 2, 2)
        assert state.target == "Hello"
        await runtime.services.deactivate("inbound", "SidePort")
        async with aiohttp.ClientSession() as session:
            try:
                await session.get(f"{base}/hello/ada")
            except aiohttp.ClientConnectionError:
                pass
            else:
                raise AssertionError("the listener still answers after deactivation")


async def test_a_listener_without_the_http_transport_fails_visibly(tmp_path: Path) -> None:
    root = write_project(tmp_path, FILES)
    async with Runtime(root, env={}, connectors=REGISTRY) as runtime:
        await eventually(lambda: runtime.services.state("inbound", "SidePort").status != "inactive")
        state = runtime.services.state("inbound", "SidePort")
        assert state.status == "failed"
        assert state.last_error is not None and "http_dispatch" in state.last_error


def test_an_unknown_api_is_reported_with_a_hint(tmp_path: Path) -> None:
    from tests.inbound.test_tasks import problems

    files = {**FILES, "inbound/side.yaml": "inbound: SidePort\nhttp: {port: 0, apis: [Helo]}\n"}
    found = problems(write_project(tmp_path, files))
    assert found == ["inbound/side.yaml:2: unknown api 'Helo'\n    hint: did you mean 'Hello'?"]


async def test_the_listener_guards_its_port_with_the_servers_limits(tmp_path: Path) -> None:
    toml = 'header-timeout = "300ms"\nmax-connections = 2\n'
    root = write_project(tmp_path, FILES, toml)
    async with Runtime(root, env={}, connectors=REGISTRY, http_dispatch=dispatch_routes) as runtime:
        listener = runtime.services.service("inbound", "SidePort")
        assert isinstance(listener, HttpListener)
        await listener.listening.wait()

        # headers that stop coming are cut off at the server's header timeout (not the default 10 s)
        reader, writer = await asyncio.open_connection("127.0.0.1", listener.port)
        writer.write(b"GET /hello/ada HTTP/1.1\r\nHost: x\r\n")
        answer = parse_answer(await read_until_closed(reader, within=5))
        writer.close()
        assert (answer.status, answer.error()["code"]) == (408, "REQUEST_TIMEOUT")

        # beyond the server's connection limit, a connection is answered 503 and closed
        held = [await asyncio.open_connection("127.0.0.1", listener.port) for _ in range(2)]
        for held_reader, held_writer in held:  # answered, so both are open on the server's side
            held_writer.write(b"GET /hello/ada HTTP/1.1\r\nHost: x\r\n\r\n")
            assert (await within(held_reader.readuntil(b"\r\n\r\n"))).startswith(b"HTTP/1.1 200")
        reader, writer = await asyncio.open_connection("127.0.0.1", listener.port)
        writer.write(b"GET /hello/ada HTTP/1.1\r\nHost: x\r\n\r\n")
        answer = parse_answer(await read_until_closed(reader))
        writer.close()
        assert (answer.status, answer.error()["code"]) == (503, "SERVER_BUSY")
        for _, held_writer in held:
            held_writer.close()
