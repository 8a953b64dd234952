"""A closed-loop HTTP/1.1 load generator: N keep-alive connections, each sending the next request as soon
as the previous answer is complete, for a warm-up and then a measured duration.

Two clients: ``raw`` (default) writes a prebuilt request on an asyncio protocol and frames answers by
Content-Length, so that it costs little of the CPU core it shares with the back-end; ``aiohttp`` uses one
pooled aiohttp ClientSession (heavier: check the "core 1" column stays below 100%).
"""

from __future__ import annotations

import asyncio
import time
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, cast

import aiohttp

__all__ = ["ClientKind", "LoadResult", "Recorder", "run_load"]

ClientKind = Literal["raw", "aiohttp"]


class Recorder:
    """Latencies (seconds) and error count of answers completed while ``recording``."""

    __slots__ = ("errors", "latencies", "recording", "running")

    def __init__(self) -> None:
        self.latencies = array("d")
        self.errors = 0
        self.recording = False
        self.running = True

    def record(self, latency: float, ok: bool) -> None:
        if self.recording:
            if ok:
                self.latencies.append(latency)
            else:
                self.errors += 1


@dataclass(frozen=True, slots=True)
class LoadResult:
    """What one measured window gave: requests per second, latency percentiles (seconds), histogram."""

    requests: int
    errors: int
    seconds: float
    latencies: tuple[float, ...]
    probed: tuple[float, ...] = ()  # how much each value of ``probe`` grew during the window

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, fraction: float) -> float:
        """The latency below which ``fraction`` of the answers came (nearest rank); 0 without answers."""
        if not self.latencies:
            return 0.0
        rank = min(len(self.latencies) - 1, max(0, round(fraction * len(self.latencies)) - 1))
        return self.latencies[rank]

    def histogram(self, buckets_ms: tuple[float, ...] = (0.5, 1, 2, 5, 10, 20, 50, 100, 1000)) -> str:
        """A text histogram of the latencies in millisecond buckets."""
        lines: list[str] = []
        total = len(self.latencies) or 1
        lower = 0.0
        index = 0
        for upper in (*buckets_ms, float("inf")):
            count = 0
            while index < len(self.latencies) and self.latencies[index] * 1000 < upper:
                count += 1
                index += 1
            if count:
                label = f"{lower:g}-{upper:g} ms" if upper != float("inf") else f">= {lower:g} ms"
                bar = "#" * max(1, round(50 * count / total))
                lines.append(f"  {label:>14} {count:>9} {100 * count / total:5.1f}% {bar}")
            lower = upper
        return "\n".join(lines)


class _RawConnection(asyncio.Protocol):
    """One keep-alive connection sending ``request`` again as soon as each answer is complete."""

    def __init__(self, request: bytes, recorder: Recorder, idle: Callable[[], None]) -> None:
        self._request = request
        self._recorder = recorder
        self._idle = idle
        self._buffer = bytearray()
        self._sent = 0.0
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports do not derive from asyncio.Transport, but have its interface.
        self._transport = cast(asyncio.Transport, transport)
        self._send()

    def _send(self) -> None:
        assert self._transport is not None
        self._sent = time.perf_counter()
        self._transport.write(self._request)

    def data_received(self, data: bytes) -> None:
        buffer = self._buffer
        buffer += data
        end = buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        head = bytes(buffer[:end]).lower()
        at = head.find(b"\r\ncontent-length:")
        if at < 0:
            raise RuntimeError(f"the answer has no Content-Length: {head[:200]!r}")
        line_end = head.find(b"\r\n", at + 2)
        length = int(head[at + 17 : line_end if line_end >= 0 else len(head)])
        total = end + 4 + length
        if len(buffer) < total:
            return
        if len(buffer) > total:
            raise RuntimeError("the server sent more than one answer to one request")
        self._recorder.record(time.perf_counter() - self._sent, head[9:12] == b"200")
        buffer.clear()
        if self._recorder.running:
            self._send()
        else:
            self._idle()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._recorder.running:
            self._recorder.record(0.0, False)
        self._idle()


async def _raw_load(
    host: str, port: int, path: str, body: bytes, connections: int, recorder: Recorder, stop: asyncio.Event
) -> None:
    request = (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    loop = asyncio.get_running_loop()
    finished = asyncio.Semaphore(0)
    transports: list[asyncio.BaseTransport] = []
    for _ in range(connections):
        transport, _protocol = await loop.create_connection(
            lambda: _RawConnection(request, recorder, finished.release), host, port
        )
        transports.append(transport)
    await stop.wait()
    try:
        async with asyncio.timeout(15):
            for _ in range(connections):
                await finished.acquire()
    finally:
        for transport in transports:
            transport.close()


async def _aiohttp_load(
    host: str, port: int, path: str, body: bytes, connections: int, recorder: Recorder, stop: asyncio.Event
) -> None:
    url = f"http://{host}:{port}{path}"
    headers = {"Content-Type": "application/json"}
    connector = aiohttp.TCPConnector(limit=connections)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker() -> None:
            while not stop.is_set():
                sent = time.perf_counter()
                try:
                    async with session.post(url, data=body, headers=headers) as answer:
                        await answer.read()
                        ok = answer.status == 200
                except aiohttp.ClientError:
                    ok = False
                recorder.record(time.perf_counter() - sent, ok)

        await asyncio.gather(*(worker() for _ in range(connections)))


async def run_load(
    host: str,
    port: int,
    path: str,
    body: bytes,
    *,
    connections: int,
    warmup: float,
    duration: float,
    client: ClientKind = "raw",
    probe: Callable[[], tuple[float, ...]] | None = None,
) -> LoadResult:
    """POST ``body`` to ``path`` over ``connections`` connections: ``warmup`` seconds unrecorded, then
    ``duration`` seconds recorded. Answers other than 200 and dropped connections count as errors.
    ``probe`` (e.g. CPU seconds used by processes) is read when the recorded window opens and closes."""
    recorder = Recorder()
    stop = asyncio.Event()
    drive = _raw_load if client == "raw" else _aiohttp_load
    task = asyncio.create_task(drive(host, port, path, body, connections, recorder, stop))
    await asyncio.sleep(warmup)
    before = probe() if probe is not None else ()
    recorder.recording = True
    started = time.perf_counter()
    await asyncio.sleep(duration)
    recorder.recording = False
    seconds = time.perf_counter() - started
    after = probe() if probe is not None else ()
    recorder.running = False
    stop.set()
    await task
    latencies = tuple(sorted(recorder.latencies))
    probed = tuple(end - start for start, end in zip(before, after, strict=True))
    return LoadResult(len(latencies), recorder.errors, seconds, latencies, probed)
