"""The `file:` inbound source of earlier versions, read as the file connector's `file.poll` trigger on a
folder of the project: files matching a pattern, old enough, are taken in order, each one message; moved
or deleted after success and after failure; claimed so that of two runtimes watching one folder only one
takes each file; and a deprecation warning names the file and line."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from interlace.runtime import Runtime
from tests.inbound.projects import REGISTRY, gate_of, problems
from tests.support import eventually, write_project

GATE = "connection: gate\nconnector: gate\n"
SEQUENCE = """
    sequence: Take
    flow:
      - variable: {name: id, value: "${payload.id}"}
      - gate.pass: {connection: gate, key: "${props.fileName}:${vars.id}"}
    """


def files(file_options: str, settings: str = "") -> dict[str, str]:
    return {
        "connections/gate.yaml": GATE,
        "sequences/take.yaml": SEQUENCE,
        "inbound/inbox.yaml": f"""
            inbound: Inbox
            file: {{folder: inbox, {file_options}}}
            sequence: Take
            """
        + settings,
    }


def drop(folder: Path, name: str, text: str, age: float = 60.0) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    then = path.stat().st_mtime - age
    os.utime(path, (then, then))
    return path


def names(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


async def test_files_are_moved_after_success_and_after_failure(tmp_path: Path) -> None:
    root = write_project(
        tmp_path,
        files('pattern: "*.json", poll: 20ms, on-success: {move-to: done}, on-failure: {move-to: failed}'),
    )
    inbox = root / "inbox"
    drop(inbox, "b.json", '{"id": 2}')
    drop(inbox, "a.json", '{"id": 1}')
    drop(inbox, "bad.json", "{not json")
    drop(inbox, "notes.txt", '{"id": 3}')
    async with Runtime(root, env={}, connectors=REGISTRY) as runtime:
        gate = await gate_of(runtime)
        await eventually(
            lambda: names(inbox / "done") == ["a.json", "b.json"] and names(inbox / "failed") == ["bad.json"]
        )
        assert gate.passed == ["a.json:1", "b.json:2"]  # in name order
        assert names(inbox) == ["done", "failed", "notes.txt"]
        state = runtime.services.state("inbound", "Inbox")
        assert (state.received, state.processed, state.failed) == (3, 2, 1)


async def test_files_are_deleted_by_default_and_young_files_wait(tmp_path: Path) -> None:
    root = write_project(tmp_path, files("poll: 20ms, min-age: 30s"))
    inbox = root / "inbox"
    drop(inbox, "old.json", '{"id": 1}')
    drop(inbox, "young.json", '{"id": 2}', age=0)
    async with Runtime(root, env={}, connectors=REGISTRY) as runtime:
        gate = await gate_of(runtime)
        await gate.until(lambda: gate.passed == ["old.json:1"])
        await eventually(lambda: names(inbox) == ["young.json"])
        drop(inbox, "later.json", '{"id": 3}')  # taken by a later poll, which passes the young file over
        await gate.until(lambda: len(gate.passed) == 2)
        assert gate.passed == ["old.json:1", "later.json:3"]
        await eventually(lambda: names(inbox) == ["young.json"])


async def test_a_failed_file_is_retried_by_default_until_its_flow_succeeds(tmp_path: Path) -> None:
    project = files("poll: 20ms")
    project["sequences/take.yaml"] = """
        sequence: Take
        flow:
          - gate.pass: {connection: gate, key: "${props.fileName}", failures: 2}
        """
    root = write_project(tmp_path, project)
    inbox = root / "inbox"
    drop(inbox, "x.json", "{}")
    async with Runtime(root, env={}, connectors=REGISTRY) as runtime:
        gate = await gate_of(runtime)
        await gate.until(lambda: gate.passed == ["x.json"])
        await eventually(lambda: names(inbox) == [])
        assert gate.attempts == {"x.json": 3}


async def test_two_runtimes_watching_one_folder_never_take_the_same_file(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    project = files(f"poll: 5ms, min-age: 0s, on-success: {{move-to: {shared / 'done'}}}")
    project["inbound/inbox.yaml"] = project["inbound/inbox.yaml"].replace(
        "folder: inbox", f"folder: {shared}"
    )
    first = write_project(tmp_path / "a", project)
    second = write_project(tmp_path / "b", project)
    async with (
        Runtime(first, env={}, connectors=REGISTRY) as one,
        Runtime(second, env={}, connectors=REGISTRY) as two,
    ):
        gates = [await gate_of(one), await gate_of(two)]
        for n in range(60):
            drop(shared, f"f{n:02}.json", f'{{"id": {n}}}', age=0)
            if n % 10 == 0:
                await asyncio.sleep(0.01)
        await eventually(lambda: sum(len(gate.passed) for gate in gates) >= 60)
        await eventually(lambda: len(names(shared / "done")) == 60)
    taken = [set(gate.passed) for gate in gates]
    assert taken[0].isdisjoint(taken[1])
    assert len(taken[0] | taken[1]) == 60
    assert sum(len(gate.passed) for gate in gates) == 60


async def test_a_file_whose_flow_keeps_failing_is_moved_to_the_dead_letter_folder_with_the_reason(
    tmp_path: Path,
) -> None:
    settings = "redelivery: {max-attempts: 3, backoff: 10ms}\n"
    root = write_project(tmp_path, files('pattern: "*.json", poll: 20ms', settings))
    inbox = root / "inbox"
    drop(inbox, "bad.json", "{not json")
    async with Runtime(root, env={}, connectors=REGISTRY) as runtime:
        await eventually(lambda: "bad.json.reason.txt" in names(inbox / "dead-letter"))
        await eventually(lambda: runtime.services.state("inbound", "Inbox").dead_lettered == 1)
        state = runtime.services.state("inbound", "Inbox")
        drop(inbox, "good.json", '{"id": 1}')
        gate = await gate_of(runtime)
        await gate.until(lambda: gate.passed == ["good.json:1"])
    assert names(inbox / "dead-letter") == ["bad.json", "bad.json.reason.txt"]
    assert (inbox / "dead-letter" / "bad.json").read_text(encoding="utf-8") == "{not json"
    reason = (inbox / "dead-letter" / "bad.json.reason.txt").read_text(encoding="utf-8")
    assert "failed 3 of 3 attempts" in reason and "not valid JSON" in reason, reason
    assert (state.received, state.failed, state.dead_lettered) == (3, 3, 1)


async def test_a_restart_does_not_give_a_failing_file_its_attempts_again(tmp_path: Path) -> None:
    settings = "redelivery: {max-attempts: 3, backoff: 1s}\n"
    root = write_project(tmp_path, files('pattern: "*.json", poll: 20ms', settings))
    inbox = root / "inbox"
    drop(inbox, "bad.json", "{not json")
    async with Runtime(root, env={}, connectors=REGISTRY) as runtime:
        await eventually(lambda: runtime.services.state("inbound", "Inbox").failed == 1)
    assert names(inbox) == ["bad.json"]  # handed back, waiting for its second attempt

    async with Runtime(root, env={}, connectors=REGISTRY) as runtime:
        await eventually(lambda: runtime.services.state("inbound", "Inbox").dead_lettered == 1)
        state = runtime.services.state("inbound", "Inbox")
    reason = (inbox / "dead-letter" / "bad.json.reason.txt").read_text(encoding="utf-8")
    assert "failed 3 of 3 attempts" in reason, reason
    assert state.failed == 2  # attempts 2 and 3: the first was counted before


def test_the_file_source_is_read_as_the_file_poll_trigger_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    root = write_project(tmp_path, files("on-failure: {move-to: failed}, poll: 20ms, bogus: 1"))
    [problem] = problems(root)
    assert problem.startswith("inbound/inbox.yaml:2: unknown parameter 'bogus' for file.poll")
    assert "inbound/inbox.yaml:2: 'file:' is deprecated and read as 'trigger: {file.poll:" in caplog.text
