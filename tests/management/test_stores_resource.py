"""Message stores through the management API: sizes, browsing, inspecting, replaying, deleting and
purging messages."""

from __future__ import annotations

import base64

import pytest

from interlace.stores import StoredMessage, encode_message
from tests.management.conftest import Managed

ORDERS = "/management/stores/Orders"


async def fill(managed: Managed, count: int = 3) -> None:
    store = managed.runtime.message_store("Orders")
    for number in range(count):
        await store.put(
            StoredMessage(
                f"order-{number}",
                b'{"order": %d}' % number,
                "application/json",
                headers=(("X-Tenant", "acme"),),
                variables={"n": number},
                correlation_id=f"corr-{number}",
                created=1_700_000_000.0 + number,
                origin="Orders",
            )
        )


async def test_stores_are_listed_with_their_depth_and_bound(managed: Managed, monitor: str) -> None:
    await fill(managed, 2)
    listed = (await managed.call("GET", "/management/stores", token=monitor)).json
    bound = {"maxMessages": 10_000, "maxBytes": 100 * 1024 * 1024, "whenFull": "refuse"}
    orders_bytes = sum(len(encode_message(m)) for m in await managed.runtime.message_store("Orders").browse())
    orders = {
        "name": "Orders",
        "project": "shop",
        "kind": "memory",
        "size": 2,
        "bytes": orders_bytes,
        **bound,
    }
    dead_letters = {
        "name": "DeadLetters",
        "project": "shop",
        "kind": "memory",
        "size": 0,
        "bytes": 0,
        **bound,
    }
    assert listed == {"items": [dead_letters, orders]}
    assert (await managed.call("GET", ORDERS, token=monitor)).json == orders
    missing = await managed.call("GET", "/management/stores/Nope", token=monitor)
    assert missing.status == 404
    assert missing.json["error"]["message"] == "no message store named 'Nope' (stores: DeadLetters, Orders)"


async def test_browsing_pages_through_the_messages_oldest_first_without_payloads(
    managed: Managed, monitor: str
) -> None:
    await fill(managed, 3)
    page = (
        await managed.call("GET", f"{ORDERS}/messages", token=monitor, params={"offset": "1", "limit": "1"})
    ).json
    assert (page["offset"], page["limit"], page["size"]) == (1, 1, 3)
    [message] = page["items"]
    assert message["id"] == "order-1"
    assert message["correlationId"] == "corr-1"
    assert message["size"] == len(b'{"order": 1}')
    assert "payload" not in message
    everything = (await managed.call("GET", f"{ORDERS}/messages", token=monitor)).json
    assert [m["id"] for m in everything["items"]] == ["order-0", "order-1", "order-2"]
    assert everything["limit"] == 50


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"limit": "0"}, "query parameter limit: 0 is less than the minimum of 1"),
        ({"limit": "501"}, "query parameter limit: 501 is greater than the maximum of 500"),
        ({"offset": "-1"}, "query parameter offset: -1 is less than the minimum of 0"),
        ({"offset": "first"}, "query parameter offset must be an integer (got 'first')"),
    ],
)
async def test_browsing_with_a_bad_page_is_a_bad_request(
    managed: Managed, monitor: str, params: dict[str, str], message: str
) -> None:
    answer = await managed.call("GET", f"{ORDERS}/messages", token=monitor, params=params)
    assert answer.status == 400
    error = answer.json["error"]
    assert (error["code"], error["message"]) == ("BAD_REQUEST", message)


async def test_a_message_is_shown_with_its_payload_as_text_or_base64(managed: Managed, monitor: str) -> None:
    await fill(managed, 1)
    await managed.runtime.message_store("Orders").put(
        StoredMessage("blob", b"\xff\x00", "application/octet-stream")
    )
    shown = (await managed.call("GET", f"{ORDERS}/messages/order-0", token=monitor)).json
    assert shown["payload"] == '{"order": 0}'
    assert shown["headers"] == {"X-Tenant": "acme"}
    assert shown["variables"] == {"n": 0}
    blob = (await managed.call("GET", f"{ORDERS}/messages/blob", token=monitor)).json
    assert blob["payload"] is None
    assert base64.b64decode(blob["payloadBase64"]) == b"\xff\x00"
    missing = await managed.call("GET", f"{ORDERS}/messages/nope", token=monitor)
    assert missing.status == 404
    assert missing.json["error"]["message"] == "message store Orders holds no message 'nope'"


async def test_a_deleted_message_is_gone(managed: Managed, admin: str) -> None:
    await fill(managed, 2)
    assert (await managed.call("DELETE", f"{ORDERS}/messages/order-0", token=admin)).json == {
        "deleted": "order-0"
    }
    assert await managed.runtime.message_store("Orders").size() == 1
    again = await managed.call("DELETE", f"{ORDERS}/messages/order-0", token=admin)
    assert again.status == 404


async def test_a_dead_letter_is_replayed_into_its_origin_with_an_edited_payload(
    managed: Managed, admin: str
) -> None:
    dead = managed.runtime.message_store("DeadLetters")
    await dead.put(
        StoredMessage(
            "m1", b'{"amount": -1}', "application/json", attempts=5, last_error="422", origin="Orders"
        )
    )
    answer = await managed.call(
        "POST",
        "/management/stores/DeadLetters/messages/m1/replay",
        token=admin,
        json={"payload": '{"amount": 10}'},
    )
    assert answer.status == 200
    assert answer.json["store"] == "Orders"
    assert (answer.json["message"]["attempts"], answer.json["message"]["lastError"]) == (0, None)
    assert await dead.size() == 0
    replayed = await managed.runtime.message_store("Orders").get("m1")
    assert replayed is not None
    assert replayed.payload == b'{"amount": 10}'


async def test_a_replay_without_a_body_moves_the_message_as_it_is(managed: Managed, admin: str) -> None:
    await managed.runtime.message_store("DeadLetters").put(
        StoredMessage("m2", b"\x01", "x/y", origin="Orders")
    )
    answer = await managed.call("POST", "/management/stores/DeadLetters/messages/m2/replay", token=admin)
    assert answer.status == 200
    replayed = await managed.runtime.message_store("Orders").get("m2")
    assert replayed is not None and replayed.payload == b"\x01"


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        (
            {"into": "Nowhere"},
            404,
            "message m3 cannot be replayed into Nowhere: no such store (stores: DeadLetters, Orders)",
        ),
        ({"payloadBase64": "%%%"}, 400, "payloadBase64 must be base64"),
        ({"payload": "a", "payloadBase64": "YQ=="}, 400, "body: give at most one of payload, payloadBase64"),
        ({"colour": "red"}, 400, "body: Additional properties are not allowed ('colour' was unexpected)"),
    ],
)
async def test_a_replay_that_cannot_be_done_says_why_and_keeps_the_message(
    managed: Managed, admin: str, body: dict[str, str], status: int, message: str
) -> None:
    dead = managed.runtime.message_store("DeadLetters")
    await dead.put(StoredMessage("m3", b"{}", "application/json", origin="Orders"))
    answer = await managed.call(
        "POST", "/management/stores/DeadLetters/messages/m3/replay", token=admin, json=body
    )
    assert answer.status == status
    assert answer.json["error"]["message"].startswith(message)
    assert await dead.size() == 1


async def test_replaying_an_unknown_message_is_not_found(managed: Managed, admin: str) -> None:
    answer = await managed.call("POST", "/management/stores/DeadLetters/messages/nope/replay", token=admin)
    assert answer.status == 404
    assert answer.json["error"]["message"] == "message store DeadLetters holds no message 'nope'"


async def test_purging_deletes_every_message_of_the_store(managed: Managed, admin: str) -> None:
    await fill(managed, 3)
    assert (await managed.call("POST", f"{ORDERS}/purge", token=admin)).json == {"purged": 3}
    assert await managed.runtime.message_store("Orders").size() == 0
    assert (await managed.call("POST", "/management/stores/Nope/purge", token=admin)).status == 404
