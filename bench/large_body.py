"""A 100 MB pass-through: Interlace against a bare aiohttp streaming forwarder, in the same run.

The client (this process) POSTs ``--size`` MiB with a ``Content-Length``; the server under test passes
it to the back-end, which echoes it as it arrives (chunked), and passes the echo back. Interlace runs
the pass-through benchmark's project unchanged (``call`` an endpoint, ``respond``), exactly as users run
it; the baseline is a bare aiohttp server that forwards ``request.content`` with one pooled client
session and writes the answer back chunk by chunk (``--serve baseline``). Each is pinned to the server
core, the back-end (``--serve backend``) and the client to the other one, and they run alternately
(``--rounds``), after one unmeasured warm-up transfer per server start.

Per server: the time of a transfer (client's first byte sent to last byte received; the median of
``--transfers``), and the server's resident memory above idle: ``VmHWM`` (the peak, reset through
``/proc/PID/clear_refs`` after the warm-up) less ``VmRSS`` measured idle before the transfers. The
target: memory within a few MB of idle, time within 1.5x of the baseline.

Run: ``python bench/large_body.py`` (``--help`` for size, rounds, transfers, cores).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
from aiohttp import web
from passthrough import BENCH, HOST, _free_port, _process, compare_variants, run_on_fastest_loop

MIB = 1024 * 1024
CHUNK = 256 * 1024
SERVERS = ("baseline", "interlace")
TARGET_TIME = 1.5


@dataclass(frozen=True, slots=True)
class Transfer:
    """One server's figures: the median transfer time and the server's memory above idle (MiB)."""

    seconds: float
    peak_above_idle: float
    idle: float


def _status_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise SystemExit(f"no {field} in /proc/{pid}/status")


def _reset_peak(pid: int) -> None:
    """Set the process's VmHWM back to its current VmRSS (Linux: ``5`` to ``clear_refs``)."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


async def _body(size: int) -> AsyncIterator[bytes]:
    chunk = b"x" * CHUNK
    for _ in range(size // CHUNK):
        yield chunk


async def _transfer(session: aiohttp.ClientSession, url: str, size: int) -> float:
    """POST ``size`` bytes through ``url`` and read the echo; the seconds it took."""
    started = time.perf_counter()
    received = 0
    headers = {"Content-Type": "application/octet-stream", "Content-Length": str(size)}
    async with session.post(url, data=_body(size), headers=headers) as answer:
        async for chunk in answer.content.iter_any():
            received += len(chunk)
    seconds = time.perf_counter() - started
    if answer.status != 200 or received != size:
        raise SystemExit(f"{url} answered {answer.status} with {received} of {size} bytes")
    return seconds


async def _measure(server: str, args: argparse.Namespace, backend_port: int) -> Transfer:
    port = _free_port()
    backend = f"http://{HOST}:{backend_port}"
    if server == "interlace":
        project = BENCH / "projects" / "passthrough"
        command = [sys.executable, "-m", "interlace", "run", str(project), "--port", str(port)]
        path = "/bench/passthrough"
    else:
        command = [sys.executable, __file__, "--serve", "baseline", "--port", str(port), "--backend", backend]
        path = "/forward"
    size = args.size * MIB
    url = f"http://{HOST}:{port}{path}"
    env = {"BENCH_BACKEND_URL": backend}
    timeout = aiohttp.ClientTimeout(total=300)
    with _process(server, command, args.server_core, port, env) as process:
        async with aiohttp.ClientSession(timeout=timeout) as session:
            await _transfer(session, url, size)  # warm-up: imports, pools, buffers
            await asyncio.sleep(0.5)
            idle = _status_kib(process.pid, "VmRSS")
            _reset_peak(process.pid)
            times = [await _transfer(session, url, size) for _ in range(args.transfers)]
            peak = _status_kib(process.pid, "VmHWM")
    return Transfer(statistics.median(times), max(0, peak - idle) / 1024, idle / 1024)


def _median(results: list[Transfer]) -> Transfer:
    ranked = sorted(results, key=lambda t: t.seconds)
    middle = ranked[(len(ranked) - 1) // 2]
    # the time's median, with the worst memory seen: memory must stay flat in every run
    return Transfer(middle.seconds, max(t.peak_above_idle for t in results), middle.idle)


async def _compare(args: argparse.Namespace) -> None:
    async def measure(server: str, backend_pid: int, backend_port: int) -> Transfer:
        return await _measure(server, args, backend_port)

    def backend(port: int) -> list[str]:
        return [sys.executable, __file__, "--serve", "backend", "--port", str(port)]

    chosen = await compare_variants(list(SERVERS), measure, args, median=_median, backend=backend)
    print(f"{args.size} MiB pass-through, median of {args.rounds} rounds x {args.transfers} transfers")
    print(f"load average before: {args.load_before}; after: {_load()}")
    header = f"{'server':<10} {'seconds':>8} {'MiB/s':>8} {'idle RSS MiB':>13} {'peak above idle MiB':>20}"
    print(header)
    print("-" * len(header))
    for server in SERVERS:
        t = chosen[server]
        rate = args.size / t.seconds
        print(f"{server:<10} {t.seconds:>8.3f} {rate:>8.1f} {t.idle:>13.1f} {t.peak_above_idle:>20.1f}")
    ratio = chosen["interlace"].seconds / chosen["baseline"].seconds
    verdict = "met" if ratio <= TARGET_TIME else "NOT met"
    print(f"time ratio interlace/baseline: {ratio:.2f} (target <= {TARGET_TIME}: {verdict})")


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


# The peers, run by this script as subprocesses.


def _baseline_app(backend: str) -> web.Application:
    """The bare streaming forwarder: the request's body goes to the back-end as it arrives, and the
    answer's body back to the client."""
    url = f"{backend}/echo"
    sessions: list[aiohttp.ClientSession] = []

    async def forward(request: web.Request) -> web.StreamResponse:
        if not sessions:
            sessions.append(aiohttp.ClientSession())
        headers = {"Content-Type": request.headers.get("Content-Type", "application/octet-stream")}
        if request.content_length is not None:
            headers["Content-Length"] = str(request.content_length)
        async with sessions[0].post(url, data=request.content.iter_any(), headers=headers) as answer:
            response = web.StreamResponse(status=answer.status, headers={"Content-Type": answer.content_type})
            if answer.content_length is not None:
                response.content_length = answer.content_length
            await response.prepare(request)
            async for chunk in answer.content.iter_any():
                await response.write(chunk)
            await response.write_eof()
            return response

    app = web.Application(client_max_size=1024**4)
    app.router.add_post("/forward", forward)
    return app


def _backend_app() -> web.Application:
    """The echo back-end: the body back as it arrives, chunked."""

    async def echo(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/octet-stream"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        async for chunk in request.content.iter_any():
            await response.write(chunk)
        await response.write_eof()
        return response

    app = web.Application(client_max_size=1024**4)
    app.router.add_post("/echo", echo)
    return app


async def _serve(app: web.Application, port: int) -> None:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, HOST, port).start()
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()


def _main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", type=int, default=100, help="MiB per transfer")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--transfers", type=int, default=3, help="measured transfers per round")
    parser.add_argument("--server-core", type=int, default=0)
    parser.add_argument("--aux-core", type=int, default=1)
    parser.add_argument("--serve", choices=("baseline", "backend"), help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--backend", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve == "baseline":
        run_on_fastest_loop(_serve(_baseline_app(args.backend), args.port))
    elif args.serve == "backend":
        run_on_fastest_loop(_serve(_backend_app(), args.port))
    else:
        os.sched_setaffinity(0, {args.aux_core})
        args.load_before = _load()
        run_on_fastest_loop(_compare(args))


if __name__ == "__main__":
    _main()
