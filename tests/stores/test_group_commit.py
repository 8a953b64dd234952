"""Group commit: writes of concurrent callers share a transaction, and each caller still learns the truth
about its own write (stored for good only when its put returned)."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from interlace.stores import StoredMessage, StoreError
from interlace.stores.group_commit import Failed, GroupCommit
from interlace.stores.sqlite import SqliteStore
from tests.support import within

Op = Callable[[list[str]], object]


class Transactions:
    """A fake ``run_batch``: records each batch's outcomes; the first ``held`` batches report that they
    ran (on ``running``) and wait for their ``commit`` event; ``fail_next`` fails the next commit."""

    def __init__(self, held: int = 0) -> None:
        self.batches: list[list[object]] = []
        self.commit = [asyncio.Event() for _ in range(held)]
        self.running: asyncio.Queue[int] = asyncio.Queue()
        self.fail_next: Exception | None = None

    async def run_batch(self, ops: list[Op]) -> list[object]:
        log: list[str] = []
        outcomes: list[object] = []
        for op in ops:
            try:
                outcomes.append(op(log))
            except ValueError as exc:
                outcomes.append(Failed(exc))
        index = len(self.batches)
        self.batches.append(outcomes)
        if index < len(self.commit):
            self.running.put_nowait(index)
            await self.commit[index].wait()
        if self.fail_next is not None:
            error, self.fail_next = self.fail_next, None
            raise error
        return outcomes


def returns(value: str) -> Op:
    def op(log: list[str]) -> str:
        log.append(value)
        return value

    return op


def raises(text: str) -> Op:
    def op(log: list[str]) -> str:
        raise ValueError(text)

    return op


async def test_writes_made_while_a_transaction_runs_share_the_next_one() -> None:
    transactions = Transactions(held=2)
    commits: GroupCommit[list[str]] = GroupCommit(transactions.run_batch)
    first = asyncio.create_task(commits.run(returns("first")))
    assert await within(transactions.running.get()) == 0
    rest = [asyncio.create_task(commits.run(returns(f"w{n}"))) for n in range(20)]
    assert not first.done()  # its transaction ran, but has not committed
    transactions.commit[0].set()
    assert await within(transactions.running.get()) == 1
    assert await within(first) == "first"
    assert not any(task.done() for task in rest)  # nobody returns before its own commit
    transactions.commit[1].set()

    assert await within(asyncio.gather(*rest)) == [f"w{n}" for n in range(20)]
    assert transactions.batches == [["first"], [f"w{n}" for n in range(20)]]


async def test_a_failing_write_fails_its_own_caller_only() -> None:
    transactions = Transactions()
    commits: GroupCommit[list[str]] = GroupCommit(transactions.run_batch)

    outcomes = await within(
        asyncio.gather(
            commits.run(returns("a")), commits.run(raises("bad")), commits.run(returns("b")),
            return_exceptions=True,
        )
    )  # fmt: skip

    assert outcomes[0] == "a" and outcomes[2] == "b"
    assert isinstance(outcomes[1], ValueError) and str(outcomes[1]) == "bad"
    assert len(transactions.batches) == 1


async def test_a_transaction_that_cannot_commit_fails_every_caller_in_it_and_no_other() -> None:
    transactions = Transactions()
    commits: GroupCommit[list[str]] = GroupCommit(transactions.run_batch)
    transactions.fail_next = OSError("disk I/O error")

    doomed = await within(
        asyncio.gather(*(commits.run(returns(f"d{n}")) for n in range(5)), return_exceptions=True)
    )
    later = await within(commits.run(returns("later")))

    assert all(isinstance(outcome, OSError) for outcome in doomed)
    assert later == "later"


# -- on SQLite: a trigger makes one message's write fail, alone or with its whole transaction ------------


def message(message_id: str) -> StoredMessage:
    return StoredMessage(message_id, b'{"id": "%s"}' % message_id.encode(), "application/json")


async def opened(path: Path) -> SqliteStore:
    store = SqliteStore("Orders", path)
    await store.open()
    return store


def refuse(path: Path, message_id: str, how: str) -> None:
    """Make every write of ``message_id`` fail: ``ABORT`` fails that statement, ``ROLLBACK`` the whole
    transaction it is in."""
    with sqlite3.connect(path) as db:
        db.execute(
            f"CREATE TRIGGER refuse_{how.lower()} BEFORE INSERT ON interlace_messages "
            f"WHEN NEW.id = '{message_id}' BEGIN SELECT RAISE({how}, 'refused by a test'); END"
        )


async def put_all(store: SqliteStore, ids: list[str]) -> dict[str, BaseException | None]:
    outcomes = await within(asyncio.gather(*(store.put(message(i)) for i in ids), return_exceptions=True))
    return dict(zip(ids, outcomes, strict=True))


async def test_concurrent_puts_are_stored_in_the_order_they_were_made(tmp_path: Path) -> None:
    store = await opened(tmp_path / "stores.sqlite")
    ids = [f"m{n:03d}" for n in range(200)]

    outcomes = await put_all(store, ids)

    assert set(outcomes.values()) == {None}
    assert [stored.id for stored in await store.browse(limit=500)] == ids
    await store.aclose()


async def test_a_put_that_fails_alone_does_not_fail_the_puts_that_share_its_commit(
    tmp_path: Path,
) -> None:
    path = tmp_path / "stores.sqlite"
    store = await opened(path)
    refuse(path, "poison", "ABORT")
    ids = [f"m{n:02d}" for n in range(10)]

    outcomes = await put_all(store, [*ids[:5], "poison", *ids[5:]])

    assert isinstance(outcomes.pop("poison"), StoreError)
    assert set(outcomes.values()) == {None}
    assert [stored.id for stored in await store.browse()] == ids
    await store.aclose()


@pytest.mark.parametrize("reopen", [False, True])
async def test_a_put_whose_commit_fails_raises_and_stores_nothing(tmp_path: Path, reopen: bool) -> None:
    path = tmp_path / "stores.sqlite"
    store = await opened(path)
    refuse(path, "doomed", "ROLLBACK")
    ids = [f"m{n:02d}" for n in range(10)]

    outcomes = await put_all(store, [*ids[:5], "doomed", *ids[5:]])
    if reopen:
        await store.aclose()
        store = await opened(path)

    failed = {i for i, outcome in outcomes.items() if outcome is not None}
    assert "doomed" in failed and len(failed) > 1  # the puts of its transaction fail with it
    assert all(isinstance(outcomes[i], StoreError) for i in failed)
    # Exactly the puts that returned are stored: none that raised, whatever shared its transaction.
    assert [stored.id for stored in await store.browse()] == [i for i in ids if i not in failed]
    await store.put(message("after"))  # the store goes on
    assert await store.get("after") is not None
    await store.aclose()
