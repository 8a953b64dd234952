"""The events trigger: Slack's signed requests on the trigger's own port. Requests are signed here as
Slack signs them (v0, HMAC-SHA256 of ``v0:{timestamp}:{body}`` with the signing secret)."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest
from tests.connectors.slack.conftest import SIGNING_SECRET
from tests.connectors.slack.fakeslack import FakeSlack
from tests.support import eventually, scaled, unused_port, within

from interlace.connectors.slack import SlackConfig, SlackConnection, connector
from interlace.sdk import FatalError, TriggerEvent

PATH = "/slack/events"


def signed(body: bytes, *, secret: str = SIGNING_SECRET, at: float | None = None) -> dict[str, str]:
    timestamp = str(int(time.time() if at is None else at))
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256).hexdigest()
    return {
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": f"v0={digest}",
        "Content-Type": "application/json",
    }


def envelope(event_id: str, event_type: str = "app_mention", text: str = "hello") -> bytes:
    document = {
        "token": "unused-verification-token",
        "team_id": "T0TEAM",
        "api_app_id": "A0APP",
        "event": {
            "type": event_type,
            "user": "U0JANE",
            "text": text,
            "ts": "1700000000.000100",
            "channel": "C0ALERTS",
        },
        "type": "event_callback",
        "event_id": event_id,
        "event_time": 1700000000,
    }
    return json.dumps(document).encode()


class Receiver:
    """The trigger running on a free port, and a client posting to it as Slack does."""

    def __init__(
        self, events: AsyncGenerator[TriggerEvent, None], port: int, client: aiohttp.ClientSession
    ) -> None:
        self.events = events
        self.url = f"http://127.0.0.1:{port}{PATH}"
        self.client = client
        self.pulling: asyncio.Task[TriggerEvent] | None = None

    def pull(self) -> asyncio.Task[TriggerEvent]:
        """Ask for the next event, as the runtime does when it has room for one."""
        self.pulling = asyncio.ensure_future(anext(self.events))
        return self.pulling

    async def post(self, body: bytes, headers: dict[str, str]) -> tuple[int, Any]:
        async with self.client.post(self.url, data=body, headers=headers) as response:
            return response.status, await response.json()


async def stopped(pulling: asyncio.Task[TriggerEvent], events: AsyncGenerator[TriggerEvent, None]) -> None:
    """Stop the trigger as the runtime does: the pending pull cancelled, then the generator closed."""
    pulling.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await pulling
    await events.aclose()


@pytest.fixture
async def receiver(fake: FakeSlack, config_for: Callable[..., SlackConfig]) -> AsyncIterator[Receiver]:
    port = unused_port()
    async with (
        SlackConnection(config_for(fake), name="alerts") as conn,
        aiohttp.ClientSession() as client,
    ):
        # a short wait for room, so that the test of a full endpoint is quick; taking is immediate otherwise
        values = {"port": port, "host": "127.0.0.1", "answerWithin": min(scaled(0.5), 3.0)}
        events = connector.get_trigger("events").start(conn, values)
        found = Receiver(events, port, client)
        first = found.pull()  # starts the trigger, which listens before it waits for an event

        async def listening() -> bool:
            try:
                status, _ = await found.post(b"{}", {})
            except aiohttp.ClientConnectionError:
                return False
            return status == 401

        await eventually(listening, what="the trigger listens")
        found.pulling = first
        try:
            yield found
        finally:
            await stopped(found.pulling, events)


async def test_a_signed_event_is_delivered_with_its_envelope_and_slack_is_answered_200(
    receiver: Receiver,
) -> None:
    body = envelope("Ev001", text="<@U0BOT> ship order 1042")

    status, _ = await receiver.post(body, signed(body))
    event = await within(receiver.pulling)  # type: ignore[arg-type]

    assert status == 200
    assert event.payload.json()["event"]["text"] == "<@U0BOT> ship order 1042"
    assert event.attributes == {"eventId": "Ev001", "eventType": "app_mention", "teamId": "T0TEAM"}
    assert event.key == "Ev001"


async def test_the_url_verification_challenge_is_answered(receiver: Receiver) -> None:
    body = json.dumps(
        {
            "token": "t",
            "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
            "type": "url_verification",
        }
    ).encode()

    status, answer = await receiver.post(body, signed(body))

    assert status == 200
    assert answer == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param(lambda body: signed(body, secret="another-signing-secret"), id="wrong secret"),
        pytest.param(lambda body: signed(body + b" "), id="body changed after signing"),
        pytest.param(lambda body: signed(body, at=time.time() - 6 * 60), id="older than five minutes"),
        pytest.param(lambda body: signed(body, at=time.time() + 6 * 60), id="from the future"),
        pytest.param(lambda body: {"Content-Type": "application/json"}, id="unsigned"),
    ],
)
async def test_a_request_not_freshly_signed_with_the_secret_is_refused_and_not_delivered(
    receiver: Receiver, headers: Callable[[bytes], dict[str, str]], caplog: pytest.LogCaptureFixture
) -> None:
    forged = envelope("Ev666")
    genuine = envelope("Ev002")

    status, answer = await receiver.post(forged, headers(forged))
    await receiver.post(genuine, signed(genuine))

    assert (status, answer) == (401, {"error": "invalid_signature"})
    assert (await within(receiver.pulling)).key == "Ev002"  # type: ignore[arg-type]
    assert "refused a request" in caplog.text and SIGNING_SECRET not in caplog.text


async def test_slacks_retry_of_a_taken_event_is_answered_200_and_not_delivered_again(
    receiver: Receiver,
) -> None:
    body = envelope("Ev003")
    await receiver.post(body, signed(body))
    assert (await within(receiver.pulling)).key == "Ev003"  # type: ignore[arg-type]
    receiver.pull()

    retry_status, _ = await receiver.post(
        body, {**signed(body), "X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    )
    later = envelope("Ev004")
    await receiver.post(later, signed(later))

    assert retry_status == 200
    assert (await within(receiver.pulling)).key == "Ev004"  # type: ignore[arg-type]


async def test_a_failed_event_handed_back_is_delivered_again(receiver: Receiver) -> None:
    body = envelope("Ev005")
    await receiver.post(body, signed(body))
    event = await within(receiver.pulling)  # type: ignore[arg-type]

    await event.nack(requeue=True)
    again = await within(receiver.pull())

    assert again.key == "Ev005" and again.payload.json()["event_id"] == "Ev005"


async def test_an_event_with_no_room_is_refused_503_for_slack_to_deliver_later(receiver: Receiver) -> None:
    taken = envelope("Ev006")
    await receiver.post(taken, signed(taken))
    await within(receiver.pulling)  # type: ignore[arg-type]  # and nobody asks for the next one

    waiting = envelope("Ev007")
    status, answer = await within(receiver.post(waiting, signed(waiting)))

    assert (status, answer) == (503, {"error": "busy"})
    again = await within(receiver.post(waiting, {**signed(waiting), "X-Slack-Retry-Num": "1"}))
    assert again[0] == 503  # still no room: refused again, not remembered as taken
    receiver.pull()
    assert (await receiver.post(waiting, {**signed(waiting), "X-Slack-Retry-Num": "2"}))[0] == 200
    assert (await within(receiver.pulling)).key == "Ev007"  # type: ignore[arg-type]


async def test_only_the_event_types_asked_for_are_delivered(
    fake: FakeSlack, config_for: Callable[..., SlackConfig]
) -> None:
    port = unused_port()
    async with SlackConnection(config_for(fake), name="alerts") as conn, aiohttp.ClientSession() as client:
        events = connector.get_trigger("events").start(
            conn, {"port": port, "host": "127.0.0.1", "eventTypes": ["message"]}
        )
        receiver = Receiver(events, port, client)
        pulling = receiver.pull()
        try:
            mention, message = envelope("Ev008", "app_mention"), envelope("Ev009", "message")

            async def answered() -> bool:
                try:
                    return (await receiver.post(mention, signed(mention)))[0] == 200
                except aiohttp.ClientConnectionError:
                    return False

            await eventually(answered, what="the mention is answered")
            await receiver.post(message, signed(message))
            assert (await within(pulling)).key == "Ev009"
        finally:
            await stopped(pulling, events)


async def test_a_connection_without_a_signing_secret_cannot_receive_events(
    fake: FakeSlack, config_for: Callable[..., SlackConfig]
) -> None:
    async with SlackConnection(config_for(fake, **{"signing-secret": None}), name="alerts") as conn:
        events = connector.get_trigger("events").start(conn, {"port": unused_port()})
        with pytest.raises(FatalError, match="the connection has no signing-secret"):
            await anext(events)
