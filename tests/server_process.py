"""``interlace run`` in a process of its own, as tests start servers: its ports, its output so far, and
a management token."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import aiohttp

from tests.support import START, eventually

__all__ = ["ServerProcess"]


@dataclass
class ServerProcess:
    """A server process and its API and management ports; :meth:`read` collects its output (start it
    as a task)."""

    process: asyncio.subprocess.Process
    port: int
    management_port: int
    lines: list[str] = field(default_factory=list)
    reader: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def management(self) -> str:
        return f"http://127.0.0.1:{self.management_port}/management"

    @property
    def output(self) -> str:
        return "".join(self.lines)

    @property
    def alive(self) -> bool:
        return self.process.returncode is None

    async def read(self) -> None:
        assert self.process.stdout is not None
        while line := await self.process.stdout.readline():
            self.lines.append(line.decode(errors="replace"))

    async def wait_for(self, text: str, seconds: float = START) -> None:
        try:
            await eventually(lambda: text in self.output, within=seconds)
        except AssertionError as exc:
            raise AssertionError(f"{exc}; {text!r} not in the output:\n{self.output}") from None

    async def token(self, client: aiohttp.ClientSession, password: str) -> dict[str, str]:
        """The headers of a request as ``admin`` (whose password the server was started with)."""
        body = {"user": "admin", "password": password}
        async with client.post(f"{self.management}/login", json=body) as answer:
            assert answer.status == 200, await answer.text()
            return {"Authorization": f"Bearer {(await answer.json())['token']}"}
