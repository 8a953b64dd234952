"""Message traces on the flow pages: the kept traces to lay over a diagram, the same message's other
traces joined to the one shown (the processor's delivery of a message an API stored, say), and
switching an API's tracing on or off."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from aiohttp import web

from interlace.console.context import Console

__all__ = ["switch_api_tracing", "traced_view"]


def _project_page(console: Console) -> str:
    return f"/console/projects/{quote(console.request.match_info['project'], safe='')}"


async def _page_of(console: Console, trace: dict[str, Any]) -> str | None:
    """The console page that draws the flow ``trace`` ran, with the trace laid over it."""
    kind, name, number = trace["kind"], trace["name"], trace["id"]
    if kind == "processor":  # a delivery: drawn on the sequence it delivers to
        state = await console.call("getProcessor", {"name": name})
        if state.get("targetKind") != "sequence":
            return None
        kind, name = "sequence", state["target"]
    folder = {"api": "apis", "sequence": "sequences"}.get(kind)
    if folder is None:
        return None
    return f"{_project_page(console)}/{folder}/{quote(name, safe='')}?trace={number}"


async def traced_view(console: Console, kind: str, name: str) -> dict[str, Any]:
    """The trace asked for (``?trace=``), the kept traces of the artifact to choose from, and the other
    traces of the shown trace's message, each with the page that draws it."""
    query = {"kind": kind, "name": name, "limit": "20"}
    chosen = console.request.query.get("trace", "")
    view: dict[str, Any] = {
        "trace": chosen,
        "traces": (await console.call("listMessageTraces", query=query))["items"],
        "related": [],
    }
    if chosen.isdigit():
        shown = await console.call("getMessageTrace", {"id": chosen})
        same = {"correlationId": shown["correlationId"], "limit": "20"}
        others = [
            t
            for t in (await console.call("listMessageTraces", query=same))["items"]
            if t["id"] != shown["id"]
        ]
        view["shown"] = shown
        view["related"] = [{**other, "page": await _page_of(console, other)} for other in reversed(others)]
    if kind == "api":
        view["tracing"] = (await console.call("getTraceSwitch", {"kind": "api", "name": name}))["enabled"]
    return view


async def switch_api_tracing(console: Console) -> web.StreamResponse:
    """``POST /console/projects/P/apis/API/tracing`` with ``enabled`` true or false."""
    name = console.request.match_info["api"]
    enabled = console.form.get("enabled") == "true"
    back = f"{_project_page(console)}/apis/{quote(name, safe='')}"
    done = f"message tracing {'on' if enabled else 'off'} for {name}"
    return await console.act("switchTracing", {"kind": "api", "name": name}, done, {"enabled": enabled}, back)
