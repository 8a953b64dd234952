"""Inbound endpoints on connector triggers: every event runs the flow once and is acknowledged only after
it; failed flows hand the event back and it comes again; at most max-in-flight events are processed at
once; stopping hands back what is in flight; parameters are checked at load time at their lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from interlace.runtime import Runtime
from interlace.sdk import DEAD_LETTER_REASON
from tests.inbound.projects import REGISTRY, gate_of, problems
from tests.support import eventually, write_project

GATE = "connection: gate\nconnector: gate\n"


def endpoint(extra: str = "", flow_failures: int = 0) -> dict[str, str]:
    return {
        "connections/gate.yaml": GATE,
        "sequences/through.yaml": f"""
            sequence: Through
            flow:
              - gate.pass: {{connection: gate, key: "${{headers['X-Key']}}", failures: {flow_failures}}}
            """,
        "inbound/orders.yaml": f"""
            inbound: Orders
            trigger:
              gate.messages: {{connection: gate, tag: orders}}
            sequence: Through
            {extra}
            """,
    }


async def test_each_event_runs_the_flow_once_and_is_acknowledged_after_it(tmp_path: Path) -> None:
    root = write_project(tmp_path, endpoint())
    async with Runtime(root, env={}, connectors=REGISTRY) as runtime:
        gate = await gate_of(runtime)
        gate.open_gate.clear()
        gate.send(*[(f"k{i}", {"n": i}) for i in range(20)])
        await gate.until(lambda: gate.inside == 16)
        assert [note for note in gate.settled if note.startswith("ack")] == []
        gate.open_gate.set()
        await gate.until(lambda: len(gate.settled) == 20)
        assert sorted(gate.passed) == sorted(f"k{i}" for i in range(20))
        assert sorted(gate.settled) == sorted(f"ack k{i}" for i in range(20))
        state = runtime.services.state("inbound", "Orders")
        assert (state.status, state.received, state.processed, state.failed) == ("active", 20, 20, 0)
        assert state.source == "gate.messages on connection gate"
    assert gate.settled[-1] == "stopped"


async def test_a_flow_failing_once_then_succeeding_loses_nothing(tmp_path: Path) -> None:
    root = write_project(tmp_path, endpoint(flow_failures=1))
    async with Runtime(root, env={}, connectors=REGISTRY) as runtime:
        gate = await gate_of(runtime)
        gate.send(*[(f"k{i}", i) for i in range(10)])
        await gate.until(lambda: len(gate.passed) == 10)
        await gate.until(lambda: sum(note.startswith("ack") for note in gate.settled) == 10)
        assert sorted(gate.passed) == sorted(f"k{i}" for i in range(10))
        nacks = [note for note in gate.settled if note.startswith("nack")]
        assert sorted(nacks) == sorted(f"nack k{i} requeue=True" for i in range(10))
        state = runtime.services.state("inbound", "Orders")
        assert (state.received, state.processed, state.failed) == (20, 10, 10)
        assert state.last_error is not None and "fails on attempt 1" in state.last_error


async def test_no_more_than_max_in_flight_events_are_taken_from_the_source(tmp_path: Path) -> None:
    root = write_project(tmp_path, endpoint("max-in-flight: 3"))
    async with Runtime(root, env={}, connectors=REGISTRY) as runtime:
        gate = await gate_of(runtime)
        gate.open_gate.clear()
        gate.send(*[(f"k{i}", i) for i in range(12)])
        await gate.until(lambda: gate.inside == 3)
        await eventually(lambda: gate.pulled >= 3)
        assert gate.pulled == 3  # the source is not read while three flows are running
        assert runtime.services.state("inbound", "Orders").in_flight == 3
        gate.open_gate.set()
        await gate.until(lambda: len(gate.passed) == 12)
        assert gate.most_inside == 3


async def test_an_on_error_flow_that_handles_the_failure_acknowledges_the_event(tmp_path: Path) -> None:
    files = endpoint("on-error: [{log: {message: handled}}]", flow_failures=5)
    root = write_project(tmp_path, files)
    async with Runtime(root, env={}, connectors=REGISTRY) as runtime:
        gate = await gate_of(runtime)
        gate.send(("k1", 1))
        await gate.until(lambda: "ack k1" in gate.settled)
        assert gate.passed == []


async def test_an_error_raised_by_the_on_error_flow_hands_the_event_back(tmp_path: Path) -> None:
    files = endpoint("on-error: [{throw-error: {message: 'try again', code: AGAIN}}]", flow_failures=1)
    root = write_project(tmp_path, files)
    async with Runtime(root, env={}, connectors=REGISTRY) as runtime:
        gate = await gate_of(runtime)
        gate.send(("k1", 1))
        await gate.until(lambda: "ack k1" in gate.settled)
        assert gate.settled[:2] == ["nack k1 requeue=True", "ack k1"]
        state = runtime.services.state("inbound", "Orders")
        assert (state.processed, state.failed) == (1, 1)
        assert state.last_error is not None and "try again" in state.last_error


async def test_requeue_false_dead_letters_a_failed_event_at_once(tmp_path: Path) -> None:
    root = write_project(tmp_path, endpoint("requeue: false", flow_failures=1))
    async with Runtime(root, env={}, connectors=REGISTRY) as runtime:
        gate = await gate_of(runtime)
        gate.send(("k1", 1))
        await gate.until(lambda: "ack k1" in gate.settled)
        assert gate.passed == []
        [dead] = await runtime.message_store("test.dead-letters").browse()
        assert (dead.attempts, dead.origin) == (1, "inbound Orders")
        assert "k1 fails on attempt 1" in dict(dead.headers)[DEAD_LETTER_REASON]


async def test_stopping_hands_back_the_events_in_flight(tmp_path: Path) -> None:
    root = write_project(tmp_path, endpoint())
    (root / "interlace.toml").write_text(
        '[project]\nname = "t"\n[server]\ngraceful-timeout = 0.2\n', encoding="utf-8"
    )
    runtime = Runtime(root, env={}, connectors=REGISTRY)
    await runtime.start()
    gate = await gate_of(runtime)
    gate.open_gate.clear()
    gate.send(("k1", 1), ("k2", 2))
    await gate.until(lambda: gate.inside == 2)
    await runtime.aclose()
    assert sorted(gate.settled) == ["nack k1 requeue=True", "nack k2 requeue=True", "stopped"], gate.settled
    assert not any(note.startswith("ack") for note in gate.settled)
    assert gate.queue.qsize() == 2  # both wait for the next start


async def test_deactivated_endpoint_stops_reading_until_activated(tmp_path: Path) -> None:
    root = write_project(tmp_path, endpoint())
    async with Runtime(root, env={}, connectors=REGISTRY) as runtime:
        gate = await gate_of(runtime)
        state = await runtime.services.deactivate("inbound", "Orders")
        assert state.status == "inactive"
        gate.send(("k1", 1))
        assert gate.pulled == 0
        state = await runtime.services.activate("inbound", "Orders")
        assert state.status == "active"
        await gate.until(lambda: gate.passed == ["k1"])


async def test_the_kv_changes_trigger_feeds_a_sequence(tmp_path: Path) -> None:
    root = write_project(
        tmp_path,
        {
            "connections/cache.yaml": "connection: cache\nconnector: kv\n",
            "connections/gate.yaml": GATE,
            "sequences/record.yaml": """
                sequence: Record
                flow:
                  - gate.pass: {connection: gate, key: "${headers['X-Key']}=${payload.n}"}
                """,
            "inbound/changes.yaml": """
                inbound: Changes
                trigger: {kv.changes: {connection: cache, prefix: "order:"}}
                sequence: Record
                """,
        },
    )
    async with Runtime(root, env={}, connectors=REGISTRY) as runtime:
        gate = await gate_of(runtime)
        async with runtime.artifacts.connections["cache"].use() as cache:
            for n in range(5):
                cache.changes.put_nowait((f"order:{n}", {"n": n}))
            cache.changes.put_nowait(("customer:1", {"n": 99}))
            await gate.until(lambda: len(gate.passed) == 5)
            await eventually(lambda: len(cache.acks) == 5)
            assert gate.passed == [f"order:{n}={n}" for n in range(5)]
            assert sorted(cache.acks) == sorted(f"ack order:{n}" for n in range(5))


@pytest.mark.parametrize(
    ("trigger", "expected"),
    [
        (
            "trigger:\n  gate.messages:\n    connection: gate\n    tags: x\n",
            "inbound/orders.yaml:6: unknown parameter 'tags' for gate.messages",
        ),
        (
            "trigger:\n  gate.mesages: {connection: gate}\n",
            "inbound/orders.yaml:4: connector gate has no trigger 'mesages'\n    hint: did you mean 'messages'?",
        ),
        (
            "trigger:\n  gate.messages: {connection: cache}\n",
            "inbound/orders.yaml:4: gate.messages needs a gate connection, but 'cache' is a kv connection",
        ),
        (
            "trigger:\n  gate.messages: {tag: x}\n",
            "inbound/orders.yaml:4: gate.messages needs a connection",
        ),
    ],
)
def test_trigger_problems_are_reported_at_their_lines(tmp_path: Path, trigger: str, expected: str) -> None:
    files = {
        "connections/gate.yaml": GATE,
        "connections/cache.yaml": "connection: cache\nconnector: kv\n",
        "sequences/through.yaml": "sequence: Through\nflow: [{log: {message: x}}]\n",
        "inbound/orders.yaml": f"inbound: Orders\nsequence: Through\n{trigger}",
    }
    found = problems(write_project(tmp_path, files))
    assert any(problem.startswith(expected) for problem in found), found


def test_an_unknown_sequence_and_two_sources_are_reported(tmp_path: Path) -> None:
    files = {
        "connections/gate.yaml": GATE,
        "sequences/through.yaml": "sequence: Through\nflow: [{log: {message: x}}]\n",
        "inbound/a.yaml": "inbound: A\nsequence: Thruogh\ntrigger: {gate.messages: {connection: gate}}\n",
        "inbound/b.yaml": "inbound: B\nsequence: Through\nfile: {folder: in}\ntrigger: {gate.messages: {}}\n",
    }
    found = problems(write_project(tmp_path, files))
    assert "inbound/a.yaml:2: unknown sequence 'Thruogh'\n    hint: did you mean 'Through'?" in found
    assert (
        "inbound/b.yaml:3: inbound endpoint 'B' must have exactly one source: trigger, http"
        " (got trigger and file)" in found
    )
