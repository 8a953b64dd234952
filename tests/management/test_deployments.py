"""Deployments through the management API and the `interlace deploy` / `rollback` commands: uploading a
bundle (zip or form), listing versions, rolling back, undeploying, and refusing what must be refused."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp
from typer.testing import CliRunner

from interlace.cli import app
from interlace.runtime.bundles import build_bundle
from tests.management.conftest import ENV, PROJECT, REGISTRY, Managed
from tests.support import write_project


def shop_bundle(tmp_path: Path, version: str, env: dict[str, str] | None = None) -> Path:
    toml = PROJECT["interlace.toml"].replace('version = "2.0.0"', f'version = "{version}"')
    if env is not None:
        toml += '\n[configs]\nregion = "${env.SHOP_REGION}"\n'
    root = write_project(tmp_path / f"shop-{version}", {**PROJECT, "interlace.toml": toml})
    return build_bundle(root, tmp_path / "dist", env=env or ENV, connectors=REGISTRY)


async def upload(managed: Managed, data: bytes, token: str | None) -> tuple[int, dict[str, object]]:
    answer = await managed.call(
        "POST", "/management/deployments", token=token, data=data, headers={"Content-Type": "application/zip"}
    )
    return answer.status, answer.json


async def test_an_admin_deploys_a_bundle_and_the_versions_are_listed(
    managed: Managed, admin: str, monitor: str, tmp_path: Path
) -> None:
    status, deployed = await upload(managed, shop_bundle(tmp_path, "2.1.0").read_bytes(), admin)
    assert status == 201
    assert (deployed["name"], deployed["version"], deployed["active"], deployed["bundle"]) == (
        "shop",
        "2.1.0",
        True,
        True,
    )
    assert managed.runtime.artifacts.version == "2.1.0"
    listed = (await managed.call("GET", "/management/deployments", token=monitor)).json["items"]
    assert [(item["name"], item["version"], item["active"]) for item in listed] == [("shop", "2.1.0", True)]
    named = (await managed.call("GET", "/management/deployments/shop", token=monitor)).json
    assert named["active"] == "2.1.0"
    assert [item["version"] for item in named["versions"]] == ["2.0.0", "2.1.0"]


async def test_a_bundle_may_come_as_a_form(managed: Managed, admin: str, tmp_path: Path) -> None:
    form = aiohttp.FormData()
    form.add_field("bundle", shop_bundle(tmp_path, "2.2.0").read_bytes(), filename="shop-2.2.0.zip")
    headers = {"Authorization": f"Bearer {admin}"}
    async with managed.session.post("/management/deployments", data=form, headers=headers) as answer:
        assert answer.status == 201, await answer.text()
    assert managed.runtime.artifacts.version == "2.2.0"


async def test_rollback_restores_the_previous_version_and_an_inactive_version_can_be_removed(
    managed: Managed, admin: str, tmp_path: Path
) -> None:
    await upload(managed, shop_bundle(tmp_path, "2.1.0").read_bytes(), admin)
    rolled = await managed.call("POST", "/management/deployments/shop/rollback", token=admin)
    assert (rolled.status, rolled.json["version"], rolled.json["active"]) == (200, "2.0.0", True)
    assert managed.runtime.artifacts.version == "2.0.0"
    again = await managed.call("POST", "/management/deployments/shop/rollback", token=admin)
    assert (again.status, again.error_code) == (409, "CONFLICT")

    started = await managed.call("DELETE", "/management/deployments/shop/2.0.0", token=admin)
    assert started.status == 409
    removed = await managed.call("DELETE", "/management/deployments/shop/2.1.0", token=admin)
    assert (removed.status, removed.json["version"]) == (200, "2.1.0")
    gone = await managed.call("DELETE", "/management/deployments/shop/2.1.0", token=admin)
    assert gone.status == 404


async def test_a_faulty_bundle_is_refused_with_its_problems_and_the_old_version_keeps_serving(
    managed: Managed, admin: str, tmp_path: Path
) -> None:
    before = managed.runtime.artifacts
    status, body = await upload(managed, b"not a zip at all", admin)
    assert (status, body["error"]["code"]) == (400, "INVALID_BUNDLE")  # type: ignore[index]
    # Checked where it was built, but this server's environment lacks a variable the project needs.
    bundle = shop_bundle(tmp_path, "2.3.0", env={**ENV, "SHOP_REGION": "eu"}).read_bytes()
    status, body = await upload(managed, bundle, admin)
    assert (status, body["error"]["code"]) == (422, "DEPLOYMENT_REFUSED")  # type: ignore[index]
    message = str(body["error"]["message"])  # type: ignore[index]
    assert "shop 2.3.0 was refused (1 problem); the running version keeps serving" in message
    assert "interlace.toml:9: environment variable SHOP_REGION is not set" in message
    assert managed.runtime.artifacts is before


async def test_only_an_admin_changes_deployments(managed: Managed, monitor: str, tmp_path: Path) -> None:
    data = shop_bundle(tmp_path, "2.1.0").read_bytes()
    assert (await upload(managed, data, monitor))[0] == 403
    assert (await upload(managed, data, None))[0] == 401
    assert (await managed.call("POST", "/management/deployments/shop/rollback", token=monitor)).status == 403
    assert (await managed.call("DELETE", "/management/deployments/shop/2.0.0", token=monitor)).status == 403
    assert (await managed.call("GET", "/management/deployments")).status == 401
    assert managed.runtime.artifacts.version == "2.0.0"


async def test_a_json_body_is_not_a_bundle(managed: Managed, admin: str) -> None:
    answer = await managed.call("POST", "/management/deployments", token=admin, json={"bundle": "x"})
    assert answer.status == 400
    assert "application/zip or multipart/form-data" in answer.json["error"]["message"]


async def test_the_cli_deploys_a_bundle_and_rolls_it_back(
    managed: Managed, admin: str, tmp_path: Path
) -> None:
    bundle = shop_bundle(tmp_path, "2.1.0")
    server = ["--url", managed.server.url, "--token", admin]
    runner = CliRunner()
    deployed = await asyncio.to_thread(runner.invoke, app, ["deploy", str(bundle), *server])
    assert deployed.exit_code == 0, deployed.output
    assert f"deployed shop 2.1.0 to {managed.server.url}" in deployed.output
    assert managed.runtime.artifacts.version == "2.1.0"
    rolled = await asyncio.to_thread(runner.invoke, app, ["rollback", "shop", *server])
    assert rolled.exit_code == 0, rolled.output
    assert "rolled shop back to 2.0.0" in rolled.output
    refused = await asyncio.to_thread(runner.invoke, app, ["rollback", "shop", *server])
    assert refused.exit_code == 1
    assert "CONFLICT: shop has no earlier version to roll back to" in refused.output


def test_the_cli_builds_a_bundle_and_refuses_a_broken_project(tmp_path: Path) -> None:
    root = write_project(
        tmp_path / "hello",
        {
            "interlace.toml": '[project]\nname = "hello"\nversion = "0.3.0"\n',
            "sequences/s.yaml": "sequence: S\nflow:\n  - log: hi\n",
        },
    )
    built = CliRunner().invoke(app, ["build", str(root), "-o", str(tmp_path / "out")])
    assert built.exit_code == 0, built.output
    assert (tmp_path / "out" / "hello-0.3.0.zip").is_file()
    (root / "sequences" / "s.yaml").write_text("sequence: S\nflow:\n  - lgo: hi\n")
    broken = CliRunner().invoke(app, ["build", str(root), "-o", str(tmp_path / "out2")])
    assert broken.exit_code == 1
    assert "sequences/s.yaml:3" in broken.output
    assert not (tmp_path / "out2").exists()
