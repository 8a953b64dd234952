"""Messages per second through the ``store`` mediator and a forwarding processor, for each store kind.

Each kind runs as a project written to a temporary folder (``interlace.toml``, ``stores/``,
``processors/``, ``endpoints/``, ``sequences/``) on a started :class:`~interlace.runtime.Runtime`:

- **store mediator alone**: the sequence ``- store: S`` (its compiled ``mediate(ctx)``, no HTTP server)
  run on ``--count`` messages by each number of concurrent producers in ``--producers``;
- **stored and forwarded** (``e2e``): a forwarding processor with an endpoint target, ``interval``
  ``--interval``, ``concurrency`` 1 (in order) and 8 (``--concurrency``), running while
  ``--e2e-producers`` producers store the messages; the clock runs from the first ``store`` until the
  back-end has received the last message;
- **forwarding a backlog** (``drain``): the same processor started on a store that already holds
  ``--count`` messages, until the back-end has all of them (the processor alone, no puts competing).

The back-end is a raw asyncio HTTP/1.1 server in a subprocess (so that it takes none of the runtime's
CPU): it answers 200 with the body and counts the distinct ``Idempotency-Key`` headers it received.

Run: ``python bench/store_forward.py`` (``--help`` for counts and kinds). The servers are the local ones
the tests use (PostgreSQL, Redis, RabbitMQ on 127.0.0.1); a kind whose server is down is skipped. Every
queue, stream and table is named uniquely per run and removed afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import socket
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, cast

from backend import content_length

from interlace.message import MessageContext, Payload
from interlace.model.store import StoreDefinition
from interlace.runtime import Runtime
from interlace.stores import MessageStore, StoredMessage, build_store

POSTGRES = "postgresql://root@127.0.0.1:5432/test"
REDIS = "redis://127.0.0.1:6379/0"
RABBITMQ = "amqp://guest:guest@127.0.0.1:5672/"
STORES = ("Direct", "Fwd1", "Fwd8")  # the mediator alone; forwarded by the first, the second processor


@dataclass(frozen=True, slots=True)
class Kind:
    label: str
    kind: str
    durability: str
    port: int | None = None  # the server's; None for embedded kinds
    synchronous: str = "full"  # sqlite only

    def options(self, root: Path, unique: str, store: str) -> dict[str, Any]:
        """The store's options: one SQLite file or PostgreSQL table per kind, a queue or stream per store."""
        lower = store.lower()
        if self.kind == "sqlite":
            return {"path": str(root / "stores.sqlite"), "synchronous": self.synchronous}
        if self.kind == "postgres":
            return {"dsn": POSTGRES, "table": f"bench_sf_{unique}"}
        if self.kind == "redis":
            return {"url": REDIS, "stream": f"bench:sf:{unique}:{lower}"}
        if self.kind == "rabbitmq":
            return {"url": RABBITMQ, "queue": f"bench.sf.{unique}.{lower}"}
        return {}


KINDS = (
    Kind("memory", "memory", "none (process memory)"),
    Kind("sqlite full", "sqlite", "fsync per commit (power loss)", synchronous="full"),
    Kind("sqlite normal", "sqlite", "WAL, no fsync per commit (crash)", synchronous="normal"),
    Kind("postgres", "postgres", "commit, server synchronous_commit", 5432),
    Kind("redis", "redis", "server ack; disk per appendfsync", 6379),
    Kind("rabbitmq", "rabbitmq", "publisher confirm, persistent", 5672),
)


# -- the back-end (a subprocess: this file run with --serve-backend) ------------------------------------

_ANSWER = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
_KEY = b"\r\nidempotency-key:"


class _Tally:
    """Deliveries since the last ``expect``; reports ``done`` on stdout once ``target`` keys arrived."""

    def __init__(self) -> None:
        self.deliveries = 0
        self.keys: set[bytes] = set()
        self.target = -1

    def expect(self, target: int) -> None:
        self.deliveries, self.keys, self.target = 0, set(), target

    def count(self, head: bytes) -> None:
        self.deliveries += 1
        at = head.lower().find(_KEY)
        if at >= 0:
            end = head.find(b"\r\n", at + 2)
            self.keys.add(head[at + len(_KEY) : end if end >= 0 else len(head)].strip())
        if len(self.keys) == self.target:
            self.report("done")
            self.target = -1

    def report(self, word: str) -> None:
        sys.stdout.write(f"{word} {self.deliveries} {len(self.keys)}\n")
        sys.stdout.flush()


class _Receiver(asyncio.Protocol):
    def __init__(self, tally: _Tally) -> None:
        self._tally = tally
        self._buffer = bytearray()
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        buffer = self._buffer
        buffer += data
        while (end := buffer.find(b"\r\n\r\n")) >= 0:
            head = bytes(buffer[:end])
            total = end + 4 + (content_length(head) or 0)
            if len(buffer) < total:
                return
            body = bytes(buffer[end + 4 : total])
            del buffer[:total]
            assert self._transport is not None
            self._transport.write(_ANSWER % len(body) + body)
            self._tally.count(head)


async def _serve_backend() -> None:
    """Listen on a free port (printed first), then obey ``expect N`` and ``status`` lines on stdin."""
    loop = asyncio.get_running_loop()
    tally = _Tally()
    server = await loop.create_server(lambda: _Receiver(tally), "127.0.0.1", 0, backlog=1024)
    sys.stdout.write(f"{server.sockets[0].getsockname()[1]}\n")
    sys.stdout.flush()
    commands = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(commands), sys.stdin)
    while line := (await commands.readline()).split():
        if line[0] == b"expect":
            tally.expect(int(line[1]))
        else:
            tally.report("status")
    server.close()


class Backend:
    """The back-end subprocess, seen from the benchmark."""

    def __init__(self, process: asyncio.subprocess.Process, port: int) -> None:
        self._process = process
        self.port = port

    @classmethod
    async def start(cls) -> Backend:
        process = await asyncio.create_subprocess_exec(
            sys.executable, __file__, "--serve-backend", stdin=-1, stdout=-1
        )
        assert process.stdout is not None
        return cls(process, int(await process.stdout.readline()))

    async def expect(self, count: int) -> None:
        await self._send(f"expect {count}\n")

    async def wait(self, patience: float) -> tuple[bool, int, int]:
        """(all arrived, deliveries, distinct messages) once every expected message arrived, or after
        ``patience`` seconds with what arrived so far."""
        assert self._process.stdout is not None
        try:
            async with asyncio.timeout(patience):
                return (True, *_numbers(await self._process.stdout.readline()))
        except TimeoutError:
            await self._send("status\n")
            while not (line := await self._process.stdout.readline()).startswith(b"status"):
                pass
            return (False, *_numbers(line))

    async def _send(self, text: str) -> None:
        assert self._process.stdin is not None
        self._process.stdin.write(text.encode())
        await self._process.stdin.drain()

    async def aclose(self) -> None:
        assert self._process.stdin is not None
        self._process.stdin.close()
        await self._process.wait()


def _numbers(line: bytes) -> tuple[int, int]:
    _, deliveries, distinct = line.split()
    return int(deliveries), int(distinct)


# -- the stores, timed --------------------------------------------------------------------------------------


class TimedStore:
    """A store that adds up how long each ``fetch`` and ``ack`` takes (the processor overlaps them with
    its deliveries, so this is their latency, not time the processor waited), and counts the fetches,
    what they claimed, the acks, and the fetches that found nothing."""

    def __init__(self, store: MessageStore) -> None:
        self._store = store
        self.reset()

    def reset(self) -> None:
        self.fetch_seconds = self.ack_seconds = 0.0
        self.empty_fetches = self.fetches = self.fetched = self.acks = 0

    @property
    def name(self) -> str:
        return self._store.name

    async def open(self) -> None:
        await self._store.open()

    async def aclose(self) -> None:
        await self._store.aclose()

    async def put(self, message: StoredMessage) -> None:
        await self._store.put(message)

    async def fetch(self, limit: int = 1) -> list[StoredMessage]:
        started = time.perf_counter()
        claimed = await self._store.fetch(limit)
        self.fetch_seconds += time.perf_counter() - started
        self.empty_fetches += not claimed
        self.fetches += 1
        self.fetched += len(claimed)
        return claimed

    async def ack(self, message_id: str) -> None:
        started = time.perf_counter()
        await self._store.ack(message_id)
        self.ack_seconds += time.perf_counter() - started
        self.acks += 1

    async def release(self, message: StoredMessage) -> None:
        await self._store.release(message)

    async def size(self) -> int:
        return await self._store.size()

    async def browse(self, offset: int = 0, limit: int = 50) -> list[StoredMessage]:
        return await self._store.browse(offset, limit)

    async def get(self, message_id: str) -> StoredMessage | None:
        return await self._store.get(message_id)

    async def delete(self, message_id: str) -> bool:
        return await self._store.delete(message_id)

    async def purge(self) -> int:
        return await self._store.purge()


# -- the project and the measurements ---------------------------------------------------------------------


def _write_project(
    root: Path, kind: Kind, unique: str, backend_port: int, arguments: argparse.Namespace
) -> None:
    files = {
        "interlace.toml": '[project]\nname = "bench-store-forward"\n\n[server]\ngraceful-timeout = 5\n',
        "endpoints/backend.yaml": (
            f'endpoint: BackendEP\nhttp: {{url: "http://127.0.0.1:{backend_port}/deliver", method: POST}}\n'
        ),
    }
    for store in STORES:
        options = json.dumps(kind.options(root, unique, store))  # JSON is YAML
        files[f"stores/{store.lower()}.yaml"] = f"store: {store}\n{kind.kind}: {options}\n"
        files[f"sequences/keep-{store.lower()}.yaml"] = f"sequence: Keep{store}\nflow:\n  - store: {store}\n"
    for concurrency, store in zip(arguments.concurrency, STORES[1:], strict=True):
        files[f"processors/forward-{store.lower()}.yaml"] = (
            f"processor: Forward{store}\nforwarding:\n  store: {store}\n  endpoint: BackendEP\n"
            f"  interval: {arguments.interval}\n  concurrency: {concurrency}\n  active: false\n"
        )
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


@dataclass(frozen=True, slots=True)
class Figure:
    rate: float  # messages per second
    cpu: float  # this process's CPU microseconds per message (event loop and store threads)
    note: str = ""
    fetch: float = 0.0  # processors: milliseconds a fetch took, on average
    ack: float = 0.0  # ... and an ack (a commit, for the durable kinds)
    per_fetch: float = 0.0  # messages a fetch claimed, on average
    empty_fetches: int = 0


async def _measure(count: int, run: Callable[[], Awaitable[str]]) -> Figure:
    cpu, started = time.process_time(), time.perf_counter()
    note = await run()
    elapsed, used = time.perf_counter() - started, time.process_time() - cpu
    return Figure(count / elapsed, used / count * 1e6, note)


async def _produce(
    runtime: Runtime, store: str, count: int, producers: int, size: int, *, other_node: bool = False
) -> str:
    """Run ``count`` messages through the sequence ``- store: STORE`` with ``producers`` at a time; with
    ``other_node``, put them straight into the store instead, as another node sharing it would (this
    runtime's processor is then not told, and finds them by polling)."""
    sequence = runtime.artifacts.sequences[f"Keep{store}"]
    target = runtime.message_store(store)
    padding = b"x" * max(size - 30, 0)
    numbers = iter(range(count))

    async def producer() -> None:
        for number in numbers:
            raw = b'{"n": %d, "note": "%s"}' % (number, padding)
            ctx = MessageContext(Payload(raw, "application/json"), method="POST")
            if other_node:
                await target.put(StoredMessage.from_context(ctx, origin=store))
            else:
                await sequence.mediate(ctx)

    await asyncio.gather(*(producer() for _ in range(producers)))
    return ""


async def _forwarded(
    runtime: Runtime, backend: Backend, store: TimedStore, arguments: argparse.Namespace, *, backlog: bool
) -> Figure:
    """Messages per second through ``store``'s processor: started before the puts (``backlog`` False), or
    on a store that holds every message already."""
    count, processor = arguments.count, f"Forward{store.name}"
    await store.purge()
    await backend.expect(count)
    if backlog:
        await _produce(runtime, store.name, count, arguments.e2e_producers, arguments.size)
    store.reset()

    async def run() -> str:
        await runtime.services.activate("processor", processor)
        if not backlog:
            await _produce(
                runtime,
                store.name,
                count,
                arguments.e2e_producers,
                arguments.size,
                other_node=arguments.other_node,
            )
        complete, deliveries, distinct = await backend.wait(arguments.timeout)
        note = "" if complete else f"timed out with {distinct} of {count} delivered;"
        return note + (f" {deliveries - distinct} delivered twice;" if deliveries != distinct else "")

    try:
        figure = await _measure(count, run)
    finally:
        await runtime.services.deactivate("processor", processor)
        state = runtime.services.state("processor", processor)
        if state.failed_attempts:
            print(f"  {processor}: {state.failed_attempts} failed attempts, last: {state.last_error}")
    return replace(
        figure,
        fetch=1000 * store.fetch_seconds / max(1, store.fetches),
        ack=1000 * store.ack_seconds / max(1, store.acks),
        per_fetch=store.fetched / max(1, store.fetches),
        empty_fetches=store.empty_fetches,
    )


async def _measure_kind(kind: Kind, backend: Backend, arguments: argparse.Namespace) -> dict[str, Figure]:
    """Every figure of ``kind``, the median of ``--rounds`` runs each."""
    runs: dict[str, list[Figure]] = {}
    unique = uuid.uuid4().hex[:8]
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        _write_project(root, kind, unique, backend.port, arguments)
        timed: dict[str, TimedStore] = {}

        def stores(definition: StoreDefinition) -> MessageStore:
            timed[definition.name] = TimedStore(build_store(definition, project_root=root))
            return timed[definition.name]

        try:
            async with Runtime(root, env={}, stores=stores) as runtime:
                for _ in range(arguments.rounds):
                    for name, figure in await _one_round(runtime, timed, backend, arguments):
                        runs.setdefault(name, []).append(figure)
        finally:
            await _drop(kind, root, unique)
    return {name: sorted(figures, key=lambda f: f.rate)[len(figures) // 2] for name, figures in runs.items()}


async def _one_round(
    runtime: Runtime, timed: dict[str, TimedStore], backend: Backend, arguments: argparse.Namespace
) -> list[tuple[str, Figure]]:
    figures: list[tuple[str, Figure]] = []
    count = arguments.count
    for producers in arguments.producers:
        await timed["Direct"].purge()
        run = functools.partial(_produce, runtime, "Direct", count, producers, arguments.size)
        figures.append((f"store {producers}", await _measure(count, run)))
    await timed["Direct"].purge()
    for concurrency, store in zip(arguments.concurrency, STORES[1:], strict=True):
        figure = await _forwarded(runtime, backend, timed[store], arguments, backlog=False)
        figures.append((f"e2e c{concurrency}", figure))
        if not arguments.no_drain:
            figure = await _forwarded(runtime, backend, timed[store], arguments, backlog=True)
            figures.append((f"drain c{concurrency}", figure))
        await timed[store].purge()
    return figures


async def _drop(kind: Kind, root: Path, unique: str) -> None:
    # Leave nothing behind on the shared servers.
    if kind.kind == "postgres":
        import asyncpg

        table = kind.options(root, unique, "")["table"]
        conn = await asyncpg.connect(POSTGRES)
        await conn.execute(f'DROP TABLE IF EXISTS "{table}", "{table}_seen"')
        await conn.close()
    elif kind.kind == "redis":
        import redis.asyncio as aioredis

        client = aioredis.Redis.from_url(REDIS)
        keys = [key async for key in client.scan_iter(match=f"bench:sf:{unique}:*")]
        if keys:
            await client.delete(*keys)
        await client.aclose()
    elif kind.kind == "rabbitmq":
        import aio_pika

        connection = await aio_pika.connect(RABBITMQ)
        async with connection:
            channel = await connection.channel()
            for store in STORES:
                await channel.queue_delete(kind.options(root, unique, store)["queue"])


def _reachable(port: int | None) -> bool:
    if port is None:
        return True
    with socket.socket() as probe:
        probe.settimeout(1.0)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _print_table(
    title: str, rows: list[tuple[Kind, dict[str, Figure]]], cell: Callable[[Figure], str]
) -> None:
    columns = list(rows[0][1]) if rows else []
    print(f"\n{title}")
    print(f"{'store':<14} {'durability':<34} " + " ".join(f"{column:>10}" for column in columns))
    for kind, figures in rows:
        cells = " ".join(f"{cell(figures[column]):>10}" for column in columns)
        print(f"{kind.label:<14} {kind.durability:<34} {cells}")


def _print_breakdown(rows: list[tuple[Kind, dict[str, Figure]]], arguments: argparse.Namespace) -> None:
    """The store's round trips under each processor: how long a fetch and an ack take, and how many
    messages a fetch claims. The processor claims ahead and acknowledges while it delivers, so an ack's
    commit (a disk sync, for sqlite full) is off the path of the deliveries."""
    names = [name for name in rows[0][1] if not name.startswith("store")] if rows else []
    print("\nstore round trips: ms per fetch / ms per ack / messages per fetch (empty fetches)")
    print(f"{'store':<14} " + " ".join(f"{name:>22}" for name in names))
    for kind, figures in rows:
        cells = [
            f"{f.fetch:.2f} / {f.ack:.2f} / {f.per_fetch:.1f} ({f.empty_fetches})"
            for f in (figures[name] for name in names)
        ]
        print(f"{kind.label:<14} " + " ".join(f"{cell:>22}" for cell in cells))


def _print_targets(rows: list[tuple[Kind, dict[str, Figure]]], arguments: argparse.Namespace) -> None:
    """SQLite with ``synchronous: full`` against its targets, and against the memory store of this run."""
    figures = {kind.label: found for kind, found in rows}
    full, memory = figures.get("sqlite full"), figures.get("memory")
    if full is None:
        return
    print("\nsqlite full (no durability given up) against its targets")
    for concurrency, target in zip(arguments.concurrency, TARGETS, strict=True):
        name = f"e2e c{concurrency}"
        if name not in full:
            continue
        rate = full[name].rate
        against = f", {rate / memory[name].rate:.0%} of memory's" if memory and name in memory else ""
        verdict = "met" if rate >= target else "NOT met"
        print(f"  {name}: {rate:.0f} msg/s, target {target}: {verdict}{against}")


TARGETS = (1000, 2500)  # sqlite full, e2e: in order (concurrency 1) and concurrency 8


async def main(arguments: argparse.Namespace) -> None:
    backend = await Backend.start()
    rows: list[tuple[Kind, dict[str, Figure]]] = []
    try:
        for kind in KINDS:
            if arguments.kinds and kind.kind not in arguments.kinds:
                continue
            if not _reachable(kind.port):
                print(f"skipped {kind.label}: no server on port {kind.port}")
                continue
            figures = await _measure_kind(kind, backend, arguments)
            rows.append((kind, figures))
            notes = " ".join(
                f"{name}: {figure.note.strip()}" for name, figure in figures.items() if figure.note
            )
            print(f"measured {kind.label}" + (f" ({notes})" if notes else ""), flush=True)
    finally:
        await backend.aclose()
    _print_table("messages per second", rows, lambda figure: f"{figure.rate:.0f}")
    _print_table("CPU microseconds per message (this process)", rows, lambda figure: f"{figure.cpu:.0f}")
    _print_breakdown(rows, arguments)
    _print_targets(rows, arguments)
    print(
        f"\n{arguments.count} messages of {arguments.size} bytes per figure, median of {arguments.rounds} "
        f"run(s). store N: the store mediator alone, N producers. e2e cN: {arguments.e2e_producers} "
        f"producers storing while a forwarding processor (concurrency N, interval {arguments.interval}) "
        "delivers to an HTTP back-end, until the last delivery. drain cN: the same processor on a store "
        "that holds every message already."
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=2000, help="messages per figure (default 2000)")
    parser.add_argument("--rounds", type=int, default=1, help="runs per figure; shows the median (default 1)")
    parser.add_argument(
        "--producers", type=int, nargs="+", default=[1, 32], help="store mediator alone: producers (1 32)"
    )
    parser.add_argument("--e2e-producers", type=int, default=32, help="producers in e2e and drain (32)")
    parser.add_argument(
        "--concurrency", type=int, nargs=2, default=[1, 8], help="the two processors' concurrency (1 8)"
    )
    parser.add_argument("--interval", default="10ms", help="the processors' interval (default 10ms)")
    parser.add_argument("--size", type=int, default=200, help="payload bytes (default 200)")
    parser.add_argument("--timeout", type=float, default=300.0, help="longest wait for deliveries, seconds")
    parser.add_argument("--no-drain", action="store_true", help="skip the backlog figures")
    parser.add_argument(
        "--other-node",
        action="store_true",
        help="e2e: put straight into the store, as another node would (the processor finds them by polling)",
    )
    parser.add_argument("--loop", choices=["uvloop", "asyncio"], default="uvloop", help="event loop (uvloop)")
    parser.add_argument("--kinds", nargs="*", help="only these kinds (memory sqlite postgres redis rabbitmq)")
    parser.add_argument("--serve-backend", action="store_true", help=argparse.SUPPRESS)
    return parser


if __name__ == "__main__":
    parsed = _parser().parse_args()
    work = _serve_backend() if parsed.serve_backend else main(parsed)
    if parsed.loop == "uvloop":
        import uvloop

        uvloop.run(work)
    else:
        asyncio.run(work)
