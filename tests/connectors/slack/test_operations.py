"""The Web API operations against the fake: what each sends and answers, and Slack's errors sorted by
what helps (FatalError for the app's credentials, InvalidInput for the call's arguments, RetryableError
with Slack's Retry-After when throttled or unreachable)."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import pytest
from tests.connectors.slack.fakeslack import FakeSlack
from tests.support import unused_port

from interlace.connectors.slack import SlackConfig, SlackConnection, connector
from interlace.sdk import FatalError, InvalidInput, RetryableError


async def run(conn: SlackConnection, operation: str, **values: object) -> Any:
    return await connector.get_operation(operation).invoke(conn, values)


async def test_post_message_posts_to_the_channel_and_answers_its_ts(
    slack: SlackConnection, fake: FakeSlack
) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*Order 1042* shipped"}}]

    answer = await run(slack, "postMessage", channel="C0ALERTS", text="Order 1042 shipped", blocks=blocks)

    assert answer["ok"] is True and answer["channel"] == "C0ALERTS"
    assert fake.messages["C0ALERTS"][0]["ts"] == answer["ts"]
    assert fake.messages["C0ALERTS"][0]["blocks"] == blocks


async def test_a_reply_goes_to_the_parents_thread(slack: SlackConnection, fake: FakeSlack) -> None:
    parent = await run(slack, "postMessage", channel="C0ALERTS", text="Order 1042")

    await run(slack, "postMessage", channel="C0ALERTS", text="shipped", threadTs=parent["ts"])

    assert fake.messages["C0ALERTS"][0]["thread_ts"] == parent["ts"]


async def test_update_message_replaces_the_text_of_a_posted_message(
    slack: SlackConnection, fake: FakeSlack
) -> None:
    posted = await run(slack, "postMessage", channel="C0ALERTS", text="Order 1042: packing")

    answer = await run(
        slack, "updateMessage", channel="C0ALERTS", ts=posted["ts"], text="Order 1042: shipped"
    )

    assert answer["text"] == "Order 1042: shipped"
    assert fake.messages["C0ALERTS"][0]["text"] == "Order 1042: shipped"


async def test_an_empty_message_is_refused_before_calling_slack(
    slack: SlackConnection, fake: FakeSlack
) -> None:
    with pytest.raises(InvalidInput, match="give 'text', 'blocks' or 'attachments'"):
        await run(slack, "postMessage", channel="C0ALERTS")

    assert fake.calls == []


@pytest.mark.parametrize(
    ("operation", "values", "code"),
    [
        ("postMessage", {"channel": "C0NOWHERE", "text": "hi"}, "channel_not_found"),
        ("updateMessage", {"channel": "C0ALERTS", "ts": "1.000100", "text": "hi"}, "message_not_found"),
        ("lookupUserByEmail", {"email": "nobody@example.com"}, "users_not_found"),
        ("listConversations", {"cursor": "bogus"}, "invalid_cursor"),
    ],
)
async def test_slacks_argument_errors_are_invalid_input_naming_the_code(
    slack: SlackConnection, operation: str, values: dict[str, object], code: str
) -> None:
    with pytest.raises(
        InvalidInput, match=f"slack.{operation} on connection alerts: Slack refused the call \\(200 {code}\\)"
    ):
        await run(slack, operation, **values)


@pytest.mark.parametrize(
    ("changes", "code"),
    [({"token": "xoxb-other-t0ken"}, "invalid_auth"), ({"token": None}, None)],
)
async def test_a_wrong_or_missing_token_is_fatal_and_never_shown(
    fake: FakeSlack, config_for: Callable[..., SlackConfig], changes: dict[str, object], code: str | None
) -> None:
    async with SlackConnection(config_for(fake, **changes), name="alerts") as conn:
        with pytest.raises(FatalError) as raised:
            await run(conn, "postMessage", channel="C0ALERTS", text="hi")

    assert (code or "no token") in raised.value.message
    assert "t0ken" not in str(raised.value)


async def test_an_inactive_account_is_fatal(slack: SlackConnection, fake: FakeSlack) -> None:
    fake.inactive = True

    with pytest.raises(FatalError, match="account_inactive"):
        await slack.ping()


async def test_a_throttled_call_is_retryable_after_slacks_retry_after(
    slack: SlackConnection, fake: FakeSlack
) -> None:
    fake.throttle("chat.postMessage", retry_after=7)

    with pytest.raises(RetryableError, match="429 ratelimited") as raised:
        await run(slack, "postMessage", channel="C0ALERTS", text="hi")
    assert raised.value.retry_after == 7.0

    answer = await run(slack, "postMessage", channel="C0ALERTS", text="hi")  # the next call gets through
    assert answer["ok"] is True


async def test_an_unreachable_api_is_retryable(
    config_for: Callable[..., SlackConfig], fake: FakeSlack
) -> None:
    config = config_for(fake, **{"api-url": f"http://127.0.0.1:{unused_port()}/api"})
    async with SlackConnection(config, name="alerts") as conn:
        with pytest.raises(RetryableError, match="did not answer"):
            await conn.ping()


async def test_an_api_url_that_is_not_slacks_is_fatal_naming_the_setting(
    config_for: Callable[..., SlackConfig], fake: FakeSlack
) -> None:
    async with SlackConnection(
        config_for(fake, **{"api-url": f"{fake.url}/elsewhere"}), name="alerts"
    ) as conn:
        with pytest.raises(FatalError, match="without the Slack API's JSON; check the connection's api-url"):
            await conn.ping()


async def test_list_conversations_gives_one_page_and_the_cursor_to_the_next(
    slack: SlackConnection, fake: FakeSlack
) -> None:
    for index in range(5):
        fake.add_channel(f"C{index}", f"project-{index}")

    first = await run(slack, "listConversations", limit=3)
    second = await run(slack, "listConversations", limit=3, cursor=first["nextCursor"])
    last = await run(slack, "listConversations", limit=3, cursor=second["nextCursor"])

    names = [c["name"] for page in (first, second, last) for c in page["channels"]]
    assert names == ["general", "alerts"] + [f"project-{index}" for index in range(5)]
    assert last["nextCursor"] == ""


async def test_list_conversations_follows_every_page_when_asked(
    slack: SlackConnection, fake: FakeSlack
) -> None:
    fake.add_channel("C9", "old", is_archived=True)

    every = await run(slack, "listConversations", limit=1, allPages=True)
    unarchived = await run(slack, "listConversations", limit=1, allPages=True, excludeArchived=True)

    assert [c["id"] for c in every["channels"]] == ["C0GENERAL", "C0ALERTS", "C9"]
    assert [c["id"] for c in unarchived["channels"]] == ["C0GENERAL", "C0ALERTS"]
    assert every["nextCursor"] == "" and fake.methods().count("conversations.list") == 3 + 2


async def test_unknown_conversation_types_are_refused(slack: SlackConnection) -> None:
    with pytest.raises(
        InvalidInput, match="types must be among im, mpim, private_channel, public_channel \\(got channels\\)"
    ):
        await run(slack, "listConversations", types="public_channel,channels")


async def test_history_gives_messages_newest_first_and_whether_there_are_more(
    slack: SlackConnection, fake: FakeSlack
) -> None:
    for text in ("one", "two", "three"):
        await run(slack, "postMessage", channel="C0GENERAL", text=text)

    answer = await run(slack, "getConversationHistory", channel="C0GENERAL", limit=2)

    assert [m["text"] for m in answer["messages"]] == ["three", "two"]
    assert answer["hasMore"] is True and answer["nextCursor"]


async def test_lookup_user_by_email_gives_the_user(slack: SlackConnection) -> None:
    user = await run(slack, "lookupUserByEmail", email="jane@example.com")

    assert user["id"] == "U0JANE"


async def test_upload_file_reserves_sends_and_shares_the_file(
    slack: SlackConnection, fake: FakeSlack
) -> None:
    answer = await run(
        slack, "uploadFile", filename="report.csv", content="id,total\n1042,99.50\n", channel="C0ALERTS",
        title="Shipped orders", initialComment="Today's report",
    )  # fmt: skip

    (upload,) = fake.uploads.values()
    assert upload.content == b"id,total\n1042,99.50\n" and upload.channel == "C0ALERTS"
    assert answer == {"files": [{"id": "F00000001", "title": "Shipped orders"}]}
    assert fake.methods() == ["files.getUploadURLExternal", "files.completeUploadExternal"]


async def test_upload_file_takes_base64_bytes(slack: SlackConnection, fake: FakeSlack) -> None:
    data = bytes(range(256))

    await run(
        slack,
        "uploadFile",
        filename="blob.bin",
        content=base64.b64encode(data).decode(),
        contentEncoding="base64",
    )

    (upload,) = fake.uploads.values()
    assert upload.content == data and upload.title == "blob.bin" and upload.channel is None


async def test_upload_file_refuses_content_that_is_not_base64(
    slack: SlackConnection, fake: FakeSlack
) -> None:
    with pytest.raises(InvalidInput, match="content must be base64-encoded"):
        await run(slack, "uploadFile", filename="blob.bin", content="not base64!", contentEncoding="base64")

    assert fake.calls == []
