"""Three nodes behind nginx, one PostgreSQL database: reservations sent without pause while one node is
killed (SIGKILL) and another stopped (SIGTERM) are each settled exactly once, the coordinated processor
moves to a live node within its lease time, and a bundle deployed to one node is served by all. Run with
``-s`` to see the figures (``bench/cluster.py`` prints them too)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.addresses import POSTGRES
from tests.cluster.scenario import LEASE, RENEW, find_nginx, run_scenario
from tests.support import scaled

pytestmark = pytest.mark.needs("postgres")


def test_nginx_is_installed() -> None:
    find_nginx()  # fails naming the package to install, never skips


async def test_three_nodes_settle_every_accepted_reservation_once_through_failures(tmp_path: Path) -> None:
    figures = await run_scenario(tmp_path, POSTGRES.url, load_seconds=4.0)
    print("\n" + "\n".join(figures.lines()))

    assert figures.statuses[200] > 400, figures.lines()
    assert figures.unsettled == [], f"accepted but never settled: {figures.unsettled[:10]}"
    assert figures.settled_twice == [], f"settled under two idempotency keys: {figures.settled_twice[:10]}"
    assert set(figures.after_sigterm) == {200}, f"a graceful stop cost answers: {figures.after_sigterm}"
    # A dead holder is replaced once its lease expired and the next try came (lease + renew); a node
    # stopping gives its lease up first, so the next try (within renew) takes it.
    assert figures.failover is not None and figures.failover <= scaled(LEASE + RENEW) + 1.0
    assert figures.handover is not None and figures.handover <= scaled(LEASE)
    assert figures.deployed_everywhere is not None
