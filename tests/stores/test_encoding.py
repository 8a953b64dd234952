"""The one encoding every store kind keeps a message in."""

from __future__ import annotations

import pytest

from interlace.stores import StoredMessage, StoreError, decode_message, encode_message


def test_a_message_round_trips_through_its_encoding() -> None:
    original = StoredMessage(
        id="a1",
        payload=bytes(range(256)),
        content_type="application/octet-stream",
        headers=(("X-A", "1"), ("X-A", "2")),
        variables={"nested": {"list": [1, "two", None]}},
        properties={"p": 1.5},
        correlation_id="c",
        created=12.5,
        attempts=3,
        last_error="boom",
        origin="Origin",
    )

    assert decode_message(encode_message(original)) == original


@pytest.mark.parametrize("data", [b"not json", b"{}", b'{"id": "x", "payload": "%%%", "content_type": "t"}'])
def test_anything_else_is_a_corrupt_message(data: bytes) -> None:
    with pytest.raises(StoreError, match="a stored message is corrupt"):
        decode_message(data)
