"""Interlace against a hand-written aiohttp forwarder, each on one CPU core, in the same run.

Cases (see workload.py): ``passthrough`` (call an endpoint, respond) and ``routing`` (parse JSON, switch,
payload template, call, respond). For each case the baseline (bench/baseline.py) and Interlace
(``python -m interlace run bench/projects/<case> --port N``, exactly as users run it) are started in turn
as subprocesses pinned to the server core; the echo back-end (bench/backend.py) and this process, the
load generator, are pinned to the other core. Prints req/s, p50/p99 latency, CPU use and the ratios.

Run: ``python bench/passthrough.py`` (``--help`` for duration, connections, cases, client, cores).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, cast

import aiohttp
import orjson
from loadgen import LoadResult, run_load
from workload import WORKLOADS, Workload

K = TypeVar("K")
M = TypeVar("M")

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
HOST = "127.0.0.1"
SERVERS = ("baseline", "baseline+uvloop", "interlace")
"""``baseline``: a bare aiohttp forwarder (asyncio loop), the reference of the targets; ``baseline+uvloop``:
the same on uvloop, the loop Interlace runs on, to show what is Interlace's own cost."""
PASSTHROUGH_TARGET = 1.0
ROUTING_TARGET = 0.6
BUSY_SERVER = 0.9  # below this share of its core, the server was not the only bottleneck
_TICKS = os.sysconf("SC_CLK_TCK")
START_WITHIN = 90.0  # seconds a server may take to listen (a busy machine, several workers starting)


@dataclass(frozen=True, slots=True)
class Measurement:
    """One server under one workload: the load result and the CPU each party used meanwhile."""

    case: str
    server: str
    load: LoadResult
    server_cpu: float  # fraction of one core used by the server under test
    aux_cpu: float  # fraction of the other core used by the back-end and the load generator

    @property
    def cpu_per_request(self) -> float:
        """Server CPU seconds per answered request: steadier than req/s when other work shares the core."""
        return self.server_cpu * self.load.seconds / self.load.requests if self.load.requests else 0.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used so far (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


def _own_cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


def _pinned(core: int | frozenset[int]) -> Callable[[], None]:
    """Pin a child to ``core`` (or to a set of cores: a server of several workers, whose workers inherit
    the set)."""
    cores = core if isinstance(core, frozenset) else frozenset({core})

    def pin() -> None:  # runs in the child, before exec: the server process itself is pinned
        os.sched_setaffinity(0, cores)

    return pin


@contextlib.contextmanager
def _process(
    name: str,
    command: list[str],
    core: int | frozenset[int],
    port: int,
    env: dict[str, str] | None = None,
    ready: str = "",
) -> Iterator[subprocess.Popen[bytes]]:
    """Run ``command`` pinned to ``core`` until it listens on ``port`` (and its output has the line
    ``ready``, when given); stop it (SIGTERM) on exit."""
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, **(env or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=_pinned(core),
        )
        try:
            _wait_listening(name, process, port, log, ready)
            yield process
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_listening(
    name: str,
    process: subprocess.Popen[bytes],
    port: int,
    log: tempfile._TemporaryFileWrapper[bytes],
    ready: str = "",
) -> None:
    deadline = time.monotonic() + START_WITHIN
    while time.monotonic() < deadline:
        log.seek(0)
        output = log.read().decode(errors="replace")
        if process.poll() is not None:
            raise SystemExit(f"{name} exited with status {process.returncode} before listening:\n{output}")
        if ready in output:
            with contextlib.suppress(OSError), socket.create_connection((HOST, port), timeout=0.2):
                return
        time.sleep(0.05)
    raise SystemExit(f"{name} did not listen on port {port} within {START_WITHIN:g} s")


def _server_command(server: str, workload: Workload, port: int, backend_port: int) -> list[str]:
    if server == "interlace":
        project = BENCH / "projects" / workload.name
        return [sys.executable, "-m", "interlace", "run", str(project), "--port", str(port)]
    return [
        sys.executable,
        str(BENCH / "baseline.py"),
        "--loop",
        "uvloop" if server == "baseline+uvloop" else "asyncio",
        "--workload",
        workload.name,
        "--port",
        str(port),
        "--backend",
        f"http://{HOST}:{backend_port}",
    ]


async def _check_answer(server: str, workload: Workload, port: int) -> None:
    """One request before measuring: the server must answer 200 with the workload's expected JSON."""
    url = f"http://{HOST}:{port}{workload.path}"
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=workload.body, headers={"Content-Type": "application/json"}) as answer,
    ):
        body = await answer.read()
    if answer.status != 200 or orjson.loads(body) != workload.expected_answer():
        raise SystemExit(f"{server} answered {workload.name} wrongly ({answer.status}): {body[:300]!r}")


async def _measure(
    server: str,
    workload: Workload,
    args: argparse.Namespace,
    backend: subprocess.Popen[bytes],
    backend_port: int,
) -> Measurement:
    port = _free_port()
    command = _server_command(server, workload, port, backend_port)
    return await measure_server(server, command, port, workload, args, backend.pid, backend_port)


async def measure_server(
    label: str,
    command: list[str],
    port: int,
    workload: Workload,
    args: argparse.Namespace,
    backend_pid: int,
    backend_port: int,
    ready: str = "",
) -> Measurement:
    """Start ``command`` (a server listening on ``port``, once its output has the line ``ready``) on the
    server core, check its answer, drive ``workload`` through it and measure it, with the server's and
    the helpers' CPU seconds."""
    env = {"BENCH_BACKEND_URL": f"http://{HOST}:{backend_port}"}
    with _process(label, command, args.server_core, port, env, ready) as process:
        await _check_answer(label, workload, port)

        def probe() -> tuple[float, ...]:
            return _cpu_seconds(process.pid), _cpu_seconds(backend_pid) + _own_cpu_seconds()

        load = await run_load(
            HOST,
            port,
            workload.path,
            workload.body,
            connections=args.connections,
            warmup=args.warmup,
            duration=args.duration,
            client=getattr(args, "client", "raw"),
            probe=probe,
        )
    server_cpu, aux_cpu = (seconds / load.seconds for seconds in load.probed)
    return Measurement(workload.name, label, load, server_cpu, aux_cpu)


def _median(results: list[Measurement]) -> Measurement:
    ranked = sorted(results, key=lambda m: m.load.rate)
    return ranked[(len(ranked) - 1) // 2]


async def compare_variants(
    variants: list[K],
    measure: Callable[[K, int, int], Awaitable[M]],
    args: argparse.Namespace,
    *,
    median: Callable[[list[M]], M] | None = None,
    backend: Callable[[int], list[str]] | None = None,
) -> dict[K, M]:
    """Each variant's median over ``args.rounds`` rounds, measured by ``measure(variant, backend_pid,
    backend_port)`` against one back-end, the order alternating between rounds so that neither variant
    always runs on a warmer machine. ``median`` picks the median of a variant's measurements (by default
    that of :class:`Measurement`, by req/s); ``backend`` gives the back-end's command for a port (by
    default the echo back-end, ``backend.py``)."""
    backend_port = _free_port()
    if backend is None:
        backend_command = [sys.executable, str(BENCH / "backend.py"), "--port", str(backend_port)]
    else:
        backend_command = backend(backend_port)
    pick = median if median is not None else cast(Callable[[list[M]], M], _median)
    results: dict[K, list[M]] = {variant: [] for variant in variants}
    with _process("back-end", backend_command, args.aux_core, backend_port) as server:
        for round_ in range(args.rounds):
            for variant in variants if round_ % 2 == 0 else variants[::-1]:
                print(f"round {round_ + 1}/{args.rounds}: {variant} ...", file=sys.stderr, flush=True)
                results[variant].append(await measure(variant, server.pid, backend_port))
    return {variant: pick(results[variant]) for variant in variants}


def run_on_fastest_loop(coroutine: Coroutine[Any, Any, None]) -> None:
    """Run a benchmark's ``coroutine`` on uvloop where it is installed (as the server runs), else asyncio."""
    try:
        import uvloop
    except ImportError:
        asyncio.run(coroutine)
    else:
        uvloop.run(coroutine)


def _report(results: dict[tuple[str, str], list[Measurement]], cases: list[str], histogram: bool) -> None:
    header = (
        f"{'case':<12} {'server':<16} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} "
        f"{'cpu us/req':>10} {'server cpu':>10} {'aux cpu':>8}"
    )
    print(header)
    print("-" * len(header))
    chosen: dict[tuple[str, str], Measurement] = {}
    for case in cases:
        for server in SERVERS:
            m = chosen[(case, server)] = _median(results[(case, server)])
            load = m.load
            print(
                f"{case:<12} {server:<16} {load.rate:>9.0f} {1000 * load.percentile(0.5):>8.2f} "
                f"{1000 * load.percentile(0.99):>8.2f} {load.errors:>7} {1e6 * m.cpu_per_request:>10.0f} "
                f"{100 * m.server_cpu:>9.0f}% {100 * m.aux_cpu:>7.0f}%"
            )
    busy = [m for m in chosen.values() if m.server_cpu < BUSY_SERVER]
    if busy:
        print(
            f"warning: a server used less than {100 * BUSY_SERVER:.0f}% of its core: other work shared the "
            "core (or the load generator could not keep up); compare the cpu us/req column"
        )
    print()
    for case in cases:
        base, mine = chosen[(case, "baseline")].load, chosen[(case, "interlace")].load
        ratio = mine.rate / base.rate if base.rate else 0.0
        p50 = mine.percentile(0.5) / base.percentile(0.5) if base.latencies else 0.0
        p99 = mine.percentile(0.99) / base.percentile(0.99) if base.latencies else 0.0
        cpu = chosen[(case, "baseline")].cpu_per_request / chosen[(case, "interlace")].cpu_per_request
        fast = chosen[(case, "baseline+uvloop")].load
        same_loop = mine.rate / fast.rate if fast.rate else 0.0
        target = ROUTING_TARGET if case == "routing" else PASSTHROUGH_TARGET
        verdict = f"  (target >= {target}: {'met' if ratio >= target else 'NOT met'})"
        print(
            f"{case}: interlace/baseline throughput {ratio:.2f} (by CPU per request {cpu:.2f}), "
            f"p50 x{p50:.2f}, p99 x{p99:.2f}{verdict}; interlace/baseline+uvloop {same_loop:.2f}"
        )
    if histogram:
        for (case, server), m in chosen.items():
            print(f"\nlatency histogram: {case} / {server}\n{m.load.histogram()}")


async def _run(args: argparse.Namespace) -> None:
    cases: list[str] = args.cases
    backend_port = _free_port()
    backend_command = [sys.executable, str(BENCH / "backend.py"), "--port", str(backend_port)]
    results: dict[tuple[str, str], list[Measurement]] = {(c, s): [] for c in cases for s in SERVERS}
    with _process("back-end", backend_command, args.aux_core, backend_port) as backend:
        for round_ in range(args.rounds):
            for case in cases:
                # Alternate which server goes first so that neither always runs on a colder machine.
                order = SERVERS if round_ % 2 == 0 else SERVERS[::-1]
                for server in order:
                    print(
                        f"round {round_ + 1}/{args.rounds}: {case} on {server} ...",
                        file=sys.stderr,
                        flush=True,
                    )
                    m = await _measure(server, WORKLOADS[case], args, backend, backend_port)
                    results[(case, server)].append(m)
    _report(results, cases, args.histogram)


def _loop_name() -> str:
    try:
        import uvloop  # noqa: F401
    except ImportError:
        return "asyncio"
    return "uvloop"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=float, default=10.0, help="measured seconds per run (10)")
    parser.add_argument("--warmup", type=float, default=2.0, help="unmeasured seconds before each run (2)")
    parser.add_argument("--connections", type=int, default=50, help="concurrent keep-alive connections (50)")
    parser.add_argument("--cases", nargs="+", choices=sorted(WORKLOADS), default=["passthrough", "routing"])
    parser.add_argument("--client", choices=["raw", "aiohttp"], default="raw", help="load generator (raw)")
    parser.add_argument("--rounds", type=int, default=1, help="runs per server and case; the median is shown")
    parser.add_argument("--server-core", type=int, default=0, help="core of the server under test (0)")
    parser.add_argument("--aux-core", type=int, default=1, help="core of the back-end and load generator (1)")
    parser.add_argument("--histogram", action="store_true", help="also print latency histograms")
    args = parser.parse_args()
    os.sched_setaffinity(0, {args.aux_core})
    print(
        f"server on core {args.server_core}; back-end and load generator on core {args.aux_core}; "
        f"{args.connections} connections, {args.warmup:g} s warm-up + {args.duration:g} s measured, "
        f"{args.client} client, {_loop_name()} event loop, 1 KiB JSON request body",
        flush=True,
    )
    run_on_fastest_loop(_run(args))


if __name__ == "__main__":
    main()
