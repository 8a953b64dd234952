"""iso8583.send against a real TCP peer on loopback: responses matched by STAN with several requests in
flight, and what a client is told of timeouts, bad frames, unreadable responses and a peer that closes."""

from __future__ import annotations

import asyncio
import struct
from collections.abc import AsyncIterator

import pytest
from tests.support import within

from interlace.connectors.iso8583 import Iso8583Config, Iso8583Connection, connector
from interlace.sdk import FatalError, InvalidInput, RetryableError

from .peer import Peer, Request, approve, framed, response_to, serving_peer


async def send(conn: Iso8583Connection, stan: str, **values: object) -> object:
    fields = {"3": "000000", "4": 1000, "11": stan, "41": "TERM0001"}
    return await connector.get_operation("send").invoke(conn, {"mti": "0200", "fields": fields, **values})


def connected(peer: Peer, **settings: object) -> Iso8583Connection:
    config = Iso8583Config.model_validate({"host": peer.host, "port": peer.port, **settings})
    return Iso8583Connection(config, name="acquirer")


@pytest.fixture
async def conn_to() -> AsyncIterator[list[Iso8583Connection]]:
    opened: list[Iso8583Connection] = []
    yield opened
    for conn in opened:
        await conn.aclose()


async def test_send_returns_the_unpacked_response(conn_to: list[Iso8583Connection]) -> None:
    async with serving_peer() as peer:
        conn = connected(peer)
        conn_to.append(conn)

        response = await within(send(conn, "000042"))

    assert response == {
        "mti": "0210",
        "bitmap": [11, 39, 41],
        "fields": {"11": "000042", "39": "00", "41": "TERM0001"},
    }
    assert peer.requests == [
        {
            "t": "0200",
            "p": "3020000000800000",
            "3": "000000",
            "4": "000000001000",
            "11": "000042",
            "41": "TERM0001",
        }
    ]


async def test_send_frames_with_four_ascii_digits_when_told(conn_to: list[Iso8583Connection]) -> None:
    async def approve_ascii(request: Request, writer: asyncio.StreamWriter) -> None:
        response = response_to(request)
        writer.write(f"{len(response):04d}".encode() + response)

    async with serving_peer(approve_ascii, ascii_header=True) as peer:
        conn = connected(peer, **{"frame-header": "ascii-4"})
        conn_to.append(conn)

        response = await within(send(conn, "000042"))

    assert response["fields"]["39"] == "00"  # type: ignore[index]
    assert peer.requests[0]["11"] == "000042"


async def test_responses_in_another_order_reach_their_requests_by_stan(
    conn_to: list[Iso8583Connection],
) -> None:
    held: list[tuple[Request, asyncio.StreamWriter]] = []
    all_in = asyncio.Event()

    async def answer_in_reverse_once_all_arrived(request: Request, writer: asyncio.StreamWriter) -> None:
        held.append((request, writer))
        if len(held) == 3:
            for waiting, to in reversed(held):
                to.write(framed(response_to(waiting, **{"38": f"AUTH{waiting['11'][-2:]}"})))
            all_in.set()

    async with serving_peer(answer_in_reverse_once_all_arrived) as peer:
        conn = connected(peer)
        conn_to.append(conn)

        responses = await within(asyncio.gather(*(send(conn, f"00000{n}") for n in (1, 2, 3))))

    assert [response["fields"]["11"] for response in responses] == ["000001", "000002", "000003"]  # type: ignore[index]
    assert [response["fields"]["38"] for response in responses] == ["AUTH01", "AUTH02", "AUTH03"]  # type: ignore[index]
    assert all_in.is_set()


async def test_a_request_without_a_response_times_out_and_a_late_response_is_dropped(
    conn_to: list[Iso8583Connection],
) -> None:
    release = asyncio.Event()

    async def answer_late(request: Request, writer: asyncio.StreamWriter) -> None:
        if request["11"] == "000001":
            await release.wait()
        await approve(request, writer)

    async with serving_peer(answer_late) as peer:
        conn = connected(peer)
        conn_to.append(conn)

        with pytest.raises(RetryableError) as raised:
            await within(send(conn, "000001", timeout=0.2))
        release.set()
        # The late answer to 000001 comes first on the socket and matches nothing; 000002 gets its own.
        assert (await within(send(conn, "000002")))["fields"]["11"] == "000002"  # type: ignore[index]

    assert raised.value.message == (
        f"send on connection acquirer to 127.0.0.1:{peer.port}: no response to STAN 000001 within 0.2 s"
        " (the peer may still have carried the request out)"
    )


async def test_a_peer_closing_inside_a_frame_fails_the_request_as_retryable_and_the_next_reconnects(
    conn_to: list[Iso8583Connection],
) -> None:
    async def cut_the_first(request: Request, writer: asyncio.StreamWriter) -> None:
        if request["11"] == "000001":
            writer.write(struct.pack(">H", 100) + b"0210")
            await writer.drain()
            writer.close()
            return
        await approve(request, writer)

    async with serving_peer(cut_the_first) as peer:
        conn = connected(peer)
        conn_to.append(conn)

        with pytest.raises(RetryableError) as raised:
            await within(send(conn, "000001"))
        response = await within(send(conn, "000002"))

    assert "the peer closed the connection inside a frame (4 of 100 bytes)" in raised.value.message
    assert response["fields"]["11"] == "000002"  # type: ignore[index]


async def test_a_peer_closing_between_frames_fails_the_requests_in_flight(
    conn_to: list[Iso8583Connection],
) -> None:
    async def close(request: Request, writer: asyncio.StreamWriter) -> None:
        writer.close()

    async with serving_peer(close) as peer:
        conn = connected(peer)
        conn_to.append(conn)
        with pytest.raises(RetryableError, match=r"the peer closed the connection$"):
            await within(send(conn, "000001"))


async def test_an_ascii_frame_header_that_is_not_digits_is_refused() -> None:
    from interlace.connectors.iso8583.framing import FrameError, Framing

    reader = asyncio.StreamReader()
    reader.feed_data(b"\x00\x1b0210")
    with pytest.raises(FrameError, match=r"the frame header b'\\x00\\x1b02' is not 4 ASCII digits"):
        await Framing("ascii-4").read(reader)


async def test_a_response_that_cannot_be_unpacked_fails_its_request_naming_the_field(
    conn_to: list[Iso8583Connection],
) -> None:
    async def garble(request: Request, writer: asyncio.StreamWriter) -> None:
        writer.write(framed(b"0210" + b"0020000000000000" + b"12"))

    async with serving_peer(garble) as peer:
        conn = connected(peer)
        conn_to.append(conn)
        with pytest.raises(FatalError) as raised:
            await within(send(conn, "000001"))

    assert raised.value.message.endswith(
        "the response cannot be unpacked: field 11 (System Trace Audit Number): Field data is 2 bytes,"
        " expecting 6 (at byte 20)"
    )


async def test_an_unreadable_response_with_several_in_flight_is_dropped_and_its_request_times_out(
    conn_to: list[Iso8583Connection], caplog: pytest.LogCaptureFixture
) -> None:
    held: list[Request] = []

    async def garble_the_first_once_both_arrived(request: Request, writer: asyncio.StreamWriter) -> None:
        held.append(request)
        if len(held) == 2:
            writer.write(framed(b"0210" + b"0020000000000000" + b"12"))
            writer.write(framed(response_to(next(item for item in held if item["11"] == "000002"))))

    async with serving_peer(garble_the_first_once_both_arrived) as peer:
        conn = connected(peer)
        conn_to.append(conn)
        first = asyncio.create_task(send(conn, "000001", timeout=1))
        await within(peer.arrived.wait())
        second = await within(send(conn, "000002"))
        with pytest.raises(RetryableError, match="no response to STAN 000001 within 1 s"):
            await within(first)

    assert second["fields"]["11"] == "000002"  # type: ignore[index]
    assert "the response cannot be unpacked: field 11" in caplog.text
    assert "2 requests in flight, so it is dropped" in caplog.text


async def test_a_frame_longer_than_the_maximum_is_fatal(conn_to: list[Iso8583Connection]) -> None:
    async def answer_big(request: Request, writer: asyncio.StreamWriter) -> None:
        writer.write(struct.pack(">H", 5000) + b"0" * 10)

    async with serving_peer(answer_big) as peer:
        conn = connected(peer, **{"max-message-size": 1000})
        conn_to.append(conn)
        with pytest.raises(
            FatalError, match=r"the frame header announces 5000 bytes \(at most 1000 are read\)"
        ):
            await within(send(conn, "000001"))


async def test_send_needs_a_stan_and_refuses_one_already_in_flight(conn_to: list[Iso8583Connection]) -> None:
    release = asyncio.Event()

    async def hold(request: Request, writer: asyncio.StreamWriter) -> None:
        await release.wait()
        await approve(request, writer)

    async with serving_peer(hold) as peer:
        conn = connected(peer)
        conn_to.append(conn)
        with pytest.raises(InvalidInput, match=r"field 11 \(the STAN\) is required to match the response"):
            await connector.get_operation("send").invoke(conn, {"mti": "0200", "fields": {"3": "000000"}})
        first = asyncio.create_task(send(conn, "000007"))
        await within(peer.arrived.wait())
        with pytest.raises(InvalidInput, match="a request with STAN 000007 is in flight already"):
            await send(conn, "000007")
        release.set()
        assert (await within(first))["fields"]["11"] == "000007"  # type: ignore[index]


async def test_send_to_a_port_nobody_listens_on_is_retryable(conn_to: list[Iso8583Connection]) -> None:
    from tests.support import unused_port

    conn = Iso8583Connection(Iso8583Config(host="127.0.0.1", port=unused_port()), name="acquirer")
    conn_to.append(conn)
    with pytest.raises(RetryableError, match="cannot connect"):
        await within(send(conn, "000001"))


async def test_send_without_a_peer_is_fatal() -> None:
    with pytest.raises(FatalError, match="connection acquirer has no host and port to send to"):
        await send(Iso8583Connection(Iso8583Config(), name="acquirer"), "000001")


@pytest.mark.parametrize(
    ("header", "counted", "expected"),
    [("binary-4", False, b"\x00\x00\x00\x0a"), ("ascii-4", True, b"0014"), ("binary-2", True, b"\x00\x0c")],
)
def test_framing_writes_the_length_as_configured(header: str, counted: bool, expected: bytes) -> None:
    from interlace.connectors.iso8583.framing import Framing

    assert Framing(header, counted).frame(b"0123456789") == expected + b"0123456789"  # type: ignore[arg-type]


async def test_ping_connects_to_the_peer_and_says_when_it_cannot(conn_to: list[Iso8583Connection]) -> None:
    from tests.support import unused_port

    async with serving_peer() as peer:
        conn = connected(peer)
        conn_to.append(conn)
        await within(conn.ping())
        assert await within(send(conn, "000001"))  # the socket ping opened serves the request

    gone = Iso8583Connection(Iso8583Config(host="127.0.0.1", port=unused_port()), name="acquirer")
    conn_to.append(gone)
    with pytest.raises(RetryableError, match=r"connection acquirer to 127\.0\.0\.1:\d+: cannot connect"):
        await within(gone.ping())
    await Iso8583Connection(Iso8583Config(), name="codec").ping()  # no peer: nothing to check


def test_host_and_port_go_together() -> None:
    with pytest.raises(ValueError, match="host and port go together"):
        Iso8583Config(host="127.0.0.1")
