"""The log page: loggers and their levels (changed by a form), and the recent lines the management
server keeps, followed by the page's script."""

from __future__ import annotations

from typing import Final

from aiohttp import web

from interlace.console.context import Console
from interlace.console.pages import render
from interlace.management.resources.loglevels import LEVELS

__all__ = ["log_lines", "logs_page", "set_level"]

_LINES: Final = {"limit": "200", "level": "DEBUG"}


async def _lines(console: Console) -> list[dict[str, object]]:
    items: list[dict[str, object]] = (await console.call("listLogLines", query=_LINES))["items"]
    return items


async def logs_page(console: Console) -> web.StreamResponse:
    loggers = (await console.call("listLoggers"))["items"]
    return render(
        console.request,
        "logs.html",
        console=console,
        loggers=loggers,
        levels=LEVELS,
        lines=await _lines(console),
    )


async def log_lines(console: Console) -> web.StreamResponse:
    return render(console.request, "_loglines.html", console=console, lines=await _lines(console))


async def set_level(console: Console) -> web.StreamResponse:
    logger = console.request.match_info["logger"]
    level = str(console.form.get("level", ""))
    done = f"logger {logger} now logs at {level}"
    return await console.act("setLoggerLevel", {"logger": logger}, done, {"level": level}, "/console/logs")
