"""The ``events`` trigger: Slack's Events API, received on a port of the trigger's own."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Annotated

from aiohttp import web

from interlace.connectors.slack.connection import SlackConnection
from interlace.connectors.slack.receiver import ANSWER_WITHIN, ANSWER_WITHIN_LIMIT, EventsReceiver
from interlace.sdk import FatalError, Param, RetryableError, TriggerEvent

__all__ = ["events"]

_log = logging.getLogger("interlace.connectors.slack")
_SHUTDOWN = 5.0


async def events(
    conn: SlackConnection,
    port: Annotated[
        int,
        Param(
            "The port to listen on; Slack's request URL reaches it (through a proxy with TLS).", example=3000
        ),
    ],
    host: Annotated[str, Param("The address to listen on.")] = "0.0.0.0",
    path: Annotated[str, Param("The request URL's path.")] = "/slack/events",
    eventTypes: Annotated[
        list[str] | None, Param("The event types to deliver (`app_mention`, `message`, ...); by default all.")
    ] = None,
    answerWithin: Annotated[
        float,
        Param(
            "Seconds a new event may wait for the inbound endpoint to take it before Slack is answered 503"
            " and delivers it later; keep it under Slack's three seconds."
        ),
    ] = ANSWER_WITHIN,
) -> AsyncIterator[TriggerEvent]:
    """Each event Slack sends to the app's request URL (Event Subscriptions), checked against the
    connection's signing secret.

    The message is Slack's envelope as JSON (`${payload.event.type}`, `${payload.event.text}`,
    `${payload.team_id}`), with the properties `eventId`, `eventType` and `teamId`. The trigger answers
    Slack's URL verification challenge, refuses requests that are unsigned, wrongly signed or more than
    five minutes old, and delivers an event that Slack sends again (`X-Slack-Retry-Num`) only once.
    Slack is answered as soon as the inbound endpoint takes an event (Slack waits three seconds for an
    answer), so an event whose flow fails is redelivered from memory, and one in flight when the server
    stops is lost; Slack redelivers what was refused with 503 when the inbound endpoint had no room.

    ```yaml
    inbound: Mentions
    trigger:
      slack.events: {connection: bot, port: 3000, eventTypes: [app_mention]}
    sequence: Reply
    ```
    """
    if conn.config.signing_secret is None:
        raise FatalError(
            f"slack.events on connection {conn.name}: the connection has no signing-secret; set the app's"
            " signing secret to receive events"
        )
    if not 0 < answerWithin <= ANSWER_WITHIN_LIMIT:
        raise FatalError(
            f"slack.events: answerWithin must be > 0 and <= {ANSWER_WITHIN_LIMIT} (got {answerWithin})"
        )
    if not path.startswith("/"):
        raise FatalError(f"slack.events: path must start with '/' (got {path!r})")
    receiver = EventsReceiver(
        conn.config.signing_secret.reveal(),
        path=path,
        event_types=eventTypes or (),
        answer_within=answerWithin,
    )
    server = web.Server(receiver.handle, access_log=None)
    try:
        listener = await asyncio.get_running_loop().create_server(server, host, port, reuse_address=True)
    except OSError as exc:
        raise RetryableError(f"slack.events: cannot listen on {host}:{port}: {exc.strerror}") from exc
    _log.info("slack events on connection %s: listening on %s:%d%s", conn.name, host, port, path)
    try:
        while True:
            yield await receiver.next_event()
    finally:
        receiver.close()
        listener.close()
        server.pre_shutdown()  # idle keep-alive connections close now, not after the timeout
        await server.shutdown(_SHUTDOWN)
        await listener.wait_closed()
