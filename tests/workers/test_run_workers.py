"""`interlace run --workers 2`: two processes serve the same port, the background services run once, a
deployment and the management API's switches reach both, the metrics are the server's, and SIGTERM
stops everything."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import signal
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from interlace.runtime.bundles import build_bundle
from tests.server_process import ServerProcess
from tests.support import (
    START,
    deadline,
    eventually,
    interlace_run,
    serving_app,
    unused_port,
    within,
    write_project,
)

PASSWORD = "workers-admin-password"
API = """
    api: Who
    context: /who
    resources:
      - methods: [GET]
        flow:
          - respond: {json: {worker: "${configs.worker}"}}
    """
CONFIGS = {"worker": "${env.INTERLACE_WORKER:-none}"}


@contextlib.asynccontextmanager
async def workers(root: Path, count: int = 2, *options: str) -> AsyncIterator[ServerProcess]:
    """``root`` served by ``count`` workers until they all serve; stopped with SIGTERM on leaving."""
    port, management_port = unused_port(), unused_port()
    env = {**os.environ, "INTERLACE_ADMIN_PASSWORD": PASSWORD}
    process = await interlace_run(
        root, "--workers", str(count), "--port", str(port), "--management-port", str(management_port),
        *options, env=env,
    )  # fmt: skip
    server = ServerProcess(process, port, management_port)
    server.reader = asyncio.create_task(server.read())
    try:
        await server.wait_for(f"serving with {count} workers", 2 * START)
        yield server
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            await within(process.wait(), START)
        await within(server.reader, START)


async def who(url: str) -> dict[str, Any]:
    """The worker answering one request on a new connection (the kernel picks a worker per connection)."""
    async with aiohttp.ClientSession() as client, client.get(f"{url}/who") as answer:
        assert answer.status == 200, await answer.text()
        body: dict[str, Any] = await answer.json()
    worker: dict[str, Any] = json.loads(body["worker"])
    return worker


async def seen_workers(url: str, count: int = 2) -> set[int]:
    """Send requests on new connections until ``count`` workers answered."""
    seen: set[int] = set()
    async with deadline(START):
        while len(seen) < count:
            seen.add((await who(url))["index"])
    return seen


def pids_of(output: str) -> list[int]:
    found = re.search(r"serving with \d+ workers on port \d+ \(pids ([\d, ]+)\)", output)
    assert found, output
    return [int(pid) for pid in found.group(1).split(", ")]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


async def test_two_workers_answer_requests_on_one_port(tmp_path: Path) -> None:
    root = write_project(tmp_path / "p", {"apis/who.yaml": API}, configs=CONFIGS)
    async with workers(root) as server:
        assert await seen_workers(server.url) == {0, 1}
        assert len(set(pids_of(server.output))) == 2


async def test_sigterm_stops_every_worker_and_the_parent(tmp_path: Path) -> None:
    root = write_project(tmp_path / "p", {"apis/who.yaml": API}, configs=CONFIGS)
    async with workers(root) as server:
        pids = pids_of(server.output)
        server.process.send_signal(signal.SIGTERM)
        assert await within(server.process.wait(), START) == 0
        assert not any(alive(pid) for pid in pids)
        assert "stopping 2 workers" in server.output


async def test_a_worker_that_dies_is_started_again(tmp_path: Path) -> None:
    root = write_project(tmp_path / "p", {"apis/who.yaml": API}, configs=CONFIGS)
    async with workers(root) as server:
        os.kill(pids_of(server.output)[1], signal.SIGKILL)
        await server.wait_for("worker 1 (pid")
        await seen_workers(server.url)  # served again by two workers
        assert "starting it again" in server.output


async def test_a_taken_port_stops_the_server_with_an_error(tmp_path: Path) -> None:
    root = write_project(tmp_path / "p", {"apis/who.yaml": API}, configs=CONFIGS)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = await interlace_run(
            root, "--workers", "2", "--port", str(port), "--management-port", str(unused_port())
        )
        output = (await within(process.communicate(), START))[0].decode()
    assert process.returncode != 0
    assert f"port {port} on 127.0.0.1 is in use" in output, output
    assert "cannot start: worker 0 exited" in output


async def test_several_workers_refuse_a_memory_store(tmp_path: Path) -> None:
    files = {"apis/who.yaml": API, "stores/orders.yaml": "store: Orders\nmemory: {}\n"}
    root = write_project(tmp_path / "p", files, configs=CONFIGS)
    process = await interlace_run(
        root, "--workers", "2", "--port", str(unused_port()), "--management-port", str(unused_port())
    )
    output = (await within(process.communicate(), START))[0].decode()
    assert process.returncode != 0
    assert "2 workers cannot share the memory store(s) Orders of test" in output, output


STORE_FILES = {
    "apis/who.yaml": API,
    "apis/orders.yaml": """
        api: Orders
        context: /orders
        resources:
          - methods: [POST]
            flow:
              - store: Orders
              - respond: {status: 202, json: {stored: true}}
        """,
    "stores/orders.yaml": "store: Orders\nsqlite: {path: data/stores.sqlite}\n",
    "endpoints/receiver.yaml": "endpoint: ReceiverEP\nhttp: {url: '${configs.receiver}', method: POST}\n",
    "processors/forward.yaml": """
        processor: OrderForwarder
        forwarding: {store: Orders, endpoint: ReceiverEP, interval: 20ms, backoff: 20ms}
        """,
}


async def test_a_processor_forwards_each_message_once_with_two_workers(tmp_path: Path) -> None:
    received: list[int] = []

    async def receive(request: web.Request) -> web.Response:
        received.append((await request.json())["n"])
        return web.json_response({})

    app = web.Application()
    app.router.add_post("/", receive)
    count = 40
    async with serving_app(app) as receiver:
        configs = {**CONFIGS, "receiver": receiver + "/"}
        root = write_project(tmp_path / "p", STORE_FILES, configs=configs)
        fresh = aiohttp.TCPConnector(force_close=True)  # a new connection each: both workers store
        async with workers(root) as server, aiohttp.ClientSession(connector=fresh) as client:
            for number in range(count):
                async with client.post(f"{server.url}/orders", json={"n": number}) as answer:
                    assert answer.status == 202
            headers = await server.token(client, PASSWORD)

            async def settled() -> bool:
                async with client.get(f"{server.management}/stores/Orders", headers=headers) as answer:
                    return len(received) >= count and (await answer.json())["size"] == 0

            await eventually(settled, within=START)
    assert sorted(received) == list(range(count))  # each once


LATE = """
    api: Late
    context: /late
    resources:
      - methods: [GET]
        flow:
          - call: {endpoint: Peer}
          - respond: {json: {worker: "${configs.worker}"}}
        on-error:
          - respond: {status: 503, json: {worker: "${configs.worker}", code: "${error.code}"}}
    """


async def answers_of(url: str) -> tuple[int, str]:
    """The worker answering ``url`` on a new connection and the error code it answered."""
    async with aiohttp.ClientSession() as client, client.get(url) as answer:
        body = await answer.json()
    assert answer.status == 503, body  # never 404: the deployment is served by every worker
    return json.loads(body["worker"])["index"], body["code"]


async def test_a_deployed_bundle_and_an_endpoint_switch_reach_every_worker(tmp_path: Path) -> None:
    root = write_project(tmp_path / "p", {"apis/who.yaml": API}, configs=CONFIGS)
    files = {
        "apis/late.yaml": LATE,
        "endpoints/peer.yaml": "endpoint: Peer\nhttp: {url: '${configs.peer}'}\n",
    }
    extra = write_project(
        tmp_path / "extra",
        files,
        name="extra",
        configs={**CONFIGS, "peer": f"http://127.0.0.1:{unused_port()}/"},
    )
    bundle = build_bundle(extra, tmp_path / "dist").read_bytes()
    async with workers(root) as server, aiohttp.ClientSession() as client:
        headers = await server.token(client, PASSWORD)
        form = aiohttp.FormData()
        form.add_field("bundle", bundle, filename="extra.zip", content_type="application/zip")
        async with client.post(f"{server.management}/deployments", data=form, headers=headers) as answer:
            assert answer.status == 201, await answer.text()
        async with client.post(f"{server.management}/endpoints/Peer/deactivate", headers=headers) as answer:
            assert answer.status == 200, await answer.text()
        codes: dict[int, set[str]] = {0: set(), 1: set()}

        async def both_answered() -> bool:
            worker, code = await answers_of(f"{server.url}/late")
            codes[worker].add(code)
            return all(codes.values())

        await eventually(both_answered, within=START)
    assert codes == {0: {"ENDPOINT_SUSPENDED"}, 1: {"ENDPOINT_SUSPENDED"}}


async def test_metrics_count_the_requests_of_every_worker(tmp_path: Path) -> None:
    root = write_project(tmp_path / "p", {"apis/who.yaml": API}, configs=CONFIGS)
    async with workers(root) as server:
        answered = [(await who(server.url))["index"] for _ in range(30)]
        metrics = f"http://127.0.0.1:{server.management_port}/metrics"
        async with aiohttp.ClientSession() as client:
            async with client.get(metrics) as answer:
                text = await answer.text()
            headers = await server.token(client, PASSWORD)
            async with client.get(f"{server.management}/server", headers=headers) as answer:
                assert (await answer.json())["workers"] == 2
    assert set(answered) == {0, 1}
    counted = re.findall(
        r'^interlace_api_requests_total\{[^}]*api="Who",method="GET"[^}]*status_class="2xx"[^}]*\} (\S+)$',
        text,
        re.M,
    )
    assert [float(value) for value in counted] == [30.0], text
    assert re.search(r"^interlace_workers 2\.0$", text, re.M), text
