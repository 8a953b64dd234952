"""The gate of a full store: what a count lets through, and refusals leaving in turns."""

from __future__ import annotations

import asyncio

import pytest

from interlace.stores.admission import Admission
from interlace.stores.bounds import StoreBounds, StoreUsage

BOUNDS = StoreBounds(max_messages=10, max_bytes=None)
FULL = StoreUsage(10, None)


class Clock:
    """A clock that moves only when told, and the sleeps asked of it (each yields once)."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        await asyncio.sleep(0)


async def admit_all(admission: Admission, usage: StoreUsage, requests: int) -> list[tuple[int, bool]]:
    """Admit ``requests`` at once; each one's number and whether it was let through, in the order they
    were answered."""
    answered: list[tuple[int, bool]] = []

    async def count() -> StoreUsage:
        return usage

    async def one(number: int) -> None:
        answered.append((number, await admission.admit(BOUNDS, count) is None))

    await asyncio.gather(*(one(number) for number in range(requests)))
    return answered


async def test_before_any_put_was_refused_every_request_is_let_through_at_once() -> None:
    clock = Clock()
    admission = Admission(clock, sleep=clock.sleep)

    answered = await admit_all(admission, FULL, 5)

    assert all(let_through for _, let_through in answered)
    assert clock.sleeps == []


async def test_the_requests_one_count_refuses_leave_one_every_spacing_in_arrival_order() -> None:
    clock = Clock()
    admission = Admission(clock, recheck=0.1, spacing=0.25, sleep=clock.sleep)
    admission.refused(FULL)

    answered = await admit_all(admission, FULL, 5)

    assert answered == [(number, False) for number in range(5)]
    # the count waits its interval once for all; then each refusal waits for the one before it
    assert clock.sleeps == [0.1, 0.25, 0.5, 0.75, 1.0]


async def test_a_count_with_room_lets_that_many_through_and_the_rest_are_refused_in_turns() -> None:
    clock = Clock()
    admission = Admission(clock, recheck=0.1, spacing=0.25, sleep=clock.sleep)
    admission.refused(FULL)

    answered = await admit_all(admission, StoreUsage(8, None), 5)

    assert sorted(number for number, let_through in answered if let_through) == [0, 1]
    assert [number for number, let_through in answered if not let_through] == [2, 3, 4]
    assert clock.sleeps == [0.1, 0.25, 0.5]


async def test_a_count_allows_its_room_less_the_flows_let_through_that_still_run() -> None:
    clock = Clock()
    admission = Admission(clock, recheck=0.1, spacing=0.25, sleep=clock.sleep)
    assert await admit_all(admission, FULL, 3) == [(0, True), (1, True), (2, True)]  # still running
    admission.refused(FULL)

    # room for 4, but three flows let through may yet store theirs: one more runs
    answered = await admit_all(admission, StoreUsage(6, None), 3)

    assert [number for number, let_through in answered if let_through] == [0]


async def test_a_flow_that_ended_gives_its_place_back_to_the_next_count() -> None:
    clock = Clock()
    admission = Admission(clock, recheck=0.1, spacing=0.25, sleep=clock.sleep)
    await admit_all(admission, FULL, 3)
    for _ in range(3):
        admission.finished()
    admission.refused(FULL)

    answered = await admit_all(admission, StoreUsage(8, None), 3)

    assert sorted(number for number, let_through in answered if let_through) == [0, 1]


async def test_refusals_spaced_out_in_the_past_leave_at_once() -> None:
    clock = Clock()
    admission = Admission(clock, recheck=0.1, spacing=0.25, sleep=clock.sleep)
    admission.refused(FULL)
    await admit_all(admission, FULL, 2)
    clock.now += 10  # long after the last refusal's turn
    clock.sleeps.clear()

    answered = await admit_all(admission, FULL, 1)

    assert answered == [(0, False)]
    assert clock.sleeps == []  # its count is due and the turn is free: no wait at all


class BusyClock(Clock):
    """A clock on which the sleeps numbered in ``late`` end ``by`` seconds after they were due (a busy
    loop)."""

    def __init__(self, late: set[int] | range, by: float) -> None:
        super().__init__()
        self.late, self.by = late, by

    async def sleep(self, seconds: float) -> None:
        self.now += seconds + (self.by if len(self.sleeps) in self.late else 0.0)
        await super().sleep(seconds)


async def test_a_refusal_whose_turn_comes_late_gives_it_up_for_a_later_one() -> None:
    clock = BusyClock(late={1}, by=0.5)
    admission = Admission(clock, recheck=0.1, spacing=0.25, sleep=clock.sleep, most_held=10)
    admission.refused(FULL)

    answered = await admit_all(admission, FULL, 2)

    assert answered == [(0, False), (1, False)]
    # the count, the second refusal's turn (late: given up), its next turn a spacing later
    assert clock.sleeps == pytest.approx([0.1, 0.25, 0.25])
    assert clock.now == pytest.approx(0.1 + 0.25 + 0.5 + 0.25)


async def test_on_a_loop_always_late_a_refusal_leaves_after_the_longest_hold() -> None:
    clock = BusyClock(late=range(1, 1000), by=0.5)
    admission = Admission(clock, recheck=0.1, spacing=0.25, sleep=clock.sleep, most_held=2)
    admission.refused(FULL)

    answered = await admit_all(admission, FULL, 2)

    assert answered == [(0, False), (1, False)]
    refused_at = 0.1  # after the count
    assert refused_at + 2 <= clock.now <= refused_at + 2 + 0.5  # held as long as allowed, not longer
