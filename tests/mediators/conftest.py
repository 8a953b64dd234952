from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from interlace.endpoints import HttpClient

from .harness import Flows, compile_files, main_sequence

CompileFlows = Callable[..., Flows]


@pytest.fixture
async def http_client() -> AsyncIterator[HttpClient]:
    async with HttpClient() as client:
        yield client


@pytest.fixture
def compile_flows(tmp_path: Path, http_client: HttpClient) -> CompileFlows:
    """``compile_flows(files, configs=None)`` compiles a project of those files; ``compile_flows(flow=...)``
    compiles one sequence ``Main`` with that flow (plus any other files)."""
    counter = itertools.count()

    def compile_(
        files: Mapping[str, str] | None = None,
        *,
        flow: str | None = None,
        configs: Mapping[str, Any] | None = None,
    ) -> Flows:
        all_files = dict(files or {})
        if flow is not None:
            all_files["sequences/main.yaml"] = main_sequence(flow)
        return compile_files(tmp_path / f"project{next(counter)}", all_files, http_client, configs)

    return compile_
