"""Inbound endpoints and scheduled tasks through the management API: their states, an operator switching
them off and on, and running a task now; monitors may look, only admins may change."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.management.conftest import Managed, serve
from tests.support import write_project

FILES = {
    "interlace.toml": '[project]\nname = "feeds"\nversion = "1.0.0"\n',
    "sequences/note.yaml": "sequence: Note\nflow:\n  - log: noted\n",
    "tasks/nightly.yaml": 'task: Nightly\ncron: "0 3 1 1 *"\nactive: false\nsequence: Note\npayload: {n: 1}\n',
    "connections/cache.yaml": "connection: cache\nconnector: kv\npassword: ${secret.KV_PASSWORD}\n",
    "inbound/inbox.yaml": "inbound: Inbox\ntrigger: {kv.changes: {connection: cache}}\nsequence: Note\nactive: false\n",
}


@pytest.fixture
async def feeds(tmp_path: Path) -> AsyncIterator[Managed]:
    async with serve(write_project(tmp_path / "feeds", FILES)) as served:
        yield served


async def test_inbound_endpoints_are_listed_with_their_state(feeds: Managed) -> None:
    monitor = await feeds.token("watcher")
    [inbox] = (await feeds.call("GET", "/management/inbound", token=monitor)).json["items"]
    assert inbox["name"] == "Inbox"
    assert inbox["kind"] == "trigger"
    assert inbox["target"] == "Note"
    assert inbox["status"] == "inactive"
    assert (inbox["received"], inbox["processed"], inbox["failed"], inbox["lastError"]) == (0, 0, 0, None)
    assert (await feeds.call("GET", "/management/inbound/Inbox", token=monitor)).json == inbox


async def test_an_inbound_endpoint_is_activated_and_deactivated(feeds: Managed) -> None:
    admin = await feeds.token()
    activated = await feeds.call("POST", "/management/inbound/Inbox/activate", token=admin)
    assert activated.json["status"] == "active"
    assert feeds.runtime.services.state("inbound", "Inbox").status == "active"
    deactivated = await feeds.call("POST", "/management/inbound/Inbox/deactivate", token=admin)
    assert deactivated.json["status"] == "inactive"
    assert feeds.runtime.services.state("inbound", "Inbox").status == "inactive"


async def test_tasks_are_listed_activated_deactivated_and_triggered(feeds: Managed) -> None:
    admin = await feeds.token()
    [task] = (await feeds.call("GET", "/management/tasks", token=admin)).json["items"]
    assert (task["name"], task["target"], task["status"], task["runs"]) == ("Nightly", "Note", "inactive", 0)
    assert task["lastRun"] is None
    triggered = await feeds.call("POST", "/management/tasks/Nightly/trigger", token=admin)
    assert (triggered.status, triggered.json["runs"], triggered.json["status"]) == (200, 1, "inactive")
    assert triggered.json["lastRun"] is not None
    activated = await feeds.call("POST", "/management/tasks/Nightly/activate", token=admin)
    assert activated.json["status"] == "active"
    assert activated.json["nextRun"] is not None
    deactivated = await feeds.call("POST", "/management/tasks/Nightly/deactivate", token=admin)
    assert deactivated.json["status"] == "inactive"
    assert (await feeds.call("GET", "/management/tasks/Nightly", token=admin)).json == deactivated.json


@pytest.mark.parametrize(
    "path",
    [
        "/management/inbound/Inbox/activate",
        "/management/inbound/Inbox/deactivate",
        "/management/tasks/Nightly/activate",
        "/management/tasks/Nightly/deactivate",
        "/management/tasks/Nightly/trigger",
    ],
)
async def test_a_monitor_may_not_change_inbound_endpoints_or_tasks(feeds: Managed, path: str) -> None:
    monitor = await feeds.token("watcher")
    assert (await feeds.call("POST", path, token=monitor)).status == 403
    assert (await feeds.call("POST", path)).status == 401
    assert feeds.runtime.services.state("task", "Nightly").runs == 0
    assert feeds.runtime.services.state("inbound", "Inbox").status == "inactive"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/management/inbound/Nope"),
        ("POST", "/management/inbound/Nope/activate"),
        ("GET", "/management/tasks/Nope"),
        ("POST", "/management/tasks/Nope/trigger"),
    ],
)
async def test_an_unknown_inbound_endpoint_or_task_is_not_found(
    feeds: Managed, method: str, path: str
) -> None:
    answer = await feeds.call(method, path, token=await feeds.token())
    assert answer.status == 404
    assert "Nope" in answer.json["error"]["message"]
