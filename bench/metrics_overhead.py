"""What counting costs: the pass-through case with metrics on (the default) and off (``--no-metrics``).

Interlace runs as users run it (``python -m interlace run bench/projects/passthrough``) on the server
core, once with ``--metrics`` and once with ``--no-metrics`` per round (alternating which goes first),
against the echo back-end and the load generator on the other core, as in passthrough.py. Prints req/s,
p50/p99 latency and server CPU per request of both, and what metrics cost (target: at most 5 % of the
throughput).

Run: ``python bench/metrics_overhead.py`` (``--rounds 3`` for medians; ``--help`` for the rest).
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

MODES = ("metrics on", "metrics off")
TARGET = 0.05
"""The most throughput metrics may cost."""


async def _measure(mode: str, args: argparse.Namespace, backend_pid: int, backend_port: int) -> Measurement:
    workload = WORKLOADS["passthrough"]
    port = _free_port()
    flag = "--metrics" if mode == "metrics on" else "--no-metrics"
    project = BENCH / "projects" / workload.name
    command = [sys.executable, "-m", "interlace", "run", str(project), "--port", str(port), flag]
    return await measure_server(mode, command, port, workload, args, backend_pid, backend_port)


async def _run(args: argparse.Namespace) -> None:
    async def measure(mode: str, backend_pid: int, backend_port: int) -> Measurement:
        return await _measure(mode, args, backend_pid, backend_port)

    chosen = await compare_variants(list(MODES), measure, args)
    header = f"{'passthrough':<12} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'cpu us/req':>10}"
    print(header)
    print("-" * len(header))
    for mode, m in chosen.items():
        load = m.load
        print(
            f"{mode:<12} {load.rate:>9.0f} {1000 * load.percentile(0.5):>8.2f} "
            f"{1000 * load.percentile(0.99):>8.2f} {load.errors:>7} {1e6 * m.cpu_per_request:>10.0f}"
        )
    on, off = chosen["metrics on"], chosen["metrics off"]
    ratio = on.load.rate / off.load.rate if off.load.rate else 0.0
    cpu = on.cpu_per_request / off.cpu_per_request - 1 if off.cpu_per_request else 0.0
    verdict = "met" if ratio >= 1 - TARGET else "NOT met"
    print(
        f"\nthroughput with metrics / without: {ratio:.3f} (target >= {1 - TARGET:.2f}: {verdict}); "
        f"CPU per request {100 * cpu:+.1f} % (steadier when other work shares the core)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=float, default=10.0, help="measured seconds per run (10)")
    parser.add_argument("--warmup", type=float, default=2.0, help="unmeasured seconds before each run (2)")
    parser.add_argument("--connections", type=int, default=50, help="concurrent keep-alive connections (50)")
    parser.add_argument("--rounds", type=int, default=1, help="runs per mode; the median is shown")
    parser.add_argument("--server-core", type=int, default=0, help="core of the server under test (0)")
    parser.add_argument("--aux-core", type=int, default=1, help="core of the back-end and load generator (1)")
    args = parser.parse_args()
    os.sched_setaffinity(0, {args.aux_core})
    run_on_fastest_loop(_run(args))


if __name__ == "__main__":
    main()
