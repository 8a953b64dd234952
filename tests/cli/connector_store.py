"""A connector store of the tests' own: a tiny connector package built into wheels (one per version, with
``pip wheel`` and the build tools of this environment) in a local folder, and a catalog index of them."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from interlace.cli.catalog_install import file_sha256

NAME = "storecheck"
PACKAGE = "interlace-storecheck"

PYPROJECT = """\
[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "{package}"
version = "{version}"
description = "A connector of the tests' store."
keywords = ["testing", "echo"]
requires-python = ">=3.11"
dependencies = ["interlace{interlace}"]

[project.entry-points."interlace.connectors"]
{name} = "interlace_{name}:connector"

[tool.setuptools]
py-modules = ["interlace_{name}"]
"""

MODULE = '''\
"""Says what it is given, in the style of version {version}."""

from __future__ import annotations

from typing import Annotated

from interlace.sdk import Connection, ConnectionConfig, Connector, Param


class EchoConfig(ConnectionConfig):
    """Nothing to configure."""


class EchoConnection(Connection[EchoConfig]):
    """Speaks."""


connector = Connector(
    "{name}", version="{version}", connection=EchoConnection, description="Echoes text, version {version}."
)


@connector.operation
async def echo(conn: EchoConnection, text: Annotated[str, Param("What to say.")]) -> str:
    """Answer *text* with the version that answered."""
    return f"{{text}} from {version}"
'''


@dataclass(frozen=True)
class Store:
    """The folder of package files and the index describing them, by version."""

    files: Path
    index: Path
    checksums: dict[str, str]


def build_wheel(source: Path, files: Path, version: str, interlace: str) -> Path:
    """Write the package's source at ``version`` and build its wheel into ``files``."""
    folder = source / version
    folder.mkdir(parents=True)
    (folder / "pyproject.toml").write_text(
        PYPROJECT.format(package=PACKAGE, version=version, name=NAME, interlace=interlace), encoding="utf-8"
    )
    (folder / f"interlace_{NAME}.py").write_text(MODULE.format(name=NAME, version=version), encoding="utf-8")
    command = [
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "--no-build-isolation",
        "-w",
        str(files),
        str(folder),
    ]
    subprocess.run(command, check=True, capture_output=True, timeout=300)
    (wheel,) = files.glob(f"interlace_{NAME}-{version}-*.whl")
    return wheel


def entry(checksums: dict[str, str], supports: dict[str, str]) -> dict[str, object]:
    return {
        "name": NAME,
        "package": PACKAGE,
        "description": "Echoes text.",
        "keywords": ["testing", "echo"],
        "operations": ["echo"],
        "versions": [
            {"version": version, "interlace": supports[version], "sha256": checksum}
            for version, checksum in checksums.items()
        ],
    }


def make_store(folder: Path, supports: dict[str, str]) -> Store:
    """Wheels of each version in ``supports`` (version to the Interlace specifier it declares) and the
    index of them."""
    files = folder / "files"
    files.mkdir(parents=True)
    checksums = {
        version: file_sha256(build_wheel(folder / "source", files, version, interlace))
        for version, interlace in supports.items()
    }
    index = folder / "index.json"
    index.write_text(json.dumps({"format": 1, "connectors": [entry(checksums, supports)]}), encoding="utf-8")
    return Store(files, index, checksums)
