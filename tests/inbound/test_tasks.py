"""Scheduled tasks: interval and cron schedules (with an injected clock), once, the message built at each
run, trigger-now, activation, and load-time problems."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

from interlace.errors import MediationError, SourceLocation
from interlace.inbound import ScheduledTask
from interlace.mediators import SequenceMediator
from interlace.message import MessageContext
from interlace.runtime import Runtime
from interlace.services import CronSchedule, IntervalSchedule, OnceSchedule, Schedule
from tests.inbound.projects import REGISTRY, gate_of, problems
from tests.support import write_project


class FakeTime:
    """A clock that moves only when a task waits: each wait advances it by the waited seconds."""

    def __init__(self, start: float) -> None:
        self.now = start
        self.waits: list[float] = []

    def clock(self) -> float:
        return self.now

    async def wait(self, stop: asyncio.Event, seconds: float) -> bool:
        self.waits.append(round(seconds, 3))
        self.now += seconds
        await asyncio.sleep(0)
        return stop.is_set() or len(self.waits) > 4


class CountingFlow:
    """A flow that records its messages and fails on demand."""

    location = SourceLocation("sequences/flow.yaml", 1)

    def __init__(self) -> None:
        self.messages: list[MessageContext] = []
        self.fail = False

    async def mediate(self, ctx: MessageContext) -> bool:
        self.messages.append(ctx)
        if self.fail:
            raise MediationError("the flow failed")
        return True


def task(schedule: Schedule, time: FakeTime, flow: CountingFlow) -> ScheduledTask:
    return ScheduledTask(
        "Tick", schedule, flow, MessageContext, target="Flow", wait=time.wait, clock=time.clock
    )


async def test_an_interval_task_runs_at_once_and_then_every_interval() -> None:
    time, flow = FakeTime(1000.0), CountingFlow()
    tick = task(IntervalSchedule(30.0), time, flow)
    await tick.run(asyncio.Event())
    assert time.waits == [0.0, 30.0, 30.0, 30.0, 30.0]
    state = tick.state()
    assert (state.runs, state.failures, state.last_run, state.status) == (4, 0, 1090.0, "inactive")
    assert state.schedule == "every 30s"


async def test_a_cron_task_runs_at_each_tick_of_its_expression() -> None:
    start = datetime(2030, 5, 17, 12, 3, 30).timestamp()  # local time, as cron expressions are
    time, flow = FakeTime(start), CountingFlow()
    tick = task(CronSchedule("*/5 * * * *", time.clock), time, flow)
    await tick.run(asyncio.Event())
    assert time.waits == [90.0, 300.0, 300.0, 300.0, 300.0]
    assert tick.state().runs == 4


async def test_a_once_task_runs_once_and_is_done() -> None:
    time, flow = FakeTime(1000.0), CountingFlow()
    tick = task(OnceSchedule(None, time.clock), time, flow)
    await tick.run(asyncio.Event())
    assert (time.waits, len(flow.messages), tick.state().status) == ([0.0], 1, "done")


async def test_a_once_task_whose_time_has_passed_does_not_run() -> None:
    time, flow = FakeTime(datetime(2030, 1, 2).timestamp()), CountingFlow()
    tick = task(OnceSchedule(datetime(2030, 1, 1), time.clock), time, flow)
    await tick.run(asyncio.Event())
    assert (time.waits, flow.messages, tick.state().status) == ([], [], "done")


async def test_a_failed_run_is_recorded_and_the_schedule_goes_on() -> None:
    time, flow = FakeTime(0.0), CountingFlow()
    flow.fail = True
    tick = task(IntervalSchedule(5.0), time, flow)
    await tick.run(asyncio.Event())
    state = tick.state()
    assert (state.runs, state.failures, state.last_error) == (4, 4, "the flow failed")


async def test_a_run_whose_on_error_flow_handled_the_failure_is_not_a_failure() -> None:
    time, flow = FakeTime(0.0), CountingFlow()
    flow.fail = True
    handled: list[str] = []

    class Recorder:
        location = SourceLocation("sequences/flow.yaml", 2)

        async def mediate(self, ctx: MessageContext) -> bool:
            handled.append(ctx.error.code if ctx.error else "")
            return True

    sequence = SequenceMediator("Flow", SourceLocation("sequences/flow.yaml", 1), (flow,), Recorder())
    tick = ScheduledTask(
        "Tick",
        IntervalSchedule(5.0),
        sequence,
        MessageContext,
        target="Flow",
        wait=time.wait,
        clock=time.clock,
    )
    await tick.run(asyncio.Event())
    state = tick.state()
    assert (state.runs, state.failures, state.last_error) == (4, 0, None)
    assert handled == ["MEDIATION_ERROR"] * 4


TASK_FILES = {
    "connections/gate.yaml": "connection: gate\nconnector: gate\n",
    "sequences/tick.yaml": """
        sequence: Tick
        flow:
          - gate.pass: {connection: gate, key: "${payload.kind}/${vars.who}/${payload.region}"}
        """,
}


async def test_a_task_injects_its_payload_and_variables_into_the_sequence(tmp_path: Path) -> None:
    files = {
        **TASK_FILES,
        "tasks/tick.yaml": """
            task: Ticker
            interval: 20ms
            sequence: Tick
            payload: {kind: tick, region: "${configs.region}"}
            variables: {who: "${env.NODE}"}
            """,
    }
    root = write_project(tmp_path, files, '[configs]\nregion = "eu"\n')
    async with Runtime(root, env={"NODE": "n1"}, connectors=REGISTRY) as runtime:
        gate = await gate_of(runtime)
        await gate.until(lambda: len(gate.passed) >= 3)
        assert set(gate.passed) == {"tick/n1/eu"}
        state = runtime.services.state("task", "Ticker")
        assert state.status == "active" and state.runs >= 3 and state.next_run is not None


async def test_trigger_now_runs_an_inactive_task_and_activation_schedules_it(tmp_path: Path) -> None:
    files = {
        **TASK_FILES,
        "tasks/tick.yaml": """
            task: Ticker
            cron: "0 3 1 1 *"
            active: false
            sequence: Tick
            text: not json
            variables: {who: x}
            """,
        "sequences/tick.yaml": """
            sequence: Tick
            flow:
              - gate.pass: {connection: gate, key: "${payload}|${vars.who}"}
            """,
    }
    root = write_project(tmp_path, files)
    async with Runtime(root, env={}, connectors=REGISTRY) as runtime:
        gate = await gate_of(runtime)
        assert runtime.services.state("task", "Ticker").status == "inactive"
        state = await runtime.services.service("task", "Ticker").trigger_now()  # type: ignore[attr-defined]
        assert (state.runs, state.status, gate.passed) == (1, "inactive", ["not json|x"])
        state = await runtime.services.activate("task", "Ticker")
        assert state.status == "active" and state.next_run is not None
        state = await runtime.services.deactivate("task", "Ticker")
        assert state.status == "inactive" and state.next_run is None
        await runtime.redeploy()
        assert runtime.services.state("task", "Ticker").status == "inactive"


def test_task_problems_are_reported_at_their_lines(tmp_path: Path) -> None:
    files = {
        **TASK_FILES,
        "tasks/a.yaml": "task: A\ninterval: 1s\ncron: '* * * * *'\nsequence: Tick\n",
        "tasks/b.yaml": "task: B\ninterval: 1s\nsequence: Tik\n",
        "tasks/c.yaml": "task: C\ncron: every minute\nsequence: Tick\n",
        "tasks/d.yaml": "task: D\nonce: true\nsequence: Tick\npayload: {a: '${nope(}'}\n",
        "tasks/e.yaml": "task: E\ninterval: -1s\nsequence: Tick\n",
    }
    found = problems(write_project(tmp_path, files))
    assert (
        "tasks/a.yaml:1: give exactly one schedule: interval, cron or once (got interval and cron)" in found
    )
    assert "tasks/b.yaml:3: unknown sequence 'Tik'\n    hint: did you mean 'Tick'?" in found
    assert any(p.startswith("tasks/c.yaml:2: cron: must be a cron expression of five fields") for p in found)
    assert any(p.startswith("tasks/d.yaml:4:") for p in found), found
    assert "tasks/e.yaml:2: interval: must be > 0 (got '-1s')" in found
