"""`interlace trace`: switching message tracing of a running server's artifact and reading its traces."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from interlace.observability.tracing import MESSAGE_TRACER
from tests.cli.live_server import LiveServer, rows
from tests.cli.test_server_commands import admin, cli, ok

__all__ = ["admin"]  # the logged-in live server's fixture, used here by name


@pytest.fixture(autouse=True)
def tracer() -> Iterator[None]:
    MESSAGE_TRACER.reset()
    yield
    MESSAGE_TRACER.reset()


def test_a_task_is_traced_at_run_time_and_its_traces_are_shown(admin: LiveServer) -> None:
    assert "message tracing on for task Nightly" in ok("trace", "on", "task", "Nightly").stdout
    assert rows(ok("trace", "list").stdout)["task"] == ["task", "Nightly"]
    ok("trigger", "task", "Nightly")

    shown = ok("trace", "show", "task", "Nightly").stdout
    assert "trace 1: task Nightly" in shown
    steps = {cells[3]: cells for cells in rows(shown, 3).values() if cells[3].startswith("sequences/")}
    assert [cells[1].strip() for cells in steps.values()] == ["log", "log"]
    traces = json.loads(ok("trace", "show", "-o", "json").stdout)
    [trace] = traces
    assert (trace["kind"], trace["name"], trace["outcome"]) == ("task", "Nightly", "finished")
    assert trace["steps"][0]["before"]["payload"]["body"] == "tick"

    assert "message tracing off" in ok("trace", "off", "task", "Nightly").stdout
    assert "no artifact is traced" in ok("trace", "list").stdout


def test_an_unknown_kind_or_artifact_is_said_so(admin: LiveServer) -> None:
    wrong = cli("trace", "on", "gadget", "Nightly")
    assert wrong.exit_code != 0 and "api, sequence, processor, inbound, task" in wrong.stderr
    unknown = cli("trace", "on", "task", "Daily")
    assert unknown.exit_code != 0 and "no task named 'Daily'" in unknown.stderr
