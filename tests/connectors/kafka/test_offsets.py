"""The partition ledger: commits never pass a record in flight, and records read again are skipped."""

from __future__ import annotations

from interlace.connectors.kafka.offsets import PartitionLedger


def test_nothing_is_committed_until_the_first_record_is_done() -> None:
    ledger = PartitionLedger()
    assert all(ledger.admit(offset) for offset in (5, 6, 7))
    ledger.finish(7)
    ledger.finish(6)
    assert ledger.to_commit() is None
    ledger.finish(5)
    assert ledger.to_commit() == 8


def test_a_record_to_read_again_holds_the_commit_and_is_admitted_once_more() -> None:
    ledger = PartitionLedger()
    for offset in (0, 1, 2):
        ledger.admit(offset)
    ledger.finish(0)
    assert ledger.again(1) == 1
    ledger.finish(2)
    assert ledger.to_commit() == 1
    ledger.committed = 1
    assert [ledger.admit(offset) for offset in (1, 2, 3)] == [True, False, True]
    ledger.finish(1)
    assert ledger.to_commit() == 3


def test_the_seek_goes_to_the_earliest_record_to_read_again() -> None:
    ledger = PartitionLedger()
    for offset in (0, 1, 2):
        ledger.admit(offset)
    assert ledger.again(2) == 2
    assert ledger.again(0) == 0
    assert ledger.again(1) == 0


def test_gaps_in_offsets_commit_past_the_last_done_record() -> None:
    ledger = PartitionLedger()
    ledger.admit(3)
    ledger.admit(9)  # compaction or transaction markers leave gaps
    ledger.finish(3)
    ledger.finish(9)
    assert ledger.to_commit() == 10
    assert not ledger.admit(4)
