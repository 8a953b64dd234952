"""Backlog: the source is asked at most once per interval, and each event taken in between counts one
down from its last answer, never below zero."""

from __future__ import annotations

import logging

import pytest

from interlace.sdk import Backlog, FatalError


class Source:
    """A source whose backlog the test sets, counting how often it is asked."""

    def __init__(self, waiting: int | None) -> None:
        self.waiting = waiting
        self.reads = 0

    async def read(self) -> int | None:
        self.reads += 1
        return self.waiting


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def test_the_source_is_asked_once_per_interval_and_counted_down_in_between() -> None:
    source, clock = Source(3), Clock()
    backlog = Backlog(source.read, interval=1.0, clock=clock)
    assert [await backlog.lag() for _ in range(5)] == [3, 2, 1, 0, 0]
    assert source.reads == 1
    clock.now += 1.0
    source.waiting = 7
    assert [await backlog.lag() for _ in range(2)] == [7, 6]
    assert source.reads == 2


async def test_a_source_that_cannot_say_gives_none_until_it_can() -> None:
    source, clock = Source(None), Clock()
    backlog = Backlog(source.read, interval=1.0, clock=clock)
    assert [await backlog.lag() for _ in range(2)] == [None, None]
    clock.now += 5
    source.waiting = 4
    assert await backlog.lag() == 4


class Refusing(Source):
    """A source whose backlog read is refused (a permission the consumer lacks), until it is granted."""

    def __init__(self) -> None:
        super().__init__(None)
        self.refused = True

    async def read(self) -> int | None:
        self.reads += 1
        if self.refused:
            raise FatalError("reading the queue's attributes: access denied")
        return 5


async def test_a_refused_read_leaves_the_lag_unknown_logged_once_and_is_tried_again(
    caplog: pytest.LogCaptureFixture,
) -> None:
    source, clock = Refusing(), Clock()
    backlog = Backlog(source.read, interval=1.0, clock=clock)
    with caplog.at_level(logging.WARNING, "interlace.connectors"):
        assert [await backlog.lag() for _ in range(2)] == [None, None]
        clock.now += 1
        assert await backlog.lag() is None
    assert [record.getMessage() for record in caplog.records] == [
        "reading the queue's attributes: access denied; the lag stays unknown until a read succeeds"
    ]
    source.refused = False
    clock.now += 1
    assert await backlog.lag() == 5
    assert source.reads == 3
