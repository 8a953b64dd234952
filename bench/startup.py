"""How fast ``interlace run`` starts serving, and how much memory the server holds once idle.

For each project (the healthcare example, and ``projects/two-connectors``: one API using the redis and
kafka connectors), a copy in a temporary folder is served exactly as users run it,
``python -m interlace run DIR --port P --management-port M``, and this script polls the readiness route
(``GET /management/ready``, public) until it answers 200. It prints:

- **serving**: wall time from spawning the process to the first 200 from ``/management/ready``;
- **cpu**: the CPU seconds the server used until then (steadier than wall time when other work shares
  the machine);
- **idle RSS**: the server's resident memory (``VmRSS``) ``--settle`` seconds after it became ready;
- **imports**: the time ``python -X importtime -c 'import interlace.cli'`` reports for the command.

The first start of each copy writes its management users file (and, from an editable install, the
compiled modules Python caches; ``PYTHONDONTWRITEBYTECODE`` is not passed on) and is not recorded; each
figure is the median of ``--rounds`` starts. Targets: serving in under 1 s, idle RSS under 60 MB.

Run: ``python bench/startup.py`` (``--rounds 5``, ``--settle 2``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

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
    """One start of a server: until ready (wall and CPU seconds) and its idle resident memory (MB)."""

    serving: float
    cpu: float
    rss: float


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


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


def start_once(project: Path, settle: float, timeout: float = 60.0) -> Start:
    """Serve ``project``, wait until its readiness route answers 200, measure, stop it."""
    port, management = _free_port(), _free_port()
    command = [sys.executable, "-m", "interlace", "run", str(project), "--port", str(port)]
    command += ["--management-port", str(management)]
    env = {**os.environ, "INTERLACE_ADMIN_PASSWORD": "bench-admin-password"}
    # As an installation runs: compiled modules cached (pip compiles them at install; an editable install
    # writes them at its first start). Without them every start compiles Interlace's sources again.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    began = time.perf_counter()
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        url = f"http://127.0.0.1:{management}{READY_ROUTE}"
        while not _ready(url):
            if server.poll() is not None:
                error = server.stderr.read().decode() if server.stderr else ""
                raise RuntimeError(f"{project.name} stopped before serving:\n{error}")
            if time.perf_counter() - began > timeout:
                raise RuntimeError(f"{project.name} was not ready within {timeout:g}s")
            time.sleep(0.01)
        serving = time.perf_counter() - began
        cpu = _cpu_seconds(server.pid)
        time.sleep(settle)
        return Start(serving, cpu, _rss_mb(server.pid))
    finally:
        server.terminate()
        server.wait(timeout=30)


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3, help="starts per project (the median is shown)")
    parser.add_argument("--settle", type=float, default=1.0, help="seconds after ready before reading RSS")
    args = parser.parse_args()

    imports = statistics.median(import_seconds() for _ in range(args.rounds))
    print(f"import interlace.cli: {imports:.3f} s (python -X importtime, median of {args.rounds})")
    targets = f"targets: < {SERVING_TARGET:g} s, < {RSS_TARGET:g} MB"
    print(f"{'project':<16} {'serving s':>10} {'cpu s':>8} {'idle RSS MB':>12}  {targets}")
    with tempfile.TemporaryDirectory(prefix="interlace-startup-") as scratch:
        for label, source in PROJECTS.items():
            project = Path(scratch) / source.name
            shutil.copytree(source, project, ignore=shutil.ignore_patterns(".interlace"))
            start_once(project, settle=0)  # writes the users file: a first start only
            starts = [start_once(project, args.settle) for _ in range(args.rounds)]
            serving = statistics.median(s.serving for s in starts)
            cpu = statistics.median(s.cpu for s in starts)
            rss = statistics.median(s.rss for s in starts)
            verdict = "meets" if serving < SERVING_TARGET and rss < RSS_TARGET else "misses"
            print(f"{label:<16} {serving:>10.2f} {cpu:>8.2f} {rss:>12.1f}  {verdict} the targets")


if __name__ == "__main__":
    main()
