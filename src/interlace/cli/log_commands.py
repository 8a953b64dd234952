"""`interlace logs [-f]`: the running server's recent log lines, and with ``-f`` the new ones as they
come, read from its management API (``GET /management/logs``, which numbers each line: a follower asks
for the lines after the last it printed)."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

import typer

from interlace.cli.output import RemoteOption
from interlace.cli.remote import remote_client, run_remote

__all__ = ["logs"]

_BATCH = 1000
"""The most lines one poll asks for (the server keeps as many)."""


def _line(item: dict[str, Any]) -> str:
    correlation = item.get("correlationId") or "-"
    level = item.get("level", "")
    return f"{item.get('time')} {level:<7} {item.get('logger')} [{correlation}] {item.get('message')}"


def logs(
    follow: Annotated[
        bool, typer.Option("--follow", "-f", help="Keep printing new lines until Ctrl-C.")
    ] = False,
    lines: Annotated[
        int, typer.Option("--lines", "-n", min=1, max=_BATCH, help="How many recent lines.")
    ] = 100,
    level: Annotated[
        str, typer.Option(help="The lowest level shown: DEBUG, INFO, WARNING, ERROR.")
    ] = "DEBUG",
    logger: Annotated[str | None, typer.Option(help="Only this logger and its children.")] = None,
    interval: Annotated[float, typer.Option(min=0.1, help="Seconds between polls with -f.")] = 1.0,
    remote: RemoteOption = None,
) -> None:
    """Print the running server's recent log lines (with -f, follow them)."""
    chosen, client = remote_client(remote)

    async def work() -> None:
        after, limit = 0, lines
        while True:
            params = {"limit": str(limit), "level": level.upper()}
            if logger:
                params["logger"] = logger
            if after:
                params["after"] = str(after)
            answer = await client.request("GET", "/logs", params=params)
            for item in answer.get("items", []):
                typer.echo(_line(item))
                after = max(after, int(item.get("seq", 0)))
            if not follow:
                return
            limit = _BATCH
            await asyncio.sleep(interval)

    try:
        run_remote(chosen, client, work())
    except KeyboardInterrupt:
        return
