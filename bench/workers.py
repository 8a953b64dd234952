"""Every core: the pass-through case served by 1 worker and by N (``interlace run --workers N``).

Interlace runs as users run it (``python -m interlace run bench/projects/passthrough --workers N``),
pinned to the server cores (its workers inherit them), against the echo back-end and the load generator
pinned to the aux core, as in passthrough.py, whose measuring function this uses. Prints req/s and
p50/p99 latency for each count of workers and the speed-up of N over 1 (target: near-linear, N x 0.8).

On a machine of 2 cores the load generator shares a core with a worker: the figure then says how
throughput grows with a core, not with N. Give it more cores where there are: ``--server-cores 0-3
--aux-core 4``.

Run: ``python bench/workers.py`` (``--rounds 3`` for medians; ``--help`` for the rest).
"""

from __future__ import annotations

import argparse
import os
import sys

from passthrough import (
    BENCH,
    Measurement,
    _free_port,
    compare_variants,
    measure_server,
    run_on_fastest_loop,
)
from workload import WORKLOADS

NEAR_LINEAR = 0.8
"""The share of N times the one-worker throughput that N workers should reach."""


def _cores(text: str) -> frozenset[int]:
    cores: set[int] = set()
    for part in text.split(","):
        first, _, last = part.partition("-")
        cores.update(range(int(first), int(last or first) + 1))
    return frozenset(cores)


async def _measure(
    workers: int, args: argparse.Namespace, backend_pid: int, backend_port: int
) -> Measurement:
    workload = WORKLOADS["passthrough"]
    port = _free_port()
    project = BENCH / "projects" / workload.name
    command = [sys.executable, "-m", "interlace", "run", str(project), "--port", str(port)]
    command += ["--management-port", "0", "--workers", str(workers)]
    label = f"{workers} worker{'s' if workers > 1 else ''}"
    ready = f"serving with {workers} workers" if workers > 1 else ""
    return await measure_server(label, command, port, workload, args, backend_pid, backend_port, ready)


async def _run(args: argparse.Namespace) -> None:
    counts = sorted({1, args.workers})

    async def measure(count: int, backend_pid: int, backend_port: int) -> Measurement:
        return await _measure(count, args, backend_pid, backend_port)

    chosen = await compare_variants(counts, measure, args)
    header = f"{'passthrough':<12} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}"
    print(header)
    print("-" * len(header))
    for m in chosen.values():
        load = m.load
        print(
            f"{m.server:<12} {load.rate:>9.0f} {1000 * load.percentile(0.5):>8.2f} "
            f"{1000 * load.percentile(0.99):>8.2f} {load.errors:>7}"
        )
    one, many = chosen[counts[0]].load.rate, chosen[counts[-1]].load.rate
    speedup = many / one if one else 0.0
    target = NEAR_LINEAR * args.workers
    verdict = "met" if speedup >= target else "NOT met"
    print(f"\n{args.workers} workers / 1 worker: x{speedup:.2f} (target >= x{target:.2f}: {verdict})")
    if args.aux_core in args.server_core:
        print("warning: the load generator shares a core with the workers; the speed-up is understated")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    every = sorted(os.sched_getaffinity(0))
    parser.add_argument("--duration", type=float, default=10.0, help="measured seconds per run (10)")
    parser.add_argument(
        "--warmup",
        type=float,
        default=5.0,
        help="unmeasured seconds before each run, while workers start (5)",
    )
    parser.add_argument("--connections", type=int, default=64, help="concurrent keep-alive connections (64)")
    parser.add_argument(
        "--rounds", type=int, default=1, help="runs per count of workers; the median is shown"
    )
    parser.add_argument(
        "--server-cores", type=_cores, dest="server_core", default=frozenset(every),
        help="cores of the server's workers, such as 0-3 or 0,2 (default: every core)",
    )  # fmt: skip
    parser.add_argument(
        "--aux-core", type=int, default=every[-1], help="core of the back-end and load generator"
    )
    parser.add_argument(
        "--workers", type=int, default=None, help="workers of the second run (the server cores)"
    )
    args = parser.parse_args()
    args.workers = args.workers or len(args.server_core)
    os.sched_setaffinity(0, {args.aux_core})
    print(
        f"workers on cores {sorted(args.server_core)}; back-end and load generator on core {args.aux_core}; "
        f"{args.connections} connections, {args.warmup:g} s warm-up + {args.duration:g} s measured",
        flush=True,
    )
    run_on_fastest_loop(_run(args))


if __name__ == "__main__":
    main()
