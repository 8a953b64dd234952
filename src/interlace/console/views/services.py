"""Switching what runs on and off: endpoints, processors, inbound endpoints and tasks, and running a
task now. Each posts to the management API's own route and returns to the page posted from."""

from __future__ import annotations

from typing import Final

from aiohttp import web

from interlace.console.context import Console

__all__ = ["KINDS", "switch", "trigger_task"]

KINDS: Final = {
    "endpoints": ("Endpoint", "endpoint"),
    "processors": ("Processor", "processor"),
    "inbound": ("InboundEndpoint", "inbound endpoint"),
    "tasks": ("Task", "task"),
}
"""URL segment -> (the management routes' operation name, what a user calls it)."""


async def switch(console: Console) -> web.StreamResponse:
    """``POST /console/{kind}/{name}/{activate|deactivate}``."""
    info = console.request.match_info
    kind, name, change = info["kind"], info["name"], info["change"]
    if kind not in KINDS or change not in ("activate", "deactivate"):
        raise web.HTTPNotFound()
    operation, noun = KINDS[kind]
    return await console.act(f"{change}{operation}", {"name": name}, f"{noun} {name} {change}d")


async def trigger_task(console: Console) -> web.StreamResponse:
    name = console.request.match_info["name"]
    return await console.act("triggerTask", {"name": name}, f"task {name} ran")
