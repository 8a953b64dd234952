"""A message store's pages: its messages page by page, one message, replaying or deleting it, and
purging the store after a confirmation page."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from aiohttp import web

from interlace.console.context import Console
from interlace.console.pages import render

__all__ = ["browse", "delete_message", "message_page", "purge", "purge_form", "replay"]


def _names(console: Console) -> tuple[str, str]:
    return console.request.match_info["store"], console.request.match_info.get("id", "")


def _store_page(store: str) -> str:
    return f"/console/stores/{quote(store, safe='')}"


async def browse(console: Console) -> web.StreamResponse:
    store, _ = _names(console)
    query = {key: console.request.query[key] for key in ("offset",) if key in console.request.query}
    details = await console.call("getStore", {"name": store})
    page = await console.call("browseStore", {"name": store}, query)
    return render(console.request, "store.html", console=console, store=details, page=page)


async def message_page(console: Console) -> web.StreamResponse:
    store, message_id = _names(console)
    message = await console.call("getStoredMessage", {"name": store, "id": message_id})
    stores = [item["name"] for item in (await console.call("listStores"))["items"]]
    return render(
        console.request, "message.html", console=console, store=store, message=message, stores=stores
    )


async def replay(console: Console) -> web.StreamResponse:
    store, message_id = _names(console)
    body: dict[str, Any] = {}
    payload, into = console.form.get("payload"), console.form.get("into")
    if isinstance(payload, str):
        body["payload"] = payload.replace("\r\n", "\n")  # a textarea posts CRLF line ends
    if isinstance(into, str) and into.strip():
        body["into"] = into.strip()
    target = body.get("into", "its store")
    done = f"message {message_id} replayed into {target}"
    back = _store_page(store)
    return await console.act("replayStoredMessage", {"name": store, "id": message_id}, done, body, back)


async def delete_message(console: Console) -> web.StreamResponse:
    store, message_id = _names(console)
    done = f"message {message_id} deleted"
    return await console.act(
        "deleteStoredMessage", {"name": store, "id": message_id}, done, back=_store_page(store)
    )


async def purge_form(console: Console) -> web.StreamResponse:
    store, _ = _names(console)
    details = await console.call("getStore", {"name": store})
    return render(console.request, "purge.html", console=console, store=details)


async def purge(console: Console) -> web.StreamResponse:
    store, _ = _names(console)
    return await console.act("purgeStore", {"name": store}, f"store {store} purged", back=_store_page(store))
