"""A worker's role: what it takes from the environment, and whether several workers may share a project's
stores."""

from __future__ import annotations

from pathlib import Path

import pytest

from interlace.workers.role import WORKER_ENV, UnsharedStoreError, WorkerRole


def test_a_role_travels_through_the_environment(tmp_path: Path) -> None:
    role = WorkerRole(1, 4, tmp_path, explicit=False, restart=True)
    assert WorkerRole.from_env({WORKER_ENV: role.to_env()}) == role
    assert WorkerRole.from_env({}) is None  # a server of its own


def test_asked_for_workers_refuse_a_memory_store_naming_it(tmp_path: Path) -> None:
    with pytest.raises(
        UnsharedStoreError, match=r"2 workers cannot share the memory store\(s\) Orders of shop"
    ):
        WorkerRole(0, 2, tmp_path, explicit=True).serves_alone(["Orders of shop"])


def test_the_default_count_of_workers_falls_back_to_one_for_a_memory_store(tmp_path: Path) -> None:
    assert WorkerRole(0, 8, tmp_path, explicit=False).serves_alone(["Orders of shop"])
    assert not WorkerRole(0, 8, tmp_path, explicit=True).serves_alone([])


def test_a_follower_is_known_once_it_serves(tmp_path: Path) -> None:
    primary, follower = WorkerRole(0, 2, tmp_path), WorkerRole(1, 2, tmp_path)
    assert primary.followers() == []
    follower.announce_ready(8290, 41000, 10.0)
    [ready] = primary.followers()
    assert (ready.index, ready.port, ready.management_port, ready.graceful_timeout) == (1, 8290, 41000, 10.0)


def test_the_primary_learns_what_a_follower_could_not_follow(tmp_path: Path) -> None:
    primary, follower = WorkerRole(0, 2, tmp_path), WorkerRole(1, 2, tmp_path)
    follower.announce_ready(8290, 41000, 10.0)
    follower.note_followed(7, ["shop from /srv/shop/2.0: apis/shop.yaml:3: unknown key"])
    assert primary.follower_problems() == ["worker 1: shop from /srv/shop/2.0: apis/shop.yaml:3: unknown key"]
    follower.note_followed(8)
    assert primary.follower_problems() == []
