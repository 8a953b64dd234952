"""Inbound endpoints on each message source of this machine (RabbitMQ, Redis streams, NATS JetStream,
Mosquitto, Kafka through Tansu, SQS through moto), through a real runtime whose flow reports each
message it processed to a receiver: N messages in are N flow runs, each message once; a flow that fails
once and then succeeds loses nothing; a runtime killed while flows are in flight acknowledged none of
them, so the next runtime on the project processes every message; a message whose flow always fails is
tried a bounded number of times and then kept in the dead-letter store, body, headers and reason."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import orjson
import pytest

from interlace.management.metrics import RuntimeFigures
from interlace.runtime import Runtime
from interlace.sdk import DEAD_LETTER_REASON, ConnectorRegistry
from tests.inbound.sources import (
    SOURCES,
    Receiver,
    Source,
    kafka_source,
    mqtt_source,
    nats_source,
    rabbitmq_source,
    receiving,
    redis_source,
    sqs_source,
)
from tests.support import START, eventually, write_project

REPOSITORY = Path(__file__).resolve().parents[2]
REGISTRY = ConnectorRegistry()


@pytest.fixture(params=SOURCES)
async def source(request: pytest.FixtureRequest) -> AsyncIterator[Source]:
    name: str = request.param
    if name == "kafka":
        opened = kafka_source(request.getfixturevalue("kafka_bootstrap"))
    elif name == "sqs":
        opened = sqs_source(request.getfixturevalue("sqs_endpoint"))
    else:
        opened = {
            "rabbitmq": rabbitmq_source,
            "redis": redis_source,
            "nats": nats_source,
            "mqtt": mqtt_source,
        }[name]()
    async with opened as made:
        yield made


def project(root: Path, source: Source, receiver_url: str, settings: str = "") -> Path:
    """A project whose inbound endpoint reads ``source`` into a sequence that calls the receiver once per
    message; a 500 answer fails the call, so the flow fails and the message is handed back."""
    return write_project(
        root,
        {
            "connections/source.yaml": source.connection_file(),
            "endpoints/receiver.yaml": f"""
                endpoint: Receiver
                http:
                  method: POST
                  url: "{receiver_url}/seen/${{payload.id}}"
                  headers: {{X-Node: "${{env.NODE}}"}}
                  timeout: 2m
                  retry: {{max-attempts: 1, on-status: [500]}}
                """,
            "sequences/record.yaml": """
                sequence: Record
                flow:
                  - call: Receiver
                """,
            "inbound/source.yaml": f"""
                inbound: Source
                trigger: {source.trigger_yaml()}
                sequence: Record
                max-in-flight: 8
                """
            + settings,
        },
    )


def ids(count: int) -> list[str]:
    return [f"m{n:03d}" for n in range(count)]


async def test_each_message_runs_the_flow_once(source: Source, tmp_path: Path) -> None:
    receiver = Receiver()
    expected = ids(20)
    async with receiving(receiver) as url:
        root = project(tmp_path, source, url)
        await source.publish(REGISTRY, expected[:10])  # waiting before the runtime starts
        async with Runtime(root, env={"NODE": "one"}, connectors=REGISTRY) as runtime:
            await source.publish(REGISTRY, expected[10:])
            await receiver.until(
                lambda: set(receiver.processed()) == set(expected), 30, "every message processed"
            )
            await eventually(lambda: runtime.services.state("inbound", "Source").processed == 20)
            state = runtime.services.state("inbound", "Source")
            assert (state.status, state.received, state.failed) == ("active", 20, 0), state
            # Sources that know their backlog say it; after the last message none is left.
            reports_lag = source.connector != "mqtt"
            assert state.lag == (0 if reports_lag else None), state
            lag = {
                sample.labels["inbound"]: sample.value
                for family in RuntimeFigures(runtime).collect()
                if family.name == "interlace_inbound_lag"
                for sample in family.samples
            }
            assert lag == ({"Source": 0} if reports_lag else {})
    assert Counter(receiver.processed()) == Counter(expected)


async def test_a_flow_failing_once_then_succeeding_loses_nothing(source: Source, tmp_path: Path) -> None:
    receiver = Receiver(fail_first=True)
    expected = ids(10)
    async with receiving(receiver) as url:
        root = project(tmp_path, source, url)
        async with Runtime(root, env={"NODE": "one"}, connectors=REGISTRY) as runtime:
            await source.publish(REGISTRY, expected)
            await receiver.until(
                lambda: set(receiver.processed()) == set(expected), 30, "every message processed"
            )
            state = runtime.services.state("inbound", "Source")
            assert state.failed >= 10, state
            assert state.last_error is not None and "500" in state.last_error, state.last_error
    assert all(receiver.attempts[id_] >= 2 for id_ in expected), receiver.attempts


async def test_a_runtime_killed_mid_flight_acknowledged_nothing_it_had_not_processed(
    source: Source, tmp_path: Path
) -> None:
    receiver = Receiver(hold_node="first", answer_before_holding=3)
    expected = ids(12)
    async with receiving(receiver) as url:
        root = project(tmp_path, source, url)
        await source.publish(REGISTRY, expected)
        with (tmp_path / "first.log").open("wb") as log:
            first = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "tests.inbound.node",
                str(root),
                "first",
                cwd=REPOSITORY,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=log,
                env={
                    **os.environ,
                    "PYTHONPATH": os.pathsep.join(
                        [str(REPOSITORY / "src"), str(REPOSITORY), os.environ.get("PYTHONPATH", "")]
                    ),
                },
            )
        try:
            await receiver.until(
                lambda: len(receiver.held) >= 2, START, "flows in flight in the first runtime"
            )
        finally:
            with contextlib.suppress(ProcessLookupError):
                first.send_signal(signal.SIGKILL)
            await first.wait()
        in_flight = set(receiver.held) - set(receiver.processed("first"))
        assert len(receiver.processed("first")) == 3 and in_flight, receiver.seen()
        receiver.release.set()
        async with Runtime(root, env={"NODE": "second"}, connectors=REGISTRY):
            await receiver.until(
                lambda: set(receiver.processed()) == set(expected), 30, "every message processed"
            )
    assert in_flight <= set(receiver.processed("second"))


async def test_a_message_whose_flow_always_fails_is_tried_a_bounded_number_of_times_then_dead_lettered(
    source: Source, tmp_path: Path
) -> None:
    receiver = Receiver(failing={"poison"})
    settings = "redelivery: {max-attempts: 3, backoff: 20ms, max-backoff: 50ms}\n"
    async with receiving(receiver) as url:
        root = project(tmp_path, source, url, settings)
        async with Runtime(root, env={"NODE": "one"}, connectors=REGISTRY) as runtime:
            await source.publish(REGISTRY, ["poison"])
            dead_letters = runtime.message_store("test.dead-letters")

            async def dead_lettered() -> bool:
                return await dead_letters.size() > 0

            await eventually(dead_lettered, 30, what="the poison message dead-lettered")
            # A message published after it is processed: the poison message is not being tried again.
            await source.publish(REGISTRY, ["after"])
            await receiver.until(lambda: "after" in receiver.processed(), 30, "the next message processed")
            # The counts follow the settlements, which may still be under way.
            await eventually(
                lambda: runtime.services.state("inbound", "Source").dead_lettered == 1,
                what="the poison message counted as dead-lettered",
            )
            state = runtime.services.state("inbound", "Source")
            [dead] = await dead_letters.browse()
    assert receiver.attempts["poison"] == 3
    assert (state.dead_lettered, state.status) == (1, "active"), state
    assert orjson.loads(dead.payload) == {"id": "poison"}
    assert (dead.attempts, dead.origin) == (3, "inbound Source")
    reason = dict(dead.headers)[DEAD_LETTER_REASON]
    assert "failed 3 of 3 attempts" in reason and "500" in reason, reason
