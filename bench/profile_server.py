"""Profile a server under the benchmark load with py-spy (``pip install py-spy``).

Starts the echo back-end and the server (Interlace as ``python -m interlace run``, or the baseline), pinned
as in bench/passthrough.py, loads it, and samples it with ``py-spy record`` (pinned to the load core,
non-blocking). Writes collapsed stacks (``--out``, flamegraph.pl / speedscope input) and prints the
functions with the most samples on the stack (inclusive) and at the top of it (self).

Run: ``python bench/profile_server.py --case passthrough --server interlace --duration 15``
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import shutil
import subprocess
import sys
from pathlib import Path

from loadgen import run_load
from passthrough import BENCH, HOST, _cpu_seconds, _free_port, _pinned, _process, _server_command
from workload import WORKLOADS


def _module_of(frame: str) -> str:
    """``'f (aiohttp/client.py:12)'`` -> ``'aiohttp/client.py'``."""
    return frame.rpartition("(")[2].rpartition(":")[0] or frame


def _summarise(collapsed: Path, top: int, cpu_per_request: float) -> None:
    """Print samples per function (inclusive and self) and per module (self), in % and in CPU
    microseconds per request (the share of samples times the CPU the server used per request)."""
    inclusive: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    modules: collections.Counter[str] = collections.Counter()
    total = 0
    for line in collapsed.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        count = int(count_text)
        frames = stack.split(";")
        total += count
        own[frames[-1]] += count
        modules[_module_of(frames[-1])] += count
        for frame in set(frames):
            inclusive[frame] += count
    tables = (
        ("functions, inclusive (on the stack)", inclusive),
        ("functions, self (top of the stack)", own),
        ("modules, self", modules),
    )
    for title, counter in tables:
        print(f"\n{title}: % of {total} samples, CPU us per request")
        for frame, count in counter.most_common(top):
            share = count / total
            print(f"  {100 * share:5.1f}% {1e6 * share * cpu_per_request:7.1f} us  {frame}")


async def _run(args: argparse.Namespace) -> None:
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    workload = WORKLOADS[args.case]
    backend_port, port = _free_port(), _free_port()
    backend_command = [sys.executable, str(BENCH / "backend.py"), "--port", str(backend_port)]
    command = _server_command(args.server, workload, port, backend_port)
    env = {"BENCH_BACKEND_URL": f"http://{HOST}:{backend_port}"}
    with (
        _process("back-end", backend_command, args.aux_core, backend_port),
        _process(args.server, command, args.server_core, port, env) as server,
    ):
        record = [spy, "record", "--pid", str(server.pid), "--format", "raw", "--output", str(args.out)]
        record += ["--duration", str(int(args.duration)), "--rate", str(args.rate), "--function"]
        if args.nonblocking:
            record.append("--nonblocking")
        cpu_before = _cpu_seconds(server.pid)
        spying = await asyncio.create_subprocess_exec(
            *record, preexec_fn=_pinned(args.aux_core), stdout=subprocess.DEVNULL
        )
        load = await run_load(
            HOST,
            port,
            workload.path,
            workload.body,
            connections=args.connections,
            warmup=0.5,
            duration=args.duration + 1,
        )
        cpu = _cpu_seconds(server.pid) - cpu_before
        await spying.wait()
    # The load ran 0.5 s longer than it recorded; the CPU of that warm-up is spread over its requests.
    cpu_per_request = cpu / (load.requests * (1 + 0.5 / load.seconds))
    print(
        f"{args.server} {args.case}: {load.rate:.0f} req/s while sampled (sampling slows it); "
        f"{1e6 * cpu_per_request:.0f} us of server CPU per request"
    )
    _summarise(args.out, args.top, cpu_per_request)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--case", choices=sorted(WORKLOADS), default="passthrough")
    parser.add_argument("--server", choices=["interlace", "baseline"], default="interlace")
    parser.add_argument("--duration", type=float, default=15.0)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--rate", type=int, default=250, help="py-spy samples per second")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument(
        "--nonblocking", action="store_true", help="do not pause the server to sample (faster, less exact)"
    )
    parser.add_argument("--out", type=Path, default=Path("/tmp/interlace-profile.txt"))
    parser.add_argument("--server-core", type=int, default=0)
    parser.add_argument("--aux-core", type=int, default=1)
    args = parser.parse_args()
    os.sched_setaffinity(0, {args.aux_core})
    asyncio.run(_run(args))


if __name__ == "__main__":
    main()
