"""A running runtime finds a connector installed after it started, on its next deployment, and a
removed one makes the next deployment fail while the running one keeps serving."""

from __future__ import annotations

import importlib
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from interlace.compiler.compile import installed_connectors
from interlace.errors import ConfigError
from interlace.message import MessageContext, Payload
from interlace.runtime import Runtime

CONNECTOR = '''
from typing import Annotated
from interlace.sdk import Connection, ConnectionConfig, Connector, Param


class EchoConfig(ConnectionConfig):
    """Nothing to configure."""


class EchoConnection(Connection[EchoConfig]):
    """Echoes."""


connector = Connector("echo", version="0.1.0", connection=EchoConnection, description="Echoes text.")


@connector.operation
async def shout(conn: EchoConnection, text: Annotated[str, Param("What to shout.")]) -> str:
    """Answer *text* in capitals."""
    return text.upper()
'''


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Path]:
    """A folder on sys.path where a package can be 'installed' by writing its files."""
    folder = tmp_path / "site"
    folder.mkdir()
    sys.path.insert(0, str(folder))
    try:
        yield folder
    finally:
        sys.path.remove(str(folder))
        sys.modules.pop("echo_connector", None)
        importlib.invalidate_caches()
        installed_connectors().refresh()


def install(site: Path) -> None:
    (site / "echo_connector.py").write_text(CONNECTOR)
    info = site / "echo_connector-0.1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: echo-connector\nVersion: 0.1.0\n")
    (info / "entry_points.txt").write_text("[interlace.connectors]\necho = echo_connector:connector\n")


def uninstall(site: Path) -> None:
    shutil.rmtree(site / "echo_connector-0.1.0.dist-info")
    (site / "echo_connector.py").unlink()


async def test_a_connector_installed_while_running_is_used_from_the_next_deployment(
    tmp_path: Path, site: Path
) -> None:
    root = tmp_path / "project"
    (root / "sequences").mkdir(parents=True)
    (root / "interlace.toml").write_text('[project]\nname = "discovery"\n')
    (root / "sequences" / "s.yaml").write_text("sequence: S\nflow:\n  - log: hello\n")
    async with Runtime(root, env={}) as runtime:
        install(site)
        (root / "sequences" / "s.yaml").write_text(
            "sequence: S\nflow:\n  - echo.shout: {init: {}, text: '${payload.text}'}\n"
        )
        await runtime.redeploy()
        ctx = MessageContext(Payload.of_json({"text": "hello"}))
        await runtime.artifacts.sequences["S"].mediate(ctx)
        assert ctx.payload.text() == "HELLO"

        uninstall(site)
        serving = runtime.artifacts
        with pytest.raises(ConfigError, match="no connector 'echo' is installed"):
            await runtime.redeploy()
        assert runtime.artifacts is serving
