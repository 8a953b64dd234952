"""Inbound endpoints imported from Synapse take messages where MI took them: an HTTP inbound endpoint's
port runs its sequence for every request, a file inbound endpoint's folder feeds its sequence (the file
moved away after it), and so does a RabbitMQ inbound endpoint's queue."""

from __future__ import annotations

import json
from pathlib import Path

import aio_pika
import aiohttp
import pytest

from interlace.importers.synapse import ProjectTree
from tests.addresses import RABBITMQ
from tests.importers.synapse.serving import json_sink, serve_case
from tests.support import eventually, unique, unused_port, wait_for_port, within


async def test_an_http_inbound_endpoint_serves_its_sequence_on_its_port(tmp_path: Path) -> None:
    port = unused_port()

    def on_free_port(tree: ProjectTree) -> None:
        tree.documents["inbound/QuoteListener.yaml"].data["http"]["port"] = port
        tree.documents["inbound/QuoteFiles.yaml"].data["trigger"]["file.poll"]["init"]["root"] = str(tmp_path)

    async with serve_case("inbound-http", tmp_path, edit=on_free_port):
        await wait_for_port(port)
        async with (
            aiohttp.ClientSession() as client,
            client.post(f"http://127.0.0.1:{port}/any/path", json={"symbol": "ACME"}) as answer,
        ):
            assert answer.status == 200
            assert await answer.json() == {"symbol": "ACME", "price": 42}


async def test_a_file_inbound_endpoint_feeds_its_sequence_and_moves_the_file(tmp_path: Path) -> None:
    inbox = tmp_path / "in"
    inbox.mkdir()
    (inbox / "other.json").write_text("{}")

    def in_tmp(tree: ProjectTree) -> None:
        tree.documents["inbound/QuoteListener.yaml"].data["http"]["port"] = unused_port()
        tree.documents["inbound/QuoteFiles.yaml"].data["trigger"]["file.poll"]["init"]["root"] = str(tmp_path)

    async with (
        json_sink("/quotes") as (backend, received),
        serve_case("inbound-http", tmp_path, {"url_quotes_example_com_9000": backend}, in_tmp),
    ):
        (inbox / "quote-1.json").write_text(json.dumps({"symbol": "ACME", "price": 7}))
        assert await within(received.get()) == {"symbol": "ACME", "price": 7}
        await eventually(lambda: (inbox / "done" / "quote-1.json").is_file())
    assert (inbox / "other.json").is_file()


@pytest.mark.needs("rabbitmq")
async def test_a_rabbitmq_inbound_endpoint_feeds_its_sequence(tmp_path: Path) -> None:
    queue = unique("shipments")

    def on_test_broker(tree: ProjectTree) -> None:
        broker = tree.documents["connections/ShipmentQueue-broker.yaml"].data
        broker.update(host=RABBITMQ.host, port=RABBITMQ.port, username=RABBITMQ.username)
        broker["password"] = RABBITMQ.password
        consume = tree.documents["inbound/ShipmentQueue.yaml"].data["trigger"]["rabbitmq.consume"]
        consume.update(queue=queue, durable=False)

    async with (
        json_sink("/shipments") as (backend, received),
        serve_case("inbound-rabbitmq", tmp_path, {"url_tracking_example_com_9000": backend}, on_test_broker),
        await aio_pika.connect_robust(RABBITMQ.url) as connection,
    ):
        channel = await connection.channel()

        async def declared() -> bool:
            try:
                await channel.declare_queue(queue, passive=True)
            except aio_pika.exceptions.ChannelClosed:
                return False
            return True

        await eventually(declared)
        message = aio_pika.Message(b'{"parcel": "P-7"}', content_type="application/json")
        await channel.default_exchange.publish(message, routing_key=queue)
        assert await within(received.get()) == {"parcel": "P-7"}
