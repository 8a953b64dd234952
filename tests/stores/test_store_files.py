"""The SQLite store's files hold message payloads (card numbers, say): only their owner may read them."""

from __future__ import annotations

import stat
from pathlib import Path

from interlace.stores import SqliteStore, StoredMessage


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def set_mode(path: Path, mode: int) -> None:
    path.chmod(mode)


async def test_the_database_its_wal_and_the_folders_made_for_it_are_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "state" / "stores" / "payments.sqlite"
    store = SqliteStore("Payments", path)
    await store.open()
    try:
        await store.put(StoredMessage("m1", b'{"card_number": "4111111111111111"}', "application/json"))
        files = sorted(p.name for p in path.parent.iterdir())
        assert files == ["payments.sqlite", "payments.sqlite-shm", "payments.sqlite-wal"]
        assert {name: mode(path.parent / name) for name in files} == dict.fromkeys(files, 0o600)
        assert (mode(path.parent), mode(path.parent.parent)) == (0o700, 0o700)
    finally:
        await store.aclose()


async def test_an_existing_readable_database_is_made_owner_only(tmp_path: Path) -> None:
    set_mode(tmp_path, 0o755)
    path = tmp_path / "stores.sqlite"
    first = SqliteStore("Payments", path)
    await first.open()
    await first.put(StoredMessage("m1", b"{}", "application/json"))
    await first.aclose()
    set_mode(path, 0o644)

    again = SqliteStore("Payments", path)
    await again.open()
    try:
        assert mode(path) == 0o600
        assert await again.size() == 1
    finally:
        await again.aclose()
    assert mode(tmp_path) == 0o755  # a folder Interlace did not create keeps its mode
