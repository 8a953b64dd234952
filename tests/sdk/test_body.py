"""encode_body: what publish operations send for a flow's value, and the content type that follows."""

from __future__ import annotations

import pytest

from interlace.sdk import InvalidInput, encode_body


@pytest.mark.parametrize(
    ("value", "content_type", "expected"),
    [
        (b"\x00raw", None, (b"\x00raw", "application/octet-stream")),
        ("héllo", None, ("héllo".encode(), "text/plain; charset=utf-8")),
        ({"id": 1, "tags": ["a"]}, None, (b'{"id":1,"tags":["a"]}', "application/json")),
        ("<a/>", "application/xml", (b"<a/>", "application/xml")),
    ],
)
def test_a_value_is_sent_as_bytes_text_or_json(
    value: object, content_type: str | None, expected: tuple[bytes, str]
) -> None:
    assert encode_body(value, content_type, "x.publish") == expected


def test_a_value_that_is_not_json_is_refused_naming_the_parameter() -> None:
    with pytest.raises(
        InvalidInput, match=r"x.publish: value must be text, bytes or a JSON value \(got object\)"
    ):
        encode_body(object(), None, "x.publish", "value")
