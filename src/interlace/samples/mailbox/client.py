"""Reading a running development mailbox over HTTP, for the command line and for tests in other processes."""

from __future__ import annotations

from typing import Any

import aiohttp

from interlace.errors import EndpointError

__all__ = ["fetch_messages"]


async def fetch_messages(url: str, *, session: aiohttp.ClientSession | None = None) -> list[dict[str, Any]]:
    """The messages of the mailbox at base URL *url*, newest first, in the shape of ``/api/messages``.

    Raises ``EndpointError`` when the mailbox cannot be reached or answers something else than its list.
    """
    endpoint = url.rstrip("/") + "/api/messages"
    owned = session is None
    client = session if session is not None else aiohttp.ClientSession()
    try:
        async with client.get(endpoint) as response:
            if response.status != 200:
                raise EndpointError(
                    f"the mailbox at {url} must answer 200 to GET /api/messages (got {response.status})"
                )
            document = await response.json(content_type=None)
    except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
        raise EndpointError(f"cannot read the mailbox at {url}: {exc}") from exc
    finally:
        if owned:
            await client.close()
    messages = document.get("messages") if isinstance(document, dict) else None
    if not isinstance(messages, list):
        raise EndpointError(f"the mailbox at {url} answered no message list to GET /api/messages")
    return [message for message in messages if isinstance(message, dict)]
