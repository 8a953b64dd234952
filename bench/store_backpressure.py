"""Drive the healthcare example's reserve resource faster than its payments are settled, and watch the
payment store hold its bound.

The script copies ``examples/healthcare`` to a temporary folder, bounds ``PaymentRequestMessageStore``
(``--max-messages``, ``--when-full``), and runs three processes: the sample hospital back-end, the
development mailbox (the Gmail API the payment sequence sends its e-mail through) and
``interlace run`` with the management API. The server is pinned to one core (``--server-core``), the
peers and this script, the load generator, to the other (``--aux-core``).

``--connections`` clients POST ``request.json`` to ``/healthcare/categories/surgery/reserve`` in a closed
loop; a 503 is not retried later (``--honor-retry-after`` makes a client wait the advised seconds first).
The run alternates, ``--rounds`` times, a **flooded** phase (the clients post until the store is full and
refusing, then ``--phase`` seconds more) and an **unloaded** one (the clients stopped, the processor
draining the store for ``--phase`` seconds), so that the processor's pace with a flooded API and without
one are measured in turns under the same machine noise. Every ``--every`` seconds a line shows the
store's depth against its bound (from the management API), the answers of that interval by status and
the payments settled in it (the processor's ``delivered`` count). After the rounds the script waits until
the store is empty and checks that nothing was lost: every request answered 200 was settled (or
dead-lettered, which is reported), and the depth never passed the bound.

Run: ``python bench/store_backpressure.py`` (``--help`` for the options).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from passthrough import _cpu_seconds as cpu_seconds

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "healthcare"
STORE = "PaymentRequestMessageStore"
PROCESSOR = "PaymentRequestProcessor"
RESERVE = "/healthcare/categories/surgery/reserve"
ADMIN_PASSWORD = "bench-admin-password-0123456789"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True, slots=True)
class Ports:
    hospital: int = field(default_factory=free_port)
    mailbox: int = field(default_factory=free_port)
    api: int = field(default_factory=free_port)
    management: int = field(default_factory=free_port)


def prepare(root: Path, args: argparse.Namespace, ports: Ports) -> Path:
    """The example in ``root``, with a ``bench`` profile pointing at the peers and the store bounded."""
    project = root / "healthcare"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns(".interlace"))
    with (project / "interlace.toml").open("a") as toml:
        toml.write(
            f"""
[profiles.bench.configs]
backend = "http://127.0.0.1:{ports.hospital}"
gmailApiUrl = "http://127.0.0.1:{ports.mailbox}"
gmailTokenUrl = "http://127.0.0.1:{ports.mailbox}/token"
gmailClientId = "interlace-dev"

[profiles.bench.secrets]
GMAIL_CLIENT_SECRET = "dev-secret"
GMAIL_REFRESH_TOKEN = "dev-refresh-token"
"""
        )
    store = project / "stores" / "payment-requests.yaml"
    bound = ("max-messages:", "when-full:", "full-wait:")
    kept = [row for row in store.read_text().splitlines() if not row.startswith(bound)]
    kept += [
        f"max-messages: {args.max_messages}",
        f"when-full: {args.when_full}",
        f"full-wait: {args.full_wait}",
    ]
    store.write_text("\n".join(kept) + "\n")
    return project


def pinned(core: int | None) -> Any:
    if core is None or not hasattr(os, "sched_setaffinity"):
        return None
    return lambda: os.sched_setaffinity(0, {core})


def start(
    command: list[str], core: int | None, log: Path, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    with log.open("wb") as output:
        return subprocess.Popen(
            command, stdout=output, stderr=subprocess.STDOUT, preexec_fn=pinned(core), env=env or None
        )


async def wait_until_answering(session: aiohttp.ClientSession, url: str, patience: float = 60.0) -> None:
    deadline = time.monotonic() + patience
    while True:
        try:
            async with session.get(url) as answer:
                await answer.read()
                return
        except aiohttp.ClientError:
            if time.monotonic() > deadline:
                raise SystemExit(f"nothing answers at {url} after {patience:g}s") from None
            await asyncio.sleep(0.2)


class Management:
    """The store's depth and the processor's counts, through the management API."""

    def __init__(self, session: aiohttp.ClientSession, port: int) -> None:
        self._session = session
        self._base = f"http://127.0.0.1:{port}/management"
        self._headers: dict[str, str] = {}

    async def login(self) -> None:
        body = {"user": "admin", "password": ADMIN_PASSWORD}
        async with self._session.post(f"{self._base}/login", json=body) as answer:
            answer.raise_for_status()
            self._headers = {"Authorization": f"Bearer {(await answer.json())['token']}"}

    async def get(self, path: str) -> dict[str, Any]:
        async with self._session.get(f"{self._base}{path}", headers=self._headers) as answer:
            answer.raise_for_status()
            found: dict[str, Any] = await answer.json()
            return found

    async def sample(self) -> tuple[dict[str, Any], dict[str, Any]]:
        return await asyncio.gather(self.get(f"/stores/{STORE}"), self.get(f"/processors/{PROCESSOR}"))


@dataclass
class Tally:
    statuses: Counter[int] = field(default_factory=Counter)
    failures: int = 0


async def client(
    session: aiohttp.ClientSession, url: str, body: bytes, tally: Tally, stop: asyncio.Event, honor: bool
) -> None:
    headers = {"Content-Type": "application/json"}
    while not stop.is_set():
        try:
            async with session.post(url, data=body, headers=headers) as answer:
                await answer.read()
                tally.statuses[answer.status] += 1
                wait = (
                    float(answer.headers.get("Retry-After", "0") or 0)
                    if honor and answer.status == 503
                    else 0
                )
        except (aiohttp.ClientError, TimeoutError):
            tally.failures += 1
            wait = 0.1
        if wait:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), wait)


def line(elapsed: float, store: dict[str, Any], settled: int, statuses: Counter[int], every: float) -> str:
    other = sum(count for status, count in statuses.items() if status not in (200, 503))
    mib = (store.get("bytes") or 0) / 1024 / 1024
    return (
        f"{elapsed:6.1f}s  depth {store['size']:>6} / {store['maxMessages']:<6} {mib:7.1f} MiB   "
        f"200 {statuses[200] / every:7.0f}/s  503 {statuses[503] / every:7.0f}/s  other {other:>4}   "
        f"settled {settled / every:6.1f}/s"
    )


async def run(args: argparse.Namespace) -> int:
    ports = Ports()
    work = Path(tempfile.mkdtemp(prefix="interlace-backpressure-"))
    project = prepare(work, args, ports)
    python = sys.executable
    env = {**os.environ, "INTERLACE_ADMIN_PASSWORD": ADMIN_PASSWORD}
    processes = [
        start(
            [python, "-m", "interlace.samples.hospital", "--port", str(ports.hospital)],
            args.aux_core,
            work / "hospital.log",
        ),
        start(
            [python, "-m", "interlace.samples.mailbox", "--port", str(ports.mailbox), "--no-smtp"],
            args.aux_core,
            work / "mailbox.log",
        ),
        start(
            [
                python,
                "-m",
                "interlace",
                "run",
                str(project),
                "--profile",
                "bench",
                "--port",
                str(ports.api),
                "--management-port",
                str(ports.management),
                "--log-level",
                args.log_level,
            ],
            args.server_core,
            work / "server.log",
            env,
        ),
    ]
    if args.aux_core is not None and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {args.aux_core})
    body = (EXAMPLE / "request.json").read_bytes()
    url = f"http://127.0.0.1:{ports.api}{RESERVE}"
    try:
        connector = aiohttp.TCPConnector(limit=args.connections + 8)
        timeout = aiohttp.ClientTimeout(total=120)
        async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
            await wait_until_answering(session, f"http://127.0.0.1:{ports.hospital}/healthcare/surgery")
            await wait_until_answering(
                session, f"http://127.0.0.1:{ports.management}/management/openapi.json"
            )
            management = Management(session, ports.management)
            await management.login()
            print(
                f"healthcare reserve, {args.connections} connections, {args.rounds} x {args.phase:g}s "
                f"flooded and unloaded; store bound {args.max_messages} messages, when full: "
                f"{args.when_full}; server log {work / 'server.log'}"
            )
            peers = [process.pid for process in processes[:2]]
            return await measure(args, session, management, url, body, (processes[2].pid, peers))
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


class Load:
    """The clients, started and stopped between phases; ``tally`` counts every answer of the run."""

    def __init__(self, session: aiohttp.ClientSession, url: str, body: bytes, args: argparse.Namespace):
        self._session, self._url, self._body, self._args = session, url, body, args
        self.tally = Tally()
        self._stop = asyncio.Event()
        self._clients: list[asyncio.Task[None]] = []

    def start(self) -> None:
        self._stop = asyncio.Event()
        self._clients = [
            asyncio.create_task(
                client(
                    self._session, self._url, self._body, self.tally, self._stop, self._args.honor_retry_after
                )
            )
            for _ in range(self._args.connections)
        ]

    async def stop(self) -> None:
        self._stop.set()
        await asyncio.gather(*self._clients)
        self._clients = []


@dataclass
class Watch:
    """The figures of the run so far, sampled every ``--every`` seconds, one line each."""

    management: Management
    load: Load
    every: float
    started: float = field(default_factory=time.monotonic)
    seen: Counter[int] = field(default_factory=Counter)
    delivered: int = 0
    deepest: int = 0
    store: dict[str, Any] = field(default_factory=dict)
    processor: dict[str, Any] = field(default_factory=dict)

    async def sample(self) -> Counter[int]:
        """Sample, print a line, and return the answers by status since the last sample."""
        self.store, self.processor = await self.management.sample()
        interval = self.load.tally.statuses - self.seen
        self.seen = Counter(self.load.tally.statuses)
        settled = self.processor["delivered"] - self.delivered
        self.delivered = self.processor["delivered"]
        self.deepest = max(self.deepest, self.store["size"])
        elapsed = time.monotonic() - self.started
        print(line(elapsed, self.store, settled, interval, self.every), flush=True)
        return interval

    async def tick(self) -> Counter[int]:
        await asyncio.sleep(self.every)
        return await self.sample()


@dataclass(frozen=True, slots=True)
class Phase:
    """What one phase measured: payments settled, seconds, and the CPU the server used (a share of one
    core) and the rest of the run used (the peers and this script, the load generator, on the aux core)."""

    settled: int
    seconds: float
    server_cpu: float
    aux_cpu: float

    @property
    def pace(self) -> float:
        return self.settled / self.seconds if self.seconds > 0 else 0.0


class PhaseClock:
    """Starts a phase's measurement: the delivered count and the CPU seconds of the processes."""

    def __init__(self, watch: Watch, server: int, peers: list[int]) -> None:
        self._watch, self._server, self._peers = watch, server, peers
        self._delivered, self.began = watch.delivered, time.monotonic()
        self._server_cpu, self._aux_cpu = self._cpu()

    def _cpu(self) -> tuple[float, float]:
        aux = sum(cpu_seconds(pid) for pid in self._peers) + sum(os.times()[:2])
        return cpu_seconds(self._server), aux

    def done(self) -> Phase:
        seconds = time.monotonic() - self.began
        server_cpu, aux_cpu = self._cpu()
        return Phase(
            self._watch.delivered - self._delivered,
            seconds,
            (server_cpu - self._server_cpu) / seconds,
            (aux_cpu - self._aux_cpu) / seconds,
        )


async def flooded(watch: Watch, seconds: float, patience: float, pids: tuple[int, list[int]]) -> Phase | None:
    """The clients flood the API until the store refuses (a 503), then for ``seconds`` more; None when
    the store never filled up within ``patience``."""
    watch.load.start()
    began = time.monotonic()
    while not (await watch.tick())[503]:
        if time.monotonic() - began > patience:
            return None
    clock = PhaseClock(watch, *pids)
    while time.monotonic() - clock.began < seconds:
        await watch.tick()
    return clock.done()


async def unloaded(watch: Watch, seconds: float, pids: tuple[int, list[int]]) -> tuple[Phase, bool]:
    """The clients stopped, the processor drains the store for ``seconds``; and whether the store held
    messages throughout (else the pace shown is too low)."""
    await watch.load.stop()
    await watch.sample()
    clock = PhaseClock(watch, *pids)
    while time.monotonic() - clock.began < seconds:
        await watch.tick()
    return clock.done(), watch.store["size"] > 0


async def measure(
    args: argparse.Namespace,
    session: aiohttp.ClientSession,
    management: Management,
    url: str,
    body: bytes,
    pids: tuple[int, list[int]],
) -> int:
    load = Load(session, url, body, args)
    watch = Watch(management, load, args.every)
    await watch.sample()
    settled_before = watch.delivered
    rounds: list[tuple[Phase, Phase]] = []
    emptied = False
    load_time = 0.0
    for number in range(1, args.rounds + 1):
        print(f"-- round {number}/{args.rounds}: flooded", flush=True)
        began = time.monotonic()
        flood = await flooded(watch, args.phase, args.fill_patience, pids)
        if flood is None:
            await load.stop()
            load_time += time.monotonic() - began
            print(f"-- the store did not fill up in {args.fill_patience:g}s: no flooded pace to show")
            break
        print(f"-- round {number}/{args.rounds}: unloaded", flush=True)
        stop_began = time.monotonic()
        quiet, held = await unloaded(watch, args.phase, pids)
        load_time += stop_began - began
        emptied = emptied or not held
        rounds.append((flood, quiet))
    accepted, refused = load.tally.statuses[200], load.tally.statuses[503]
    print("-- load stopped; draining the store", flush=True)
    drain_started = time.monotonic()
    while True:
        done = watch.processor["delivered"] + watch.processor["deadLettered"] - settled_before
        if watch.store["size"] == 0 and done >= accepted:
            break
        if time.monotonic() - drain_started > args.drain_timeout:
            print(f"-- the store still holds {watch.store['size']} messages after {args.drain_timeout:g}s")
            break
        await watch.tick()
    processor, store = watch.processor, watch.store
    settled_total = processor["delivered"] - settled_before
    lost = accepted - settled_total - processor["deadLettered"]
    other = {status: count for status, count in load.tally.statuses.items() if status not in (200, 503)}
    print()
    print(
        f"answers          200: {accepted}  503: {refused}  other: {other or 0}  "
        f"failed: {load.tally.failures}"
    )
    answered = sum(load.tally.statuses.values())
    print(
        f"API rate         {answered / max(load_time, 1e-9):.0f} req/s while flooding "
        f"({accepted / max(load_time, 1e-9):.0f}/s accepted)"
    )
    print("processor pace   flooded (store full, refusing) against unloaded (draining, no requests)")
    print("                 settled/s             share   server CPU    aux CPU")
    for number, (under, free) in enumerate(rounds, 1):
        share = f"{under.pace / free.pace:4.0%}" if free.pace else "   -"
        print(
            f"  round {number}      {under.pace:5.1f} against {free.pace:5.1f}  {share}   "
            f"{under.server_cpu:4.0%} / {free.server_cpu:4.0%}   {under.aux_cpu:4.0%} / {free.aux_cpu:4.0%}"
        )
    if rounds:
        under_pace = statistics.median(r[0].pace for r in rounds)
        free_pace = statistics.median(r[1].pace for r in rounds)
        share = f"{under_pace / free_pace:.0%} of its unloaded pace" if free_pace else "no unloaded pace"
        print(f"  median       {under_pace:5.1f} against {free_pace:5.1f}  {share}")
    if emptied:
        print(
            "  (the store emptied during an unloaded phase: the unloaded pace shown is too low; "
            "raise --max-messages or shorten --phase)"
        )
    print(f"store depth      at most {watch.deepest} (bound {args.max_messages})")
    print(f"load average     {' '.join(f'{v:.1f}' for v in os.getloadavg())} (1, 5, 15 minutes)")
    print(f"settled          {settled_total}, dead-lettered {processor['deadLettered']}, lost {lost}")
    ok = watch.deepest <= args.max_messages and lost == 0 and store["size"] == 0
    print("bound held, nothing lost" if ok else "FAILED: the bound was passed or messages were lost")
    return 0 if ok else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="flooded and unloaded phases (default 3)")
    parser.add_argument("--phase", type=float, default=12.0, help="seconds of each phase (default 12)")
    parser.add_argument(
        "--fill-patience", type=float, default=60.0, help="the longest wait for the store to fill up"
    )
    parser.add_argument("--connections", type=int, default=64, help="concurrent clients (default 64)")
    parser.add_argument("--max-messages", type=int, default=2000, help="the store's bound (default 2000)")
    parser.add_argument("--when-full", choices=["refuse", "wait"], default="refuse")
    parser.add_argument("--full-wait", default="5s", help="with --when-full wait: the longest wait")
    parser.add_argument(
        "--honor-retry-after", action="store_true", help="clients wait Retry-After after a 503"
    )
    parser.add_argument("--every", type=float, default=2.0, help="seconds between two lines (default 2)")
    parser.add_argument("--drain-timeout", type=float, default=900.0, help="the longest wait for the drain")
    parser.add_argument("--log-level", default="INFO", help="the server's log level (default INFO)")
    parser.add_argument("--server-core", type=int, default=0, help="the core the server runs on")
    parser.add_argument("--aux-core", type=int, default=1, help="the core of the peers and the load")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs, store)")
    args = parser.parse_args()
    sys.exit(asyncio.run(run(args)))


if __name__ == "__main__":
    main()
