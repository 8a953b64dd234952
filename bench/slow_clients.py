"""Slow clients against the HTTP port: N connections that dribble their headers (slowloris) or their
body, on loopback. Prints how many were refused at once (beyond max-connections), how many were cut off
with 408, and how long the last one was held.

    .venv/bin/python bench/slow_clients.py --connections 4000 --kind headers
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import tempfile
import time
from pathlib import Path

from interlace.http.server import HttpServer
from interlace.runtime import Runtime
from interlace.serving import ConnectionLimits

PROJECT = """\
api: Echo
context: /echo
resources:
  - {methods: [POST, GET], uri-template: /, flow: [respond: {}]}
"""
HEAD = b"POST /echo/ HTTP/1.1\r\nHost: bench\r\n"


async def _slow_client(port: int, kind: str, every: float) -> tuple[int, float]:
    """The status the server answered (0: closed without one) and how long the connection was held."""
    started = time.monotonic()
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        return -1, 0.0
    writer.write(HEAD if kind == "headers" else HEAD + b"Content-Length: 100000\r\n\r\n")

    async def dribble() -> None:
        with contextlib.suppress(ConnectionError):
            while not writer.is_closing():
                writer.write(b"X-Slow: 1\r\n" if kind == "headers" else b"x")
                await writer.drain()
                await asyncio.sleep(every)

    task = asyncio.create_task(dribble())
    try:
        answer = await asyncio.wait_for(reader.read(), 120)
    except (ConnectionError, TimeoutError):
        answer = b""
    finally:
        task.cancel()
        writer.close()
    status = int(answer.split()[1]) if answer.startswith(b"HTTP/1.1 ") else 0
    return status, time.monotonic() - started


async def main(connections: int, kind: str, limits: ConnectionLimits, every: float) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "interlace.toml").write_text('[project]\nname = "slow"\n')
        (root / "apis").mkdir()
        (root / "apis" / "echo.yaml").write_text(PROJECT)
        async with (
            Runtime(root) as runtime,
            HttpServer(runtime, "127.0.0.1", 0, 1 << 20, limits=limits) as server,
        ):
            results = await asyncio.gather(
                *(_slow_client(server.port, kind, every) for _ in range(connections))
            )
    statuses: dict[int, int] = {}
    for status, _ in results:
        statuses[status] = statuses.get(status, 0) + 1
    held = max(seconds for _, seconds in results)
    print(f"{connections} slow clients ({kind}), limits {limits}")
    print(
        "answers: "
        + ", ".join(f"{status or 'closed'}: {count}" for status, count in sorted(statuses.items()))
    )
    print(f"longest held: {held:.1f}s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=2000)
    parser.add_argument("--kind", choices=["headers", "body"], default="headers")
    parser.add_argument("--every", type=float, default=1.0, help="seconds between the pieces a client sends")
    parser.add_argument("--header-timeout", type=float, default=10.0)
    parser.add_argument("--body-timeout", type=float, default=60.0)
    parser.add_argument("--max-connections", type=int, default=1024)
    args = parser.parse_args()
    limits = ConnectionLimits(args.header_timeout, args.body_timeout, 75.0, args.max_connections)
    asyncio.run(main(args.connections, args.kind, limits, args.every))
