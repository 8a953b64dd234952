"""A project that answers Slack: an inbound endpoint on the events trigger runs a flow that posts a reply
with the postMessage operation, both on one connection, as users write them in YAML."""

from __future__ import annotations

import json
from pathlib import Path

import aiohttp
from tests.connectors.slack.conftest import SIGNING_SECRET, TOKEN
from tests.connectors.slack.fakeslack import FakeSlack
from tests.connectors.slack.test_events import envelope, signed
from tests.support import eventually, unused_port, write_project

from interlace.runtime import Runtime


async def test_a_mention_starts_a_flow_that_replies_in_the_thread(tmp_path: Path, fake: FakeSlack) -> None:
    port = unused_port()
    root = write_project(
        tmp_path,
        {
            "connections/bot.yaml": f"""
                connection: bot
                connector: slack
                token: {TOKEN}
                signing-secret: {SIGNING_SECRET}
                api-url: {fake.url}/api
                """,
            "inbound/mentions.yaml": f"""
                inbound: Mentions
                trigger:
                  slack.events: {{connection: bot, port: {port}, host: 127.0.0.1, eventTypes: [app_mention]}}
                sequence: Reply
                """,
            "sequences/reply.yaml": """
                sequence: Reply
                flow:
                  - slack.postMessage: {connection: bot, channel: "${payload.event.channel}",
                                        text: "On it: ${payload.event.text}", threadTs: "${payload.event.ts}"}
                """,
        },
    )
    body = envelope("Ev100", text="ship order 1042")
    async with Runtime(root, env={}) as runtime, aiohttp.ClientSession() as client:

        async def delivered() -> bool:
            try:
                async with client.post(
                    f"http://127.0.0.1:{port}/slack/events", data=body, headers=signed(body)
                ) as answer:
                    return answer.status == 200
            except aiohttp.ClientConnectionError:
                return False

        await eventually(delivered, what="Slack's request is answered 200")
        await eventually(lambda: bool(fake.messages["C0ALERTS"]), what="the reply is posted")

        (reply,) = fake.messages["C0ALERTS"]
        assert reply["text"] == "On it: ship order 1042"
        assert reply["thread_ts"] == json.loads(body)["event"]["ts"]
        await eventually(lambda: runtime.services.state("inbound", "Mentions").processed == 1)
        assert runtime.services.state("inbound", "Mentions").source == "slack.events on connection bot"
