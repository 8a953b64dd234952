"""The db.poll trigger against this machine's PostgreSQL and MariaDB (and SQLite): new rows run the flow
in key order, the durable cursor lets a restarted runtime go on after the last processed row, a failed
row is read again, an order column with the key as tie-breaker works, and the db-poll source of
earlier versions is still read."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection
from tests.addresses import POSTGRES
from tests.connectors.db.conftest import MARIADB_URL, POSTGRES_URL, kinds
from tests.inbound.projects import REGISTRY, gate_of, problems
from tests.support import eventually, unique, write_project

from interlace.connectors.db import CURSOR_TABLE, DbConfig, DbConnection
from interlace.runtime import Runtime
from interlace.sdk import ConnectorError
from interlace.services import LEASE_TABLE

URLS = {"postgresql": POSTGRES_URL, "mysql": MARIADB_URL}
KEYS = {
    "sqlite": "INTEGER PRIMARY KEY AUTOINCREMENT",
    "postgresql": "SERIAL PRIMARY KEY",
    "mysql": "INT AUTO_INCREMENT PRIMARY KEY",
}


@dataclass
class Table:
    kind: str
    url: str
    name: str
    connection: DbConnection

    async def execute(self, sql: str, rows: list[dict[str, Any]] | None = None) -> None:
        await self.connection.run("test", lambda c: c.execute(text(sql), rows or {}))

    async def until_cursor_saved(self) -> None:
        async def saved(connection: AsyncConnection) -> bool:
            found = await connection.execute(
                text(f"SELECT COUNT(*) FROM {CURSOR_TABLE} WHERE name = :name"),
                {"name": f"test/Poll_{self.name}"},
            )
            return bool(found.scalar())

        async def found() -> bool:
            with contextlib.suppress(ConnectorError):  # the table is created by the endpoint
                return await self.connection.run("test", saved)
            return False

        await eventually(found, every=0.02, what=f"the cursor of Poll_{self.name} saved")

    async def insert(self, *names: str, changed: str = "2030-01-01T10:00:00") -> None:
        await self.insert_changed(*[(name, changed) for name in names])

    async def insert_changed(self, *rows: tuple[str, str]) -> None:
        """Rows (name, changed), in this order, in one transaction: a poll sees all of them or none."""
        values = [{"name": name, "changed": datetime.fromisoformat(changed)} for name, changed in rows]
        await self.execute(f"INSERT INTO {self.name} (name, changed) VALUES (:name, :changed)", values)


@pytest.fixture(params=kinds("postgresql", "mysql", "sqlite"))
async def table(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Table]:
    kind: str = request.param
    url = f"sqlite+aiosqlite:///{tmp_path / 'rows.db'}" if kind == "sqlite" else URLS[kind]
    name = unique("rows", "_")
    async with DbConnection(DbConfig(url=url), name="rows") as connection:
        found = Table(kind, url, name, connection)
        await found.execute(
            f"CREATE TABLE {name} (id {KEYS[kind]}, name VARCHAR(40) NOT NULL, changed TIMESTAMP NOT NULL)"
        )
        yield found
        await found.execute(f"DROP TABLE IF EXISTS {name}")
        with contextlib.suppress(ConnectorError):  # no cursor table when no cursor was kept there
            await found.execute(f"DELETE FROM {CURSOR_TABLE} WHERE name LIKE :end", [{"end": f"%{name}"}])


def project(
    root: Path,
    table: Table,
    options: str = "",
    failures: int = 0,
    settings: str = "",
    source: str = "",
    toml: str = "",
    name: str = "test",
) -> Path:
    source = (
        source
        or f"""
                trigger:
                  db.poll: {{connection: rows, table: {table.name}, keyColumn: id, poll: 0.02, batch: 2{options}}}"""
    )
    return write_project(
        root,
        {
            "connections/rows.yaml": f"connection: rows\nconnector: db\nurl: {table.url}\n",
            "connections/gate.yaml": "connection: gate\nconnector: gate\n",
            "sequences/take.yaml": f"""
                sequence: Take
                flow:
                  - gate.pass: {{connection: gate, key: "${{payload.id}}:${{payload.name}}", failures: {failures}}}
                """,
            "inbound/rows.yaml": f"""
                inbound: Poll_{table.name}{source}
                sequence: Take
                max-in-flight: 1
                """
            + settings,
        },
        toml,
        name=name,
    )


async def test_new_rows_run_in_order_and_a_restart_goes_on_after_the_last_one(
    table: Table, tmp_path: Path
) -> None:
    root = project(tmp_path, table)
    await table.insert("ada", "grace", "linus", "barbara", "ken")
    async with Runtime(root, env={}, connectors=REGISTRY) as runtime:
        gate = await gate_of(runtime)
        await gate.until(lambda: len(gate.passed) == 5)
        assert gate.passed == ["1:ada", "2:grace", "3:linus", "4:barbara", "5:ken"]
        await table.insert("edsger")
        await gate.until(lambda: len(gate.passed) == 6)
    await table.insert("donald", "margaret")
    async with Runtime(root, env={}, connectors=REGISTRY) as runtime:
        gate = await gate_of(runtime)
        await gate.until(lambda: len(gate.passed) == 2)
        assert gate.passed == ["7:donald", "8:margaret"]


async def test_a_failed_row_is_read_again_and_nothing_is_skipped(table: Table, tmp_path: Path) -> None:
    root = project(tmp_path, table, failures=1)
    await table.insert("ada", "grace", "linus")
    async with Runtime(root, env={}, connectors=REGISTRY) as runtime:
        gate = await gate_of(runtime)
        await gate.until(lambda: len(gate.passed) == 3)
        assert gate.passed == ["1:ada", "2:grace", "3:linus"]
        assert gate.attempts == {"1:ada": 2, "2:grace": 2, "3:linus": 2}
        state = runtime.services.state("inbound", f"Poll_{table.name}")
        assert (state.processed, state.failed) == (3, 3)


async def test_an_order_column_orders_rows_with_the_key_breaking_ties(table: Table, tmp_path: Path) -> None:
    root = project(tmp_path, table, ", orderColumn: changed, start: end")
    await table.insert("old", changed="2030-01-01T09:00:00")
    async with Runtime(root, env={}, connectors=REGISTRY) as runtime:
        gate = await gate_of(runtime)
        await table.until_cursor_saved()  # the endpoint has noted where the table ends
        # One transaction: were "a" committed after a poll had taken "b" and "c", it would sort before the
        # cursor and rightly never be read.
        await table.insert_changed(
            ("b", "2030-01-01T11:00:00"), ("c", "2030-01-01T11:00:00"), ("a", "2030-01-01T10:30:00")
        )
        await gate.until(lambda: len(gate.passed) == 3)
        assert gate.passed == ["4:a", "2:b", "3:c"]  # "old" was there before: start at the end


@pytest.mark.needs("postgres")
@pytest.mark.parametrize("table", ["postgresql"], indirect=True)
async def test_a_coordinated_poll_runs_on_one_node_and_the_next_goes_on_after_the_shared_cursor(
    table: Table, tmp_path: Path
) -> None:
    name = f"p{table.name}"
    coordination = f'[coordination]\ndsn = "{POSTGRES.url}"\nlease = "3s"\nrenew = "200ms"\n'
    root = project(tmp_path, table, settings="coordination: true\n", toml=coordination, name=name)
    inbound = f"Poll_{table.name}"
    await table.insert("ada", "grace")
    second = Runtime(root, env={}, connectors=REGISTRY)
    try:
        async with Runtime(root, env={}, connectors=REGISTRY) as first:
            first_gate = await gate_of(first)
            await first_gate.until(lambda: first_gate.passed == ["1:ada", "2:grace"])
            await second.start()
            await eventually(lambda: second.services.state("inbound", inbound).status == "standby")
        # The first node released its lease when it stopped: the second takes over after the cursor.
        await eventually(lambda: second.services.state("inbound", inbound).status == "active")
        await table.insert("linus")
        second_gate = await gate_of(second)
        await second_gate.until(lambda: second_gate.passed == ["3:linus"])
    finally:
        await second.aclose()
        await table.execute(f"DELETE FROM {LEASE_TABLE} WHERE name LIKE '{name}/%'")


@pytest.mark.parametrize("table", ["sqlite"], indirect=True)
async def test_the_cursor_can_be_kept_in_the_project_state_folder(table: Table, tmp_path: Path) -> None:
    root = project(tmp_path, table, ", cursor: state")
    await table.insert("ada")
    async with Runtime(root, env={}, connectors=REGISTRY) as runtime:
        gate = await gate_of(runtime)
        await gate.until(lambda: gate.passed == ["1:ada"])
    cursor = root / ".interlace" / "checkpoints" / f"Poll_{table.name}.json"
    assert cursor.read_text() == '{"key":1}'


@pytest.mark.parametrize("table", ["sqlite"], indirect=True)
async def test_a_cursor_kept_by_an_earlier_version_in_the_state_folder_is_gone_on_from(
    table: Table, tmp_path: Path
) -> None:
    root = project(tmp_path, table, ", cursor: state")
    earlier = root / ".interlace" / "cursors" / f"Poll_{table.name}.json"
    earlier.parent.mkdir(parents=True)
    earlier.write_text('{"key":2}')
    await table.insert("ada", "grace", "linus")
    async with Runtime(root, env={}, connectors=REGISTRY) as runtime:
        gate = await gate_of(runtime)
        await gate.until(lambda: gate.passed == ["3:linus"])


@pytest.mark.parametrize("table", ["sqlite"], indirect=True)
async def test_the_db_poll_source_of_earlier_versions_is_read_as_the_trigger_with_a_warning(
    table: Table, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    source = f"""
                db-poll: {{connection: rows, table: {table.name}, key-column: id, order-column: changed,
                          poll: 20ms, batch: 2}}"""
    root = project(tmp_path, table, source=source)
    await table.insert_changed(("b", "2030-01-01T11:00:00"), ("a", "2030-01-01T10:30:00"))
    async with Runtime(root, env={}, connectors=REGISTRY) as runtime:
        gate = await gate_of(runtime)
        await gate.until(lambda: len(gate.passed) == 2)
        assert gate.passed == ["2:a", "1:b"]
        assert runtime.services.state("inbound", f"Poll_{table.name}").source == "db.poll on connection rows"
    assert (
        "inbound/rows.yaml:2: 'db-poll:' is deprecated and read as 'trigger: {db.poll: ...}'" in caplog.text
    )


async def test_a_row_whose_flow_always_fails_is_tried_a_bounded_number_of_times_then_dead_lettered(
    table: Table, tmp_path: Path
) -> None:
    settings = "redelivery: {max-attempts: 3, backoff: 10ms}\n"
    root = project(tmp_path, table, failures=1000, settings=settings)
    await table.insert("poison")
    async with Runtime(root, env={}, connectors=REGISTRY) as runtime:
        gate = await gate_of(runtime)
        dead_letters = runtime.message_store("test.dead-letters")

        async def kept() -> bool:
            return await dead_letters.size() > 0

        await eventually(kept, every=0.02, what="the poison row dead-lettered")
        [dead] = await dead_letters.browse()
        await table.until_cursor_saved()
    assert gate.attempts == {"1:poison": 3}
    assert orjson.loads(dead.payload)["name"] == "poison"
    assert "failed 3 of 3 attempts" in (dead.last_error or "")


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "trigger:\n  db.poll: {connection: rows, table: rows, keyColumn: id; drop}\n",
            "inbound/rows.yaml:4: parameter 'keyColumn' of db.poll: value error, must be a plain SQL name",
        ),
        (
            "db-poll:\n  connection: rows\n  table: rows\n  key-column: id\n  order-column: changed at\n",
            "inbound/rows.yaml:7: parameter 'orderColumn' of db.poll: value error, must be a plain SQL name",
        ),
        (
            "db-poll: {connection: rows, table: rows}\n",
            "inbound/rows.yaml:3: missing required parameter 'keyColumn' for db.poll",
        ),
    ],
)
def test_poll_problems_are_reported_at_their_lines_in_either_shape(
    tmp_path: Path, source: str, expected: str
) -> None:
    files = {
        "connections/rows.yaml": "connection: rows\nconnector: db\nurl: sqlite+aiosqlite:///rows.db\n",
        "sequences/take.yaml": "sequence: Take\nflow: [{log: {message: x}}]\n",
        "inbound/rows.yaml": f"inbound: Rows\nsequence: Take\n{source}",
    }
    found = problems(write_project(tmp_path, files))
    assert any(problem.startswith(expected) for problem in found), found
