"""Drive the healthcare example's reserve resource faster than its payments are settled, and watch the
payment store hold its bound.

The script copies ``examples/healthcare`` to a temporary folder, bounds ``PaymentRequestMessageStore``
(``--max-messages``, ``--when-full``), and runs three processes: the sample hospital back-end, the
development mailbox (the Gmail API the payment sequence sends its e-mail through) and
``interlace run`` with the management API. The server is pinned to one core (``--server-core``), the
peers and this script, the load generator, to the other (``--aux-core``).

``--connections`` clients POST ``request.json`` to ``/healthcare/categories/surgery/reserve`` in a closed
loop for ``--duration`` seconds; a 503 is not retried later (``--honor-retry-after`` makes a client wait
the advised seconds first). Every ``--every`` seconds a line shows the store's depth against its bound
(from the management API), the answers of that interval by status and the payments settled in it (the
processor's ``delivered`` count). After the load the script waits until the store is empty and checks
that nothing was lost: every request answered 200 was settled (or dead-lettered, which is reported).

Run: ``python bench/store_backpressure.py`` (``--help`` for the options).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

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
                f"healthcare reserve, {args.connections} connections for {args.duration:g}s; store bound "
                f"{args.max_messages} messages, when full: {args.when_full}; server log {work / 'server.log'}"
            )
            return await measure(args, session, management, url, body)
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


async def measure(
    args: argparse.Namespace, session: aiohttp.ClientSession, management: Management, url: str, body: bytes
) -> int:
    tally, stop = Tally(), asyncio.Event()
    _, processor = await management.sample()
    settled_before = processor["delivered"]
    clients = [
        asyncio.create_task(client(session, url, body, tally, stop, args.honor_retry_after))
        for _ in range(args.connections)
    ]
    started = time.monotonic()
    seen, last_settled, deepest = Counter[int](), settled_before, 0
    under_load: list[float] = []
    while time.monotonic() - started < args.duration:
        await asyncio.sleep(args.every)
        store, processor = await management.sample()
        interval = tally.statuses - seen
        seen = Counter(tally.statuses)
        settled = processor["delivered"] - last_settled
        last_settled = processor["delivered"]
        deepest = max(deepest, store["size"])
        if interval[503]:  # the store is full and refusing: the pace under refuse-load
            under_load.append(settled / args.every)
        print(line(time.monotonic() - started, store, settled, interval, args.every), flush=True)
    stop.set()
    await asyncio.gather(*clients)
    load_time = time.monotonic() - started
    accepted, refused = tally.statuses[200], tally.statuses[503]
    print(f"-- load stopped after {load_time:.1f}s; draining the store", flush=True)
    drain_started = time.monotonic()
    _, processor = await management.sample()
    settled_at_stop = processor["delivered"]
    while True:
        store, processor = await management.sample()
        deepest = max(deepest, store["size"])
        done = processor["delivered"] + processor["deadLettered"] - settled_before
        if store["size"] == 0 and done >= accepted:
            break
        if time.monotonic() - drain_started > args.drain_timeout:
            print(f"-- the store still holds {store['size']} messages after {args.drain_timeout:g}s")
            break
        await asyncio.sleep(args.every)
        settled = processor["delivered"] - last_settled
        last_settled = processor["delivered"]
        print(line(time.monotonic() - started, store, settled, Counter(), args.every), flush=True)
    drained = time.monotonic() - drain_started
    settled_total = processor["delivered"] - settled_before
    lost = accepted - settled_total - processor["deadLettered"]
    other = {status: count for status, count in tally.statuses.items() if status not in (200, 503)}
    print()
    print(f"answers          200: {accepted}  503: {refused}  other: {other or 0}  failed: {tally.failures}")
    answered = sum(tally.statuses.values())
    print(f"API rate         {answered / load_time:.0f} req/s ({accepted / load_time:.0f}/s accepted)")
    pace = sum(under_load) / max(1, len(under_load))
    unloaded = (processor["delivered"] - settled_at_stop) / max(drained, 1e-9)
    print(f"settling rate    {pace:.1f}/s under load; drained in {drained:.1f}s")
    share = f"{pace / unloaded:.0%} of its unloaded pace" if unloaded else "no drain to compare with"
    print(
        f"processor pace   {pace:.1f}/s while the store refused, {unloaded:.1f}/s unloaded "
        f"(draining, no load): {share}"
    )
    print(f"store depth      at most {deepest} (bound {args.max_messages})")
    print(f"settled          {settled_total}, dead-lettered {processor['deadLettered']}, lost {lost}")
    ok = deepest <= args.max_messages and lost == 0 and store["size"] == 0
    print("bound held, nothing lost" if ok else "FAILED: the bound was passed or messages were lost")
    return 0 if ok else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load (default 60)")
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
