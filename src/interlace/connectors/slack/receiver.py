"""The Events API's request URL: an HTTP receiver that checks Slack's signature, answers the URL
verification challenge, and hands each event on once.

Every answer is given within Slack's three seconds:

- a request that is not signed with the signing secret, or not recent: 401, and nothing is delivered;
- ``url_verification`` (when the request URL is saved in the app's settings): 200 with the challenge;
- ``event_callback`` of a type the trigger does not take (``eventTypes``): 200, not delivered;
- ``event_callback`` whose ``event_id`` was already taken (Slack retries a request it thinks failed,
  with ``X-Slack-Retry-Num``): 200, not delivered again;
- a new event: 200 once the inbound endpoint has taken it; 503 when it had no room for it within
  ``answer_within`` seconds, so Slack delivers it again later;
- any other request: 400 (not JSON), 404 (another path) or 405 (not POST).

An event taken and then failed is handed back by the runtime (``nack(requeue=True)``) and delivered
again from memory, since Slack has already been answered.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any, Final

from aiohttp import web

from interlace.connectors.slack.signature import signature_problem
from interlace.sdk import Payload, TriggerEvent

__all__ = ["ANSWER_WITHIN", "ANSWER_WITHIN_LIMIT", "EventsReceiver"]

ANSWER_WITHIN: Final = 2.5
"""Seconds a new event may wait for the inbound endpoint to take it, by default."""
ANSWER_WITHIN_LIMIT: Final = 3.0
"""Slack's own wait for an answer: waiting longer only makes Slack time out and deliver again."""

_REMEMBERED: Final = 10_000
_log = logging.getLogger("interlace.connectors.slack")


@dataclass(slots=True)
class _Pending:
    event: TriggerEvent
    taken: asyncio.Future[None] | None = None
    withdrawn: bool = field(default=False)


class _Settle:
    """The delivery of one event: an ack forgets nothing (a late retry of it stays a duplicate); a nack
    with requeue delivers it again from memory."""

    def __init__(self, receiver: EventsReceiver, event_id: str) -> None:
        self._receiver = receiver
        self._event_id = event_id

    async def ack(self) -> None:
        self._receiver.settled(self._event_id)

    async def nack(self, *, requeue: bool) -> None:
        if requeue:
            self._receiver.redeliver(self._event_id)
        else:
            self._receiver.settled(self._event_id)


class EventsReceiver:
    """Serves ``path`` for one trigger; :meth:`next_event` gives the events in order of arrival.

    ``secret`` is the signing secret; ``event_types`` the ``event.type`` values delivered (empty:
    all); ``answer_within`` bounds the wait for room; ``clock`` gives Unix seconds for the timestamp check."""

    def __init__(
        self,
        secret: str,
        *,
        path: str,
        event_types: Collection[str] = (),
        answer_within: float = ANSWER_WITHIN,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._secret = secret
        self._path = path
        self._event_types = frozenset(event_types)
        self._clock = clock
        self._answer_within = answer_within
        self._queue: asyncio.Queue[_Pending] = asyncio.Queue()
        # event_id -> its event while not settled, None once settled (kept to spot late retries)
        self._known: OrderedDict[str, TriggerEvent | None] = OrderedDict()

    async def next_event(self) -> TriggerEvent:
        """The next event to deliver (new or handed back); marks a waiting request's event as taken."""
        while True:
            pending = await self._queue.get()
            if pending.withdrawn:
                continue
            if pending.taken is not None and not pending.taken.done():
                pending.taken.set_result(None)
            return pending.event

    def settled(self, event_id: str) -> None:
        if event_id in self._known:
            self._known[event_id] = None

    def redeliver(self, event_id: str) -> None:
        event = self._known.get(event_id)
        if event is not None:
            self._queue.put_nowait(_Pending(event))

    async def handle(self, request: web.BaseRequest) -> web.StreamResponse:
        """Answer one request (the module's docstring lists the answers)."""
        if request.path != self._path:
            return _answer(404, {"error": "not_found"})
        if request.method != "POST":
            return _answer(405, {"error": "method_not_allowed"}, {"Allow": "POST"})
        body = await request.read()
        problem = signature_problem(
            self._secret,
            request.headers.get("X-Slack-Request-Timestamp"),
            request.headers.get("X-Slack-Signature"),
            body,
            now=self._clock(),
        )
        if problem is not None:
            _log.warning(
                "slack events at %s: refused a request from %s: %s", self._path, request.remote, problem
            )
            return _answer(401, {"error": "invalid_signature"})
        try:
            envelope = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return _answer(400, {"error": "not_json"})
        if not isinstance(envelope, dict):
            return _answer(400, {"error": "not_an_object"})
        kind = envelope.get("type")
        if kind == "url_verification":
            return _answer(200, {"challenge": str(envelope.get("challenge", ""))})
        if kind != "event_callback":
            _log.info("slack events at %s: %s received", self._path, kind)
            return _answer(200, {})
        return await self._take(envelope, body, request.headers.get("X-Slack-Retry-Num"))

    async def _take(self, envelope: dict[str, Any], body: bytes, retry: str | None) -> web.StreamResponse:
        inner = envelope.get("event")
        event_type = str(inner.get("type", "")) if isinstance(inner, dict) else ""
        event_id = str(envelope.get("event_id", ""))
        if not event_id:
            return _answer(400, {"error": "no_event_id"})
        if self._event_types and event_type not in self._event_types:
            return _answer(200, {})
        if event_id in self._known:
            _log.info("slack events: %s delivered again by Slack (retry %s), already taken", event_id, retry)
            return _answer(200, {})
        event = TriggerEvent(
            Payload(body, "application/json"),
            attributes={"eventId": event_id, "eventType": event_type, "teamId": envelope.get("team_id")},
            delivery=_Settle(self, event_id),
            key=event_id,
        )
        pending = _Pending(event, asyncio.get_running_loop().create_future())
        self._remember(event_id, event)
        self._queue.put_nowait(pending)
        assert pending.taken is not None
        try:
            await asyncio.wait_for(asyncio.shield(pending.taken), self._answer_within)
        except TimeoutError:
            pending.withdrawn = True
            self._known.pop(event_id, None)
            return _answer(503, {"error": "busy"}, {"Retry-After": "1"})
        return _answer(200, {})

    def _remember(self, event_id: str, event: TriggerEvent) -> None:
        self._known[event_id] = event
        while len(self._known) > _REMEMBERED:
            oldest, held = next(iter(self._known.items()))
            if held is not None:  # never forget an event still in flight
                break
            del self._known[oldest]

    def close(self) -> None:
        """Answer the requests still waiting 503 at once (the trigger stops): Slack delivers them again."""
        while not self._queue.empty():
            pending = self._queue.get_nowait()
            if pending.taken is not None and not pending.taken.done():
                pending.taken.set_exception(TimeoutError())


def _answer(status: int, document: dict[str, Any], headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response(document, status=status, headers=headers)
