"""Bundles and deployments: building a verifiable bundle, deploying it into a running runtime, rolling
back, refusing broken or tampered bundles, the hot deployment folder, and a redeploy under load."""

from __future__ import annotations

import asyncio
import hashlib
import io
import logging
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import orjson
import pytest

from interlace.errors import ConfigError
from interlace.http.server import HttpServer
from interlace.runtime import Runtime
from interlace.runtime.bundles import MANIFEST, BundleError, build_bundle, read_bundle
from interlace.runtime.deployments import (
    DeploymentConflictError,
    DeploymentRefusedError,
    UnknownDeploymentError,
)
from interlace.runtime.hotdeploy import HotDeployFolder
from interlace.sdk import ConnectorRegistry
from interlace.sdk.testing import connector_entry_point
from tests.sdk.kv import connector as kv
from tests.support import eventually, within, write_project

REGISTRY = ConnectorRegistry(lambda: [connector_entry_point(kv)])
ENV = {"KV_PASSWORD": "open-sesame"}
SAME_SIZE = b"<the file changed, its size kept>"


def project_files(version: str, answer: str | None = None) -> dict[str, str]:
    return {
        "interlace.toml": f'[project]\nname = "greeter"\nversion = "{version}"\n',
        "apis/hello.yaml": f"""\
api: HelloAPI
context: /hello
resources:
  - methods: [GET]
    uri-template: /
    flow:
      - respond: {{json: {{version: "{answer or version}"}}}}
""",
        "connections/cache.yaml": "connection: cache\nconnector: kv\npassword: ${secret.KV_PASSWORD}\n",
    }


def bundle_of(tmp_path: Path, version: str, files: dict[str, str] | None = None) -> bytes:
    root = write_project(tmp_path / f"src-{version}", files or project_files(version))
    return build_bundle(root, tmp_path / "dist", env=ENV, connectors=REGISTRY).read_bytes()


def rezip(data: bytes, change: dict[str, bytes]) -> bytes:
    """The bundle with some entries' contents replaced (or added), the manifest left as it was."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            target.writestr(info, change.pop(info.filename, source.read(info.filename)))
        for name, content in change.items():
            target.writestr(name, content)
    return out.getvalue()


@pytest.fixture
async def runtime(tmp_path: Path) -> AsyncIterator[Runtime]:
    home = write_project(tmp_path / "home", project_files("1.0.0"))
    async with Runtime(home, env=ENV, connectors=REGISTRY) as running:
        yield running


# building -----------------------------------------------------------------------------------------------
def test_a_bundle_holds_the_project_files_with_checksums_and_the_connectors_it_uses(tmp_path: Path) -> None:
    root = write_project(tmp_path / "greeter", project_files("1.2.0"))
    (root / ".interlace").mkdir()
    (root / ".interlace" / "users.json").write_text("{}")
    path = build_bundle(root, tmp_path / "dist", env=ENV, connectors=REGISTRY)
    assert path.name == "greeter-1.2.0.zip"
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        manifest = orjson.loads(archive.read(MANIFEST))
        hello = archive.read("apis/hello.yaml")
    assert names == [MANIFEST, "apis/hello.yaml", "connections/cache.yaml", "interlace.toml"]
    assert manifest["name"] == "greeter"
    assert manifest["version"] == "1.2.0"
    assert manifest["connectors"] == [{"name": "kv", "version": kv.version}]
    assert {f["path"]: f["sha256"] for f in manifest["files"]}["apis/hello.yaml"] == (
        hashlib.sha256(hello).hexdigest()
    )
    assert manifest["created"].endswith("Z")


def test_building_twice_gives_the_same_bytes(tmp_path: Path) -> None:
    root = write_project(tmp_path / "greeter", project_files("1.0.0"))
    first = build_bundle(root, tmp_path / "a", env=ENV, connectors=REGISTRY).read_bytes()
    second = build_bundle(root, tmp_path / "b", env=ENV, connectors=REGISTRY).read_bytes()
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_a_project_with_problems_is_not_bundled(tmp_path: Path) -> None:
    files = project_files("1.0.0")
    files["apis/hello.yaml"] = files["apis/hello.yaml"].replace("respond:", "respnd:")
    root = write_project(tmp_path / "greeter", files)
    with pytest.raises(ConfigError) as raised:
        build_bundle(root, tmp_path / "dist", env=ENV, connectors=REGISTRY)
    assert "no bundle was built" in raised.value.message
    assert any("apis/hello.yaml" in str(problem.location) for problem in raised.value.detail)
    assert not (tmp_path / "dist").exists()


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            {"apis/hello.yaml": b"api: Changed\n"},
            "has 13 bytes, its manifest says 134: the bundle was changed",
        ),
        ({"apis/hello.yaml": SAME_SIZE}, "apis/hello.yaml does not match its checksum"),
        ({"extra.yaml": b"x: 1\n"}, "files not in the manifest: extra.yaml"),
        ({MANIFEST: b"{not json"}, "is not JSON"),
    ],
)
def test_a_tampered_bundle_is_refused(tmp_path: Path, change: dict[str, bytes], expected: str) -> None:
    data = bundle_of(tmp_path, "1.0.0")
    read_bundle(data)  # the untouched bundle is fine
    if change.get("apis/hello.yaml") is SAME_SIZE:
        original = project_files("1.0.0")["apis/hello.yaml"].encode()
        change = {"apis/hello.yaml": original.replace(b"HelloAPI", b"EvilsAPI")}
    with pytest.raises(BundleError, match=expected):
        read_bundle(rezip(data, dict(change)))


def test_a_manifest_may_not_point_outside_the_project(tmp_path: Path) -> None:
    data = bundle_of(tmp_path, "1.0.0")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        manifest = orjson.loads(archive.read(MANIFEST))
    manifest["files"][0]["path"] = "../escape.yaml"
    with pytest.raises(BundleError, match="plain relative path"):
        read_bundle(rezip(data, {MANIFEST: orjson.dumps(manifest)}))


def test_what_is_not_a_zip_is_refused() -> None:
    with pytest.raises(BundleError, match="zip file"):
        read_bundle(b"PK\x03\x04 certainly not a zip")


# deploying ----------------------------------------------------------------------------------------------
async def test_a_bundle_is_deployed_over_the_running_version_and_rolled_back(
    runtime: Runtime, tmp_path: Path
) -> None:
    deployments = runtime.deployments
    info = await deployments.deploy(bundle_of(tmp_path, "2.0.0"))
    assert (info.name, info.version, info.active, info.bundle) == ("greeter", "2.0.0", True, True)
    assert runtime.artifacts.version == "2.0.0"
    assert (
        runtime.deployments.active("greeter").root
        == runtime.home / ".interlace" / "deployments" / "greeter" / "2.0.0"
    )
    listed = [(i.version, i.active, i.bundle) for i in deployments.versions()]
    assert listed == [("1.0.0", False, False), ("2.0.0", True, True)]

    restored = await deployments.rollback("greeter")
    assert (restored.version, restored.active) == ("1.0.0", True)
    assert runtime.artifacts.version == "1.0.0"
    with pytest.raises(DeploymentConflictError, match="no earlier version"):
        await deployments.rollback("greeter")

    await deployments.remove_version("greeter", "2.0.0")
    assert [i.version for i in deployments.versions()] == ["1.0.0"]
    assert not (runtime.home / ".interlace" / "deployments" / "greeter" / "2.0.0").exists()


async def test_the_active_version_cannot_be_removed(runtime: Runtime, tmp_path: Path) -> None:
    await runtime.deployments.deploy(bundle_of(tmp_path, "2.0.0"))
    with pytest.raises(DeploymentConflictError, match="is active"):
        await runtime.deployments.remove_version("greeter", "2.0.0")
    with pytest.raises(UnknownDeploymentError):
        await runtime.deployments.remove_version("greeter", "9.9.9")


async def test_a_broken_bundle_is_refused_with_its_problems_and_the_old_version_keeps_serving(
    runtime: Runtime, tmp_path: Path
) -> None:
    good = bundle_of(tmp_path, "2.0.0")
    await runtime.deployments.deploy(good)
    before = runtime.artifacts
    files = project_files("3.0.0")
    files["apis/hello.yaml"] += "      - call: {endpoint: Nowhere}\n"
    root = write_project(tmp_path / "broken", files)
    # A bundle is checked when built, so a broken one is made by hand here: a genuine manifest over
    # a project that does not compile (as a bundle built for another installation could be).
    broken = _bundle_without_check(root)
    with pytest.raises(DeploymentRefusedError) as refused:
        await runtime.deployments.deploy(broken)
    assert "greeter 3.0.0 was refused" in refused.value.message
    assert "apis/hello.yaml:8" in refused.value.message
    assert "Nowhere" in refused.value.message
    assert runtime.artifacts is before
    assert not (runtime.home / ".interlace" / "deployments" / "greeter" / "3.0.0").exists()
    assert [i.version for i in runtime.deployments.versions() if i.active] == ["2.0.0"]


def _bundle_without_check(root: Path) -> bytes:
    """A bundle of ``root`` as build_bundle makes it, skipping the check (the manifest is genuine)."""
    from interlace import __version__
    from interlace.runtime.bundles import BundledFile, Manifest

    files = {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}
    manifest = Manifest(
        "greeter",
        "3.0.0",
        "2024-01-01T00:00:00Z",
        __version__,
        tuple(BundledFile(path, hashlib.sha256(data).hexdigest(), len(data)) for path, data in files.items()),
        (),
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(MANIFEST, orjson.dumps(manifest.to_json()))
        for path, data in files.items():
            archive.writestr(path, data)
    return out.getvalue()


async def test_a_version_deployed_again_with_other_content_is_refused(
    runtime: Runtime, tmp_path: Path
) -> None:
    await runtime.deployments.deploy(bundle_of(tmp_path, "2.0.0"))
    other = bundle_of(tmp_path / "other", "2.0.0", project_files("2.0.0", answer="different"))
    with pytest.raises(DeploymentConflictError, match="already deployed with other content"):
        await runtime.deployments.deploy(other)
    again = await runtime.deployments.deploy(bundle_of(tmp_path / "same", "2.0.0"))
    assert again.active


# the hot deployment folder ------------------------------------------------------------------------------
async def test_a_bundle_dropped_into_the_watched_folder_is_deployed(runtime: Runtime, tmp_path: Path) -> None:
    folder = tmp_path / "hot"
    watcher = HotDeployFolder(runtime.deployments, folder, settle=0.0)
    stop = asyncio.Event()
    watching = asyncio.create_task(watcher.run(stop))
    try:
        await eventually(folder.is_dir)
        data = bundle_of(tmp_path, "2.0.0")
        (folder / ".greeter-2.0.0.zip").write_bytes(data)
        (folder / ".greeter-2.0.0.zip").rename(folder / "greeter-2.0.0.zip")
        await eventually(lambda: runtime.artifacts.version == "2.0.0")
        await eventually((folder / "deployed" / "greeter-2.0.0.zip").exists)
    finally:
        stop.set()
        await within(watching)


async def test_a_faulty_bundle_in_the_watched_folder_is_moved_to_failed_with_its_diagnostics(
    runtime: Runtime, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "hot"
    folder.mkdir()
    (folder / "broken.zip").write_bytes(rezip(bundle_of(tmp_path, "2.0.0"), {"apis/hello.yaml": b"x"}))
    before = runtime.artifacts
    with caplog.at_level(logging.ERROR, "interlace.runtime"):
        moved = await HotDeployFolder(runtime.deployments, folder, settle=0.0).scan()
    assert moved == [folder / "failed" / "broken.zip"]
    assert "the bundle was changed" in (folder / "failed" / "broken.zip.txt").read_text()
    assert "hot deployment of broken.zip refused" in caplog.text
    assert runtime.artifacts is before


async def test_the_runtime_watches_its_deploy_dir_when_asked(tmp_path: Path) -> None:
    files = project_files("1.0.0")
    files["interlace.toml"] += '\n[server]\ndeploy-dir = "drop"\n'
    home = write_project(tmp_path / "home", files)
    (home / "drop").mkdir()
    (home / "drop" / "greeter-2.0.0.zip").write_bytes(bundle_of(tmp_path, "2.0.0"))
    async with Runtime(home, env=ENV, connectors=REGISTRY, hot_deploy=True) as running:
        await eventually(lambda: running.artifacts.version == "2.0.0")


# a redeploy under load ----------------------------------------------------------------------------------
async def test_every_request_during_a_hot_redeploy_gets_a_200_from_the_old_or_the_new_version(
    runtime: Runtime, tmp_path: Path
) -> None:
    bundle = bundle_of(tmp_path, "2.0.0")
    answers: list[tuple[int, str]] = []
    deployed = asyncio.Event()
    async with HttpServer(runtime, "127.0.0.1", 0, 1024 * 1024) as server:
        url = f"http://127.0.0.1:{server.port}/hello/"

        async def client(session: aiohttp.ClientSession) -> None:
            after = 0
            while after < 20:  # keep going until well after the swap
                async with session.get(url) as answer:
                    body = await answer.json(content_type=None)
                    answers.append((answer.status, str(body.get("version"))))
                if deployed.is_set():
                    after += 1

        async with aiohttp.ClientSession() as session:
            clients = [asyncio.create_task(client(session)) for _ in range(20)]
            await eventually(lambda: len(answers) >= 200)
            await runtime.deployments.deploy(bundle)
            deployed.set()
            await asyncio.gather(*clients)
    statuses = {status for status, _ in answers}
    versions = [version for _, version in answers]
    assert statuses == {200}
    assert set(versions) == {"1.0.0", "2.0.0"}
    # Once a client sees the new version it never sees the old one again.
    assert versions[-1] == "2.0.0"


async def test_a_restarted_server_serves_the_version_deployed_last(tmp_path: Path) -> None:
    home = write_project(tmp_path / "home", project_files("1.0.0"))
    async with Runtime(home, env=ENV, connectors=REGISTRY, hot_deploy=True) as first:
        await first.deployments.deploy(bundle_of(tmp_path, "2.0.0"))
    async with Runtime(home, env=ENV, connectors=REGISTRY, hot_deploy=True) as restarted:
        assert restarted.artifacts.version == "2.0.0"
        assert (
            restarted.deployments.active("greeter").root
            == home / ".interlace" / "deployments" / "greeter" / "2.0.0"
        )
        await restarted.deployments.rollback("greeter")
    async with Runtime(home, env=ENV, connectors=REGISTRY, hot_deploy=True) as again:
        assert again.artifacts.version == "1.0.0"
        assert again.deployments.active("greeter").root == home
