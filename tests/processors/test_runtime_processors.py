"""Stores and processors declared in a project, run by the Runtime behind its HTTP server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import orjson
import pytest

from interlace.http.server import HttpServer
from interlace.processors import UnknownStoreError
from interlace.runtime import Runtime
from interlace.services import UnknownServiceError
from interlace.stores import StoredMessage
from tests.support import eventually, write_project

from .receiver import Receiver

FILES = {
    "stores/orders.yaml": "store: Orders\nmemory: {}\n",
    "stores/orders-failover.yaml": "store: OrdersFailover\nmemory: {}\n",
    "stores/dead.yaml": "store: DeadOrders\nmemory: {}\n",
    "endpoints/receiver.yaml": """
        endpoint: ReceiverEP
        http: {url: "${configs.receiver}", method: POST, retry: {max-attempts: 1, on-status: [500, 503]}}
        """,
    "apis/orders.yaml": """
        api: OrdersAPI
        context: /orders
        resources:
          - methods: [POST]
            uri-template: /
            flow:
              - store: {name: Orders, failover-store: OrdersFailover}
              - respond: {status: 202, json: {stored: "${props.storedMessageId}"}}
        """,
    "sequences/deliver.yaml": """
        sequence: Deliver
        flow:
          - variable: {name: number, value: "${payload.n}"}
          - call: {endpoint: ReceiverEP, response-variable: answer}
        """,
    "processors/forward.yaml": """
        processor: OrderForwarder
        forwarding:
          store: Orders
          sequence: Deliver
          interval: 20ms
          backoff: 10ms
          max-backoff: 20ms
          max-attempts: 2
          on-exhausted: {action: dead-letter, store: DeadOrders}
        """,
    "processors/failback.yaml": """
        processor: Failback
        forwarding: {store: OrdersFailover, to-store: Orders, interval: 20ms, backoff: 10ms}
        """,
}


@asynccontextmanager
async def running(root: Path) -> AsyncIterator[tuple[Runtime, aiohttp.ClientSession]]:
    runtime = Runtime(root, env={})
    async with (
        runtime,
        HttpServer(runtime, "127.0.0.1", 0, 1 << 20) as server,
        aiohttp.ClientSession(f"http://127.0.0.1:{server.port}") as client,
    ):
        yield runtime, client


async def post(client: aiohttp.ClientSession, body: object) -> dict[str, object]:
    async with client.post("/orders/", json=body) as response:
        assert response.status == 202, await response.text()
        answer: dict[str, object] = await response.json()
        return answer


@pytest.fixture
def project(tmp_path: Path, receiver: Receiver) -> Path:
    return write_project(tmp_path / "project", FILES, configs={"receiver": receiver.url})


async def test_a_stored_request_is_answered_at_once_and_forwarded_through_a_sequence(
    project: Path, receiver: Receiver
) -> None:
    async with running(project) as (runtime, client):
        stored = await post(client, {"n": 1})
        assert await receiver.wait_for(1) == [{"n": 1}]
        assert receiver.received[0].headers["Idempotency-Key"] == stored["stored"]
        await eventually(lambda: runtime.services.state("processor", "OrderForwarder").delivered == 1)
        state = runtime.services.state("processor", "OrderForwarder")
        assert (state.kind, state.status, state.store, state.target_kind, state.target) == (
            "forwarding",
            "active",
            "Orders",
            "sequence",
            "Deliver",
        )


async def test_the_runtime_deactivates_and_activates_a_processor(project: Path, receiver: Receiver) -> None:
    async with running(project) as (runtime, client):
        assert (await runtime.services.deactivate("processor", "OrderForwarder")).status == "inactive"
        await post(client, {"n": 1})
        assert await runtime.message_store("Orders").size() == 1
        assert (await runtime.services.activate("processor", "OrderForwarder")).status == "active"
        assert await receiver.wait_for(1) == [{"n": 1}]
        with pytest.raises(
            UnknownServiceError, match=r"no processor named 'Nope' \(processors: Failback, OrderForwarder\)"
        ):
            await runtime.services.activate("processor", "Nope")


async def test_a_dead_letter_message_is_replayed_into_its_origin_with_an_edited_payload(
    project: Path, receiver: Receiver
) -> None:
    receiver.rule = lambda r: 500 if r.json == {"n": 1} else 200
    async with running(project) as (runtime, client):
        stored = await post(client, {"n": 1})
        dead_letters = runtime.message_store("DeadOrders")
        await eventually(lambda: runtime.services.state("processor", "OrderForwarder").dead_lettered == 1)
        [dead] = await dead_letters.browse()
        assert (dead.id, dead.attempts, dead.origin) == (stored["stored"], 2, "Orders")
        assert "ReceiverEP" in (dead.last_error or "")
        assert "answered 500" in (dead.last_error or "")

        replayed = await runtime.replay_message("DeadOrders", dead.id, payload=orjson.dumps({"n": 2}))
        assert (replayed.id, replayed.attempts, replayed.last_error) == (dead.id, 0, None)
        assert await receiver.wait_for(1) == [{"n": 2}]
        assert receiver.received[0].headers["Idempotency-Key"] == dead.id
        assert await dead_letters.size() == 0


async def test_redeploy_keeps_an_unchanged_store_and_its_messages(project: Path, receiver: Receiver) -> None:
    async with running(project) as (runtime, client):
        await runtime.services.deactivate("processor", "OrderForwarder")
        await post(client, {"n": 1})
        store = runtime.message_store("Orders")
        await runtime.redeploy()
        assert runtime.message_store("Orders") is store
        assert (
            runtime.services.state("processor", "OrderForwarder").status == "inactive"
        )  # the operator's choice stays
        assert await store.size() == 1
        await runtime.services.activate("processor", "OrderForwarder")
        assert await receiver.wait_for(1) == [{"n": 1}]


async def test_the_failover_store_takes_messages_while_the_primary_is_unreachable(
    project: Path, receiver: Receiver
) -> None:
    async with running(project) as (runtime, client):
        primary = runtime.message_store("Orders")
        await runtime.services.deactivate("processor", "Failback")
        await primary.aclose()  # unreachable: every call raises StoreError
        stored = await post(client, {"n": 1})
        [kept] = await runtime.message_store("OrdersFailover").browse()
        assert (kept.id, kept.origin) == (stored["stored"], "Orders")

        await primary.open()
        await runtime.services.activate("processor", "Failback")
        assert await receiver.wait_for(1) == [{"n": 1}]
        assert receiver.received[0].headers["Idempotency-Key"] == stored["stored"]


async def test_a_flow_fails_when_no_store_takes_the_message(project: Path) -> None:
    async with running(project) as (runtime, client):
        await runtime.message_store("Orders").aclose()
        await runtime.message_store("OrdersFailover").aclose()
        async with client.post("/orders/", json={"n": 1}) as response:
            assert response.status == 503
            error = await response.json()
        assert error["error"]["code"] == "STORE_ERROR"
        assert "OrdersFailover" in error["error"]["message"]
        assert "Orders before it" in error["error"]["message"]
        with pytest.raises(UnknownStoreError, match="stores: DeadOrders, Orders, OrdersFailover"):
            runtime.message_store("Nope")


async def test_a_restart_does_not_give_a_failing_stored_message_its_attempts_again(
    tmp_path: Path, receiver: Receiver
) -> None:
    receiver.rule = lambda _: 500
    files = {
        "stores/orders.yaml": "store: Orders\nsqlite: {path: data/orders.sqlite}\n",
        "stores/dead.yaml": "store: DeadOrders\nsqlite: {path: data/orders.sqlite}\n",
        "endpoints/receiver.yaml": FILES["endpoints/receiver.yaml"],
        "processors/forward.yaml": """
            processor: Forward
            forwarding:
              store: Orders
              endpoint: ReceiverEP
              interval: 20ms
              backoff: 1s
              max-attempts: 3
              on-exhausted: {action: dead-letter, store: DeadOrders}
            """,
    }
    root = write_project(tmp_path, files, configs={"receiver": receiver.url})
    async with Runtime(root, env={}) as runtime:
        await runtime.message_store("Orders").put(StoredMessage("poison", b"{}", "application/json"))
        await eventually(lambda: receiver.arrivals == 1)
    # kept with its store: handed back on the way down, one attempt counted
    async with Runtime(root, env={}) as runtime:
        dead = runtime.message_store("DeadOrders")

        async def dead_lettered() -> bool:
            return await dead.size() == 1

        await eventually(dead_lettered, what="the message moved to DeadOrders")
        [message] = await dead.browse()
    assert (message.id, message.attempts) == ("poison", 3)
    assert receiver.arrivals == 3  # one before the restart, two after
