"""nats.publish against the local JetStream: stored with its headers, deduplicated by id, and an error
naming the subject when no stream captures it."""

from __future__ import annotations

import pytest
from tests.support import unique

from interlace.connectors.nats import NatsConnection, connector
from interlace.sdk import FatalError, OperationResult

from .conftest import Stream

pytestmark = pytest.mark.needs("nats")

PUBLISH = connector.get_operation("publish")


async def test_a_json_value_is_stored_with_its_content_type_and_headers(
    conn: NatsConnection, stream: Stream
) -> None:
    subject = f"{stream.prefix}.orders"
    result = await PUBLISH.invoke(
        conn, {"subject": subject, "message": {"id": 1}, "headers": {"Source": "clinic"}}
    )
    assert result == OperationResult(
        None, attributes={"stream": stream.name, "sequence": 1, "duplicate": False}
    )
    stored = await stream.js.get_last_msg(stream.name, subject)
    assert stored.data == b'{"id":1}'
    assert stored.headers is not None
    assert stored.headers["Content-Type"] == "application/json"
    assert stored.headers["Source"] == "clinic"


async def test_a_message_id_seen_before_is_stored_once(conn: NatsConnection, stream: Stream) -> None:
    values = {"subject": f"{stream.prefix}.orders", "message": "once", "messageId": "order-1"}
    first = await PUBLISH.invoke(conn, values)
    second = await PUBLISH.invoke(conn, values)
    assert isinstance(first, OperationResult)
    assert isinstance(second, OperationResult)
    assert (first.attributes["duplicate"], second.attributes["duplicate"]) == (False, True)
    assert second.attributes["sequence"] == first.attributes["sequence"]
    info = await stream.js.stream_info(stream.name)
    assert info.state.messages == 1


async def test_a_subject_no_stream_captures_is_fatal(conn: NatsConnection) -> None:
    subject = unique("nowhere", ".")
    with pytest.raises(
        FatalError,
        match=rf"nats.publish to subject '{subject}' on connection events: no stream captures the subject",
    ):
        await PUBLISH.invoke(conn, {"subject": subject, "message": "lost"})
