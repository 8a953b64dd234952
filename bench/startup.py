"""How fast ``interlace run`` starts serving, and how much memory the server holds once idle.

For each project (the healthcare example, and ``projects/two-connectors``: one API using the redis and
kafka connectors), a copy in a temporary folder is served exactly as users run it,
``python -m interlace run DIR --port P --management-port M``, and this script polls the readiness route
(``GET /management/ready``, public) until it answers 200. It prints:

- **serving**: wall time from spawning the process to serving: the first 200 from
  ``/management/ready`` and, with several workers, the parent's ``serving with N workers`` line (every
  worker listens);
- **cpu**: the CPU seconds the server's processes (the parent and its workers) used until then (steadier
  than wall time when other work shares the machine);
- **idle RSS**: the resident memory (``VmRSS``) of the server's processes added up, ``--settle`` seconds
  after it served, and the largest process's alone;
- **imports**: the time ``python -X importtime -c 'import interlace.cli'`` reports for the command.

Each project is served with ``--workers 1`` (one process) and with the default count (one worker per
core, a parent that starts them), one after the other in every round so that both meet the same load.

The first start of each copy writes its management users file (and, from an editable install, the
compiled modules Python caches; ``PYTHONDONTWRITEBYTECODE`` is not passed on) and is not recorded; each
figure is the median of ``--rounds`` starts. Targets: serving in under 1 s, idle RSS under 60 MB.

Run: ``python bench/startup.py`` (``--rounds 5``, ``--settle 2``). The load average is printed with the
figures: on a shared machine, compare CPU seconds.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import IO

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
PROJECTS = {
    "healthcare": ROOT / "examples" / "healthcare",
    "two connectors": BENCH / "projects" / "two-connectors",
}
READY_ROUTE = "/management/ready"
SERVING_TARGET = 1.0  # seconds
RSS_TARGET = 60.0  # MB
_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True, slots=True)
class Start:
    """One start of a server: until serving (wall and CPU seconds of all its processes) and its idle
    resident memory (MB: all its processes, and the largest one)."""

    serving: float
    cpu: float
    rss: float
    largest: float


@dataclass(frozen=True, slots=True)
class Mode:
    """How the server is started: its extra arguments, and whether a parent starts several workers."""

    label: str
    arguments: tuple[str, ...]
    workers: int


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _cores() -> int:
    return len(os.sched_getaffinity(0))


def _processes(pid: int) -> list[int]:
    """``pid`` and its descendants, parents first."""
    found, index = [pid], 0
    while index < len(found):
        for task in Path(f"/proc/{found[index]}/task").glob("*"):
            with contextlib.suppress(OSError):
                found += [int(child) for child in (task / "children").read_text().split()]
        index += 1
    return found


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS  # utime, stime


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as answer:
            return bool(answer.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def _watch_serving(stream: IO[bytes], serving: threading.Event) -> None:
    """Set ``serving`` when the parent of several workers says they all serve; drain the rest."""
    for line in stream:
        if line.startswith(b"serving with"):
            serving.set()


def start_once(project: Path, mode: Mode, settle: float, timeout: float = 120.0) -> Start:
    """Serve ``project``, wait until it serves, measure, stop it."""
    port, management = _free_port(), _free_port()
    command = [sys.executable, "-m", "interlace", "run", str(project), "--port", str(port)]
    command += ["--management-port", str(management), *mode.arguments]
    env = {**os.environ, "INTERLACE_ADMIN_PASSWORD": "bench-admin-password"}
    # As an installation runs: compiled modules cached (pip compiles them at install; an editable install
    # writes them at its first start). Without them every start compiles Interlace's sources again.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("INTERLACE_WORKERS", None)
    began = time.perf_counter()
    server = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    announced = threading.Event()
    if mode.workers == 1:
        announced.set()
    assert server.stdout is not None
    threading.Thread(target=_watch_serving, args=(server.stdout, announced), daemon=True).start()
    try:
        url = f"http://127.0.0.1:{management}{READY_ROUTE}"
        while not (announced.is_set() and _ready(url)):
            if server.poll() is not None:
                error = server.stderr.read().decode() if server.stderr else ""
                raise RuntimeError(f"{project.name} stopped before serving:\n{error}")
            if time.perf_counter() - began > timeout:
                raise RuntimeError(f"{project.name} was not serving within {timeout:g}s")
            time.sleep(0.01)
        serving = time.perf_counter() - began
        processes = _processes(server.pid)
        cpu = sum(_cpu_seconds(pid) for pid in processes)
        time.sleep(settle)
        rss = [_rss_mb(pid) for pid in processes]
        return Start(serving, cpu, sum(rss), max(rss))
    finally:
        server.terminate()
        server.wait(timeout=60)


def import_seconds() -> float:
    """What ``-X importtime`` reports for ``import interlace.cli`` in a fresh interpreter."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import interlace.cli"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    for line in reversed(done.stderr.splitlines()):
        parts = line.split("|")
        if len(parts) == 3 and parts[2].strip() == "interlace.cli":
            return int(parts[1]) / 1e6
    raise RuntimeError("importtime did not report interlace.cli")


def _median(starts: list[Start]) -> Start:
    return Start(
        statistics.median(s.serving for s in starts),
        statistics.median(s.cpu for s in starts),
        statistics.median(s.rss for s in starts),
        statistics.median(s.largest for s in starts),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3, help="starts per project (the median is shown)")
    parser.add_argument("--settle", type=float, default=1.0, help="seconds after ready before reading RSS")
    args = parser.parse_args()

    cores = _cores()
    modes = [Mode("--workers 1", ("--workers", "1"), 1)]
    if cores > 1:
        modes.append(Mode(f"default ({cores})", (), cores))
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    imports = statistics.median(import_seconds() for _ in range(args.rounds))
    print(f"import interlace.cli: {imports:.3f} s (python -X importtime, median of {args.rounds})")
    targets = f"targets: < {SERVING_TARGET:g} s, < {RSS_TARGET:g} MB"
    columns = f"{'serving s':>10} {'cpu s':>8} {'RSS MB':>8} {'largest':>8}"
    print(f"{'project':<16} {'workers':<12} {columns}  {targets}")
    with tempfile.TemporaryDirectory(prefix="interlace-startup-") as scratch:
        for label, source in PROJECTS.items():
            project = Path(scratch) / source.name
            shutil.copytree(source, project, ignore=shutil.ignore_patterns(".interlace"))
            start_once(project, modes[0], settle=0)  # writes the users file: a first start only
            starts: dict[str, list[Start]] = {mode.label: [] for mode in modes}
            for _ in range(args.rounds):
                for mode in modes:
                    starts[mode.label].append(start_once(project, mode, args.settle))
            for mode in modes:
                m = _median(starts[mode.label])
                verdict = "meets" if m.serving < SERVING_TARGET and m.largest < RSS_TARGET else "misses"
                print(
                    f"{label:<16} {mode.label:<12} {m.serving:>10.2f} {m.cpu:>8.2f} {m.rss:>8.1f} "
                    f"{m.largest:>8.1f}  {verdict} the targets"
                )
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
