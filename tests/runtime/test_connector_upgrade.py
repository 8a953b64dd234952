"""A connector package upgraded in place while the server runs is used from the next deployment (driven
over real sockets: `interlace deploy` to the management API, then the new operation over HTTP); where
Python cannot unload the old code, the answer says so and what to do."""

from __future__ import annotations

import asyncio
import importlib
import shutil
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest
from typer.testing import CliRunner

from interlace.cli import app
from interlace.compiler.compile import installed_connectors
from interlace.http.server import HttpServer
from interlace.management import ManagementServer, TokenIssuer
from interlace.runtime import Runtime
from interlace.runtime.bundles import build_bundle
from interlace.runtime.connector_code import ConnectorCode, compiled_files
from interlace.sdk import ConnectorRegistry
from interlace.sdk.testing import connector_entry_point
from tests.management.conftest import ADMIN_PASSWORD, make_users
from tests.support import write_project

MODULE = '''
from typing import Annotated
from interlace.sdk import Connection, ConnectionConfig, Connector, Param


class AcmeConfig(ConnectionConfig):
    """Nothing to configure."""


class AcmeConnection(Connection[AcmeConfig]):
    """Speaks."""


connector = Connector("acme", version="{version}", connection=AcmeConnection, description="Speaks.")


@connector.operation
async def say(conn: AcmeConnection, text: Annotated[str, Param("What to say.")]) -> str:
    """Answer *text* {how}."""
    return text.{how}()
'''


def install(site: Path, version: str, how: str) -> None:
    """Write version ``version`` of the acme package into ``site``, replacing the one there."""
    for old in site.glob("acme_connector-*.dist-info"):
        shutil.rmtree(old)
    (site / "acme_connector.py").write_text(MODULE.format(version=version, how=how))
    info = site / f"acme_connector-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: acme-connector\nVersion: {version}\n")
    (info / "entry_points.txt").write_text("[interlace.connectors]\nacme = acme_connector:connector\n")
    (info / "top_level.txt").write_text("acme_connector\n")
    importlib.invalidate_caches()


def files(version: str) -> dict[str, str]:
    return {
        "interlace.toml": f'[project]\nname = "speaker"\nversion = "{version}"\n',
        "apis/say.yaml": """\
api: SayAPI
context: /say
resources:
  - methods: [GET]
    flow:
      - acme.say: {init: {}, text: Hello, response-variable: said}
      - respond: {json: {said: "${vars.said.payload}"}}
""",
    }


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "site"
    folder.mkdir()
    sys.path.insert(0, str(folder))
    try:
        yield folder
    finally:
        sys.path.remove(str(folder))
        sys.modules.pop("acme_connector", None)
        importlib.invalidate_caches()
        installed_connectors().refresh()


@pytest.fixture
async def served(site: Path, tmp_path: Path) -> AsyncIterator[tuple[str, str, str]]:
    install(site, "1.0.0", "upper")
    installed_connectors().refresh()  # as a server started after the install finds it
    home = write_project(tmp_path / "speaker", files("1.0.0"))
    async with (
        Runtime(home, env={}) as runtime,
        HttpServer(runtime, "127.0.0.1", 0, 65536) as http,
        ManagementServer(runtime, make_users(), port=0, tokens=TokenIssuer(b"k" * 32)) as managed,
        aiohttp.ClientSession() as session,
        session.post(
            f"{managed.url}/management/login", json={"user": "admin", "password": ADMIN_PASSWORD}
        ) as login,
    ):
        yield f"http://127.0.0.1:{http.port}/say", managed.url, (await login.json())["token"]


async def said(url: str) -> object:
    async with aiohttp.ClientSession() as session, session.get(url) as answer:
        assert answer.status == 200, await answer.text()
        return (await answer.json())["said"]


async def test_an_upgraded_connector_is_used_from_the_next_deployment(
    served: tuple[str, str, str], site: Path, tmp_path: Path
) -> None:
    api, management, token = served
    assert await said(api) == "HELLO"
    install(site, "1.1.0", "lower")
    # Built where 1.1.0 is installed (its own registry: this process still holds 1.0.0's module).
    from importlib import util

    spec = util.spec_from_file_location("acme_connector_new", site / "acme_connector.py")
    assert spec is not None and spec.loader is not None
    new = util.module_from_spec(spec)
    spec.loader.exec_module(new)
    registry = ConnectorRegistry(
        lambda: [connector_entry_point(new.connector, distribution="acme-connector")]
    )
    bundle = build_bundle(
        write_project(tmp_path / "next", files("1.1.0")), tmp_path / "dist", connectors=registry
    )

    result = await asyncio.to_thread(
        CliRunner().invoke, app, ["deploy", str(bundle), "--url", management, "--token", token]
    )
    assert result.exit_code == 0, result.output
    assert "deployed speaker 1.1.0" in result.output
    assert "connector acme 1.1.0 is used from now on (was 1.0.0)" in result.output
    assert await said(api) == "hello"


def test_an_upgrade_whose_old_code_cannot_be_unloaded_keeps_it_and_says_to_restart(site: Path) -> None:
    install(site, "1.0.0", "upper")
    registry = ConnectorRegistry()
    code = ConnectorCode(compiled=lambda module: module == "acme_connector")
    registry.get("acme")  # as a deployment that uses it imports it
    code.note(registry)
    assert code.refresh(registry) == []
    install(site, "1.1.0", "lower")
    [upgrade] = code.refresh(registry)
    assert (upgrade.connector, upgrade.loaded, upgrade.installed, upgrade.stuck) == (
        "acme",
        "1.0.0",
        "1.1.0",
        ("acme_connector",),
    )
    assert registry.get("acme").version == "1.0.0"  # the old code is still the one imported
    assert upgrade.message == (
        "connector acme 1.1.0 is installed, but this server still runs 1.0.0: Python cannot unload the "
        "compiled modules it imported already (acme_connector); restart the server to use 1.1.0"
    )


def test_compiled_files_are_found_among_a_package_s_files() -> None:
    assert any(name.startswith("orjson/") for name in compiled_files("orjson"))
    assert compiled_files("typer") == []
