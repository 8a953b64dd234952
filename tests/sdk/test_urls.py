"""Values in URLs, for connector authors: one encoded segment, raw URL text on purpose, no dot segments,
and ``Param(url=True)`` only on text parameters."""

from __future__ import annotations

from typing import Annotated

import pytest

from interlace.sdk import (
    Connection,
    ConnectionConfig,
    Connector,
    InvalidInput,
    Param,
    has_dot_segment,
    path_segment,
    quote_reserved,
    quote_value,
)


def test_a_value_is_encoded_but_for_unreserved_characters() -> None:
    assert quote_value("a/b?c#d&e=f g%+é~._-") == "a%2Fb%3Fc%23d%26e%3Df%20g%25%2B%C3%A9~._-"


def test_raw_url_text_keeps_its_structure_and_encodes_what_cannot_be_in_a_url() -> None:
    assert quote_reserved("/a b/c?d=%2F&e=é#f") == "/a%20b/c?d=%2F&e=%C3%A9#f"


@pytest.mark.parametrize(
    ("path", "dotted"),
    [("/a/../b", True), ("/a/./b", True), ("/a/%2E%2e/b", True), ("/..", True), ("/a/..b/.c", False)],
)
def test_dot_segments_are_recognised_also_encoded(path: str, dotted: bool) -> None:
    assert has_dot_segment(path) is dotted


@pytest.mark.parametrize("value", [".", ".."])
def test_a_path_segment_that_is_a_dot_segment_is_invalid_input(value: str) -> None:
    with pytest.raises(InvalidInput, match="the message id must not be"):
        path_segment(value, "the message id")
    assert path_segment("../x") == "..%2Fx"


class _Config(ConnectionConfig):
    """Nothing to configure."""


class _Conn(Connection[_Config]):
    """A connection that needs nothing."""


def test_param_url_is_only_for_text_parameters() -> None:
    connector = Connector("urls", version="1.0.0", connection=_Conn)
    with pytest.raises(TypeError, match=r"Param\(url=True\) needs a str parameter \(got int\)"):

        @connector.operation
        async def fetch(conn: _Conn, path: Annotated[int, Param("Where.", url=True)]) -> None:
            """Fetch."""
