"""``validate`` imported from an MI project: its JSON Schema resource is copied into the project, and
a request that does not match runs the on-fail flow."""

from __future__ import annotations

import shutil
from pathlib import Path

import aiohttp

from interlace.compiler.compile import check_project
from interlace.http.server import HttpServer
from interlace.importers.synapse import convert_synapse, write_project
from interlace.model.load import load_project
from interlace.runtime import Runtime
from tests.importers.synapse.serving import CASES

SCHEMA = (CASES / "validate.registry" / "conf" / "schemas" / "order.json").read_bytes()


def _mi_project(root: Path) -> Path:
    artifacts = root / "src" / "main" / "wso2mi" / "artifacts" / "apis"
    artifacts.mkdir(parents=True)
    shutil.copy(CASES / "validate.xml", artifacts / "OrderAPI.xml")
    registry = root / "src" / "main" / "wso2mi" / "resources" / "registry" / "conf" / "schemas"
    registry.mkdir(parents=True)
    (registry / "order.json").write_bytes(SCHEMA)
    return root


async def test_imported_validate_checks_against_the_projects_schema(tmp_path: Path) -> None:
    tree, report = convert_synapse(_mi_project(tmp_path / "Orders"))
    assert report.of("unsupported") == []
    assert tree.files == {"schemas/order.json": SCHEMA}
    project = tmp_path / "project"
    write_project(tree, project)
    assert check_project(load_project(project)) == []
    async with (
        Runtime(project, None, env={}) as runtime,
        HttpServer(runtime, "127.0.0.1", 0, 64 * 1024) as server,
        aiohttp.ClientSession(f"http://127.0.0.1:{server.port}") as client,
    ):
        async with client.post("/orders/", json={"order": {"id": "o-1", "quantity": 2}}) as answer:
            assert answer.status == 200
            assert await answer.json() == {"accepted": "o-1"}
        async with client.post("/orders/", json={"order": {"id": "o-1", "quantity": 0}}) as answer:
            assert answer.status == 400
            assert "0 is less than the minimum of 1" in (await answer.json())["error"]
