"""A project that needs a client library Interlace was installed without is refused at load time, naming the
extra that brings it (``pip install 'interlace[redis]'``), at the file and line that needs it.

The missing libraries are stand-in packages put first on the path of the checked process: importing one
raises ``ModuleNotFoundError`` as an absent package does.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support import write_project

EXTRA_MODULES = (
    *("aiosmtplib", "aioimaplib", "sqlalchemy", "aiosqlite", "asyncpg", "aiomysql", "aiokafka"),
    *("aiobotocore", "botocore", "aiomqtt", "paho", "nats", "aio_pika", "aiormq", "redis", "iso8583"),
)
"""The top-level modules of every optional extra's libraries."""
_ABSENT = 'raise ModuleNotFoundError("No module named {name!r}", name={name!r})\n'


def _without(site: Path, *libraries: str) -> dict[str, str]:
    """An environment whose Python cannot import ``libraries``."""
    for library in libraries:
        package = site / library
        package.mkdir(parents=True)
        (package / "__init__.py").write_text(_ABSENT.format(name=library))
    path = os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "PYTHONPATH": path}


def _check(project: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "interlace", "check", str(project)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_store_and_a_connector_whose_libraries_are_missing_name_the_extras_to_install(
    tmp_path: Path,
) -> None:
    project = write_project(
        tmp_path / "project",
        {
            "stores/cache.yaml": """\
                store: Orders
                redis:
                  url: redis://127.0.0.1:6379/0
                """,
            "connections/events.yaml": """\
                connection: events
                connector: kafka
                bootstrap-servers: ["127.0.0.1:9092"]
                """,
        },
    )
    done = _check(project, _without(tmp_path / "site", "redis", "aiokafka"))
    assert done.returncode == 1
    assert (
        "stores/cache.yaml:2: store Orders: store kind 'redis' needs the Python module 'redis', which is not"
        " installed; install it with: pip install 'interlace[redis]'"
    ) in done.stdout + done.stderr
    assert (
        "connections/events.yaml:2: the installed connectors cannot be loaded: connector 'kafka' needs the"
        " Python module 'aiokafka', which is not installed; install it with: pip install 'interlace[kafka]'"
    ) in done.stdout + done.stderr
    assert "Traceback" not in done.stderr


def test_the_healthcare_example_loads_without_any_extra(tmp_path: Path) -> None:
    example = Path(__file__).resolve().parents[2] / "examples" / "healthcare"
    done = _check(example, _without(tmp_path / "site", *EXTRA_MODULES))
    assert done.returncode == 0, done.stdout + done.stderr


def test_connector_list_shows_the_connectors_whose_libraries_are_missing_with_the_extra(
    tmp_path: Path,
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "interlace", "connector", "list"],
        env=_without(tmp_path / "site", "aiokafka"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    listed = " ".join(done.stdout.split())  # the table wraps to the terminal's width
    assert "http" in listed and "gmail" in listed
    assert (
        "not usable: connector 'kafka' needs the Python module 'aiokafka', which is not installed; install it"
        " with: pip install 'interlace[kafka]'"
    ) in listed
