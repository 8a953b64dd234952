"""InFlight: the bound on a trigger's unsettled events."""

from __future__ import annotations

import asyncio

from interlace.sdk import InFlight
from tests.support import within


async def test_waiting_for_room_ends_when_an_event_is_settled() -> None:
    flight = InFlight(2)
    flight.add()
    flight.add()
    assert flight.room == 0
    waiting = asyncio.ensure_future(flight.wait_for_room())
    await asyncio.sleep(0)
    assert not waiting.done()
    flight.settle()
    assert await within(waiting) is True
    assert flight.room == 1


async def test_waiting_for_room_gives_up_after_the_time_given() -> None:
    flight = InFlight(1)
    flight.add()
    assert await flight.wait_for_room(0.01) is False


async def test_keyed_events_take_room_once_and_free_it_when_settled() -> None:
    flight = InFlight(2)
    flight.add(b"1-0")
    flight.add(b"1-0")  # the same entry handed out again (a refreshed claim) takes no more room
    flight.add()
    assert (flight.room, b"1-0" in flight, b"2-0" in flight) == (0, True, False)
    flight.settle(b"1-0")
    assert (flight.room, b"1-0" in flight) == (1, False)
    assert await flight.wait_for_room(0.01)
