"""Serve a project written from a mapping of files on a real socket, with a client session to it."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping
from pathlib import Path

import aiohttp

from interlace.http.server import HttpServer
from interlace.runtime import Runtime


@contextlib.asynccontextmanager
async def serve_files(
    root: Path, files: Mapping[str, str], env: Mapping[str, str] | None = None
) -> AsyncIterator[tuple[Runtime, aiohttp.ClientSession]]:
    """The started runtime of the project ``files`` (path: text) written under ``root`` (with ``env`` for
    ``${env.X}``), served over HTTP on a free port of 127.0.0.1, and a session whose base URL is that
    server."""
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    runtime = Runtime(root, env=dict(env) if env is not None else None)
    async with (
        runtime,
        HttpServer(runtime, "127.0.0.1", 0, 1024) as server,
        aiohttp.ClientSession(f"http://127.0.0.1:{server.port}") as session,
    ):
        yield runtime, session
