"""Connector operations in flows: connections from files or inline, parameters checked at load time at
their lines, results as payload or variable, connections opened lazily and closed with the deployment."""

from __future__ import annotations

from pathlib import Path

import pytest

from interlace.compiler import check_project, compile_project
from interlace.compiler.diagnostics import format_problem
from interlace.endpoints import HttpClient
from interlace.message import MessageContext, Payload
from interlace.model import load_project
from interlace.runtime import Runtime
from interlace.sdk import ConnectorRegistry, FatalError
from interlace.sdk.testing import connector_entry_point
from tests.sdk.kv import connector as kv
from tests.support import write_project

REGISTRY = ConnectorRegistry(lambda: [connector_entry_point(kv)])
TOML = '[project]\nname = "ops"\n\n[configs]\nnamespace = "shop"\n'


def write(root: Path, files: dict[str, str]) -> Path:
    return write_project(root, {"interlace.toml": TOML, **files})


def problems(root: Path, env: dict[str, str] | None = None) -> list[str]:
    project = load_project(root, env=env or {})
    try:
        compile_project(project, HttpClient(), connectors=REGISTRY)
    except Exception as exc:  # ConfigError with every problem
        return [format_problem(problem) for problem in getattr(exc, "detail", [exc])]
    return []


CACHE = "connection: cache\nconnector: kv\nnamespace: ${configs.namespace}\npassword: ${secret.KV_PASSWORD}\n"


async def test_an_operation_result_becomes_the_payload_or_a_variable(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "connections/cache.yaml": CACHE,
            "sequences/remember.yaml": """\
sequence: Remember
flow:
  - kv.put: {connection: cache, key: "order:${payload.id}", value: "${payload}"}
  - variable: {name: count, value: "${payload}"}
  - kv.getValue: {connection: cache, key: "order:${vars.count}", response-variable: found}
  - kv.getValue: {connection: cache, key: "order:7"}
""",
        },
    )
    runtime = Runtime(root, env={"KV_PASSWORD": "open-sesame"}, connectors=REGISTRY)
    async with runtime:
        ctx = MessageContext(Payload.of_json({"id": 7, "total": 12.5}))
        await runtime.artifacts.sequences["Remember"].mediate(ctx)
        assert ctx.variables["count"] == 1
        assert ctx.variables["found"] == {"payload": "", "headers": {}, "attributes": {"found": False}}
        assert ctx.payload.json() == {"id": 7, "total": 12.5}
        pool = runtime.artifacts.connections["cache"]
        assert pool.state == "open"
    assert pool.state == "closed"


async def test_an_inline_init_connection_works_like_a_named_one(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "sequences/count.yaml": "sequence: Count\nflow:\n  - kv.incr: {init: {namespace: x}, key: hits, by: 2}\n"
        },
    )
    async with Runtime(root, env={}, connectors=REGISTRY) as runtime:
        ctx = MessageContext()
        await runtime.artifacts.sequences["Count"].mediate(ctx)
        await runtime.artifacts.sequences["Count"].mediate(ctx)
        assert ctx.payload.json() == 4


async def test_a_connection_is_tested_with_its_connectors_ping(tmp_path: Path) -> None:
    root = write(tmp_path, {"connections/cache.yaml": CACHE})
    async with Runtime(root, env={"KV_PASSWORD": "wrong"}, connectors=REGISTRY) as runtime:
        with pytest.raises(FatalError, match="refused the password of connection cache"):
            await runtime.test_connection("cache")
        assert runtime.artifacts.connections["cache"].state == "failed"


def test_operation_problems_are_reported_at_their_lines(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "connections/cache.yaml": CACHE,
            "sequences/bad.yaml": """\
sequence: Bad
flow:
  - kv.put: {connection: cache, value: 1}
  - kv.incr:
      connection: cache
      key: hits
      by: many
      tll: 3
  - kv.gett: {connection: cache, key: a}
  - kvv.put: {connection: cache, key: a, value: 1}
  - kv.incr: {connection: cahce, key: a}
  - kv.incr: {key: a}
""",
        },
    )
    assert problems(root, {"KV_PASSWORD": "x"}) == [
        "sequences/bad.yaml:3: missing required parameter 'key' for kv.put",
        "sequences/bad.yaml:7: parameter 'by' of kv.incr: input should be a valid integer,"
        " unable to parse string as an integer (got 'many')",
        "sequences/bad.yaml:8: unknown parameter 'tll' for kv.incr\n    hint: known parameters: key, by, tags",
        "sequences/bad.yaml:9: connector kv has no operation 'gett'\n    hint: it has: put, getValue, incr, login",
        "sequences/bad.yaml:10: no connector 'kvv' is installed\n    hint: did you mean 'kv'?",
        "sequences/bad.yaml:11: unknown connection 'cahce'\n    hint: did you mean 'cache'?",
        "sequences/bad.yaml:12: kv.incr needs a connection\n"
        "    hint: add connection: NAME (a file in connections/) or init: {...}",
    ]


def test_connection_settings_are_checked_without_showing_secrets(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "connections/cache.yaml": "connection: cache\nconnector: kv\nmax-keys: lots\npassword: ${secret.KV_PASSWORD}\n"
        },
    )
    found = problems(root, {})
    assert found[0] == (
        "connections/cache.yaml:3: connection cache (kv): max-keys: Input should be a valid integer,"
        " unable to parse string as an integer"
    )
    assert found[1].startswith("connections/cache.yaml:4: secret KV_PASSWORD is not set")
    assert len(found) == 2


def test_an_unknown_connector_in_a_connection_file_is_reported(tmp_path: Path) -> None:
    root = write(tmp_path, {"connections/cache.yaml": "connection: cache\nconnector: kb\n"})
    assert problems(root) == [
        "connections/cache.yaml:2: no connector 'kb' is installed\n    hint: installed: kv"
    ]


def test_check_uses_the_installed_connectors(tmp_path: Path) -> None:
    root = write(tmp_path, {"sequences/s.yaml": "sequence: S\nflow:\n  - nosuch.op: {connection: x}\n"})
    messages = [problem.message for problem in check_project(load_project(root, env={}))]
    assert messages == ["no connector 'nosuch' is installed"]


async def test_an_edited_connection_takes_effect_on_redeploy_and_the_old_one_is_closed(
    tmp_path: Path,
) -> None:
    root = write(
        tmp_path,
        {
            "connections/cache.yaml": "connection: cache\nconnector: kv\nnamespace: old\n",
            "sequences/s.yaml": "sequence: S\nflow:\n  - kv.put: {connection: cache, key: k, value: 1}\n",
        },
    )
    async with Runtime(root, env={}, connectors=REGISTRY) as runtime:
        await runtime.artifacts.sequences["S"].mediate(MessageContext())
        old = runtime.artifacts.connections["cache"]
        (root / "connections" / "cache.yaml").write_text("connection: cache\nconnector: kv\nnamespace: new\n")
        await runtime.redeploy()
        new = runtime.artifacts.connections["cache"]
        assert old.state == "closed"
        assert new.config.namespace == "new"  # type: ignore[attr-defined]
        assert new.state == "idle"  # opened on first use only
        await runtime.artifacts.sequences["S"].mediate(MessageContext())
        assert new.state == "open"
