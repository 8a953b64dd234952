"""Fixtures of the commands that operate a running server: the live server and a configuration
folder of this test's own (remotes and tokens)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.live_server import FILES, LiveServer
from tests.support import write_project


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveServer]:
    server = LiveServer(write_project(tmp_path / "shop", FILES))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "config"
    monkeypatch.setenv("INTERLACE_CONFIG_DIR", str(folder))
    monkeypatch.delenv("INTERLACE_PASSWORD", raising=False)
    monkeypatch.setenv("COLUMNS", "240")
    return folder
