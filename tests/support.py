"""Helpers shared by the tests: projects written from strings, waiting with a deadline, free ports,
unique names and local HTTP peers.

Deadlines are generous and scale with ``INTERLACE_TEST_TIMEOUT_SCALE`` (a factor, 1 by default): on a
slow or busy machine, set it above 1 rather than editing tests. A deadline bounds a wait for something
that must happen; a test never sleeps to let something *not* happen (it waits for a later fact instead).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import inspect
import os
import socket
import subprocess
import sys
import sysconfig
import textwrap
import uuid
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from aiohttp import web

from interlace.sdk import TriggerEvent

__all__ = [
    "START",
    "WAIT",
    "Outage",
    "deadline",
    "environment_over_this_one",
    "eventually",
    "interlace_run",
    "lags_while_acking",
    "scaled",
    "serving_app",
    "take",
    "unique",
    "unused_port",
    "wait_for_port",
    "waiting_for_room",
    "within",
    "write_project",
]

T = TypeVar("T")

WAIT = 10.0  # seconds: the default deadline of a wait, before scaling
START = 60.0  # seconds: a deadline for a Python process to start (its imports are slow on a busy machine)


def _scale() -> float:
    text = os.environ.get("INTERLACE_TEST_TIMEOUT_SCALE", "").strip() or "1"
    try:
        factor = float(text)
    except ValueError:
        raise ValueError(f"INTERLACE_TEST_TIMEOUT_SCALE must be a number (got {text!r})") from None
    if factor <= 0:
        raise ValueError(f"INTERLACE_TEST_TIMEOUT_SCALE must be > 0 (got {text!r})")
    return factor


def scaled(seconds: float) -> float:
    """``seconds`` times ``INTERLACE_TEST_TIMEOUT_SCALE``."""
    return seconds * _scale()


def deadline(seconds: float = WAIT) -> asyncio.Timeout:
    """``async with deadline():`` fails the wait (TimeoutError) after ``seconds``, scaled."""
    return asyncio.timeout(scaled(seconds))


async def within(awaitable: Awaitable[T], seconds: float = WAIT) -> T:
    """The result of ``awaitable``, which must come within ``seconds`` (scaled)."""
    async with deadline(seconds):
        return await awaitable


async def eventually(
    condition: Callable[[], bool] | Callable[[], Awaitable[bool]],
    within: float = WAIT,
    every: float = 0.01,
    what: str = "",
) -> None:
    """Wait until ``condition()`` (a function or a coroutine function) holds, looking every ``every``
    seconds; fail after ``within`` seconds (scaled). For peers with no event to wait on."""
    limit = scaled(within)
    try:
        async with asyncio.timeout(limit):
            while True:
                result = condition()
                if await result if inspect.isawaitable(result) else result:
                    return
                await asyncio.sleep(every)
    except TimeoutError:
        raise AssertionError(f"not within {limit:g}s: {what or _describe(condition)}") from None


async def take(events: AsyncIterator[T], count: int, within: float = WAIT) -> list[T]:
    """The next ``count`` items of ``events`` (a trigger's events, say), each within ``within`` seconds
    (scaled)."""
    taken: list[T] = []
    for _ in range(count):
        async with deadline(within):
            taken.append(await anext(events))
    return taken


async def lags_while_acking(
    events: AsyncIterator[TriggerEvent], count: int, within: float = WAIT
) -> list[int | None]:
    """The lag of each of the next ``count`` events of a trigger, each acknowledged once taken (so that
    the trigger reads on), each within ``within`` seconds (scaled)."""
    lags: list[int | None] = []
    for _ in range(count):
        (event,) = await take(events, 1, within)
        lags.append(event.lag)
        await event.ack()
    return lags


def _describe(condition: Callable[..., Any]) -> str:
    try:
        return inspect.getsource(condition).strip()
    except (OSError, TypeError):
        return repr(condition)


async def waiting_for_room(events: AsyncGenerator[Any, None], after: object = None) -> object:
    """Wait until the trigger ``events`` (its next event asked for) is suspended in ``wait_for_room``: full,
    it waits for an event to be settled instead of reading on (the SDK's ``InFlight`` contract). With
    ``after``, wait for a later ``wait_for_room`` than that one (the trigger went round its loop, for a
    keep-alive poll, say). Returns the wait found, for ``after``."""
    found: list[object] = []

    def waiting() -> bool:
        current = events.ag_await
        while current is not None:
            code = getattr(current, "cr_code", None)
            if code is not None and code.co_name == "wait_for_room" and current is not after:
                found.append(current)
                return True
            current = getattr(current, "cr_await", None) or getattr(current, "gi_yieldfrom", None)
        return False

    await eventually(waiting, what="the trigger waiting for room" + (" again" if after is not None else ""))
    return found[-1]


def write_project(
    root: Path,
    files: Mapping[str, str],
    toml: str = "",
    *,
    name: str = "test",
    configs: Mapping[str, object] | None = None,
) -> Path:
    """Every file of ``files`` (dedented) under ``root``; and, unless ``files`` has one, an ``interlace.toml``
    naming the project ``name``, with a 2 s graceful timeout, ``configs`` and the extra TOML ``toml``."""
    root.mkdir(parents=True, exist_ok=True)
    if "interlace.toml" not in files:
        text = f'[project]\nname = "{name}"\n\n[server]\ngraceful-timeout = 2\n'
        if configs:
            text += "\n[configs]\n" + "".join(f"{key} = {_toml(value)}\n" for key, value in configs.items())
        (root / "interlace.toml").write_text(text + textwrap.dedent(toml), encoding="utf-8")
    for relative, body in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(body).lstrip("\n"), encoding="utf-8")
    return root


def _toml(value: object) -> str:
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return str(value).lower() if isinstance(value, bool) else str(value)


class Outage:
    """A TCP proxy on a loopback port to ``host:port`` that can cut the line: every connection through it
    is dropped and new ones refused, until it is restored (on the same port). A service shared with
    other tests on the machine seems down to the client using the proxy only."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.port = unused_port()
        self._server: asyncio.Server | None = None
        self._links: set[asyncio.Task[None]] = set()

    async def __aenter__(self) -> Outage:
        await self.restore()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.cut()

    async def restore(self) -> None:
        """Accept connections again (and at first)."""
        self._server = await asyncio.start_server(self._link, "127.0.0.1", self.port, reuse_address=True)

    async def cut(self) -> None:
        """Drop every connection and refuse new ones."""
        server, self._server = self._server, None
        if server is not None:
            server.close()
            await server.wait_closed()
        for link in list(self._links):
            link.cancel()
        await asyncio.gather(*self._links, return_exceptions=True)

    async def _link(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._links.add(task)
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            self._links.discard(task)
            return
        try:
            await asyncio.gather(_pipe(reader, upstream_writer), _pipe(upstream_reader, writer))
        finally:
            for side in (writer, upstream_writer):
                side.close()
            self._links.discard(task)


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    writer.close()


@contextlib.asynccontextmanager
async def serving_app(app: web.Application) -> AsyncGenerator[str, None]:
    """Serve the aiohttp ``app`` on a free loopback port (a fake peer); yields its base URL
    (``http://127.0.0.1:PORT``), and stops it on leaving."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


async def interlace_run(
    root: Path, *options: str, env: Mapping[str, str] | None = None, output: bool = True
) -> asyncio.subprocess.Process:
    """``interlace run root`` on loopback in its own process, with ``options``; its output (stdout and stderr
    together) readable from its ``stdout``, or dropped. Name ``--port`` and ``--management-port`` in
    ``options`` (0: one the system picks) unless the project sets them: a default port meets other test
    runs on a shared machine."""
    piped = asyncio.subprocess.PIPE if output else asyncio.subprocess.DEVNULL
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "interlace", "run", str(root), "--host", "127.0.0.1", *options,
        stdout=piped, stderr=asyncio.subprocess.STDOUT, env=None if env is None else dict(env),
    )  # fmt: skip


def unused_port() -> int:
    """A loopback TCP port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def wait_for_port(port: int, host: str = "127.0.0.1", within: float = WAIT) -> None:
    """Wait until something accepts connections on ``host:port`` (a server process starting)."""

    async def accepts() -> bool:
        try:
            _, writer = await asyncio.open_connection(host, port)
        except OSError:
            return False
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()
        return True

    await eventually(accepts, within, what=f"something listening on {host}:{port}")


def unique(prefix: str, separator: str = "-") -> str:
    """``prefix`` with a random suffix: a name no other test run on this machine uses."""
    return f"{prefix}{separator}{uuid.uuid4().hex[:10]}"


@functools.cache
def rsa_key_pair() -> tuple[str, str]:
    """An RSA key pair, PEM: the private key (PKCS 8) and its public key, made once per test run (for
    the OAuth2 JWT bearer grant, as a connected app or a service account holds one)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


def environment_over_this_one(folder: Path) -> Path:
    """The Python of a new virtual environment in ``folder`` that sees every package of this one but
    installs into its own: what a test installs there never reaches the environment other tests (and
    other workers) run in."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    python = folder / "bin" / "python"
    own = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    ours = sysconfig.get_paths()["purelib"]
    (Path(own) / "_this_environment.pth").write_text(f"import site; site.addsitedir({ours!r})\n")
    return python
