"""Editing a running project's files through the management API: reading a file, adding and changing a
flow's step (comments and layout elsewhere kept), the check that refuses an edit with problems at their
lines, a project deployed as a bundle that has no source to edit, and the catalog of step kinds whose
schemas the console's forms come from."""

from __future__ import annotations

import difflib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from interlace.runtime.bundles import build_bundle
from tests.management.conftest import ENV, PROJECT, REGISTRY, Managed, serve
from tests.support import write_project

AUDIT = """\
sequence: Audit
description: Keeps a trace of orders.   # why it exists
flow:
  # first the audit line
  - log: "audit ${payload}"
  - log: {level: warning, message: done}     # the comment's column kept
"""
STEPS = "/management/projects/shop/steps"


@pytest.fixture
async def shop(tmp_path: Path) -> AsyncIterator[Managed]:
    async with serve(write_project(tmp_path / "shop", {**PROJECT, "sequences/audit.yaml": AUDIT})) as served:
        yield served


def _audit(shop: Managed) -> Path:
    return shop.runtime.deployments.active("shop").root / "sequences" / "audit.yaml"


def _changed_lines(before: str, after: str) -> list[str]:
    diff = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
    return [line for line in diff if line[:1] in "+-" and line[:3] not in ("+++", "---")]


async def test_an_admin_reads_a_project_file_and_a_monitor_may_not(shop: Managed) -> None:
    admin, monitor = await shop.token("admin"), await shop.token("watcher")
    params = {"file": "sequences/audit.yaml"}
    answer = await shop.call("GET", "/management/projects/shop/files", token=admin, params=params)
    assert answer.status == 200
    assert answer.json == {"project": "shop", "file": "sequences/audit.yaml", "text": AUDIT}
    refused = await shop.call("GET", "/management/projects/shop/files", token=monitor, params=params)
    assert refused.status == 403


@pytest.mark.parametrize(
    "file", ["../outside.yaml", "/etc/hosts.yaml", "interlace.toml", "sequences/none.yaml"]
)
async def test_only_the_projects_own_yaml_files_are_served(shop: Managed, file: str) -> None:
    admin = await shop.token("admin")
    answer = await shop.call("GET", "/management/projects/shop/files", token=admin, params={"file": file})
    assert answer.status == 404, answer.json


async def test_adding_a_step_keeps_the_rest_of_the_file_and_redeploys(shop: Managed) -> None:
    admin = await shop.token("admin")
    step = {"log": {"message": "added ${vars.x}", "level": "info"}}
    body = {"file": "sequences/audit.yaml", "path": ["flow", 1], "step": step}
    answer = await shop.call("POST", STEPS, token=admin, json=body)
    assert answer.status == 201, answer.json
    assert (answer.json["project"], answer.json["file"], answer.json["line"]) == (
        "shop",
        "sequences/audit.yaml",
        6,
    )
    after = _audit(shop).read_text()
    assert _changed_lines(AUDIT, after) == [
        "+  - log:",
        "+      message: added ${vars.x}",
        "+      level: info",
    ]
    assert len(shop.runtime.artifacts.sequences["Audit"].mediators) == 3  # the redeployed flow


async def test_changing_a_step_rewrites_only_the_options_that_change(shop: Managed) -> None:
    admin = await shop.token("admin")
    current = await shop.call(
        "GET", STEPS, token=admin, params={"file": "sequences/audit.yaml", "path": '["flow", 1]'}
    )
    assert current.json["step"] == {"log": {"level": "warning", "message": "done"}}
    assert current.json["line"] == 6
    body = {
        "file": "sequences/audit.yaml",
        "path": ["flow", 1],
        "step": {"log": {"level": "error", "message": "done"}},
    }
    answer = await shop.call("PUT", STEPS, token=admin, json=body)
    assert answer.status == 200, answer.json
    assert _changed_lines(AUDIT, _audit(shop).read_text()) == [
        "-  - log: {level: warning, message: done}     # the comment's column kept",
        "+  - log: {level: error, message: done}       # the comment's column kept",
    ]


async def test_an_edit_with_problems_is_refused_at_their_lines_and_changes_nothing(shop: Managed) -> None:
    admin = await shop.token("admin")
    running = shop.runtime.artifacts
    body = {"file": "sequences/audit.yaml", "path": ["flow", 2], "step": {"call": {"endpoint": "Nowhere"}}}
    answer = await shop.call("POST", STEPS, token=admin, json=body)
    assert answer.status == 422
    assert answer.json["error"]["code"] == "EDIT_REFUSED"
    assert "sequences/audit.yaml:8: unknown endpoint" in answer.json["error"]["message"]
    assert "Nowhere" in answer.json["error"]["message"]
    assert _audit(shop).read_text() == AUDIT
    assert shop.runtime.artifacts is running


async def test_a_step_where_the_file_has_none_is_a_conflict(shop: Managed) -> None:
    admin = await shop.token("admin")
    body = {"file": "sequences/audit.yaml", "path": ["flow", 9], "step": {"log": "x"}}
    answer = await shop.call("PUT", STEPS, token=admin, json=body)
    assert answer.status == 409
    assert "reload" in answer.json["error"]["message"]
    assert _audit(shop).read_text() == AUDIT


async def test_a_project_deployed_as_a_bundle_has_no_source_to_edit(shop: Managed, tmp_path: Path) -> None:
    admin = await shop.token("admin")
    root = write_project(
        tmp_path / "next", {**PROJECT, "interlace.toml": PROJECT["interlace.toml"].replace("2.0.0", "2.1.0")}
    )
    bundle = build_bundle(root, tmp_path / "dist", env=ENV, connectors=REGISTRY)
    deployed = await shop.call(
        "POST",
        "/management/deployments",
        token=admin,
        data=bundle.read_bytes(),
        headers={"Content-Type": "application/zip"},
    )
    assert deployed.status == 201
    body = {"file": "sequences/audit.yaml", "path": ["flow", 0], "step": {"log": "x"}}
    answer = await shop.call("POST", STEPS, token=admin, json=body)
    assert answer.status == 409
    assert answer.json["error"]["code"] == "NOT_EDITABLE"
    assert "deployed as a bundle" in answer.json["error"]["message"]


async def test_the_step_kinds_and_their_schemas(shop: Managed) -> None:
    monitor = await shop.token("watcher")
    kinds = (await shop.call("GET", "/management/steps", token=monitor)).json["items"]
    by_kind = {item["kind"]: item for item in kinds}
    assert by_kind["log"]["connector"] is None
    assert by_kind["log"]["summary"].startswith("Write a log line")
    assert any(item["connector"] == "kv" for item in kinds)
    log = (await shop.call("GET", "/management/steps/log", token=monitor)).json
    assert log["schema"]["properties"]["level"]["enum"] == ["debug", "info", "warning", "error"]
    assert log["schema"]["x-shorthand"] == "message"
    unknown = await shop.call("GET", "/management/steps/lgo", token=monitor)
    assert unknown.status == 404
    assert "did you mean 'log'?" in unknown.json["error"]["message"]


async def test_the_state_views_name_their_project_and_filter_by_it(shop: Managed) -> None:
    monitor = await shop.token("watcher")
    for path, name in [
        ("/management/stores", "Orders"),
        ("/management/processors", "ForwardOrders"),
        ("/management/endpoints", "Backend"),
        ("/management/connections", "cache"),
        ("/management/apis", "OrdersAPI"),
        ("/management/sequences", "Audit"),
    ]:
        items = (await shop.call("GET", path, token=monitor, params={"project": "shop"})).json["items"]
        assert {item["name"]: item["project"] for item in items}[name] == "shop", path
        other = await shop.call("GET", path, token=monitor, params={"project": "elsewhere"})
        assert other.json["items"] == [], path
