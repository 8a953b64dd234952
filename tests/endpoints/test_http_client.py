from __future__ import annotations

import aiohttp
import pytest

from interlace.endpoints import HttpClient
from interlace.errors import EndpointError


async def test_client_makes_one_pooled_session_without_cookies() -> None:
    async with HttpClient(limit=10, limit_per_host=4) as client:
        session = client.session()

        assert client.session() is session
        assert isinstance(session.cookie_jar, aiohttp.DummyCookieJar)
        assert isinstance(session.connector, aiohttp.TCPConnector)
        assert (session.connector.limit, session.connector.limit_per_host) == (10, 4)

    assert session.closed


async def test_closed_client_refuses_new_calls() -> None:
    client = HttpClient()
    client.session()
    await client.aclose()
    await client.aclose()

    with pytest.raises(EndpointError, match="the HTTP client is closed"):
        client.session()


async def test_a_given_session_is_used_and_left_open() -> None:
    async with aiohttp.ClientSession() as session:
        client = HttpClient(session=session)
        assert client.session() is session
        await client.aclose()
        assert not session.closed


def test_client_can_be_built_outside_an_event_loop() -> None:
    client = HttpClient()
    assert client is not None
