"""Running the sample hospital back-end in-process, on a real loopback port."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from types import TracebackType

from aiohttp import web

from interlace.samples.hospital.app import create_app

__all__ = ["HospitalBackend", "start_hospital_backend"]


class HospitalBackend:
    """A started back-end: ``url`` to call it at, ``aclose()`` (or ``async with``) to stop it.

    Made by ``start_hospital_backend``; closing twice is harmless.
    """

    def __init__(self, runner: web.AppRunner, host: str, port: int) -> None:
        self._runner = runner
        self.host = host
        self.port = port

    @property
    def url(self) -> str:
        """The base URL, without a trailing slash, e.g. ``http://127.0.0.1:9090``."""
        return f"http://{self.host}:{self.port}"

    async def aclose(self) -> None:
        await self._runner.cleanup()

    async def __aenter__(self) -> HospitalBackend:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()


async def start_hospital_backend(
    host: str = "127.0.0.1",
    port: int = 9090,
    *,
    today: Callable[[], date] = date.today,
) -> HospitalBackend:
    """Start a back-end with fresh state listening on *host*:*port* (0 picks a free port).

    Returns once the socket is bound; raises ``OSError`` if the port is taken.
    """
    runner = web.AppRunner(create_app(today=today), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    try:
        await site.start()
    except BaseException:
        await runner.cleanup()
        raise
    bound_port = port
    if runner.addresses:
        bound_port = int(runner.addresses[0][1])
    return HospitalBackend(runner, host, bound_port)
